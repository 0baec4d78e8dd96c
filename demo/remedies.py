"""A demo remedies log, recorded through the real services by the commissioning officer: on one of
Kirkby Moor's live agreements with a provider, a deduction from a payment already due, for a KPI the
provider missed, and a remedy plan agreed then and closed out as met a month later. The clock is moved
back for each step (`time_machine`, demo only) so that the plan was not due in the past when it was
agreed. Seeded before the invoices, so the invoice for that payment is paid net of the deduction and the
open data publishes the reduced payment. Safe to run again.
"""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone

from councils.models import Council, Role
from demo.commissions import person
from monitoring.models import Agreement, AgreementState, Deduction, Invoice, PlanOutcome
from monitoring.remedies import services

COUNCIL = "kirkby-moor"
# A tenth of the payment is kept back; the plan is due four weeks after it is agreed.
SHARE = Decimal("0.10")
PLAN_WEEKS = 4


def _at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), tick=False)


def _candidate(council: Council):
    """A live agreement with a provider and a KPI, and its first payment due at least two months ago
    that nothing has been paid against yet."""
    latest = timezone.localdate() - timedelta(days=62)
    agreements = (
        Agreement.objects.filter(council=council, state=AgreementState.LIVE, provider__isnull=False, kpis__isnull=False)
        .distinct()
        .order_by("reference")
    )
    for agreement in agreements:
        for payment in agreement.payments.filter(amount__gt=0, due_on__lte=latest).order_by("due_on", "id"):
            if not Invoice.objects.filter(scheduled_payment=payment).exists():
                return agreement, payment
    return None, None


@transaction.atomic
def seed_remedies() -> int:
    council = Council.objects.filter(slug=COUNCIL).first()
    officer = person(council, Role.COMMISSIONING_OFFICER) if council else None
    if officer is None or Deduction.objects.filter(agreement__council=council).exists():
        return 0
    agreement, payment = _candidate(council)
    if agreement is None:
        return 0
    kpi = agreement.kpis.order_by("position", "id").first()
    recorded_on = payment.due_on - timedelta(days=3)
    with _at(recorded_on):
        services.deduction_record(
            by=officer,
            agreement=agreement,
            payment=payment,
            amount=(payment.amount * SHARE).quantize(Decimal("1")),
            reason=f"The quarter's target for ‘{kpi.description}’ was missed by a fifth, with no notice given.",
            kpi=kpi,
        )
        plan = services.remedy_plan_agree(
            by=officer,
            agreement=agreement,
            actions="Recruit and train two more volunteers, and report sessions delivered each fortnight.",
            due_on=recorded_on + timedelta(weeks=PLAN_WEEKS),
        )
    with _at(plan.due_on):
        services.remedy_plan_close(
            by=officer,
            plan=plan,
            closed_on=plan.due_on,
            outcome=PlanOutcome.MET,
            note="Both volunteers are in post and the fortnightly figures are back on target.",
        )
    return 2
