"""Writes for agreements: creating them (directly, or from an award), drafting their KPIs and payment
schedule, moving them through their states, and varying, extending or terminating them.

Rules kept here, in one place:
- Only commissioners (lead commissioner, commissioning officer) create and change agreements; legal
  officers may also record the signature; only the lead commissioner terminates early.
- Drafts are edited freely. Once signed, terms change only through a variation, which keeps the full
  terms before and after and who approved it (`AgreementVariation`, append-only).
- Signing is gated in one place, `gates.missing_before_signing`, which asks the award's
  `signing_blockers` for competitive routes (standstill and call-in).
- When the last pending agreement of a commission's cycle is settled and at least one is live, the
  commission moves from "putting agreements in place" to "delivering" through the workflow engine,
  in the same transaction.
Every write is atomic and leaves an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from commissioning.award.selectors import award_items
from commissioning.models import (
    COMPETITIVE_ROUTES,
    Bid,
    BidState,
    Commission,
    DeliveryRoute,
    FundingPot,
    Lot,
    OutcomeSought,
    State,
)
from commissioning.ports import CycleAgreements
from councils import workflow
from councils.formatting import money
from councils.models import Council, Role, User
from councils.permissions import OFFICER, has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step, TransitionRefused
from monitoring.agreements import gates
from monitoring.agreements.gates import award_allows_signing, missing_to_sign, payments_total
from monitoring.models import (
    PENDING_STATES,
    VARIABLE_STATES,
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementType,
    AgreementVariation,
    KpiSource,
    KpiTarget,
    MonitoringFrequency,
    PaymentKind,
    ScheduledPayment,
    TargetKind,
    VariationKind,
    add_months,
    months_after_end,
)
from monitoring.returns.services import schedule_returns

__all__ = [
    "Approval",
    "agreement_cancel",
    "agreement_create",
    "agreement_create_from_award",
    "agreement_end",
    "agreement_extend",
    "agreement_go_live",
    "agreement_sign",
    "agreement_terminate",
    "agreement_update",
    "agreement_vary_dates",
    "agreement_vary_kpi",
    "agreement_vary_value",
    "award_allows_signing",
    "kpi_remove",
    "kpi_save",
    "kpi_targets_save",
    "missing_to_sign",
    "payment_remove",
    "payment_save",
    "payment_schedule_instalments",
]

COMMISSIONERS = (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER)
# Who may approve a variation; at or above the key-decision threshold, only a portfolio holder.
APPROVERS = (Role.LEAD_COMMISSIONER, Role.PORTFOLIO_HOLDER)
# Agreements are made once the commission is approved for delivery, and added while it is delivered.
CREATABLE_IN = frozenset({State.AGREEING, State.DELIVERING, State.REVIEWING})
# Competitive routes get their agreements from the award; once in delivery, officers may also record
# one directly (for example an agreement made before the council used Commissioner).
DIRECT_FOR_COMPETITIVE_IN = frozenset({State.DELIVERING, State.REVIEWING})
DEFAULT_TYPE = {
    DeliveryRoute.GRANT: AgreementType.GRANT_AGREEMENT,
    DeliveryRoute.CONTRACT: AgreementType.CONTRACT,
    DeliveryRoute.IN_HOUSE: AgreementType.SERVICE_LEVEL_AGREEMENT,
    DeliveryRoute.PARTNERSHIP: AgreementType.PARTNERSHIP_AGREEMENT,
    DeliveryRoute.SHARED_SERVICE: AgreementType.SERVICE_LEVEL_AGREEMENT,
}
ZERO = Decimal("0")


def _require_editor(agreement_or_council, user: User) -> None:
    council = agreement_or_council if isinstance(agreement_or_council, Council) else agreement_or_council.council
    if not has_any_role(user, council, COMMISSIONERS):
        raise PermissionDenied


def _require_draft(agreement: Agreement) -> None:
    if agreement.state != AgreementState.DRAFT:
        raise ValidationError(
            f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: its terms change "
            "only through a variation."
        )


def _audit(by: User, agreement: Agreement, event: str, **kwargs) -> None:
    audit_record(council=agreement.council, actor=by, event_type=f"agreement.{event}", obj=agreement, **kwargs)


# ---- Creating agreements -------------------------------------------------------------------------


def _next_reference(commission: Commission) -> str:
    prefix = f"{commission.reference}-A"
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in Agreement.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if ref.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _validate_new(agreement: Agreement, commission: Commission) -> None:
    errors = {}
    if (agreement.provider_id is None) == (not agreement.internal_team_name.strip()):
        errors["provider"] = "Choose the provider, or name the council's internal team, but not both."
    if agreement.funding_pot_id and agreement.funding_pot.council_id != commission.council_id:
        errors["funding_pot"] = "Choose one of this council's funding pots."
    if agreement.lot_id and agreement.lot.opportunity.commission_id != commission.pk:
        errors["lot"] = "Choose a lot of this commission's opportunity."
    if agreement.council_contact_id and not has_any_role(agreement.council_contact, commission.council, OFFICER):
        errors["council_contact"] = "The council contact must be an officer of this council."
    if agreement.starts_on and agreement.ends_on and agreement.ends_on < agreement.starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date."
    if bool(agreement.max_extensions) != bool(agreement.extension_period_months):
        errors["max_extensions"] = "Give both how many extensions are allowed and how long each may be, or neither."
    if errors:
        raise ValidationError(errors)


def _save_new(by: User, agreement: Agreement) -> Agreement:
    """Save with the next free reference (two officers may add an agreement in the same instant)."""
    for _attempt in range(5):
        agreement.reference = _next_reference(agreement.commission)
        agreement.full_clean(exclude=["state", "signed_document"])
        try:
            with transaction.atomic():
                agreement.save()
                return agreement
        except IntegrityError:
            agreement.pk = None
            continue
    raise ValidationError("Could not allocate a reference; try again.")


def _kpis_from_specification(agreement: Agreement) -> list[AgreementKpi]:
    """The commission's success measures for this cycle become the agreement's KPIs."""
    kpis = []
    outcomes = (
        OutcomeSought.objects.filter(commission=agreement.commission, cycle=agreement.cycle)
        .select_related("council_outcome")
        .prefetch_related("success_measures")
    )
    for outcome in outcomes:
        for measure in outcome.success_measures.all():
            kpis.append(
                AgreementKpi(
                    agreement=agreement,
                    outcome=outcome.description,
                    council_outcome=outcome.council_outcome,
                    description=measure.description,
                    unit=measure.unit,
                    baseline=measure.baseline,
                    target=measure.target,
                    target_kind=_default_target_kind(measure.unit),
                    source=KpiSource.SPECIFICATION,
                    success_measure=measure,
                )
            )
    return kpis


def _kpis_from_bid(agreement: Agreement, bid: Bid) -> list[AgreementKpi]:
    return [
        AgreementKpi(
            agreement=agreement,
            outcome=proposed.description,
            description=proposed.measure,
            unit=proposed.unit,
            target=proposed.target,
            target_kind=_default_target_kind(proposed.unit),
            source=KpiSource.BID,
            bid_outcome=proposed,
        )
        for proposed in bid.proposed_outcomes.order_by("id")
    ]


def _default_target_kind(unit: str) -> str:
    return TargetKind.LEVEL if "%" in unit or "percent" in unit.lower() else TargetKind.TOTAL


def _add_kpis(agreement: Agreement, kpis: list[AgreementKpi]) -> None:
    for position, kpi in enumerate(kpis, start=1):
        kpi.position = position
        kpi.full_clean(exclude=["agreement"])
    AgreementKpi.objects.bulk_create(kpis)
    periods = agreement.periods()
    KpiTarget.objects.bulk_create(
        KpiTarget(kpi=kpi, period_start=first, period_end=last, target=target)
        for kpi in AgreementKpi.objects.filter(agreement=agreement)
        for (first, last), target in zip(periods, kpi.default_targets(periods), strict=True)
    )


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` equal amounts to the penny, the last taking what is left over."""
    share = (total / parts).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return [share] * (parts - 1) + [total - share * (parts - 1)]


def _instalments(agreement: Agreement, total: Decimal, label: str = "Instalment") -> list[ScheduledPayment]:
    """Equal instalments, one due at the start of each reporting period; the last takes the pennies."""
    periods = agreement.periods()
    if not periods or total <= 0:
        return []
    amounts = _split(total, len(periods))
    return [
        ScheduledPayment(
            agreement=agreement,
            kind=PaymentKind.INSTALMENT,
            description=f"{label} {number} of {len(periods)}",
            due_on=first,
            amount=amount,
        )
        for number, ((first, _last), amount) in enumerate(zip(periods, amounts, strict=True), start=1)
    ]


def _payments_from_price_lines(agreement: Agreement, bid: Bid) -> list[ScheduledPayment]:
    """Each year's price becomes that year's instalments (one per reporting period that starts in it),
    when the bid's prices for this lot add up to the agreement's value; otherwise equal instalments."""
    lines = list(bid.price_lines.all())
    if agreement.lot_id:
        lines = [line for line in lines if line.lot_id in (None, agreement.lot_id)]
    if not lines or sum((line.amount for line in lines), ZERO) != agreement.value:
        return _instalments(agreement, agreement.value)
    periods = agreement.periods()
    payments = []
    for line in lines:
        year_start = add_months(agreement.starts_on, 12 * (line.year - 1))
        year_end = months_after_end(year_start - timedelta(days=1), 12)
        in_year = [p for p in periods if year_start <= p[0] <= year_end]
        if not in_year:
            due_on = min(year_start, agreement.ends_on)
            payments.append(
                ScheduledPayment(
                    agreement=agreement,
                    kind=PaymentKind.MILESTONE,
                    description=f"Year {line.year}: {line.description}"[:200],
                    due_on=due_on,
                    amount=line.amount,
                )
            )
            continue
        amounts = _split(line.amount, len(in_year))
        for number, ((first, _last), amount) in enumerate(zip(in_year, amounts, strict=True), start=1):
            payments.append(
                ScheduledPayment(
                    agreement=agreement,
                    kind=PaymentKind.INSTALMENT,
                    description=f"Year {line.year}: {line.description}, {number} of {len(in_year)}"[:200],
                    due_on=first,
                    amount=amount,
                )
            )
    return payments


def _build(
    *,
    by: User,
    commission: Commission,
    title: str,
    value: Decimal,
    starts_on: date,
    ends_on: date,
    provider=None,
    internal_team_name: str = "",
    agreement_type: str = "",
    lot: Lot | None = None,
    bid: Bid | None = None,
    funding_pot: FundingPot | None = None,
    description: str = "",
    monitoring_frequency: str = MonitoringFrequency.QUARTERLY,
    extension_period_months: int = 0,
    max_extensions: int = 0,
    council_contact: User | None = None,
    provider_contact_name: str = "",
    provider_contact_email: str = "",
    provider_contact_phone: str = "",
) -> Agreement:
    agreement = Agreement(
        council=commission.council,
        commission=commission,
        cycle=commission.cycle,
        title=title.strip() or commission.title,
        agreement_type=agreement_type or DEFAULT_TYPE.get(commission.delivery_route, AgreementType.CONTRACT),
        provider=provider,
        internal_team_name=internal_team_name.strip(),
        lot=lot,
        bid=bid,
        description=description,
        value=value,
        funding_pot=funding_pot,
        starts_on=starts_on,
        ends_on=ends_on,
        monitoring_frequency=monitoring_frequency,
        extension_period_months=extension_period_months or 0,
        max_extensions=max_extensions or 0,
        council_contact=council_contact or commission.lead_officer,
        provider_contact_name=provider_contact_name,
        provider_contact_email=provider_contact_email,
        provider_contact_phone=provider_contact_phone,
        created_by=by,
    )
    _validate_new(agreement, commission)
    return agreement


def direct_creation_refusal(commission: Commission) -> str:
    """Why officers cannot draft an agreement for this commission themselves now ("" when they can)."""
    if commission.state not in CREATABLE_IN:
        return (
            "Agreements are made once the commission is approved for delivery; it is "
            f"‘{commission.get_state_display().lower()}’."
        )
    if commission.delivery_route in COMPETITIVE_ROUTES and commission.state not in DIRECT_FOR_COMPETITIVE_IN:
        return (
            f"A {commission.get_delivery_route_display().lower()} gets its agreements from the award of the "
            "winning bid."
        )
    return ""


def can_create_directly(commission: Commission) -> bool:
    return not direct_creation_refusal(commission)


@transaction.atomic
def agreement_create(*, by: User, commission: Commission, **terms) -> Agreement:
    """A draft agreement for a commission delivered in-house, in partnership or as a shared service
    (or, once a grant or contract is in delivery, one recorded directly). Its KPIs are the commission's
    success measures, with targets per reporting period, and its payment schedule is equal instalments.

    `terms`: title, value, starts_on, ends_on, and optionally provider or internal_team_name,
    agreement_type, lot, funding_pot, description, monitoring_frequency, extension_period_months,
    max_extensions, council_contact, provider_contact_name/email/phone.
    """
    _require_editor(commission.council, by)
    refusal = direct_creation_refusal(commission)
    if refusal:
        raise ValidationError(refusal)
    agreement = _save_new(by, _build(by=by, commission=commission, **terms))
    _add_kpis(agreement, _kpis_from_specification(agreement))
    ScheduledPayment.objects.bulk_create(_instalments(agreement, agreement.value))
    _audit(
        by,
        agreement,
        "created",
        to_state=agreement.state,
        extra={"commission": commission.reference, "value": str(agreement.value), "party": agreement.party_name},
    )
    return agreement


@transaction.atomic
def agreement_create_from_award(
    *,
    by: User,
    commission: Commission,
    bid: Bid,
    value: Decimal,
    lot: Lot | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    title: str = "",
    **terms,
) -> Agreement:
    """The winning bid's draft agreement, for the award step to call (once per winning bid and lot:
    a split award makes several). The commission may still be sourcing (the award step moves it on in
    the same transaction) or already putting agreements in place.

    The provider is the bid's organisation. KPIs are the commission's success measures followed by
    the outcomes the bid proposed, each with targets per reporting period; the payment schedule is the
    bid's prices for the lot, year by year, when they add up to `value` (otherwise equal instalments).
    Dates default to the commission's (or the opportunity's service start). Other `terms` as for
    `agreement_create`.
    """
    _require_editor(commission.council, by)
    if commission.state not in (State.SOURCING, State.AGREEING):
        raise ValidationError(
            f"An award makes agreements while the commission is sourcing or putting agreements in place; it is "
            f"‘{commission.get_state_display().lower()}’."
        )
    opportunity = bid.opportunity
    errors = {}
    if opportunity.commission_id != commission.pk:
        errors["bid"] = "The bid is for another commission's opportunity."
    elif bid.state != BidState.SUBMITTED:
        errors["bid"] = "Only a submitted bid can be awarded."
    if lot is not None and (lot.opportunity_id != opportunity.pk or not bid.lots.filter(pk=lot.pk).exists()):
        errors["lot"] = "The winning bid does not cover that lot."
    if errors:
        raise ValidationError(errors)
    starts_on = starts_on or commission.starts_on or opportunity.service_starts_on
    ends_on = ends_on or commission.ends_on
    if ends_on is None:
        raise ValidationError({"ends_on": "Enter the agreement's end date."})
    if not title:
        title = f"{commission.title}: {lot.title}" if lot is not None else commission.title
    agreement = _build(
        by=by,
        commission=commission,
        provider=bid.organisation,
        bid=bid,
        lot=lot,
        value=value,
        starts_on=starts_on,
        ends_on=ends_on,
        title=title[:200],
        **terms,
    )
    agreement = _save_new(by, agreement)
    _add_kpis(agreement, [*_kpis_from_specification(agreement), *_kpis_from_bid(agreement, bid)])
    ScheduledPayment.objects.bulk_create(_payments_from_price_lines(agreement, bid))
    _audit(
        by,
        agreement,
        "created_from_award",
        to_state=agreement.state,
        extra={
            "commission": commission.reference,
            "opportunity": opportunity.reference,
            "bid": bid.pk,
            "lot": lot.number if lot else None,
            "value": str(agreement.value),
            "party": agreement.party_name,
        },
    )
    return agreement


# ---- Drafting: terms, KPIs and the payment schedule ------------------------------------------------


def _regenerate_targets(agreement: Agreement, kpis=None) -> None:
    """A draft's targets follow its dates and frequency: every period gets its default target again."""
    periods = agreement.periods()
    kpis = list(kpis if kpis is not None else agreement.kpis.all())
    KpiTarget.objects.filter(kpi__in=kpis).delete()
    KpiTarget.objects.bulk_create(
        KpiTarget(kpi=kpi, period_start=first, period_end=last, target=target)
        for kpi in kpis
        for (first, last), target in zip(periods, kpi.default_targets(periods), strict=True)
    )


@transaction.atomic
def agreement_update(*, by: User, agreement: Agreement, changed: list[str] | None = None) -> Agreement:
    """Change a draft's terms; when its dates or monitoring frequency change, its KPI targets follow."""
    _require_editor(agreement, by)
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_draft(current)
    _validate_new(agreement, agreement.commission)
    agreement.full_clean(exclude=["state", "signed_document"])
    agreement.save()
    if (current.starts_on, current.ends_on, current.monitoring_frequency) != (
        agreement.starts_on,
        agreement.ends_on,
        agreement.monitoring_frequency,
    ):
        _regenerate_targets(agreement)
    _audit(by, agreement, "updated", extra={"fields": sorted(changed or [])})
    return agreement


@transaction.atomic
def kpi_save(*, by: User, agreement: Agreement, kpi: AgreementKpi, changed: list[str] | None = None) -> AgreementKpi:
    """Add or change a draft's KPI; its per-period targets are set afresh from its overall target."""
    _require_editor(agreement, by)
    _require_draft(agreement)
    if kpi.agreement_id != agreement.pk:
        raise PermissionDenied
    created = kpi.pk is None
    if created:
        kpi.position = (agreement.kpis.aggregate(last=Max("position"))["last"] or 0) + 1
    kpi.full_clean()
    kpi.save()
    if created or {"target", "target_kind"} & set(changed or []):
        _regenerate_targets(agreement, [kpi])
    _audit(
        by,
        agreement,
        f"kpi.{'added' if created else 'changed'}",
        extra={"kpi": str(kpi)[:200], "fields": sorted(changed or [])},
    )
    return kpi


@transaction.atomic
def kpi_targets_save(*, by: User, agreement: Agreement, kpi: AgreementKpi, targets: dict[date, Decimal]) -> None:
    """Set a draft KPI's target for each period (keyed by the period's first day)."""
    _require_editor(agreement, by)
    _require_draft(agreement)
    if kpi.agreement_id != agreement.pk:
        raise PermissionDenied
    rows = {row.period_start: row for row in kpi.targets.all()}
    if set(targets) - set(rows):
        raise ValidationError("Those periods are not this agreement's reporting periods.")
    for start, value in targets.items():
        rows[start].target = value
    KpiTarget.objects.bulk_update(rows.values(), ["target"])
    if kpi.target_kind == TargetKind.TOTAL:
        kpi.target = sum((row.target for row in rows.values()), ZERO)
        kpi.save(update_fields=["target"])
    _audit(by, agreement, "kpi.targets_changed", extra={"kpi": str(kpi)[:200]})


@transaction.atomic
def kpi_remove(*, by: User, agreement: Agreement, kpi: AgreementKpi) -> None:
    _require_editor(agreement, by)
    _require_draft(agreement)
    if kpi.agreement_id != agreement.pk:
        raise PermissionDenied
    _audit(by, agreement, "kpi.removed", extra={"kpi": str(kpi)[:200]})
    kpi.delete()


@transaction.atomic
def payment_save(
    *, by: User, agreement: Agreement, payment: ScheduledPayment, changed: list[str] | None = None
) -> ScheduledPayment:
    _require_editor(agreement, by)
    _require_draft(agreement)
    if payment.agreement_id != agreement.pk or (payment.kpi_id and payment.kpi.agreement_id != agreement.pk):
        raise PermissionDenied
    errors = {}
    if payment.amount is not None and payment.amount <= 0:
        errors["amount"] = "Enter an amount more than £0."
    if payment.due_on and not agreement.starts_on <= payment.due_on <= agreement.ends_on:
        errors["due_on"] = (
            f"The payment must fall due within the agreement, {agreement.starts_on:%d/%m/%Y} to "
            f"{agreement.ends_on:%d/%m/%Y}."
        )
    if errors:
        raise ValidationError(errors)
    created = payment.pk is None
    payment.full_clean()
    payment.save()
    _audit(
        by,
        agreement,
        f"payment.{'added' if created else 'changed'}",
        extra={"payment": str(payment)[:200], "amount": str(payment.amount), "fields": sorted(changed or [])},
    )
    return payment


@transaction.atomic
def payment_remove(*, by: User, agreement: Agreement, payment: ScheduledPayment) -> None:
    _require_editor(agreement, by)
    _require_draft(agreement)
    if payment.agreement_id != agreement.pk:
        raise PermissionDenied
    _audit(by, agreement, "payment.removed", extra={"payment": str(payment)[:200], "amount": str(payment.amount)})
    payment.delete()


@transaction.atomic
def payment_schedule_instalments(*, by: User, agreement: Agreement) -> list[ScheduledPayment]:
    """Replace a draft's payment schedule with equal instalments of its value, one per reporting period."""
    _require_editor(agreement, by)
    _require_draft(agreement)
    agreement.payments.all().delete()
    payments = ScheduledPayment.objects.bulk_create(_instalments(agreement, agreement.value))
    _audit(by, agreement, "payment.schedule_replaced", extra={"instalments": len(payments)})
    return payments


# ---- Signing, going live, ending --------------------------------------------------------------------


def available_actions(agreement: Agreement, user: User) -> list[dict]:
    """The state changes this user may take from here, each with what is still missing (signing) —
    an agreement is ended only once its end date has passed."""
    return workflow.available(agreement, user)


def _transition(*, by: User, agreement: Agreement, name: str, reason: str = "", **payload) -> Agreement:
    return workflow.run(by=by, obj=agreement, name=name, reason=reason, **payload)


def _not_future(day: date | None, field: str, label: str) -> None:
    if day is None:
        raise ValidationError({field: f"Enter the date {label}."})
    if day > timezone.localdate():
        raise ValidationError({field: f"The date {label} cannot be in the future."})


def agreement_sign(*, by: User, agreement: Agreement, document, signed_on: date, reason: str = "") -> Agreement:
    """Record the agreement signed by both parties, with the signed copy (a PDF or document)."""
    _not_future(signed_on, "signed_on", "it was signed")
    return _transition(by=by, agreement=agreement, name="sign", reason=reason, document=document, signed_on=signed_on)


def agreement_go_live(*, by: User, agreement: Agreement, live_on: date | None = None, reason: str = "") -> Agreement:
    """Delivery has started. The last agreement of the cycle to go live moves the commission to delivery."""
    live_on = live_on or timezone.localdate()
    _not_future(live_on, "live_on", "delivery started")
    return _transition(by=by, agreement=agreement, name="go_live", reason=reason, live_on=live_on)


def agreement_end(*, by: User, agreement: Agreement, reason: str = "") -> Agreement:
    """The agreement has run its term (its end date has passed)."""
    return _transition(by=by, agreement=agreement, name="end", reason=reason)


def agreement_cancel(*, by: User, agreement: Agreement, reason: str) -> Agreement:
    """A draft that will not be signed; it is kept, with why."""
    return _transition(by=by, agreement=agreement, name="cancel", reason=reason)


def _stage_signed_copy(step: Step) -> None:
    agreement = step.obj
    agreement.signed_document = step.payload.get("document")
    agreement.signed_on = step.payload["signed_on"]
    agreement.signed_by = step.by
    if not agreement.signed_document:
        # The page offers the step before the copy is chosen; the step itself needs it.
        raise TransitionRefused(missing_to_sign(agreement))
    agreement.full_clean(exclude=["state"])
    step.extra["signed_on"] = str(agreement.signed_on)


def _stage_live_on(step: Step) -> None:
    step.obj.live_on = step.payload["live_on"]
    step.extra["live_on"] = str(step.obj.live_on)


def _stage_ended_on(step: Step) -> None:
    step.obj.ended_on = step.payload["terminated_on"]
    step.extra["terminated_on"] = step.obj.ended_on.isoformat()


def _schedule_returns(step: Step) -> None:
    schedule_returns(step.obj, by=step.by)


def _settle_commission(step: Step) -> dict:
    """When nothing in the commission's cycle is left to go live and at least one agreement is live,
    the commission moves to delivery: the agreement whose step settles the last pending one moves it."""
    agreement = step.obj
    commission = Commission.objects.select_for_update().get(pk=agreement.commission_id)
    agreement.commission = commission
    if commission.state != State.AGREEING or workflow.missing_at_gate(
        commission, {"gate": "missing_to_start_delivery"}
    ):
        return {}
    live = cycle_agreements(commission).live
    workflow.run(
        by=step.by,
        obj=commission,
        name="start_delivery",
        reason=f"Agreements live: {', '.join(live)}",
        internal=True,
    )
    return {"commission_delivering": True}


def _agreement_details(step: Step) -> dict:
    return {"commission": step.obj.commission.reference}


workflow.machine(Agreement, noun="agreement", gates=gates, details=_agreement_details)
workflow.effect(Agreement, "signed_copy", Effect(stage=_stage_signed_copy))
workflow.effect(Agreement, "live_on", Effect(stage=_stage_live_on))
workflow.effect(Agreement, "ended_on", Effect(stage=_stage_ended_on))
workflow.effect(Agreement, "schedule_returns", Effect(follow=_schedule_returns))
workflow.effect(Agreement, "settle_commission", Effect(follow=_settle_commission))


# ---- What commissioning asks of agreements (registered as its port in MonitoringConfig.ready) ----------


def cycle_agreements(commission: Commission) -> CycleAgreements:
    rows = Agreement.objects.filter(commission=commission, cycle=commission.cycle).order_by("reference")
    live, pending = [], []
    for reference, state in rows.values_list("reference", "state"):
        if state == AgreementState.LIVE:
            live.append(reference)
        elif state in PENDING_STATES:
            pending.append(reference)
    return CycleAgreements(live=live, pending=pending)


def draft_agreements_for_award(*, award, by: User) -> list[Agreement]:
    """The award's winning bids, each drafted as an agreement in the name of `by`."""
    commission = Commission.objects.select_for_update().get(pk=award.commission_id)
    return [
        agreement_create_from_award(
            by=by, commission=commission, bid=item.bid, value=item.value, lot=item.lot, description=item.note
        )
        for item in award_items(award)
    ]


def cancel_draft_agreements_for_award(*, award, by: User, reason: str) -> list[str]:
    drafts = Agreement.objects.filter(
        commission=award.commission,
        cycle=award.cycle,
        bid_id__in=award.items.values("bid_id"),
        state=AgreementState.DRAFT,
    ).order_by("reference")
    cancelled = []
    for agreement in drafts:
        agreement_cancel(by=by, agreement=agreement, reason=reason)
        cancelled.append(agreement.reference)
    return cancelled


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
    }


def _money_text(value: str) -> str:
    return money(Decimal(value))


def _date_text(value: str | None) -> str:
    if not value:
        return "none"
    day = date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def describe_changes(before: dict, after: dict) -> list[str]:
    """What a variation changed, in words: "Value: £60,000 → £65,000"."""
    changes = []
    if before.get("value") != after.get("value"):
        changes.append(f"Value: {_money_text(before['value'])} → {_money_text(after['value'])}")
    for key, label in (("starts_on", "Start date"), ("ends_on", "End date"), ("ended_on", "Ended on")):
        if before.get(key) != after.get(key):
            changes.append(f"{label}: {_date_text(before.get(key))} → {_date_text(after.get(key))}")
    if before.get("state") != after.get("state"):
        changes.append(f"State: {AgreementState(before['state']).label} → {AgreementState(after['state']).label}")
    old = {kpi["id"]: kpi for kpi in before.get("kpis", [])}
    for kpi in after.get("kpis", []):
        was = old.pop(kpi["id"], None)
        name = kpi["description"]
        if was is None:
            changes.append(f"KPI added: ‘{name}’, target {Decimal(kpi['target']).normalize():f} {kpi['unit']}")
            continue
        if was["description"] != name:
            changes.append(f"KPI renamed: ‘{was['description']}’ → ‘{name}’")
        if was["target"] != kpi["target"] or was["unit"] != kpi["unit"]:
            changes.append(
                f"KPI ‘{name}’ target: {Decimal(was['target']).normalize():f} {was['unit']} → "
                f"{Decimal(kpi['target']).normalize():f} {kpi['unit']}"
            )
        if was["retired_on"] != kpi["retired_on"]:
            changes.append(f"KPI ‘{name}’ dropped from {_date_text(kpi['retired_on'])}")
        elif was["targets"] != kpi["targets"] and was["target"] == kpi["target"]:
            changes.append(f"KPI ‘{name}’: targets per period changed")
    for kpi in old.values():
        changes.append(f"KPI removed: ‘{kpi['description']}’")
    if before.get("payments_total") != after.get("payments_total"):
        changes.append(
            f"Payment schedule total: {_money_text(before['payments_total'])} → {_money_text(after['payments_total'])}"
        )
    return changes


def _validate_approval(agreement: Agreement, approval: Approval, *, key_decision: bool = False) -> None:
    errors = {}
    roles = (Role.PORTFOLIO_HOLDER,) if key_decision else APPROVERS
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
) -> AgreementVariation:
    """Record one variation: lock the agreement, apply `change`, keep the terms before and after."""
    _require_editor(agreement, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the change: it is kept with the agreement."})
    if effective_on is None:
        raise ValidationError({"effective_on": "Enter the date the change takes effect."})
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
            values = [(rate * ((last - first).days + 1)).quantize(Decimal("0.01")) for first, last in new]
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
        if errors:
            raise ValidationError(errors)
        agreement.starts_on, agreement.ends_on = starts_on, ends_on
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


def agreement_terminate(*, by: User, agreement: Agreement, terminated_on: date, reason: str) -> Agreement:
    """End the agreement early (lead commissioner): the date and reason are kept as a variation too."""
    if not can_terminate(agreement, by):
        raise PermissionDenied
    if terminated_on is None:
        raise ValidationError({"terminated_on": "Enter the date the agreement ends."})
    if terminated_on > agreement.ends_on:
        raise ValidationError({"terminated_on": f"The agreement already ends on {agreement.ends_on:%d/%m/%Y}."})
    if terminated_on < agreement.starts_on and agreement.state == AgreementState.LIVE:
        raise ValidationError({"terminated_on": "The termination date cannot be before the agreement started."})

    def change():
        _transition(by=by, agreement=agreement, name="terminate", reason=reason, terminated_on=terminated_on)

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
