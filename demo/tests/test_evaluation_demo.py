"""The demo evaluations and awards: one opportunity at each step from opened bids to an agreement
ready to sign, made through the services in each opportunity's own past, and safe to seed again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from commissioning.award import gates as award_gates
from commissioning.award import selectors as award_selectors
from commissioning.award import standstill_selectors
from commissioning.evaluation import gates
from commissioning.models import (
    AssessmentSummary,
    Award,
    AwardState,
    BidState,
    CallIn,
    Declaration,
    Evaluation,
    EvaluationState,
    Opportunity,
    ScoreSheet,
)
from councils.models import AuditEvent, Role
from demo import awards as award_demo
from demo import evaluations as evaluation_demo
from demo.awards import seed_awards
from demo.evaluations import seed_evaluations
from monitoring.agreements.gates import missing_before_signing, missing_to_sign
from monitoring.models import AgreementState

pytestmark = pytest.mark.django_db


def test_nothing_happens_without_the_demo_councils():
    assert seed_evaluations() == 0
    assert seed_awards() == 0
    assert not Evaluation.objects.exists()


def by_step(examples, model):
    titles = {example.title: example.step for example in examples}
    rows = model.objects.filter(opportunity__commission__title__in=titles).select_related(
        "opportunity__commission__council"
    )
    return {titles[row.opportunity.commission.title]: row for row in rows}


def assert_each_step(today):
    evaluations = by_step(evaluation_demo.EXAMPLES, Evaluation)
    assert set(evaluations) == set(evaluation_demo.EVALUATION_STEPS)

    declaring = evaluations[evaluation_demo.DECLARATIONS]
    assert declaring.state == EvaluationState.DECLARATIONS
    missing = gates.missing_to_open_compliance(declaring)
    assert missing == [
        f"{declaring.members.get(user__email='finance@kirkby-moor.example').user} has not yet "
        "declared their interests against every bid"
    ]

    scoring = evaluations[evaluation_demo.SCORING]
    assert scoring.state == EvaluationState.SCORING
    sheets = ScoreSheet.objects.filter(evaluation=scoring)
    assert sheets.filter(member__user__email="procurement@kirkby-moor.example", submitted_at__isnull=True).exists()
    assert sheets.filter(member__is_chair=True, submitted_at__isnull=False).count() == 3
    independent = scoring.members.get(is_independent=True)
    assert independent.user.email == evaluation_demo.INDEPENDENT[0]
    assert sheets.filter(member=independent, submitted_at__isnull=False).count() == 3

    moderating = evaluations[evaluation_demo.MODERATION]
    assert moderating.state == EvaluationState.MODERATION
    assert Declaration.objects.filter(evaluation=moderating, has_conflict=True).count() == 1
    assert gates.missing_to_sign_off(moderating)  # the chair has moderation to do

    signed_off = evaluations[evaluation_demo.SIGNED_OFF]
    assert signed_off.state == EvaluationState.SIGNED_OFF
    assert signed_off.result_digest
    assert not Award.objects.filter(opportunity=signed_off.opportunity).exists()

    awards = by_step(award_demo.EXAMPLES, Award)
    assert set(awards) == set(award_demo.AWARD_STEPS)
    delegated = awards[award_demo.AWAITING_DELEGATED]
    assert (delegated.state, delegated.is_key_decision) == (AwardState.AWAITING_DECISION, False)
    assert award_gates.missing_to_approve(delegated) == []

    key = awards[award_demo.AWAITING_KEY]
    assert (key.state, key.is_key_decision) == (AwardState.AWAITING_DECISION, True)
    entry = award_selectors.forward_plan_entry_for(key)
    assert (today - entry.published_on).days >= 29
    assert award_gates.missing_to_approve(key) == []  # the portfolio holder may decide today

    in_call_in = awards[award_demo.CALL_IN_PERIOD]
    assert in_call_in.state == AwardState.APPROVED
    assert in_call_in.in_call_in_period(today)
    assert award_gates.missing_to_ask_for_call_in(in_call_in) == []
    # Its assessment summaries are drafts for the officer to check; they go once the call-in is over.
    drafts = AssessmentSummary.objects.filter(award=in_call_in)
    assert drafts.count() == 2
    assert not drafts.filter(sent_at__isnull=False).exists()

    called_in = awards[award_demo.CALLED_IN]
    assert called_in.state == AwardState.CALLED_IN
    # Two scrutiny members asked (the council's threshold); the second request called it in.
    assert sorted(award_gates.call_in_requests(called_in).values_list("requested_by__email", flat=True)) == [
        "scrutiny2@wyvern.example",
        "scrutiny@wyvern.example",
    ]
    assert CallIn.objects.get(award=called_in, resolution="").called_in_by.email == "scrutiny2@wyvern.example"

    standstill = awards[award_demo.STANDSTILL]
    assert (standstill.state, standstill.is_key_decision) == (AwardState.APPROVED, False)
    assert standstill.assessment_summaries_sent_at is not None
    assert AssessmentSummary.objects.filter(award=standstill, sent_at__isnull=False).count() == 2
    # The standstill runs from the contract award notice, published after the summaries.
    assert standstill.award_notice_published_on > timezone.localdate(standstill.assessment_summaries_sent_at)
    assert standstill.standstill_applies
    assert standstill.standstill_ends_on == standstill_selectors.standstill_end(
        standstill, standstill.award_notice_published_on
    )
    assert standstill.standstill_ends_on >= today
    draft = standstill.commission.agreements.get()
    assert any("standstill period runs" in item for item in missing_before_signing(draft))

    ready = awards[award_demo.READY_TO_SIGN]
    assert ready.is_key_decision
    assert ready.has_effect(today)
    assert ready.award_notice_published_on is not None
    assert ready.standstill_ends_on < today
    agreement = ready.commission.agreements.get()
    assert agreement.state == AgreementState.DRAFT
    assert missing_to_sign(agreement) == ["Upload the signed agreement"]
    assert ready.commission.state == "agreeing"
    assert ready.commission.council.memberships.filter(role=Role.LEAD_COMMISSIONER).exists()


def test_demo_evaluations_and_awards_at_every_step(demo_data):
    """On the whole demo (`seed_demo`, which seeded them through the services in each opportunity's past)."""
    count = AuditEvent.objects.count()
    assert seed_evaluations() == 0  # safe to run again
    assert seed_awards() == 0
    assert AuditEvent.objects.count() == count

    today = timezone.localdate()
    assert_each_step(today)
    # Every opportunity lived through its own past in order: bids in before the deadline, opened
    # after it, and nothing in the audit trail dated in the future.
    titles = [example.title for example in (*evaluation_demo.EXAMPLES, *award_demo.EXAMPLES)]
    for opportunity in Opportunity.objects.filter(commission__title__in=titles).select_related("opening"):
        bids = opportunity.bids.all()
        assert bids
        for bid in bids:
            assert bid.state == BidState.SUBMITTED
            assert bid.receipts.get().submitted_at < opportunity.submission_deadline
        assert opportunity.opening.first_confirmed_at > opportunity.submission_deadline
    assert not AuditEvent.objects.filter(created_at__gt=timezone.now()).exists()
