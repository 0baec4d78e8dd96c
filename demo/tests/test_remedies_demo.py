"""The demo's remedies log: one agreement with a deduction for a missed KPI, whose payment's invoice
was paid net of it, and a remedy plan closed out as met."""

from __future__ import annotations

import pytest

from demo.remedies import seed_remedies
from monitoring.models import Deduction, PlanOutcome, RemedyPlan, net_amount

pytestmark = pytest.mark.django_db


def test_demo_remedies_log_has_a_deduction_for_a_missed_kpi_and_a_closed_plan(demo_data):
    deduction = Deduction.objects.select_related("payment", "kpi").get()
    assert deduction.kpi is not None
    assert deduction.kpi.agreement_id == deduction.agreement_id
    assert 0 < net_amount(deduction.payment) < deduction.payment.amount
    paid = deduction.payment.invoices.get()
    assert paid.paid_amount in (None, net_amount(deduction.payment))
    plan = RemedyPlan.objects.get(agreement=deduction.agreement)
    assert plan.is_closed
    assert plan.outcome == PlanOutcome.MET
    assert seed_remedies() == 0
