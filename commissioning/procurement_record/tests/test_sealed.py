"""Until an opportunity's bids are opened the record says nothing of who bid, when, or what: before the
deadline, and after it while the bids wait to be opened. Once they are opened the submissions and
withdrawals are listed, by organisation. Changes to a draft are not communications: only those made
once bidders could see the opportunity are."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from commissioning.models import State
from commissioning.procurement_record.registry import Category
from commissioning.procurement_record.selectors import procurement_record
from commissioning.procurement_record.tests.worlds import published
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.evaluation_factories import open_the_bids
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from demo.conflicts import prepare_conflicts_assessment
from demo.procurement import ask_per_criterion

pytestmark = pytest.mark.django_db

SILENT = "Dale Community Interest Company"  # bids, and says nothing else to the council


def pages(commission, user) -> str:
    client = Client()
    client.force_login(user)
    args = [commission.council.slug, commission.pk]
    page = client.get(reverse("commissioning:procurement_record", args=args))
    csv = client.get(reverse("commissioning:procurement_record_csv", args=args))
    assert page.status_code == csv.status_code == 200
    return page.content.decode() + csv.content.decode("utf-8-sig")


def test_who_bid_and_when_is_sealed_until_the_bids_are_opened(council, people):
    opportunity, _bidders = published(council, names=("Moorside Youth Trust", SILENT, "Brightwork"))
    commission = opportunity.commission
    readers = [people[Role.LEAD_COMMISSIONER], people[Role.PROCUREMENT_OFFICER], people[Role.SCRUTINY_MEMBER]]

    def sealed() -> None:
        for reader in readers:
            shown = pages(commission, reader)
            assert SILENT not in shown
            assert "Bid submitted" not in shown
            assert "Bid withdrawn" not in shown
            assert "receipt" not in shown
            assert f'data-sealed="{opportunity.reference}"' in shown

    sealed()  # before the deadline (questions asked and answered, a bid withdrawn and submitted again)
    with time_machine.travel(opportunity.submission_deadline + dt.timedelta(minutes=1), tick=False):
        assert opportunity_services.opportunities_close_due() == 1
        sealed()  # after it, until the opening
        assert "Closed for bids at the deadline: 3 bids submitted" in pages(commission, readers[0])

    open_the_bids(opportunity)
    shown = pages(commission, people[Role.LEAD_COMMISSIONER])
    assert f"Bid submitted by {SILENT}" in shown
    assert "Bid withdrawn by Brightwork before the deadline" in shown
    assert "data-sealed=" not in shown


def test_changes_are_listed_as_told_to_bidders_only_once_the_opportunity_is_published(council, people):
    commission = commission_in_state(council, State.SOURCING)
    officer = people[Role.COMMISSIONING_OFFICER]
    opportunity = opportunity_services.opportunity_create(by=officer, commission=commission)
    ask_per_criterion(opportunity, officer)
    prepare_conflicts_assessment(opportunity, officer)

    def move_deadline(days: int) -> None:
        opportunity.refresh_from_db()
        opportunity.submission_deadline += dt.timedelta(days=days)
        opportunity_services.opportunity_update_dates(by=officer, opportunity=opportunity)

    move_deadline(1)  # while drafting: nobody is told
    opportunity_services.opportunity_transition(by=officer, opportunity=opportunity, name="publish")
    move_deadline(2)
    entries = procurement_record(people[Role.SCRUTINY_MEMBER], commission).entries
    told = [e for e in entries if e.what.startswith("Key dates changed")]
    assert len(told) == 1
    assert told[0].category == Category.COMMUNICATION
    assert entries.index(told[0]) > [e.what for e in entries].index("Opportunity published: open for bids")
