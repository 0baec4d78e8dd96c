"""Writes for invoices: recording one on receipt (with its payment, when it is entered after the
event), recording its payment, and withdrawing a wrong entry. Finance officers and commissioners
write; every write is atomic and leaves an audit event. Nothing is ever changed or deleted: the
payments compliance notice (UK17) and the payments over £30,000 (s.70) are counted from these rows,
so a published figure can always be traced back to them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from councils.models import User
from councils.permissions import INVOICE_RECORDERS, has_any_role
from councils.services import audit_record
from monitoring.agreements.gates import unsigned_refusal
from monitoring.models import Agreement, Invoice, ScheduledPayment, net_amount

__all__ = ["invoice_pay", "invoice_record", "invoice_withdraw", "recording_refusal"]


def _require_recorder(by: User, agreement: Agreement) -> None:
    if not has_any_role(by, agreement.council, INVOICE_RECORDERS):
        raise PermissionDenied


def recording_refusal(agreement: Agreement) -> str:
    """Why no invoice can be recorded under the agreement now ("" when one can)."""
    return unsigned_refusal(agreement, "invoices are")


def _payment_errors(received_on: date, amount: Decimal, paid_on: date | None, paid_amount: Decimal | None) -> dict:
    errors = {}
    if paid_on is None:
        return errors
    if paid_on > timezone.localdate():
        errors["paid_on"] = "The day it was paid cannot be in the future."
    elif paid_on < received_on:
        errors["paid_on"] = "The day it was paid cannot be before the invoice was received."
    if paid_amount is not None and paid_amount <= 0:
        errors["paid_amount"] = "The amount paid must be more than £0."
    elif paid_amount is not None and paid_amount > amount:
        errors["paid_amount"] = "The amount paid cannot be more than the invoice's amount."
    return errors


def _due(amount: Decimal, scheduled_payment: ScheduledPayment | None) -> Decimal:
    """What is paid when the officer does not say: the invoice's amount, but no more than its scheduled
    payment less the deductions the remedies log took from it."""
    if scheduled_payment is None or scheduled_payment.amount <= 0:
        return amount
    return min(amount, net_amount(scheduled_payment))


@transaction.atomic
def invoice_record(
    *,
    by: User,
    agreement: Agreement,
    supplier_reference: str,
    received_on: date,
    amount: Decimal,
    scheduled_payment: ScheduledPayment | None = None,
    paid_on: date | None = None,
    paid_amount: Decimal | None = None,
) -> Invoice:
    """Record an invoice on the day it arrived; give `paid_on` to enter one already paid."""
    _require_recorder(by, agreement)
    refusal = recording_refusal(agreement)
    if refusal:
        raise ValidationError(refusal)
    supplier_reference = (supplier_reference or "").strip()
    errors = {}
    if not supplier_reference:
        errors["supplier_reference"] = "Enter the invoice number the supplier gave."
    if received_on > timezone.localdate():
        errors["received_on"] = "The day it was received cannot be in the future."
    elif agreement.signed_on and received_on < agreement.signed_on:
        errors["received_on"] = (
            f"The invoice cannot have arrived before the agreement was signed, on {agreement.signed_on:%d/%m/%Y}."
        )
    if amount is None or amount <= 0:
        errors["amount"] = "The invoice's amount must be more than £0."
    if scheduled_payment is not None and scheduled_payment.agreement_id != agreement.pk:
        errors["scheduled_payment"] = "Choose one of this agreement's scheduled payments."
    if paid_on is not None and paid_amount is None:
        paid_amount = _due(amount, scheduled_payment)
    if paid_on is None and paid_amount is not None:
        errors["paid_on"] = "Enter the day it was paid, or leave the amount paid empty."
    if not errors:
        errors.update(_payment_errors(received_on, amount, paid_on, paid_amount))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    invoice = Invoice(
        agreement=agreement,
        scheduled_payment=scheduled_payment,
        supplier_reference=supplier_reference,
        received_on=received_on,
        amount=amount,
        recorded_by=by,
        recorded_at=now,
    )
    if paid_on is not None:
        invoice.paid_on, invoice.paid_amount = paid_on, paid_amount
        invoice.payment_recorded_by, invoice.payment_recorded_at = by, now
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise ValidationError(
            {"supplier_reference": f"Invoice {supplier_reference} is already recorded under this agreement."}
        ) from None
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="invoice.recorded",
        obj=invoice,
        extra={
            "agreement": agreement.reference,
            "received_on": received_on.isoformat(),
            "amount": str(amount),
            **({"paid_on": paid_on.isoformat(), "paid_amount": str(paid_amount)} if paid_on else {}),
        },
    )
    return invoice


def _locked(invoice: Invoice) -> Invoice:
    fresh = Invoice.objects.select_for_update().select_related("agreement__council").get(pk=invoice.pk)
    if fresh.is_withdrawn:
        raise ValidationError("This invoice was withdrawn: it can no longer change.")
    return fresh


@transaction.atomic
def invoice_pay(*, by: User, invoice: Invoice, paid_on: date, paid_amount: Decimal | None = None) -> Invoice:
    """Record the day the supplier was paid, and how much (the invoice's amount unless less was paid)."""
    _require_recorder(by, invoice.agreement)
    fresh = _locked(invoice)
    if fresh.is_paid:
        raise ValidationError(f"Its payment was recorded already: paid on {fresh.paid_on:%d/%m/%Y}.")
    paid_amount = _due(fresh.amount, fresh.scheduled_payment) if paid_amount is None else paid_amount
    errors = _payment_errors(fresh.received_on, fresh.amount, paid_on, paid_amount)
    if errors:
        raise ValidationError(errors)
    fresh.paid_on, fresh.paid_amount = paid_on, paid_amount
    fresh.payment_recorded_by, fresh.payment_recorded_at = by, timezone.now()
    fresh.save(update_fields=sorted(Invoice.PAYMENT_FIELDS))
    audit_record(
        council=fresh.agreement.council,
        actor=by,
        event_type="invoice.paid",
        obj=fresh,
        extra={"paid_on": paid_on.isoformat(), "paid_amount": str(paid_amount), "days_to_pay": fresh.days_to_pay},
    )
    return fresh


@transaction.atomic
def invoice_withdraw(*, by: User, invoice: Invoice, reason: str) -> Invoice:
    """Take a wrong entry out of every figure, keeping it (and why) on the record."""
    _require_recorder(by, invoice.agreement)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what was wrong with the entry: it is kept with it."})
    fresh = _locked(invoice)
    fresh.withdrawn_at, fresh.withdrawn_by, fresh.withdrawn_reason = timezone.now(), by, reason
    fresh.save(update_fields=sorted(Invoice.WITHDRAWAL_FIELDS))
    audit_record(council=fresh.agreement.council, actor=by, event_type="invoice.withdrawn", obj=fresh, reason=reason)
    return fresh
