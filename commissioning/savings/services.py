"""Writes for the savings a commission is expected to make: one figure per financial year, recorded
or changed by the commissioners and the finance team, removed when it no longer stands. Every write is
atomic and audited on the commission's trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.models import Commission, SavingsIdentified, State
from councils.financial_year import EARLIEST_YEAR, LATEST_YEAR, financial_year_label
from councils.models import User
from councils.permissions import SAVINGS_RECORDERS, has_any_role
from councils.services import audit_record

__all__ = ["savings_identified_record", "savings_identified_remove", "savings_refusal"]


def _require_recorder(by: User, commission: Commission) -> None:
    if not has_any_role(by, commission.council, SAVINGS_RECORDERS):
        raise PermissionDenied


def savings_refusal(commission: Commission) -> str:
    """Why no saving can be recorded against the commission ("" when one can)."""
    if commission.state == State.CANCELLED:
        return f"{commission.reference} was cancelled: it will make no savings."
    return ""


@transaction.atomic
def savings_identified_record(
    *,
    by: User,
    commission: Commission,
    target_year: int,
    amount: Decimal,
    basis: str,
    identified_on: date | None = None,
) -> SavingsIdentified:
    """Record what the commission should save in `target_year`, or change the figure already recorded
    for that year (one figure per year: the year's total, however it is made)."""
    _require_recorder(by, commission)
    refusal = savings_refusal(commission)
    if refusal:
        raise ValidationError(refusal)
    basis = (basis or "").strip()
    today = timezone.localdate()
    identified_on = identified_on or today
    errors = {}
    if target_year is None or not EARLIEST_YEAR <= target_year <= LATEST_YEAR:
        errors["target_year"] = "Choose the financial year the saving is to be made in."
    if amount is None or amount <= 0:
        errors["amount"] = "The saving must be more than £0."
    if not basis:
        errors["basis"] = "Say how the saving will be made."
    if identified_on > today:
        errors["identified_on"] = "The day it was identified cannot be in the future."
    if errors:
        raise ValidationError(errors)
    saving = (
        SavingsIdentified.objects.select_for_update().filter(commission=commission, target_year=target_year).first()
    )
    before = saving.amount if saving else None
    if saving is None:
        saving = SavingsIdentified(council=commission.council, commission=commission, target_year=target_year)
    saving.amount, saving.basis, saving.identified_on, saving.recorded_by = amount, basis, identified_on, by
    saving.full_clean(exclude=["commission", "council", "recorded_by"])
    saving.save()
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.savings_identified." + ("changed" if before is not None else "recorded"),
        obj=commission,
        extra={
            "year": financial_year_label(target_year),
            "amount": str(amount),
            **({"was": str(before)} if before is not None else {}),
        },
    )
    return saving


@transaction.atomic
def savings_identified_remove(*, by: User, saving: SavingsIdentified, reason: str) -> None:
    """Take a figure that no longer stands off the commission, saying why (kept in the audit trail)."""
    commission = saving.commission
    _require_recorder(by, commission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the saving no longer stands: it is kept in the audit trail."})
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.savings_identified.removed",
        obj=commission,
        reason=reason,
        extra={"year": saving.year_label, "amount": str(saving.amount)},
    )
    saving.delete()
