"""The demo opportunities: made through the services, open and closed, and safe to seed again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from commissioning.models import ClarificationVisibility, Opportunity, OpportunityState
from councils.models import AuditEvent
from demo.commissions import seed_commissions
from demo.councils import seed_councils
from demo.opportunities import seed_opportunities
from demo.providers import seed_providers

pytestmark = pytest.mark.django_db


def test_nothing_happens_without_demo_commissions():
    assert seed_opportunities() == 0


def test_demo_opportunities_open_and_closed():
    seed_councils()
    seed_providers()
    seed_commissions()
    assert seed_opportunities() == 3
    assert seed_opportunities() == 0  # safe to run again

    open_ones = Opportunity.objects.filter(state=OpportunityState.PUBLISHED).order_by("title")
    assert [o.title for o in open_ones] == ["Debt and money advice", "Youth work in the rural wards"]
    for opportunity in open_ones:
        assert opportunity.lots.count() == 2
        assert opportunity.questions.values("criterion").distinct().count() == 4
        assert opportunity.documents.count() == 1
        assert opportunity.interests.count() == 1
        published = opportunity.clarifications.get(visibility=ClarificationVisibility.PUBLISHED)
        assert str(published.organisation) not in published.published_question
        # Three weeks ahead, moved to the next working day when that is a weekend or bank holiday.
        assert 20 <= (opportunity.submission_deadline - timezone.now()).days <= 25
    debt = open_ones.get(title="Debt and money advice")
    assert debt.two_person_opening

    closed = Opportunity.objects.get(state=OpportunityState.CLOSED)
    assert closed.title == "Holiday activities and food programme"
    assert closed.submission_deadline < timezone.now()
    event = AuditEvent.objects.get(event_type="opportunity.closed", object_id=str(closed.pk))
    assert event.actor is None
    assert event.object_id == str(closed.pk)
