"""Changing a signed agreement: variations of value, dates and KPIs, extensions and early termination.
Each keeps the full terms before and after and who approved it (`AgreementVariation`, append-only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from commissioning.models import ProcurementRegime, Regime
from councils import workflow
from councils.formatting import money
from councils.models import Role, User
from councils.permissions import VARIATION_APPROVERS, has_any_role
from councils.units import rounded, validate_whole_for_unit
from monitoring.agreements.gates import payments_total
from monitoring.agreements.services import (
    ZERO,
    _audit,
    _default_target_kind,
    _require_editor,
)
from monitoring.agreements.steps import _transition
from monitoring.models import (
    VARIABLE_STATES,
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementVariation,
    KpiSource,
    KpiTarget,
    ModificationGround,
    PaymentKind,
    ScheduledPayment,
    TargetKind,
    TerminationGround,
    VariationKind,
    months_after_end,
    payment_terms_snapshot,
    term_refusal,
)
from monitoring.models.variations import describe_changes
from monitoring.returns.services import schedule_returns

# ---- Variations, extensions and termination ---------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    """Who approved a variation, when, and the decision's reference if there is one."""

    approved_by: User
    approved_on: date
    reference: str = ""


def _amount(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def terms_snapshot(agreement: Agreement) -> dict:
    """The agreement's terms as JSON: what a variation keeps from before and after the change."""
    kpis = AgreementKpi.objects.filter(agreement=agreement).prefetch_related("targets").order_by("position", "id")
    return {
        "state": agreement.state,
        "value": _amount(agreement.value),
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "ended_on": agreement.ended_on.isoformat() if agreement.ended_on else None,
        "extension_notice_days": agreement.extension_notice_days,
        "payments_total": _amount(payments_total(agreement)),
        "kpis": [
            {
                "id": kpi.pk,
                "description": kpi.description,
                "unit": kpi.unit,
                "target": _amount(kpi.target),
                "target_kind": kpi.target_kind,
                "retired_on": kpi.retired_on.isoformat() if kpi.retired_on else None,
                "targets": [
                    [t.period_start.isoformat(), t.period_end.isoformat(), _amount(t.target)] for t in kpi.targets.all()
                ],
            }
            for kpi in kpis
        ],
        "payment_terms": payment_terms_snapshot(agreement),
    }


def needs_modification_ground(agreement: Agreement) -> bool:
    """Changes of value or dates to an above-threshold contract say what permits them (s.74, Schedule 8):
    its contract change notice (UK10) gives the ground."""
    try:
        return agreement.commission.procurement_regime.regime == Regime.ABOVE_THRESHOLD
    except ProcurementRegime.DoesNotExist:
        return False


def _modification_ground(agreement: Agreement, ground: str) -> str:
    if ground and ground not in ModificationGround.values:
        raise ValidationError({"ground": "Choose the ground that permits the change."})
    if not ground and needs_modification_ground(agreement):
        raise ValidationError(
            {"ground": "Choose the ground in the Procurement Act 2023 that permits this change to the contract."}
        )
    return ground


def _validate_approval(agreement: Agreement, approval: Approval, *, key_decision: bool = False) -> None:
    errors = {}
    roles = (Role.PORTFOLIO_HOLDER,) if key_decision else VARIATION_APPROVERS
    if approval.approved_by is None or not has_any_role(approval.approved_by, agreement.council, roles):
        errors["approved_by"] = (
            f"At or above the key-decision threshold ({money(agreement.council.key_decision_threshold)}) a "
            "portfolio holder must approve the variation."
            if key_decision
            else "The variation must be approved by the lead commissioner or a portfolio holder of this council."
        )
    if approval.approved_on is None:
        errors["approved_on"] = "Enter the date the variation was approved."
    elif approval.approved_on > timezone.localdate():
        errors["approved_on"] = "The approval date cannot be in the future."
    if errors:
        raise ValidationError(errors)


def _vary(
    *,
    by: User,
    agreement: Agreement,
    kind: str,
    reason: str,
    approval: Approval,
    effective_on: date,
    change,
    key_decision=None,
    states=VARIABLE_STATES,
    ground: str = "",
) -> AgreementVariation:
    """Record one variation: lock the agreement, apply `change`, keep the terms before and after."""
    _require_editor(agreement, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the change: it is kept with the agreement."})
    if effective_on is None:
        raise ValidationError({"effective_on": "Enter the date the change takes effect."})
    if kind in (VariationKind.VALUE, VariationKind.DATES):
        ground = _modification_ground(agreement, ground)
    try:
        with transaction.atomic():
            # Lock the row, then work on what is in the database now (another officer may just have varied it).
            Agreement.objects.select_for_update().filter(pk=agreement.pk).exists()
            agreement.refresh_from_db()
            if agreement.state not in states:
                raise ValidationError(
                    f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: "
                    "it cannot be varied now."
                )
            before = terms_snapshot(agreement)
            change()
            needs_key_decision = bool(key_decision and key_decision())
            _validate_approval(agreement, approval, key_decision=needs_key_decision)
            after = terms_snapshot(agreement)
            if before == after:
                raise ValidationError("Nothing would change: enter the new terms.")
            number = (agreement.variations.aggregate(last=Max("number"))["last"] or 0) + 1
            variation = AgreementVariation.objects.create(
                agreement=agreement,
                number=number,
                kind=kind,
                reason=reason,
                effective_on=effective_on,
                approved_by=approval.approved_by,
                approved_on=approval.approved_on,
                approval_reference=approval.reference.strip(),
                modification_ground=ground,
                before=before,
                after=after,
                recorded_by=by,
            )
            agreement.payments.filter(variation__isnull=True, kind=PaymentKind.ADJUSTMENT).update(variation=variation)
            # The return schedule follows the new dates (and a termination).
            schedule_returns(agreement, by=by, reason=f"Variation {number}: {reason}")
            _audit(
                by,
                agreement,
                f"varied.{kind}",
                from_state=before["state"],
                to_state=after["state"],
                reason=reason,
                extra={
                    "variation": number,
                    "changes": describe_changes(before, after),
                    "approved_by": approval.approved_by.email,
                    "approved_on": approval.approved_on.isoformat(),
                    "approval_reference": approval.reference.strip(),
                },
            )
            # A variation is not a step of the agreement: tell what follows the records (its notices).
            workflow.announce(obj=agreement, name=f"varied.{kind}", by=by, reason=reason)
    except Exception:
        # The database rolled back; make the objects in hand match it again.
        agreement.refresh_from_db()
        raise
    return variation


def _resync_targets(agreement: Agreement, from_date: date) -> None:
    """After the dates change: periods that start on the same day keep their targets (with the new end
    day); new periods get default targets; periods that no longer exist and had not started go."""
    periods = agreement.periods()
    starts = dict(periods)
    for kpi in agreement.kpis.filter(retired_on__isnull=True).prefetch_related("targets"):
        existing = {t.period_start: t for t in kpi.targets.all()}
        for start, row in existing.items():
            if start not in starts and start >= from_date:
                row.delete()
            elif start in starts and row.period_end != starts[start]:
                row.period_end = starts[start]
                row.save(update_fields=["period_end"])
        new = [(first, last) for first, last in periods if first not in existing]
        if not new:
            continue
        if kpi.target_kind == TargetKind.LEVEL:
            values = [kpi.target] * len(new)
        else:
            kept = [t for t in existing.values() if t.period_start in starts]
            kept_days = sum((t.period_end - t.period_start).days + 1 for t in kept) or 1
            rate = sum((t.target for t in kept), ZERO) / kept_days
            values = [rounded(rate * ((last - first).days + 1), kpi.unit) for first, last in new]
        KpiTarget.objects.bulk_create(
            KpiTarget(kpi=kpi, period_start=first, period_end=last, target=value)
            for (first, last), value in zip(new, values, strict=True)
        )
        if kpi.target_kind == TargetKind.TOTAL:
            kpi.target = kpi.targets.aggregate(total=Sum("target"))["total"] or ZERO
            kpi.save(update_fields=["target"])


def agreement_vary_value(
    *,
    by: User,
    agreement: Agreement,
    value: Decimal,
    reason: str,
    approval: Approval,
    effective_on: date,
    adjustment_due_on: date | None = None,
    ground: str = "",
) -> AgreementVariation:
    """Change the value. The difference is added to the payment schedule as an adjustment due on
    `adjustment_due_on` (default: when the change takes effect), so the schedule still adds up."""

    def change():
        if value is None or value < 0:
            raise ValidationError({"value": "Enter the new value: £0 or more."})
        delta = value - agreement.value
        if delta == 0:
            raise ValidationError({"value": f"The value is already {money(value)}."})
        agreement.value = value
        agreement.save(update_fields=["value", "updated_at"])
        ScheduledPayment.objects.create(
            agreement=agreement,
            kind=PaymentKind.ADJUSTMENT,
            description=f"{'Increase' if delta > 0 else 'Reduction'} in value by variation",
            due_on=adjustment_due_on or effective_on,
            amount=delta,
        )

    return _vary(
        by=by,
        agreement=agreement,
        kind=VariationKind.VALUE,
        reason=reason,
        approval=approval,
        effective_on=effective_on,
        change=change,
        key_decision=lambda: value >= agreement.council.key_decision_threshold,
        ground=ground,
    )


def agreement_vary_dates(
    *,
    by: User,
    agreement: Agreement,
    starts_on: date,
    ends_on: date,
    reason: str,
    approval: Approval,
    effective_on: date,
    ground: str = "",
) -> AgreementVariation:
    """Move the start (before delivery starts) or bring the end forward. A later end is an extension."""

    def change():
        errors = {}
        if starts_on != agreement.starts_on and agreement.state != AgreementState.SIGNED:
            errors["starts_on"] = "Delivery has started: the start date can no longer change."
        if ends_on > agreement.ends_on:
            errors["ends_on"] = "A later end date is an extension: record an extension instead."
        if ends_on < starts_on:
            errors["ends_on"] = "The end date must be the same as or after the start date."
        elif refusal := term_refusal(agreement.council, starts_on, ends_on):
            # A start brought forward lengthens the term as surely as a later end.
            errors["starts_on"] = refusal
        if errors:
            raise ValidationError(errors)
        agreement.starts_on, agreement.ends_on = starts_on, ends_on
        try:
            agreement.clean()  # a shorter term may no longer hold the notice period to extend
        except ValidationError as problem:
            raise ValidationError({"ends_on": problem.message_dict["extension_notice_days"]}) from None
        agreement.save(update_fields=["starts_on", "ends_on", "updated_at"])
        # Before delivery every period can still move; once live, only periods from the change on.
        _resync_targets(agreement, date.min if agreement.state == AgreementState.SIGNED else effective_on)

    return _vary(
        by=by,
        agreement=agreement,
        kind=VariationKind.DATES,
        reason=reason,
        approval=approval,
        effective_on=effective_on,
        change=change,
        ground=ground,
    )


def extensions_used(agreement: Agreement) -> int:
    return agreement.variations.filter(kind=VariationKind.EXTENSION).count()


def latest_extended_end(agreement: Agreement) -> date | None:
    """The furthest the next extension may go, or None when no extension is left."""
    if not agreement.max_extensions or extensions_used(agreement) >= agreement.max_extensions:
        return None
    return months_after_end(agreement.ends_on, agreement.extension_period_months)


def agreement_extend(
    *, by: User, agreement: Agreement, ends_on: date, reason: str, approval: Approval
) -> AgreementVariation:
    """Take up one of the agreement's extension options: a new end date no further than one option allows."""

    def change():
        if not agreement.max_extensions:
            raise ValidationError("This agreement has no extension options: vary it or make a new agreement.")
        latest = latest_extended_end(agreement)
        if latest is None:
            raise ValidationError(
                f"All {agreement.max_extensions} extension{'s' if agreement.max_extensions != 1 else ''} of this "
                "agreement have been used."
            )
        if ends_on is None or ends_on <= agreement.ends_on:
            raise ValidationError({"ends_on": f"The new end date must be after {agreement.ends_on:%d/%m/%Y}."})
        if ends_on > latest:
            raise ValidationError(
                {
                    "ends_on": f"An extension can go up to {agreement.extension_period_months} months, to "
                    f"{latest:%d/%m/%Y} at the latest ({agreement.extension_options.lower()})."
                }
            )
        if refusal := term_refusal(agreement.council, agreement.starts_on, ends_on):
            raise ValidationError({"ends_on": refusal})
        old_end = agreement.ends_on
        agreement.ends_on = ends_on
        agreement.save(update_fields=["ends_on", "updated_at"])
        _resync_targets(agreement, old_end)

    return _vary(
        by=by,
        agreement=agreement,
        kind=VariationKind.EXTENSION,
        reason=reason,
        approval=approval,
        effective_on=agreement.ends_on + timedelta(days=1),
        change=change,
    )


def agreement_vary_kpi(
    *,
    by: User,
    agreement: Agreement,
    reason: str,
    approval: Approval,
    effective_on: date,
    kpi: AgreementKpi | None = None,
    description: str = "",
    unit: str = "",
    target: Decimal | None = None,
    retire: bool = False,
) -> AgreementVariation:
    """Change a KPI's target (periods from `effective_on` on take the new targets), add a KPI, or drop
    one from `effective_on`. Targets of periods already started are kept."""

    def change():
        nonlocal kpi
        if kpi is not None and kpi.agreement_id != agreement.pk:
            raise PermissionDenied
        future = [(first, last) for first, last in agreement.periods() if first >= effective_on]
        if retire:
            if kpi is None:
                raise ValidationError({"kpi": "Choose the KPI to drop."})
            kpi.retired_on = effective_on
            kpi.save(update_fields=["retired_on"])
            kpi.targets.filter(period_start__gte=effective_on).delete()
            return
        if target is None:
            raise ValidationError({"target": "Enter the target."})
        validate_whole_for_unit(target, unit.strip() or (kpi.unit if kpi is not None else ""))
        if kpi is None:
            if not description.strip() or not unit.strip():
                raise ValidationError({"description": "Describe the new KPI and its unit."})
            kpi = AgreementKpi.objects.create(
                agreement=agreement,
                position=(agreement.kpis.aggregate(last=Max("position"))["last"] or 0) + 1,
                description=description.strip(),
                unit=unit.strip(),
                target=target,
                target_kind=_default_target_kind(unit),
                source=KpiSource.VARIATION,
            )
            KpiTarget.objects.bulk_create(
                KpiTarget(kpi=kpi, period_start=first, period_end=last, target=value)
                for (first, last), value in zip(future, kpi.default_targets(future), strict=True)
            )
            return
        kpi.description = description.strip() or kpi.description
        kpi.unit = unit.strip() or kpi.unit
        past = kpi.targets.filter(period_start__lt=effective_on)
        remaining = target
        if kpi.target_kind == TargetKind.TOTAL:
            remaining = target - (past.aggregate(total=Sum("target"))["total"] or ZERO)
            if remaining < 0:
                raise ValidationError({"target": "The periods already under way have more than that as their targets."})
        kpi.target = target
        kpi.save(update_fields=["description", "unit", "target"])
        kpi.targets.filter(period_start__gte=effective_on).delete()
        KpiTarget.objects.bulk_create(
            KpiTarget(kpi=kpi, period_start=first, period_end=last, target=value)
            for (first, last), value in zip(future, kpi.default_targets(future, total=remaining), strict=True)
        )

    return _vary(
        by=by,
        agreement=agreement,
        kind=VariationKind.KPIS,
        reason=reason,
        approval=approval,
        effective_on=effective_on,
        change=change,
    )


def agreement_terminate(
    *, by: User, agreement: Agreement, terminated_on: date, reason: str, ground: str = TerminationGround.OTHER
) -> Agreement:
    """End the agreement early (lead commissioner): the date, the ground and the reason are kept as a
    variation too. The ground is what the contract termination notice (UK11) gives; a breach is also
    the notice's statement that section 71(5) applies."""
    if not can_terminate(agreement, by):
        raise PermissionDenied
    if ground not in TerminationGround.values:
        raise ValidationError({"ground": "Choose why the agreement is ending."})
    if terminated_on is None:
        raise ValidationError({"terminated_on": "Enter the date the agreement ends."})
    if terminated_on > agreement.ends_on:
        raise ValidationError({"terminated_on": f"The agreement already ends on {agreement.ends_on:%d/%m/%Y}."})
    if terminated_on < agreement.starts_on and agreement.state == AgreementState.LIVE:
        raise ValidationError({"terminated_on": "The termination date cannot be before the agreement started."})

    def change():
        _transition(
            by=by, agreement=agreement, name="terminate", reason=reason, terminated_on=terminated_on, ground=ground
        )

    _vary(
        by=by,
        agreement=agreement,
        kind=VariationKind.TERMINATION,
        reason=reason,
        approval=Approval(approved_by=by, approved_on=timezone.localdate()),
        effective_on=terminated_on,
        change=change,
    )
    return agreement


def can_terminate(agreement: Agreement, user: User) -> bool:
    return has_any_role(user, agreement.council, (Role.LEAD_COMMISSIONER,))
