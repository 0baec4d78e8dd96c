"""The deadline, to the second, on both sides of the change to British Summer Time.

The clock is `django.utils.timezone.now`, patched. Deadlines are stored and compared as aware
datetimes (UTC on the server) and shown in London time.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from commissioning.models import BidReceipt, BidState
from commissioning.sourcing.services import bids as bid_services
from commissioning.tests.bid_factories import clock, complete_bid, open_opportunity, start_bid, submitted_bid
from councils.workflow import TransitionRefused

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")
SECOND = datetime.timedelta(seconds=1)

# 12:00 in London on 30 March 2026 is 11:00 UTC (BST began on 29 March); on 27 March it is 12:00 UTC (GMT).
AFTER_BST_CHANGE = datetime.datetime(2026, 3, 30, 12, 0, tzinfo=LONDON)
BEFORE_BST_CHANGE = datetime.datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)


def opportunity_due(council, deadline):
    with clock(deadline - datetime.timedelta(days=10)):
        return open_opportunity(council, deadline=deadline)


def ready_bid(opportunity, user, at):
    with clock(at):
        return complete_bid(start_bid(opportunity, user), user)


@pytest.mark.parametrize(
    ("deadline", "utc_hour", "shown"),
    [
        (AFTER_BST_CHANGE, 11, "30 March 2026, 12:00pm"),
        (BEFORE_BST_CHANGE, 12, "27 March 2026, 12:00pm"),
    ],
    ids=["BST", "GMT"],
)
def test_one_second_before_the_deadline_is_in_time_and_one_second_after_is_late(
    council, people, deadline, utc_hour, shown
):
    user = people["provider_admin"]
    opportunity = opportunity_due(council, deadline)
    opportunity.refresh_from_db()
    # Stored aware, and the London noon is the right UTC hour.
    assert opportunity.submission_deadline.tzinfo is not None
    assert opportunity.submission_deadline.astimezone(UTC).hour == utc_hour

    bid = ready_bid(opportunity, user, deadline - datetime.timedelta(hours=2))
    with clock(deadline - SECOND):
        bid_services.bid_transition(by=user, bid=bid, name="submit")
    assert bid.state == BidState.SUBMITTED
    with clock(deadline - SECOND):
        bid_services.bid_transition(by=user, bid=bid, name="withdraw")

    for late in (deadline, deadline + SECOND):
        with clock(late), pytest.raises(TransitionRefused) as refused:
            bid_services.bid_transition(by=user, bid=bid, name="submit")
        assert refused.value.missing == [f"The deadline for bids was {shown}. Bids can no longer be submitted."]
    bid.refresh_from_db()
    assert bid.state == BidState.WITHDRAWN
    assert BidReceipt.objects.filter(bid=bid).count() == 1


def test_noon_in_london_is_not_noon_utc_in_summer(council, people):
    """A comparison in naive UTC would let this bid in at 12:30 BST; aware datetimes refuse it."""
    user = people["provider_admin"]
    opportunity = opportunity_due(council, AFTER_BST_CHANGE)
    bid = ready_bid(opportunity, user, AFTER_BST_CHANGE - datetime.timedelta(hours=2))
    half_past_eleven_utc = datetime.datetime(2026, 3, 30, 11, 30, tzinfo=UTC)
    with clock(half_past_eleven_utc), pytest.raises(TransitionRefused):
        bid_services.bid_transition(by=user, bid=bid, name="submit")


def test_a_submitted_bid_cannot_be_withdrawn_after_the_deadline(council, people):
    user = people["provider_admin"]
    opportunity = opportunity_due(council, BEFORE_BST_CHANGE)
    with clock(BEFORE_BST_CHANGE - datetime.timedelta(hours=1)):
        bid = submitted_bid(opportunity, user)
    with clock(BEFORE_BST_CHANGE + SECOND), pytest.raises(TransitionRefused) as refused:
        bid_services.bid_transition(by=user, bid=bid, name="withdraw")
    assert refused.value.missing == [
        "The deadline for bids was 27 March 2026, 12:00pm. Bids can no longer be withdrawn."
    ]


def test_editing_stops_at_the_deadline(council, people):
    user = people["provider_admin"]
    opportunity = opportunity_due(council, AFTER_BST_CHANGE)
    bid = ready_bid(opportunity, user, AFTER_BST_CHANGE - datetime.timedelta(hours=2))
    with clock(AFTER_BST_CHANGE - SECOND):
        bid_services.bid_save_answers(by=user, bid=bid, answers={}, summary="Last-minute change")
    with clock(AFTER_BST_CHANGE + SECOND), pytest.raises(Exception, match="30 March 2026, 12:00pm"):
        bid_services.bid_save_answers(by=user, bid=bid, answers={}, summary="Too late")


def test_the_late_message_is_shown_on_the_page_in_london_time(council, people, client):
    user = people["provider_admin"]
    opportunity = opportunity_due(council, AFTER_BST_CHANGE)
    bid = ready_bid(opportunity, user, AFTER_BST_CHANGE - datetime.timedelta(hours=2))
    client.force_login(user)
    url = reverse("bids:transition", kwargs={"pk": bid.pk, "name": "submit"})
    with clock(AFTER_BST_CHANGE + SECOND):
        response = client.post(url, {"from_state": BidState.DRAFT})
    assert response.status_code == 200
    assert "The deadline for bids was 30 March 2026, 12:00pm. Bids can no longer be submitted." in (
        response.content.decode()
    )
    bid.refresh_from_db()
    assert bid.state == BidState.DRAFT
    with clock(AFTER_BST_CHANGE - SECOND):
        response = client.post(url, {"from_state": BidState.DRAFT})
    assert response.status_code == 302
    assert response["Location"] == reverse("bids:receipt", kwargs={"pk": bid.pk})


def test_answers_saved_too_late_are_shown_again_not_lost(council, people, client):
    user = people["provider_admin"]
    opportunity = opportunity_due(council, AFTER_BST_CHANGE)
    bid = ready_bid(opportunity, user, AFTER_BST_CHANGE - datetime.timedelta(hours=2))
    question = opportunity.questions.first()
    client.force_login(user)
    url = reverse("bids:section", kwargs={"pk": bid.pk, "section": "questions"})
    with clock(AFTER_BST_CHANGE + SECOND):
        response = client.post(url, {"summary": "", f"answer_{question.pk}": "Typed as the deadline passed"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The deadline for bids was 30 March 2026, 12:00pm. Bids can no longer be changed." in page
    assert "Typed as the deadline passed" in page  # there to copy, though it cannot be saved
    assert not bid.answers.filter(text="Typed as the deadline passed").exists()
