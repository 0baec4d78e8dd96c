"""Call-in of a key decision: only scrutiny members, only during the call-in period, once per decision;
the decision-maker then confirms it (it has effect) or withdraws it (the drafts are cancelled and the
recommendation goes back to the officers). Nothing can be signed, and no assessment summary sent, before
then."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissioning.award import call_in as call_in_services
from commissioning.award import selectors, services, summary_services
from commissioning.award import standstill_selectors as standstill
from commissioning.models import AwardState, CallIn, CallInResolution, Commission, ForwardPlanEntry, State
from commissioning.tests.award_factories import approved_award, holder_portfolio
from commissioning.tests.evaluation_factories import bidder
from councils.models import Role
from councils.workflow import TransitionRefused
from monitoring.agreements import steps as agreement_steps
from monitoring.models import Agreement, AgreementState
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db


def build_approved(council, people):
    """A key decision (£270,000) approved by the portfolio holder 30 days after its forward plan
    entry: the call-in period runs for 5 working days from that day."""
    world = approved_award(
        council,
        bidders=[bidder("Moorside Youth Trust", 270000), bidder("Brightwork", 280000)],
        budget=Decimal(300000),
        portfolio=holder_portfolio(council, people[Role.PORTFOLIO_HOLDER]),
    )
    assert world.award.is_key_decision
    # One member is enough here; the threshold itself is tested in test_award_call_in_threshold.
    council.call_in_threshold = 1
    council.save(update_fields=["call_in_threshold"])
    return world


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, approved = shared_world(
    world_with(approved=build_approved), "approved"
)


def on(day, hour=11):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()), tick=False)


def call_in(world, by, reason="The committee questions the price."):
    call_in_services.call_in_request(by=by, award=world.refresh_award(), reason=reason)
    return world.refresh_award()


def test_only_scrutiny_members_call_a_decision_in_with_a_reason(approved, people):
    award = approved.award
    assert award.in_call_in_period(award.decided_on)
    with on(award.decided_on + timedelta(days=1)):
        for role in (Role.LEAD_COMMISSIONER, Role.PORTFOLIO_HOLDER, Role.COMMISSIONING_OFFICER):
            with pytest.raises(PermissionDenied):
                call_in(approved, people[role])
        with pytest.raises(ValidationError):
            call_in(approved, people[Role.SCRUTINY_MEMBER], reason="")
        award = call_in(approved, people[Role.SCRUTINY_MEMBER])
    assert award.state == AwardState.CALLED_IN
    call = CallIn.objects.get(award=award)
    assert (call.called_in_by, call.resolution) == (people[Role.SCRUTINY_MEMBER], "")
    assert standstill.signing_blockers(Agreement.objects.get(bid=approved.bids[0])) == [
        "Scrutiny has called the award decision in: wait until the decision-maker confirms it"
    ]


def test_after_the_call_in_period_the_decision_has_effect_the_next_day(approved, people):
    award = approved.award
    ends = award.call_in_ends_on
    assert award.effective_from() == ends + timedelta(days=1)
    with on(ends):
        assert not award.has_effect()
        agreement = Agreement.objects.get(bid=approved.bids[0])
        assert standstill.signing_blockers(agreement) == [
            f"The call-in period runs until the end of {selectors.day(ends)}: the agreement can be signed once "
            f"the decision has effect, from {selectors.day(ends + timedelta(days=1))}"
        ]
        # The drafts can be prepared during the call-in period, not sent.
        summary_services.assessment_summaries_prepare(by=people[Role.COMMISSIONING_OFFICER], award=award)
        with pytest.raises(ValidationError, match="once the decision has effect"):
            summary_services.assessment_summaries_send(by=people[Role.COMMISSIONING_OFFICER], award=award)
    with on(ends + timedelta(days=1)):
        assert award.has_effect()
        with pytest.raises(ValidationError) as refused:
            call_in(approved, people[Role.SCRUTINY_MEMBER])
        assert refused.value.messages == [f"The call-in period ended on {selectors.day(ends)}"]
        assert standstill.signing_blockers(agreement) == ["Send the assessment summaries to every bidder"]


def test_confirming_after_call_in_gives_the_decision_effect_and_it_cannot_be_called_in_again(approved, people):
    with on(approved.award.decided_on + timedelta(days=2)):
        call_in(approved, people[Role.SCRUTINY_MEMBER])
        # The commission says so, and waits: nothing is signed until the decision-maker decides.
        assert approved.refresh_award().commission.state == State.AWARD_CALLED_IN
        with pytest.raises(PermissionDenied):
            services.award_transition(
                by=people[Role.SCRUTINY_MEMBER],
                award=approved.refresh_award(),
                name="confirm_after_call_in",
                reason="x",
            )
        award = services.award_transition(
            by=people[Role.PORTFOLIO_HOLDER],
            award=approved.refresh_award(),
            name="confirm_after_call_in",
            reason="Scrutiny's questions answered at committee on the 3rd.",
        )
        assert award.state == AwardState.APPROVED
        assert Commission.objects.get(pk=award.commission_id).state == State.AGREEING
        assert award.effective_on == timezone.localdate()
        assert award.has_effect()
        with pytest.raises(ValidationError):
            call_in(approved, people[Role.SCRUTINY_MEMBER])
    call = CallIn.objects.get(award=award)
    assert (call.resolution, call.resolved_by) == (CallInResolution.CONFIRMED, people[Role.PORTFOLIO_HOLDER])


def test_withdrawing_the_decision_cancels_the_drafts_and_returns_the_award_to_draft(approved, people):
    decided_on = approved.award.decided_on
    with on(decided_on + timedelta(days=1)):
        call_in(approved, people[Role.SCRUTINY_MEMBER])
        award = services.award_transition(
            by=people[Role.PORTFOLIO_HOLDER],
            award=approved.refresh_award(),
            name="withdraw_decision",
            reason="The committee's concerns are upheld: re-evaluate the price.",
        )
    assert award.state == AwardState.DRAFT
    # Back to sourcing providers: the recommendation goes to the officers again.
    assert Commission.objects.get(pk=award.commission_id).state == State.SOURCING
    assert (award.decided_on, award.decision_maker, award.call_in_ends_on) == (None, "", None)
    assert list(Agreement.objects.filter(bid__opportunity=approved.opportunity).values_list("state", flat=True)) == [
        AgreementState.CANCELLED
    ]
    assert CallIn.objects.get(award=award).resolution == CallInResolution.WITHDRAWN
    # The key decision was not taken after all: its forward plan entry is current again.
    assert ForwardPlanEntry.objects.get(opportunity=approved.opportunity).is_current


def test_an_agreement_cannot_be_signed_during_the_call_in_period(approved, people):
    agreement = Agreement.objects.get(bid=approved.bids[0])
    upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with on(approved.award.decided_on + timedelta(days=1)), pytest.raises(TransitionRefused) as refused:
        agreement_steps.agreement_sign(
            by=people[Role.LEGAL_OFFICER], agreement=agreement, document=upload, signed_on=timezone.localdate()
        )
    assert any(item.startswith("The call-in period runs until") for item in refused.value.missing)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.DRAFT


def test_scrutiny_calls_the_decision_in_from_its_page(approved, people, client_for):
    kwargs = {"council_slug": approved.council.slug, "pk": approved.opportunity.pk}
    url = reverse("commissioning:award_call_in", kwargs=kwargs)
    with on(approved.award.decided_on + timedelta(days=1)):
        assert client_for(people[Role.LEAD_COMMISSIONER]).post(url, {"reason": "x"}).status_code == 403
        # The engine's step itself is never taken from the generic step page.
        step_url = reverse("commissioning:award_step", kwargs={**kwargs, "name": "call_in"})
        assert client_for(people[Role.SCRUTINY_MEMBER]).post(step_url, {"reason": "x"}).status_code == 403
        client = client_for(people[Role.SCRUTINY_MEMBER])
        page = client.get(url)
        assert page.status_code == 200
        assert "Calling the decision in refers it back" in page.content.decode()
        assert client.post(url, {"reason": ""}).status_code == 200
        response = client.post(url, {"reason": "Price concerns."})
        assert response.status_code == 302
    assert approved.refresh_award().state == AwardState.CALLED_IN


def test_a_called_in_decision_waits_on_the_portfolio_holders_dashboard_until_confirmed(
    approved, people, client_for, django_capture_on_commit_callbacks
):
    dashboard = reverse("monitoring:dashboard", kwargs={"council_slug": approved.council.slug})
    award_page = reverse(
        "commissioning:award_detail", kwargs={"council_slug": approved.council.slug, "pk": approved.opportunity.pk}
    )
    with on(approved.award.decided_on + timedelta(days=1)):
        holder = client_for(people[Role.PORTFOLIO_HOLDER])
        response = holder.get(dashboard)
        assert response.status_code == 200
        assert "Called in by scrutiny" not in response.content.decode()  # approved: nothing waits
        call_in(approved, people[Role.SCRUTINY_MEMBER])
        page = holder.get(dashboard).content.decode()
        assert "Called in by scrutiny" in page
        assert f'href="{award_page}"' in page
    # An hour later (the page cache's versions are the clock's: a frozen clock would not move them on).
    with on(approved.award.decided_on + timedelta(days=1), hour=12):
        with django_capture_on_commit_callbacks(execute=True):  # the page cache is bumped on commit
            services.award_transition(
                by=people[Role.PORTFOLIO_HOLDER],
                award=approved.refresh_award(),
                name="confirm_after_call_in",
                reason="x",
            )
        assert "Called in by scrutiny" not in holder.get(dashboard).content.decode()
