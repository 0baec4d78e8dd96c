"""The call-in threshold: a key decision is called in when as many scrutiny members as the council's
constitution sets (`Council.call_in_threshold`, 2 unless changed) have asked, one request each, during
the call-in period; a member may withdraw their request until then."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissioning.award import call_in, gates, selectors, services
from commissioning.models import Award, AwardState, CallIn, CallInRequest
from commissioning.tests.award_factories import approved_award, holder_portfolio, scrutiny_members
from commissioning.tests.evaluation_factories import bidder
from councils.models import AuditEvent, Role
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db


def build_approved(council, people):
    """A key decision approved by the portfolio holder; the call-in period runs 5 working days."""
    world = approved_award(
        council,
        bidders=[bidder("Moorside Youth Trust", 270000), bidder("Brightwork", 280000)],
        budget=Decimal(300000),
        portfolio=holder_portfolio(council, people[Role.PORTFOLIO_HOLDER]),
    )
    assert world.award.is_key_decision
    return world


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, approved = shared_world(
    world_with(approved=build_approved), "approved"
)


def on(day, hour=11):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()), tick=False)


def during(world):
    return on(world.award.decided_on + timedelta(days=1))


def ask(world, member, reason="The committee questions the price."):
    return call_in.call_in_request(by=member, award=world.refresh_award(), reason=reason)


def test_the_threshold_is_two_unless_the_council_changes_it(council):
    assert council.call_in_threshold == 2


def test_with_a_threshold_of_one_a_single_request_calls_the_decision_in(approved, council):
    council.call_in_threshold = 1
    council.save(update_fields=["call_in_threshold"])
    (member,) = scrutiny_members(council, 1)
    with during(approved):
        award = ask(approved, member)
    assert award.state == AwardState.CALLED_IN
    assert CallIn.objects.get(award=award).called_in_by == member


def test_with_a_threshold_of_two_the_second_member_calls_it_in(approved, council, people, client_for):
    first, second = scrutiny_members(council, 2)
    with during(approved):
        award = ask(approved, first, "The price is high.")
        # A first request changes nothing else: the decision stands, and the gate says what is missing.
        assert award.state == AwardState.APPROVED
        assert not CallIn.objects.exists()
        assert gates.missing_to_call_in(award) == [
            "Needs 1 more scrutiny member to ask for the call-in: the constitution needs 2 members"
        ]
        # The engine's step is refused with the same words, and only by the request service.
        with pytest.raises(PermissionDenied):
            services.award_transition(by=first, award=approved.refresh_award(), name="call_in", reason="x")
        page = client_for(people[Role.LEAD_COMMISSIONER]).get(award.get_absolute_url()).content.decode()
        assert "1 of 2 members have asked to call this decision in" in page
        assert escape(first.full_name) in page  # a name such as O'Neill is escaped in the page
        award = ask(approved, second, "The social value offers were not weighed.")
    assert award.state == AwardState.CALLED_IN
    called = CallIn.objects.get(award=award)
    assert called.called_in_by == second
    assert "The price is high." in called.reason
    assert "The social value offers were not weighed." in called.reason
    events = list(
        AuditEvent.objects.filter(event_type__startswith="award.call_in")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert events == ["award.call_in_requested", "award.call_in_requested", "award.call_in"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(threshold=st.integers(min_value=1, max_value=5), asks=st.lists(st.integers(0, 5), min_size=1, max_size=10))
def test_the_decision_is_called_in_exactly_when_distinct_requests_reach_the_threshold(
    approved, council, threshold, asks
):
    members = scrutiny_members(council, 6)
    with during(approved), transaction.atomic():
        council.call_in_threshold = threshold
        council.save(update_fields=["call_in_threshold"])
        asked: set[int] = set()
        for index in asks:
            award = approved.refresh_award()
            if award.state == AwardState.CALLED_IN:
                with pytest.raises(ValidationError):
                    ask(approved, members[index])
                continue
            if index in asked:
                with pytest.raises(ValidationError, match="already asked"):
                    ask(approved, members[index])
                continue
            award = ask(approved, members[index])
            asked.add(index)
            assert (award.state == AwardState.CALLED_IN) == (len(asked) >= threshold)
        assert CallIn.objects.filter(award=approved.award).count() == (1 if len(asked) >= threshold else 0)
        transaction.set_rollback(True)


def test_a_member_asks_once(approved, council):
    (member,) = scrutiny_members(council, 1)
    with during(approved):
        ask(approved, member)
        with pytest.raises(ValidationError, match="You have already asked to call this decision in."):
            ask(approved, member)
    assert CallInRequest.objects.count() == 1


def test_a_request_after_the_call_in_period_is_refused(approved, council):
    (member,) = scrutiny_members(council, 1)
    ends = approved.award.call_in_ends_on
    with on(ends + timedelta(days=1)), pytest.raises(ValidationError) as refused:
        ask(approved, member)
    assert refused.value.messages == [f"The call-in period ended on {selectors.day(ends)}"]
    assert not CallInRequest.objects.exists()


def test_a_request_needs_a_reason_and_a_scrutiny_member(approved, council, people):
    (member,) = scrutiny_members(council, 1)
    with during(approved):
        with pytest.raises(ValidationError):
            ask(approved, member, reason=" ")
        for role in (Role.LEAD_COMMISSIONER, Role.PORTFOLIO_HOLDER, Role.COUNCIL_ADMIN):
            with pytest.raises(PermissionDenied):
                ask(approved, people[role])
        with pytest.raises(PermissionDenied):
            ask(approved, people["other_council_officer"])
    assert not CallInRequest.objects.exists()


def test_a_member_withdraws_their_request_before_the_threshold(approved, council):
    first, second = scrutiny_members(council, 2)
    with during(approved):
        ask(approved, first)
        call_in.call_in_request_withdraw(by=first, award=approved.refresh_award())
        assert not CallInRequest.objects.exists()
        with pytest.raises(ValidationError, match="You have not asked"):
            call_in.call_in_request_withdraw(by=first, award=approved.refresh_award())
        # Withdrawn, it no longer counts: the next member's request is the first again.
        assert ask(approved, second).state == AwardState.APPROVED
        assert ask(approved, first).state == AwardState.CALLED_IN
        with pytest.raises(ValidationError, match="has been called in"):
            call_in.call_in_request_withdraw(by=first, award=approved.refresh_award())
    assert AuditEvent.objects.filter(event_type="award.call_in_request_withdrawn").count() == 1


def test_the_call_in_pages(approved, council, people, client_for):
    first, second = scrutiny_members(council, 2)
    kwargs = {"council_slug": council.slug, "pk": approved.opportunity.pk}
    url = reverse("commissioning:award_call_in", kwargs=kwargs)
    withdraw_url = reverse("commissioning:award_call_in_withdraw", kwargs=kwargs)
    with during(approved):
        # Not scrutiny: 403; another council's officer: 404.
        assert client_for(people[Role.COMMISSIONING_OFFICER]).get(url).status_code == 403
        assert client_for(people[Role.COMMISSIONING_OFFICER]).post(withdraw_url).status_code == 403
        assert client_for(people["other_council_officer"]).post(url, {"reason": "x"}).status_code == 404
        client = client_for(first)
        detail = client.get(approved.award.get_absolute_url()).content.decode()
        assert "0 of 2 members have asked to call this decision in" in detail
        assert "Ask to call this decision in" in detail
        assert client.get(url).status_code == 200
        assert client.post(url, {"reason": "Price."}).status_code == 302
        detail = client.get(approved.award.get_absolute_url()).content.decode()
        assert "1 of 2 members have asked to call this decision in" in detail
        assert "Withdraw your request" in detail
        # A second request by the same member is sent back with why.
        response = client.post(url, {"reason": "Again."}, follow=True)
        assert "You have already asked to call this decision in." in response.content.decode()
        assert client.post(withdraw_url).status_code == 302
        assert not CallInRequest.objects.exists()
        client.post(url, {"reason": "Price."})
        client_for(second).post(url, {"reason": "Quality."})
    assert approved.refresh_award().state == AwardState.CALLED_IN
    with on(approved.award.call_in_ends_on + timedelta(days=3)):
        response = client_for(second).post(url, {"reason": "Late."}, follow=True)
    assert "already been called in" in response.content.decode()


def test_the_call_in_step_is_declared_internal_and_gated():
    transition = next(t for t in Award(state=AwardState.APPROVED).get_all_state_transitions() if t.name == "call_in")
    assert transition.custom["internal"] is True
    assert transition.custom["gate"] == "missing_to_call_in"
