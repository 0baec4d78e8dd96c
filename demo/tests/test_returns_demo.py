"""The demo's monitoring returns: every state on the live agreements, made through the services on
the days they would have happened, and safe to seed again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from councils.models import AuditEvent
from demo.agreements import seed_agreements, seed_returns
from monitoring.models import (
    Agreement,
    KpiActual,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceAssessment,
    ReturnQuery,
    ReturnState,
)
from monitoring.returns.selectors import payments_on_hold

pytestmark = pytest.mark.django_db


def test_demo_returns_cover_every_state_and_seed_once(demo_data):
    """On the whole demo (`seed_demo`, which filed and reviewed every live agreement's returns through
    the services, the contract procured for the invoices included)."""
    today = timezone.localdate()

    states = set(MonitoringReturn.objects.values_list("state", flat=True))
    assert {ReturnState.DUE, ReturnState.SUBMITTED, ReturnState.QUERIED, ReturnState.ACCEPTED} <= states
    assert MonitoringReturn.objects.filter(state=ReturnState.DUE, due_on__lt=today).exists()  # overdue
    assert MonitoringReturn.objects.filter(state=ReturnState.ACCEPTED, is_late=True).exists()
    assert set(MonitoringReturn.objects.filter(state=ReturnState.ACCEPTED).values_list("overall_rag", flat=True)) - {
        "not_rated"
    }
    assert KpiActual.objects.exclude(rag_override="").exists()
    assert ReturnQuery.objects.filter(answered_at__isnull=False).exists()
    assert ReturnQuery.objects.filter(answered_at__isnull=True).exists()
    assert PerformanceAssessment.objects.exists()
    # Submitted on the day it happened, not on the day the demo was loaded.
    assert MonitoringReturn.objects.filter(first_submitted_at__date__lt=today - timezone.timedelta(days=60)).exists()
    assert MonitoringSettings.objects.get(council__slug="kirkby-moor").hold_payments_when_overdue
    lantern = Agreement.objects.get(provider__legal_name="The Lantern Arts Collective")
    assert payments_on_hold(lantern)
    # Every return came from the services, with its audit trail.
    assert (
        AuditEvent.objects.filter(event_type="return.accept").count()
        == MonitoringReturn.objects.filter(state=ReturnState.ACCEPTED).count()
    )

    counts = (MonitoringReturn.objects.count(), KpiActual.objects.count(), AuditEvent.objects.count())
    assert seed_returns() == 0
    assert seed_agreements() == 0
    assert (MonitoringReturn.objects.count(), KpiActual.objects.count(), AuditEvent.objects.count()) == counts
