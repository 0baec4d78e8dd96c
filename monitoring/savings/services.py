"""Writes for the savings an agreement realised: one figure per financial year, recorded (or changed)
by the commissioners who manage the agreement or the finance team, once the agreement has taken
effect, and confirmed by a finance officer. Every write is atomic and audited.

A finance officer's own figure is confirmed as it is recorded; a commissioner's, or a commissioner's
change to a confirmed figure, waits for a finance officer: the dashboards count confirmed figures only,
so a saving reported to members is one the section 151 officer's team stands behind.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from councils.financial_year import financial_year_label, financial_year_of
from councils.models import User
from councils.permissions import SAVINGS_CONFIRMERS, SAVINGS_RECORDERS, has_any_role
from councils.services import audit_record
from monitoring.models import TAKEN_EFFECT_STATES, Agreement, SavingsRealised

__all__ = ["first_year", "recording_refusal", "savings_realised_confirm", "savings_realised_record"]


def recording_refusal(agreement: Agreement) -> str:
    """Why no saving can be recorded against the agreement now ("" when one can)."""
    if agreement.state not in TAKEN_EFFECT_STATES:
        return (
            f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: savings are realised "
            "once it has gone live."
        )
    return ""


def first_year(agreement: Agreement) -> int:
    """The first financial year the agreement can have saved anything in: the year it went live."""
    return financial_year_of(agreement.live_on or agreement.starts_on)


@transaction.atomic
def savings_realised_record(
    *, by: User, agreement: Agreement, financial_year: int, amount: Decimal, how: str
) -> SavingsRealised:
    """Record what the agreement saved in `financial_year` (the year to date for the current one), or
    change the figure already recorded for that year."""
    if not has_any_role(by, agreement.council, SAVINGS_RECORDERS):
        raise PermissionDenied
    refusal = recording_refusal(agreement)
    if refusal:
        raise ValidationError(refusal)
    how = (how or "").strip()
    now = timezone.now()
    first, this_year = first_year(agreement), financial_year_of(timezone.localdate())
    errors = {}
    if financial_year is None or not first <= financial_year <= this_year:
        errors["financial_year"] = (
            f"Choose a year from {financial_year_label(first)}, when the agreement went live, to "
            f"{financial_year_label(this_year)}: a saving is realised once it has been made."
        )
    if amount is None or amount <= 0:
        errors["amount"] = "The saving must be more than £0."
    if not how:
        errors["how"] = "Say how the saving was realised and where the figure comes from."
    if errors:
        raise ValidationError(errors)
    saving = (
        SavingsRealised.objects.select_for_update().filter(agreement=agreement, financial_year=financial_year).first()
    )
    before = saving.amount if saving else None
    if saving is None:
        saving = SavingsRealised(agreement=agreement, financial_year=financial_year)
    saving.amount, saving.how, saving.recorded_by, saving.recorded_at = amount, how, by, now
    confirms = has_any_role(by, agreement.council, SAVINGS_CONFIRMERS)
    saving.confirmed_by, saving.confirmed_at = (by, now) if confirms else (None, None)
    saving.save()
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="agreement.savings_realised." + ("changed" if before is not None else "recorded"),
        obj=agreement,
        extra={
            "year": financial_year_label(financial_year),
            "amount": str(amount),
            "confirmed": confirms,
            **({"was": str(before)} if before is not None else {}),
        },
    )
    return saving


@transaction.atomic
def savings_realised_confirm(*, by: User, saving: SavingsRealised) -> SavingsRealised:
    """A finance officer confirms a figure a commissioner recorded: from now on it counts as realised."""
    agreement = saving.agreement
    if not has_any_role(by, agreement.council, SAVINGS_CONFIRMERS):
        raise PermissionDenied
    fresh = SavingsRealised.objects.select_for_update().get(pk=saving.pk)
    if fresh.is_confirmed:
        raise ValidationError(f"The saving in {fresh.year_label} was confirmed already.")
    fresh.confirmed_by, fresh.confirmed_at = by, timezone.now()
    fresh.save(update_fields=["confirmed_by", "confirmed_at"])
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="agreement.savings_realised.confirmed",
        obj=agreement,
        extra={"year": fresh.year_label, "amount": str(fresh.amount)},
    )
    return fresh
