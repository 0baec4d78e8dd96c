"""With no regime confirmed, an award follows the regime proposed from the threshold in force when its
opportunity was published: a £210,000 contract published on 31 December 2025 is below that day's
£214,904 (no notice, no standstill); one published on 1 January 2026 is above the new £207,720 (a
mandatory standstill after the contract award notice)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from commissioning.award import standstill_selectors as standstill
from commissioning.models import DeliveryRoute, Regime
from commissioning.tests.award_factories import signed_off_evaluation, started_award
from commissioning.tests.evaluation_factories import bidder

pytestmark = pytest.mark.django_db


def contract_award_published_on(council, day: date):
    with time_machine.travel(datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone()), tick=False):
        world = signed_off_evaluation(
            council,
            bidders=[bidder("Moorside Youth Trust", 205000), bidder("Brightwork", 209000)],
            route=DeliveryRoute.CONTRACT,
            budget=Decimal(210000),
        )
    started_award(world)
    return world.award


@pytest.mark.parametrize(
    ("published_on", "regime", "rule"),
    [
        (date(2025, 12, 31), Regime.BELOW_THRESHOLD, standstill.NONE),
        (date(2026, 1, 1), Regime.ABOVE_THRESHOLD, standstill.MANDATORY),
    ],
)
def test_the_standstill_uses_the_threshold_of_the_day_the_procurement_started(council, published_on, regime, rule):
    award = contract_award_published_on(council, published_on)
    # Decided long after the change of figures: the start date still rules.
    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        found = standstill.standstill_rule(award)
    assert (found.regime.regime, found.regime.confirmed, found.standstill) == (regime, False, rule)
    assert "No regime has been confirmed" in found.why
