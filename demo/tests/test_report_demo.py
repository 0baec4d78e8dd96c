"""Over the demo, the six-monthly scrutiny report has something in every part (commissions completed,
reviews, performance exceptions, notes) and every demo council's framework and commissioning plan can
be read without signing in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import Council, Role
from demo.commissions import DEMO_COMMISSIONS, person
from monitoring.dashboards.selectors.scrutiny_report import default_period, scrutiny_report

pytestmark = pytest.mark.django_db


def test_the_six_monthly_report_fills_a_page(demo_data):
    council = Council.objects.get(slug="kirkby-moor")
    report = scrutiny_report(person(council, Role.SCRUTINY_MEMBER), council, *default_period())
    assert report.completed, "no commission completed in the last six months"
    assert all(row.value for row in report.completed)
    assert any(row.bidders for row in report.completed)
    assert len(report.reviews) >= 2
    assert report.exception_count > 0
    assert len(report.notes) == 2
    assert report.flags


def test_every_demo_council_publishes_its_framework_and_plan(demo_data):
    anonymous = Client()
    for council in Council.objects.filter(slug__in=list(DEMO_COMMISSIONS)):
        framework = anonymous.get(reverse("opportunities:framework", args=[council.slug]))
        assert framework.status_code == 200, council.slug
        assert framework.context["plan"].priorities.exists()
        plan = anonymous.get(reverse("opportunities:plan", args=[council.slug]))
        assert plan.status_code == 200, council.slug
        assert plan.context["count"] > 0, council.slug
