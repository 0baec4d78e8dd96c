"""Evaluation through its services: set-up, the panel, declarations, compliance, blind scoring,
moderation maths (weights, the price formula, ties) and the steps between stages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.evaluation import gates, selectors, services
from commissioning.evaluation import summary as results
from commissioning.models import EvaluationLocked, EvaluationState, PanelMember, PriceMethod
from commissioning.tests.evaluation_factories import (
    bidder,
    declare_all,
    evaluation_in_state,
    independent_member,
    moderate,
    open_compliance,
    open_scoring,
    pass_all,
    step,
    submit_scores,
)
from councils.models import AuditEvent, Role
from councils.tests.factories import UserFactory
from councils.workflow import TransitionRefused
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db


def build_world(council, people):
    return evaluation_in_state(council, EvaluationState.DECLARATIONS)


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, world = shared_world(world_with(world=build_world), "world")


# ---- Set-up and the panel -----------------------------------------------------------------------


def test_only_the_lead_commissioner_sets_up_and_the_price_criterion_must_be_the_commissions(world, people):
    with pytest.raises(PermissionDenied):
        services.evaluation_set_up(
            by=people[Role.COMMISSIONING_OFFICER],
            opportunity=world.opportunity,
            price_method=PriceMethod.QUALITY_ONLY,
            compliance_checks=["Eligible"],
        )
    with pytest.raises(ValidationError, match="Choose the criterion that price is scored against"):
        services.evaluation_set_up(
            by=world.lead, opportunity=world.opportunity, price_method=PriceMethod.LOWEST_PRICE, compliance_checks=["x"]
        )
    with pytest.raises(ValidationError, match="at least one compliance check"):
        services.evaluation_set_up(
            by=world.lead, opportunity=world.opportunity, price_method=PriceMethod.QUALITY_ONLY, compliance_checks=[" "]
        )


def test_the_set_up_is_fixed_once_someone_has_declared(world):
    declare_all(world, world.chair)
    with pytest.raises(ValidationError, match="fixed once a panellist has declared"):
        services.evaluation_set_up(
            by=world.lead, opportunity=world.opportunity, price_method=PriceMethod.QUALITY_ONLY, compliance_checks=["x"]
        )


def test_panel_rules(world, people):
    with pytest.raises(ValidationError, match="already on the panel"):
        services.panel_appoint(by=world.lead, evaluation=world.evaluation, user=world.chair)
    with pytest.raises(ValidationError, match="Choose an officer of the council"):
        services.panel_appoint(by=world.lead, evaluation=world.evaluation, user=people[Role.SCRUTINY_MEMBER])
    with pytest.raises(ValidationError, match="must not hold a role in the council"):
        services.panel_appoint(
            by=world.lead,
            evaluation=world.evaluation,
            user=people[Role.SCRUTINY_MEMBER],
            independent=True,
            questions=list(world.opportunity.questions.all()[:1]),
        )
    with pytest.raises(ValidationError, match="Choose the questions"):
        services.panel_appoint(by=world.lead, evaluation=world.evaluation, user=UserFactory(), independent=True)
    with pytest.raises(PermissionDenied):
        services.panel_appoint(by=world.chair, evaluation=world.evaluation, user=people[Role.LEGAL_OFFICER])
    # A new chair takes over from the old one: there is only ever one.
    legal = services.panel_appoint(
        by=world.lead, evaluation=world.evaluation, user=people[Role.LEGAL_OFFICER], chair=True
    )
    assert list(PanelMember.objects.filter(evaluation=world.evaluation, is_chair=True)) == [legal]


def test_replacing_a_panellist_keeps_the_history_and_the_newcomer_must_declare(world, people):
    conflicted = world.bids[0]
    declare_all(world, world.panellist, conflicts={conflicted.pk: "My sister chairs its board."})
    old = world.members["panellist"]
    with pytest.raises(ValidationError, match="Give the reason"):
        services.panel_replace(
            by=world.lead, evaluation=world.evaluation, member=old, user=people[Role.LEGAL_OFFICER], reason=" "
        )
    new = services.panel_replace(
        by=world.lead,
        evaluation=world.evaluation,
        member=old,
        user=people[Role.LEGAL_OFFICER],
        reason="Declared a conflict with a bidder.",
    )
    old.refresh_from_db()
    assert old.ended_at is not None
    assert old.replaced_by == new
    assert old.end_reason == "Declared a conflict with a bidder."
    assert old.declarations.count() == 2  # kept for the record
    assert list(selectors.bids_for_panellist(world.panellist, world.opportunity)) == []
    assert list(selectors.bids_for_panellist(new.user, world.opportunity)) == []  # until they declare
    event = AuditEvent.objects.get(event_type="evaluation.panel.replaced")
    assert event.reason == "Declared a conflict with a bidder."
    assert event.extra["replacement"] == new.pk
    assert any("has not yet declared" in m for m in gates.missing_to_open_compliance(world.refresh()))


def test_a_declared_conflict_needs_its_nature_and_cannot_be_withdrawn(world):
    bid = world.bids[0]
    answers = {b.pk: (False, "") for b in world.bids}
    with pytest.raises(ValidationError, match="Describe the nature"):
        services.declarations_record(
            by=world.chair, evaluation=world.evaluation, answers={**answers, bid.pk: (True, "")}
        )
    services.declarations_record(by=world.chair, evaluation=world.evaluation, answers=answers)
    assert selectors.can_read_bid(world.chair, bid)
    # A conflict found later is added, and walls the bid off at once ...
    services.declarations_record(
        by=world.chair, evaluation=world.evaluation, answers={bid.pk: (True, "Became a trustee this week.")}
    )
    assert not selectors.can_read_bid(world.chair, bid)
    # ... and cannot be taken back.
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.declarations_record(by=world.chair, evaluation=world.evaluation, answers={bid.pk: (False, "")})
    latest = AuditEvent.objects.filter(event_type__startswith="evaluation.declaration").order_by("id").last()
    assert (latest.event_type, latest.extra["conflict"]) == ("evaluation.declaration.changed", True)


# ---- Steps and gates ----------------------------------------------------------------------------


def test_each_step_waits_for_its_gate_and_its_person(world, people):
    with pytest.raises(TransitionRefused) as refused:
        step(world, "open_compliance")
    assert any("has not yet declared" in m for m in refused.value.missing)
    declare_all(world, world.chair)
    declare_all(world, world.panellist)
    with pytest.raises(PermissionDenied):
        step(world, "open_compliance", by=world.panellist)
    step(world, "open_compliance", by=world.chair)
    with pytest.raises(TransitionRefused) as refused:
        step(world, "open_scoring")
    assert refused.value.missing[0].startswith("Record the compliance checks for Moorside Youth Trust's bid (0 of 2")
    with pytest.raises(TransitionRefused):
        step(world, "sign_off", by=world.chair)  # not from here
    event = AuditEvent.objects.get(event_type="evaluation.open_compliance")
    assert (event.from_state, event.to_state, event.actor) == ("declarations", "compliance", world.chair)


def test_a_failed_compliance_check_excludes_the_bid_with_its_reason(council, people, client_for):
    world = evaluation_in_state(
        council, EvaluationState.SIGNED_OFF, failing={1: {"Within the budget envelope": "Asks for £90,000."}}
    )
    failed = world.bids[1]
    assert not selectors.can_score_bid(world.chair, failed)
    assert selectors.can_read_bid(world.chair, failed)  # still readable, just not scored
    summary = results.evaluation_summary(world.opportunity)
    assert [r.bid_id for r in summary.ranked] == [world.bids[0].pk]
    assert summary.excluded[0].reasons == ["Within the budget envelope: Asks for £90,000."]


def test_compliance_needs_a_reason_for_a_fail_and_only_officers_on_the_panel(council, people):
    world = evaluation_in_state(council, EvaluationState.COMPLIANCE)
    checks = world.evaluation.compliance_checks
    with pytest.raises(ValidationError, match="Give the reason the bid fails"):
        services.compliance_record(
            by=world.chair,
            evaluation=world.evaluation,
            bid=world.bids[0],
            results={checks[0]: (False, " "), checks[1]: (True, "")},
        )
    with pytest.raises(PermissionDenied):
        pass_all(world, people[Role.LEGAL_OFFICER], world.bids[0])


# ---- Blind scoring ------------------------------------------------------------------------------


def test_scoring_is_blind_until_your_own_scores_are_in(council, people):
    world = evaluation_in_state(council, EvaluationState.SCORING)
    bid = world.bids[0]
    criteria = world.criteria
    submit_scores(world, world.chair, bid, {c.pk: 4 for c in criteria})
    access = selectors.evaluation_access(world.panellist, council, world.opportunity.pk)
    assert selectors.others_scores(access, bid) == []
    draft = submit_scores(world, world.panellist, bid, {c.pk: 2 for c in criteria}, submit=False)
    assert not draft.is_submitted
    assert selectors.others_scores(access, bid) == []
    submit_scores(world, world.panellist, bid, {c.pk: 2 for c in criteria})
    others = selectors.others_scores(access, bid)
    assert [sheet.member.user for sheet in others] == [world.chair]
    assert {s.score for s in others[0].scores.all()} == {4}


def test_a_submission_needs_every_score_and_justification_and_is_then_final(council, people):
    world = evaluation_in_state(council, EvaluationState.SCORING)
    bid, criteria = world.bids[0], world.criteria
    partial = {criteria[0].pk: (3, "")}
    sheet = services.score_sheet_save(by=world.chair, evaluation=world.evaluation, bid=bid, scores=partial)
    assert not sheet.is_submitted  # a partial draft is fine
    with pytest.raises(ValidationError) as error:
        services.score_sheet_save(by=world.chair, evaluation=world.evaluation, bid=bid, scores=partial, submit=True)
    assert f"justification_{criteria[0].pk}" in error.value.error_dict
    assert f"score_{criteria[1].pk}" in error.value.error_dict
    with pytest.raises(ValidationError, match="from 0 to 5"):
        services.score_sheet_save(
            by=world.chair, evaluation=world.evaluation, bid=bid, scores={criteria[0].pk: (6, "x")}
        )
    sheet = submit_scores(world, world.chair, bid, {c.pk: 3 for c in criteria})
    with pytest.raises(ValidationError, match="cannot change"):
        submit_scores(world, world.chair, bid, {c.pk: 5 for c in criteria})
    # The models hold the line too.
    score = sheet.scores.first()
    score.score = 5
    with pytest.raises(EvaluationLocked):
        score.save()
    sheet.submitted_at = None
    with pytest.raises(EvaluationLocked):
        sheet.save()
    event = AuditEvent.objects.filter(event_type="evaluation.scores.submitted").get()
    assert set(event.extra) == {"member", "bid", "digest"}  # the audit trail never holds the scores


# ---- Moderation maths ---------------------------------------------------------------------------


def test_the_spread_flags_criteria_two_or_more_apart(council, people):
    world = evaluation_in_state(
        council, EvaluationState.MODERATION, scores=lambda m, b, c: 1 + (3 * m if c == 0 else m)
    )
    access = selectors.evaluation_access(world.chair, council, world.opportunity.pk)
    rows = selectors.spread_table(access)
    assert len(rows) == 2
    first = rows[0].cells[0]
    assert (sorted(s for _m, s in first.scores), first.spread, first.flagged) == ([1, 4], 3, True)
    assert [cell.flagged for cell in rows[0].cells[1:]] == [False] * (len(world.criteria) - 1)


def test_weighted_totals_and_the_price_formula(council, people):
    world = evaluation_in_state(
        council,
        EvaluationState.SIGNED_OFF,
        price_method=PriceMethod.LOWEST_PRICE,
        bidders=[bidder("Moorside Youth Trust", 40000), bidder("Brightwork", 50000)],
        moderated=lambda bid, criterion: 5 if bid == 1 else 4,
    )
    summary = results.evaluation_summary(world.opportunity)
    first, second = summary.ranked
    # Quality: 85% of the weight outside "Value for money" (15%). Brightwork: 5/5 × 85 = 85 quality
    # + 40,000/50,000 × 15 = 12 price = 97. Moorside: 4/5 × 85 = 68 + 15 (the lowest price) = 83.
    assert (first.organisation, first.quality_points, first.price_points, first.total) == (
        "Brightwork",
        Decimal("85.00"),
        Decimal("12.00"),
        Decimal("97.00"),
    )
    assert (second.organisation, second.price_points, second.total) == (
        "Moorside Youth Trust",
        Decimal("15.00"),
        Decimal("83.00"),
    )
    price_row = next(c for c in first.criteria if c.is_price)
    assert (price_row.title, price_row.score, price_row.points) == ("Value for money", None, Decimal("12.00"))
    assert sum(c.points for c in first.criteria) == first.total


def test_a_tie_is_broken_by_the_documented_rule_and_said_so(council, people):
    world = evaluation_in_state(
        council,
        EvaluationState.SIGNED_OFF,
        bidders=[bidder("Moorside Youth Trust", 52000), bidder("Brightwork", 48000)],
        moderated=lambda bid, criterion: 3,
    )
    summary = results.evaluation_summary(world.opportunity)
    assert [r.total for r in summary.ranked] == [Decimal("60.00"), Decimal("60.00")]
    assert [r.organisation for r in summary.ranked] == ["Brightwork", "Moorside Youth Trust"]
    assert summary.ranked[1].tie_break == "lower price"
    assert "lower price" in summary.tie_rule


def test_an_independent_members_scores_count_on_their_criteria_only(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    question = world.opportunity.questions.order_by("position").first()
    user, member = independent_member(world, [question])
    open_compliance(world, user)
    open_scoring(world)
    missing = gates.missing_to_open_moderation(world.refresh())
    assert f"{user} has not yet submitted scores for 2 bid(s)" in missing
    for bid in world.bids:
        for person in (world.chair, world.panellist):
            submit_scores(world, person, bid, {c.pk: 3 for c in world.criteria})
        submit_scores(world, user, bid, {question.criterion_id: 1})
    step(world, "open_moderation")
    access = selectors.evaluation_access(world.chair, council, world.opportunity.pk)
    cells = selectors.spread_table(access)[0].cells
    assert [len(cell.scores) for cell in cells] == [3] + [2] * (len(cells) - 1)
    assert cells[0].flagged
    for bid in world.bids:
        moderate(world, bid, {c.pk: 3 for c in world.criteria})
    step(world, "sign_off", by=world.chair)
    assert world.refresh().state == EvaluationState.SIGNED_OFF
