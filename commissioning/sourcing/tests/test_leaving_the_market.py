"""A commission that leaves the market (withdrawn for redesign, or cancelled) ends its procurement:
this cycle's opportunity is cancelled in the same transaction, everyone following or bidding is told
why, nothing is half-applied, and a fresh opportunity can be drafted once it is sourcing again."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle.services import commission_transition
from commissioning.models import Commission, DeliveryRoute, Opportunity, OpportunityState, State
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests import bid_factories
from commissioning.tests.factories import commission_in_state
from councils import workflow
from councils.models import AuditEvent, Role
from councils.workflow import TransitionConflict
from demo import opportunities as opportunity_demo


@pytest.fixture
def grant(council):
    return commission_in_state(council, State.SOURCING, route=DeliveryRoute.GRANT, budget=Decimal(60000))


@pytest.fixture
def opportunity(grant, people):
    return opportunity_demo.opportunity_for(grant, officer=people[Role.COMMISSIONING_OFFICER])


def withdraw(commission, people, name="withdraw_sourcing", reason="The market told us the design is wrong"):
    return commission_transition(by=people[Role.LEAD_COMMISSIONER], commission=commission, name=name, reason=reason)


def reload(instance):
    return type(instance).objects.get(pk=instance.pk)


def test_withdrawing_cancels_the_open_opportunity_and_tells_bidders_and_followers(
    grant, opportunity, people, django_capture_on_commit_callbacks
):
    bidder, follower = people["provider_admin"], people["other_provider_admin"]
    bid = bid_factories.submitted_bid(opportunity, bidder)
    opportunity_services.interest_register(
        by=follower, opportunity=opportunity, organisation=bid_factories.organisation_of(follower)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(grant, people)

    assert reload(grant).state == State.PLANNING
    assert reload(opportunity).state == OpportunityState.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bidder.email, follower.email])
    assert all("The market told us the design is wrong" in m.body for m in mail.outbox)
    assert mail.outbox[0].subject.startswith(f"Cancelled: {opportunity.reference}")
    step = AuditEvent.objects.get(event_type="commission.withdraw_sourcing")
    assert step.extra["opportunities_cancelled"] == [opportunity.reference]
    cancelled = AuditEvent.objects.get(event_type="opportunity.cancelled")
    assert (cancelled.actor, cancelled.from_state, cancelled.extra["because"]) == (
        people[Role.LEAD_COMMISSIONER],
        OpportunityState.PUBLISHED,
        "commission.withdraw_sourcing",
    )
    assert "cancelled" in bid_services.editing_refusal(reload(bid))


def test_cancelling_the_commission_after_the_bids_were_opened_abandons_the_procurement(grant, opportunity, people):
    bid_factories.submitted_bid(opportunity, people["provider_admin"])
    Opportunity.objects.filter(pk=opportunity.pk).update(  # time passes: the deadline is behind us
        clarification_deadline=timezone.now() - datetime.timedelta(days=3),
        submission_deadline=timezone.now() - datetime.timedelta(hours=1),
    )
    opportunity.refresh_from_db()
    opportunity_services.bids_open(by=people[Role.PROCUREMENT_OFFICER], opportunity=opportunity)
    assert reload(opportunity).state == OpportunityState.OPENED

    withdraw(grant, people, name="cancel", reason="Funding withdrawn by full council")

    assert reload(grant).state == State.CANCELLED
    assert reload(opportunity).state == OpportunityState.CANCELLED


def test_a_draft_opportunity_is_cancelled_without_telling_anyone(grant, people, django_capture_on_commit_callbacks):
    draft = opportunity_services.opportunity_create(by=people[Role.COMMISSIONING_OFFICER], commission=grant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(grant, people)
    assert reload(draft).state == OpportunityState.CANCELLED
    assert mail.outbox == []


def test_a_failed_cascade_rolls_the_commission_back(grant, opportunity, people, monkeypatch):
    # A race lost to another officer is the real cause; it is forced here to hit the window.
    def refuse(step):
        raise TransitionConflict("Someone else changed this opportunity a moment ago.")

    monkeypatch.setitem(workflow.EFFECTS, (Commission, "ends_procurement"), workflow.Effect(follow=refuse))
    with pytest.raises(TransitionConflict):
        withdraw(grant, people)
    assert reload(grant).state == State.SOURCING
    assert reload(opportunity).state == OpportunityState.PUBLISHED
    assert not AuditEvent.objects.filter(event_type="commission.withdraw_sourcing").exists()


def test_after_redesign_a_new_opportunity_can_be_drafted(grant, opportunity, people):
    assert opportunity_services.missing_to_create(grant) == [
        "This commission already has an opportunity: cancel it before starting another"
    ]
    withdraw(grant, people)
    grant = reload(grant)
    assert not any("already has an opportunity" in item for item in opportunity_services.missing_to_create(grant))


def test_the_confirmation_page_names_what_is_cancelled_and_the_post_does_it(
    client_for, council, grant, opportunity, people
):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    url = reverse("commissioning:transition", args=[council.slug, grant.pk, "withdraw_sourcing"])
    page = client.get(url)
    assert page.status_code == 200
    assert f"This also cancels {opportunity.reference} (open for bids)" in page.content.decode()
    response = client.post(url, {"from_state": State.SOURCING, "reason": "Redesign with the community"})
    assert response.status_code == 302
    assert Commission.objects.get(pk=grant.pk).state == State.PLANNING
    assert reload(opportunity).state == OpportunityState.CANCELLED


def test_only_the_lead_commissioner_takes_the_market_down(client_for, council, grant, opportunity, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    url = reverse("commissioning:transition", args=[council.slug, grant.pk, "withdraw_sourcing"])
    assert client.post(url, {"from_state": State.SOURCING, "reason": "Not mine to decide"}).status_code == 403
    assert reload(grant).state == State.SOURCING
    assert reload(opportunity).state == OpportunityState.PUBLISHED
