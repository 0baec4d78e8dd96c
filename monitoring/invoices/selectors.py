"""Reads for an agreement's invoices: the officers' page and the provider's own view of its agreement."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone

from monitoring.models import PAYMENT_TERM_DAYS, Agreement, Invoice
from monitoring.notices.council_selectors import is_public_contract


def agreement_invoices(agreement: Agreement) -> dict:
    """The agreement's invoices, newest first, with what was invoiced and paid and how promptly; the
    withdrawn entries apart, with why."""
    invoices = list(
        Invoice.objects.filter(agreement=agreement)
        .select_related("scheduled_payment", "recorded_by", "payment_recorded_by", "withdrawn_by")
        .order_by("-received_on", "-id")
    )
    current = [invoice for invoice in invoices if not invoice.is_withdrawn]
    paid = [invoice for invoice in current if invoice.is_paid]
    today = timezone.localdate()
    return {
        "invoices": current,
        "withdrawn": [invoice for invoice in invoices if invoice.is_withdrawn],
        "invoiced": sum((invoice.amount for invoice in current), Decimal("0")),
        "paid": sum((invoice.paid_amount for invoice in paid), Decimal("0")),
        "paid_count": len(paid),
        "paid_within_term": sum(1 for invoice in paid if invoice.days_to_pay <= PAYMENT_TERM_DAYS),
        "overdue": [invoice for invoice in current if not invoice.is_paid and invoice.payable_by < today],
        "public_contract": is_public_contract(agreement),
    }


def invoice_of(agreement: Agreement, pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.filter(agreement=agreement), pk=pk)
