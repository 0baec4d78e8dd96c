"""The demo bids: made on the demo opportunities, through the services where they are open."""

from __future__ import annotations

import pytest

from commissioning.models import Bid, BidState, OpportunityState
from commissioning.sourcing.selectors import bids as bid_selectors
from commissioning.sourcing.services import bids as bid_services
from councils.models import Role
from demo.bids import seed_bids
from demo.commissions import seed_commissions
from demo.councils import seed_councils
from demo.opportunities import seed_opportunities
from demo.providers import seed_providers

pytestmark = pytest.mark.django_db


def test_nothing_happens_without_demo_opportunities():
    assert seed_bids() == 0
    assert not Bid.objects.exists()


def test_demo_bids_on_the_open_and_the_closed_opportunity():
    seed_councils()
    seed_providers()
    seed_commissions()
    # The closed opportunity's two bids are made while it is still open, before it is closed.
    seed_opportunities()
    assert Bid.objects.filter(opportunity__state=OpportunityState.CLOSED).count() == 2
    assert seed_bids() == 3
    assert seed_bids() == 0  # safe to run again

    open_bids = Bid.objects.filter(opportunity__state=OpportunityState.PUBLISHED)
    assert sorted(open_bids.values_list("state", flat=True)) == sorted(
        [BidState.DRAFT, BidState.SUBMITTED, BidState.WITHDRAWN]
    )
    closed = Bid.objects.filter(opportunity__state=OpportunityState.CLOSED)
    assert list(closed.values_list("state", flat=True)) == [BidState.SUBMITTED, BidState.SUBMITTED]
    assert sum(bid.partners.count() > 0 for bid in closed) == 1
    for bid in Bid.objects.filter(state=BidState.SUBMITTED):
        receipt = bid.receipts.first()
        assert receipt.digest == bid_services.bid_digest(bid)  # unchanged since submission
        assert receipt.submitted_at < bid.opportunity.submission_deadline
    withdrawn = open_bids.get(state=BidState.WITHDRAWN)
    assert withdrawn.receipts.count() == 1
    # Still sealed: the demo council's officers read none of them.
    from demo.commissions import person

    opportunity = closed.first().opportunity
    lead = person(opportunity.council, Role.LEAD_COMMISSIONER)
    assert not bid_selectors.bids_visible_to(lead, opportunity).exists()
    assert bid_selectors.submitted_bid_count(opportunity) == 2
