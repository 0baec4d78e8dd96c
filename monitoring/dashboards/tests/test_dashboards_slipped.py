"""A key decision not taken by the day the forward plan said stays on the scrutiny dashboard and the
forward plans, shown as slipped with its expected date and how long ago that was."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.award import forward_plan
from commissioning.models import DecisionMaker
from commissioning.tests.factories import create_commission
from councils.models import Role

pytestmark = pytest.mark.django_db


def on(day):
    return time_machine.travel(datetime.combine(day, time(11), tzinfo=timezone.get_current_timezone()), tick=False)


@pytest.fixture
def entry(council, people):
    return forward_plan.forward_plan_publish(
        by=people[Role.COMMISSIONING_OFFICER],
        commission=create_commission(council),
        matter="Award of the befriending contract",
        decision_maker=DecisionMaker.CABINET,
        expected_on=timezone.localdate() + timedelta(days=40),
    )


def pages(council, people, client_for):
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    dashboard = reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})
    council_plan = reverse("commissioning:forward_plan", kwargs={"council_slug": council.slug})
    public_plan = reverse("opportunities:forward_plan") + f"?council={council.slug}"
    return {
        "dashboard": scrutiny.get(dashboard).content.decode(),
        "council forward plan": scrutiny.get(council_plan).content.decode(),
        "public forward plan": Client().get(public_plan).content.decode(),
    }


def test_a_decision_is_not_slipped_on_or_before_its_expected_day(entry, council, people, client_for):
    with on(entry.expected_on):
        assert not entry.is_slipped
        for name, page in pages(council, people, client_for).items():
            assert entry.reference in page, name
            assert "Slipped" not in page, name


def test_a_decision_past_its_expected_day_stays_on_and_is_shown_as_slipped(entry, council, people, client_for):
    with on(entry.expected_on + timedelta(days=3)):
        assert entry.is_slipped
        for name, page in pages(council, people, client_for).items():
            assert entry.reference in page, name
            assert "Slipped" in page, name
            assert "expected 3 days ago" in page, name
        dashboard = pages(council, people, client_for)["dashboard"]
        assert "1 key decision has slipped" in dashboard


def test_a_decided_or_withdrawn_decision_is_not_slipped(entry, council, people, client_for):
    forward_plan.forward_plan_withdraw(by=people[Role.COMMISSIONING_OFFICER], entry=entry, reason="Not needed now.")
    entry.refresh_from_db()
    with on(entry.expected_on + timedelta(days=3)):
        assert not entry.is_slipped
        assert "Slipped" not in pages(council, people, client_for)["dashboard"]
