"""The standstill goes by the procurement threshold in force when the opportunity was published: a
£210,000 contract published on 31 December 2025 is below that day's £214,904, one published on
1 January 2026 is above the new £207,720."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from commissioning.award import selectors
from commissioning.models import DeliveryRoute
from commissioning.tests.award_factories import signed_off_evaluation, started_award
from commissioning.tests.evaluation_factories import bidder

pytestmark = pytest.mark.django_db


def contract_award_published_on(council, day: date):
    with time_machine.travel(datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone()), tick=False):
        world = signed_off_evaluation(
            council,
            bidders=[bidder("Moorside Youth Trust", 210000), bidder("Brightwork", 212000)],
            route=DeliveryRoute.CONTRACT,
            budget=Decimal(215000),
        )
    started_award(world)
    return world.award


@pytest.mark.parametrize(
    ("published_on", "threshold", "standstill"),
    [(date(2025, 12, 31), Decimal("214904"), False), (date(2026, 1, 1), Decimal("207720"), True)],
)
def test_the_standstill_uses_the_threshold_of_the_day_the_procurement_started(
    council, published_on, threshold, standstill
):
    award = contract_award_published_on(council, published_on)
    # Decided long after the change of figures: the start date still rules.
    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        assert selectors.procurement_started_on(award) == published_on
        assert selectors.procurement_threshold(award) == threshold
        assert selectors.standstill_applies(award, Decimal(210000)) is standstill
        notes = " ".join(selectors.decision_route(award).notes)
    assert ("at or above the procurement threshold of £207,720" in notes) is standstill
