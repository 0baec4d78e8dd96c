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

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

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
from councils.models import Council, User
from councils.permissions import COMMISSIONERS, OFFICER, has_any_role
from councils.services import audit_record
from councils.units import whole_number_problem
from monitoring.agreements.gates import award_allows_signing, missing_to_sign
from monitoring.delivery.risks import carry_over_commission_risks
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementType,
    KpiSource,
    KpiTarget,
    MonitoringFrequency,
    PaymentKind,
    ScheduledPayment,
    TargetKind,
    add_months,
    months_after_end,
    term_refusal,
)
from monitoring.social_value.kpis import kpis_from_commitments

__all__ = [
    "agreement_create",
    "agreement_create_from_award",
    "agreement_update",
    "award_allows_signing",
    "kpi_remove",
    "kpi_save",
    "kpi_targets_save",
    "missing_to_sign",
    "payment_remove",
    "payment_save",
    "payment_schedule_instalments",
]

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
    elif agreement.starts_on and agreement.ends_on:
        errors["ends_on"] = term_refusal(commission.council, agreement.starts_on, agreement.ends_on)
        if not errors["ends_on"]:
            del errors["ends_on"]
    if bool(agreement.max_extensions) != bool(agreement.extension_period_months):
        errors["max_extensions"] = "Give both how many extensions are allowed and how long each may be, or neither."
    if agreement.extension_notice_days and not agreement.max_extensions:
        errors["extension_notice_days"] = "There are no extension options to give notice of: enter 0, or the options."
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
    extension_notice_days: int = 0,
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
        extension_notice_days=extension_notice_days or 0,
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
    max_extensions, extension_notice_days, council_contact, provider_contact_name/email/phone.
    """
    _require_editor(commission.council, by)
    refusal = direct_creation_refusal(commission)
    if refusal:
        raise ValidationError(refusal)
    agreement = _save_new(by, _build(by=by, commission=commission, **terms))
    _add_kpis(agreement, _kpis_from_specification(agreement))
    ScheduledPayment.objects.bulk_create(_instalments(agreement, agreement.value))
    carry_over_commission_risks(agreement, by=by)
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
    the outcomes the bid proposed and its social value commitments (`monitoring.social_value.kpis`),
    each with targets per reporting period; the payment schedule is the
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
    _add_kpis(
        agreement,
        [
            *_kpis_from_specification(agreement),
            *_kpis_from_bid(agreement, bid),
            *kpis_from_commitments(agreement, bid),
        ],
    )
    ScheduledPayment.objects.bulk_create(_payments_from_price_lines(agreement, bid))
    # The commission's risks become the agreement's starting register.
    carry_over_commission_risks(agreement, by=by)
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
        problem = whole_number_problem(value, kpi.unit)
        if problem:
            raise ValidationError(f"{start.day} {start:%B %Y}: {problem}")
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
