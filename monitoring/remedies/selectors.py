"""Reads for an agreement's remedies log: the council's page and the provider's view of its agreement
(the same entries; withdrawn ones are shown apart, with why)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404

from monitoring.models import (
    REMEDY_KINDS,
    Agreement,
    AgreementKpi,
    Deduction,
    DefaultNotice,
    MonitoringReturn,
    RemedyPlan,
    ScheduledPayment,
    payments_with_net,
)

PEOPLE = ("recorded_by", "withdrawn_by", "responded_by")


def remedies_log(agreement: Agreement) -> dict:
    """Every entry of the agreement's remedies log, in a fixed number of queries, with the total the
    standing deductions keep back."""
    deductions = list(
        Deduction.objects.filter(agreement=agreement)
        .select_related("payment", "kpi", "monitoring_return", *PEOPLE)
        .order_by("-recorded_at", "-id")
    )
    notices = list(
        DefaultNotice.objects.filter(agreement=agreement).select_related(*PEOPLE).order_by("-issued_on", "-id")
    )
    plans = list(
        RemedyPlan.objects.filter(agreement=agreement)
        .select_related("default_notice", "closed_by", *PEOPLE)
        .order_by("due_on", "id")
    )
    standing = [d for d in deductions if not d.is_withdrawn]
    withdrawn = [entry for entry in (*deductions, *notices, *plans) if entry.is_withdrawn]
    return {
        "deductions": standing,
        "default_notices": [n for n in notices if not n.is_withdrawn],
        "remedy_plans": [p for p in plans if not p.is_withdrawn],
        "withdrawn": sorted(withdrawn, key=lambda entry: entry.withdrawn_at, reverse=True),
        "deducted": sum((d.amount for d in standing), Decimal("0")),
        "is_empty": not (deductions or notices or plans),
    }


def entry_of(agreement: Agreement, kind: str, pk: int):
    """One entry of the agreement's log, by kind and id (another agreement's, or no such kind: 404)."""
    model = REMEDY_KINDS.get(kind)
    if model is None:
        raise Http404
    entry = get_object_or_404(model.objects.filter(agreement=agreement), pk=pk)
    entry.agreement = agreement
    return entry


def deductible_payments(agreement: Agreement):
    """The agreement's payments a deduction can be taken from: positive ones, with what remains of each."""
    return payments_with_net(ScheduledPayment.objects.filter(agreement=agreement, amount__gt=0)).order_by(
        "due_on", "id"
    )


def agreement_kpis(agreement: Agreement):
    return AgreementKpi.objects.filter(agreement=agreement).order_by("position", "id")


def agreement_returns(agreement: Agreement):
    return MonitoringReturn.objects.filter(agreement=agreement).order_by("period_start", "id")


def standing_notices(agreement: Agreement):
    return DefaultNotice.objects.filter(agreement=agreement, withdrawn_at__isnull=True).order_by("-issued_on", "-id")
