"""Writes for the savings a commission or a review of existing services is expected to make: one
figure per financial year, recorded or changed by the commissioners and the finance team, removed when
it no longer stands. Every write is atomic and audited on the commission's (or review's) trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.models import Commission, Review, ReviewState, SavingsIdentified, State
from councils.financial_year import EARLIEST_YEAR, LATEST_YEAR, financial_year_label
from councils.models import User
from councils.permissions import SAVINGS_RECORDERS, has_any_role
from councils.services import audit_record

__all__ = ["savings_identified_record", "savings_identified_remove", "savings_refusal"]


Holder = Commission | Review


def _require_recorder(by: User, holder: Holder) -> None:
    if not has_any_role(by, holder.council, SAVINGS_RECORDERS):
        raise PermissionDenied


def savings_refusal(holder: Holder) -> str:
    """Why no saving can be recorded against the commission or review ("" when one can)."""
    if isinstance(holder, Commission) and holder.state == State.CANCELLED:
        return f"{holder.reference} was cancelled: it will make no savings."
    if isinstance(holder, Review) and holder.state == ReviewState.WITHDRAWN:
        return f"{holder.reference} was withdrawn: it will make no savings."
    return ""


def _event(holder: Holder, what: str) -> str:
    return f"{holder._meta.model_name}.savings_identified.{what}"


@transaction.atomic
def savings_identified_record(
    *,
    by: User,
    holder: Holder,
    target_year: int,
    amount: Decimal,
    basis: str,
    identified_on: date | None = None,
) -> SavingsIdentified:
    """Record what the commission or review should save in `target_year`, or change the figure already
    recorded for that year (one figure per year: the year's total, however it is made)."""
    _require_recorder(by, holder)
    refusal = savings_refusal(holder)
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
    field = "review" if isinstance(holder, Review) else "commission"
    saving = SavingsIdentified.objects.select_for_update().filter(**{field: holder}, target_year=target_year).first()
    before = saving.amount if saving else None
    if saving is None:
        saving = SavingsIdentified(council=holder.council, target_year=target_year, **{field: holder})
    saving.amount, saving.basis, saving.identified_on, saving.recorded_by = amount, basis, identified_on, by
    saving.full_clean(exclude=["commission", "review", "council", "recorded_by"])
    saving.save()
    audit_record(
        council=holder.council,
        actor=by,
        event_type=_event(holder, "changed" if before is not None else "recorded"),
        obj=holder,
        extra={
            "year": financial_year_label(target_year),
            "amount": str(amount),
            **({"was": str(before)} if before is not None else {}),
        },
    )
    return saving


@transaction.atomic
def savings_identified_remove(*, by: User, saving: SavingsIdentified, reason: str) -> None:
    """Take a figure that no longer stands off the commission or review, saying why (kept in the audit trail)."""
    holder = saving.holder
    _require_recorder(by, holder)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the saving no longer stands: it is kept in the audit trail."})
    audit_record(
        council=holder.council,
        actor=by,
        event_type=_event(holder, "removed"),
        obj=holder,
        reason=reason,
        extra={"year": saving.year_label, "amount": str(saving.amount)},
    )
    saving.delete()
