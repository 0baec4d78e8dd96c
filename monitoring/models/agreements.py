"""Agreements: what was agreed with whom, for how much, until when, and against which KPIs.

An `Agreement` is a grant agreement, a contract, or a service level agreement with an in-house team,
partner or shared service. Its state is a protected FSM field (draft → signed → live → ended, or
terminated early; a draft can be cancelled); only the workflow engine (`councils.workflow`) takes the transitions.

The agreement row always holds the **current** terms. Every change after signing is an
`AgreementVariation` — append-only, with the full terms before and after — so history is never
overwritten. KPIs carry their targets per reporting period (`KpiTarget`), one period per
`monitoring_frequency` step from the start date: monitoring returns (next issue) are filed per period.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import django_fsm as fsm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commissioning.models import (
    KPI_DUTY_OVER,
    MONEY,
    Bid,
    BidOutcome,
    BidSocialValueCommitment,
    Commission,
    FundingPot,
    Lot,
    ProcurementRegime,
    Regime,
    SocialValueMeasure,
    SuccessMeasure,
)
from councils.formatting import money
from councils.models import Council, Outcome, Role
from councils.permissions import AGREEMENT_SIGNERS, COMMISSIONERS, has_any_role
from councils.units import is_counted, rounded, validate_whole_for_unit
from councils.uploads import PrivateFileField
from monitoring.models.terms import describe_payment_terms_changes

PENNY = Decimal("0.01")


class AgreementType(models.TextChoices):
    GRANT_AGREEMENT = "grant_agreement", "Grant agreement"
    CONTRACT = "contract", "Contract"
    SERVICE_LEVEL_AGREEMENT = "service_level_agreement", "Service level agreement"
    PARTNERSHIP_AGREEMENT = "partnership_agreement", "Partnership agreement"


class AgreementState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"
    TERMINATED = "terminated", "Terminated early"
    CANCELLED = "cancelled", "Cancelled before signing"


# Still to go live: the commission waits for these before it moves to delivery.
PENDING_STATES = frozenset({AgreementState.DRAFT, AgreementState.SIGNED})
# Published on the contract and grant register.
REGISTER_STATES = frozenset({AgreementState.LIVE, AgreementState.ENDED, AgreementState.TERMINATED})
# Shown to the provider once both sides have signed.
PROVIDER_VISIBLE_STATES = frozenset(
    {AgreementState.SIGNED, AgreementState.LIVE, AgreementState.ENDED, AgreementState.TERMINATED}
)
# Terms can be varied or extended while the agreement is in force (or signed and about to be).
VARIABLE_STATES = frozenset({AgreementState.SIGNED, AgreementState.LIVE})


class TerminationGround(models.TextChoices):
    """Why an agreement was ended early, as the contract termination notice (UK11) gives it (Procurement
    Regulations 2024, reg 41(2)(e) and (h))."""

    BREACH = "breach", "The provider breached the agreement or failed to perform it"
    CONTRACT_RIGHT = "contract_right", "A right to end it that the agreement gives (not for breach)"
    MUTUAL = "mutual", "Ended by agreement with the provider"
    IMPLIED_GROUND = (
        "implied_ground",
        (
            "A ground the Procurement Act 2023 implies into every public contract (section 78): an unlawful "
            "modification, or a supplier or subcontractor who is or should have been excluded"
        ),
    )
    BY_PROVIDER = "by_provider", "The provider ended it"
    # Insolvency, or a provider that can no longer deliver: the commission's next step follows.
    FAILURE = "failure", "The provider failed: it is insolvent or can no longer deliver the service"
    OTHER = "other", "Another reason"


# The agreements the Procurement Act 2023 asks most of: above-threshold contracts (light touch apart)
# worth more than £5,000,000 carry at least three KPIs (s.52), assessed at least every 12 months (s.71).
KPI_DUTY = Q(commission__procurement_regime__regime=Regime.ABOVE_THRESHOLD, value__gt=KPI_DUTY_OVER)


def kpi_duty_applies(agreement) -> bool:
    try:
        regime = agreement.commission.procurement_regime
    except ProcurementRegime.DoesNotExist:
        return False
    return regime.regime == Regime.ABOVE_THRESHOLD and agreement.value > KPI_DUTY_OVER


class MonitoringFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SIX_MONTHLY = "six_monthly", "Six-monthly"
    ANNUAL = "annual", "Annual"


MONTHS_PER_PERIOD = {
    MonitoringFrequency.MONTHLY: 1,
    MonitoringFrequency.QUARTERLY: 3,
    MonitoringFrequency.SIX_MONTHLY: 6,
    MonitoringFrequency.ANNUAL: 12,
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, on the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after_end(ends_on: date, months: int) -> date:
    """The last day of `months` more after a term ending on `ends_on` (28 Feb 2027 + 12 → 29 Feb 2028)."""
    return add_months(ends_on + timedelta(days=1), months) - timedelta(days=1)


# A backstop behind the council's longest term (`Council.max_agreement_years`, at most 99): every
# period becomes a return and a target row per KPI, so a schedule longer than this is refused.
MAX_REPORTING_PERIODS = 1200


def longest_end(council: Council, starts_on: date) -> date:
    """The last end date the council allows for an agreement starting on `starts_on`."""
    return add_months(starts_on, council.max_agreement_years * 12) - timedelta(days=1)


def term_refusal(council: Council, starts_on: date, ends_on: date) -> str:
    """Why an agreement from `starts_on` to `ends_on` is longer than the council allows ("" when it is not)."""
    latest = longest_end(council, starts_on)
    if ends_on <= latest:
        return ""
    years = council.max_agreement_years
    return (
        f"An agreement can last at most {years} year{'s' if years != 1 else ''} (the council's limit): "
        f"from a start on {starts_on:%d/%m/%Y}, the end date must be on or before {latest:%d/%m/%Y}."
    )


def reporting_periods(starts_on: date, ends_on: date, frequency: str) -> list[tuple[date, date]]:
    """The agreement's reporting periods, (first day, last day), one `frequency` step each from the
    start date, the last cut short at the end date. Each period's start is counted from the agreement's
    start (never from the previous period), so month ends do not drift."""
    step = MONTHS_PER_PERIOD[frequency]
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
    if months > step * MAX_REPORTING_PERIODS:
        raise ValidationError(
            f"That would make more than {MAX_REPORTING_PERIODS:,} reporting periods: choose a shorter agreement "
            "or less frequent monitoring.",
            code="too_many_periods",
        )
    periods = []
    index = 0
    while True:
        first = add_months(starts_on, step * index)
        if first > ends_on:
            return periods
        last = min(add_months(starts_on, step * (index + 1)) - timedelta(days=1), ends_on)
        periods.append((first, last))
        index += 1


def is_agreement_editor(agreement, user) -> bool:
    return has_any_role(user, agreement.council, COMMISSIONERS)


def can_sign_agreement(agreement, user) -> bool:
    """Commissioners and the council's legal officers record the signed agreement."""
    return has_any_role(user, agreement.council, AGREEMENT_SIGNERS)


def can_terminate_agreement(agreement, user) -> bool:
    return has_any_role(user, agreement.council, (Role.LEAD_COMMISSIONER,))


def end_date_passed(agreement) -> bool:
    return agreement.ends_on < timezone.localdate()


class Agreement(fsm.ConcurrentTransitionMixin, models.Model):
    """A grant agreement, contract or service level agreement of one commission (several when the
    award is split between lots or providers).

    The other party is a provider organisation (council-owned companies and in-house teams registered
    as providers included) or, for work done by the council's own staff, an internal team named in
    `internal_team_name`: exactly one of the two is set.
    """

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="agreements")
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="agreements")
    cycle = models.PositiveIntegerField(default=1)
    reference = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    agreement_type = models.CharField(max_length=32, choices=AgreementType.choices)
    provider = models.ForeignKey(
        "providers.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )
    internal_team_name = models.CharField(
        max_length=200, blank=True, help_text="For work done by the council's own staff: the team's name."
    )
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements")
    bid = models.ForeignKey(Bid, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements")
    description = models.TextField(blank=True, help_text="What the money is for and what will be delivered.")
    value = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    funding_pot = models.ForeignKey(
        FundingPot, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    extension_period_months = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(120)], help_text="How long each extension may be, in months."
    )
    max_extensions = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(10)], help_text="How many extensions are allowed (0 for none)."
    )
    extension_notice_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(3660)],
        help_text="How many days before the end date the council must give notice to extend (0 for none).",
    )
    monitoring_frequency = models.CharField(
        max_length=16, choices=MonitoringFrequency.choices, default=MonitoringFrequency.QUARTERLY
    )
    council_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_contact_name = models.CharField(max_length=200, blank=True)
    provider_contact_email = models.EmailField(blank=True)
    provider_contact_phone = models.CharField(max_length=40, blank=True)
    signed_document = PrivateFileField(folder="agreements", blank=True)
    signed_on = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text="When it ended, at term or early.")
    termination_reason = models.TextField(blank=True)
    termination_ground = models.CharField(max_length=16, choices=TerminationGround.choices, blank=True)
    state = fsm.FSMField(default=AgreementState.DRAFT, choices=AgreementState.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=AgreementState.values), name="agreement_state_valid"),
            models.CheckConstraint(condition=Q(agreement_type__in=AgreementType.values), name="agreement_type_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_dates_in_order"),
            models.CheckConstraint(condition=Q(value__gte=0), name="agreement_value_not_negative"),
            models.CheckConstraint(
                condition=(Q(provider__isnull=False) & Q(internal_team_name=""))
                | (Q(provider__isnull=True) & ~Q(internal_team_name="")),
                name="agreement_provider_or_internal_team",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "state"]),
            models.Index(fields=["commission", "cycle", "state"]),
            models.Index(fields=["state", "-starts_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:agreement_detail", kwargs={"council_slug": self.council.slug, "pk": self.pk})

    def clean(self):
        super().clean()
        notice = self.extension_notice_days or 0
        if notice and self.starts_on and self.ends_on and self.ends_on >= self.starts_on:
            term = (self.ends_on - self.starts_on).days + 1
            if notice > term:
                raise ValidationError(
                    {
                        "extension_notice_days": f"The notice period to extend ({notice} days) cannot be longer than "
                        f"the agreement itself ({term} days, {self.starts_on:%d/%m/%Y} to {self.ends_on:%d/%m/%Y})."
                    }
                )

    @property
    def is_internal(self) -> bool:
        """Delivered by the council's own staff or a council-owned company."""
        return self.provider_id is None or self.provider.is_in_house or self.provider.owning_council_id is not None

    @property
    def party_name(self) -> str:
        if self.provider_id is None:
            return f"{self.internal_team_name} (in-house team)"
        if self.is_internal:
            return f"{self.provider} (council-owned)"
        return str(self.provider)

    @property
    def extension_options(self) -> str:
        if not self.max_extensions or not self.extension_period_months:
            return "None"
        months = self.extension_period_months
        return f"Up to {self.max_extensions} × {months} month{'s' if months != 1 else ''}"

    def periods(self) -> list[tuple[date, date]]:
        return reporting_periods(self.starts_on, self.ends_on, self.monitoring_frequency)

    # --- transitions: taken only through the workflow engine ---------------------------------
    @fsm.transition(
        field=state,
        source=AgreementState.DRAFT,
        target=AgreementState.SIGNED,
        permission=can_sign_agreement,
        custom={
            "label": "Record the signed agreement",
            "gate": "missing_before_signing",
            "effects": ("signed_copy",),
            "tells": ("agreement_signed",),
        },
    )
    def sign(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=AgreementState.SIGNED,
        target=AgreementState.LIVE,
        permission=is_agreement_editor,
        custom={
            "label": "Delivery has started: mark as live",
            "gate": "missing_to_go_live",
            "effects": ("live_on", "schedule_returns", "settle_commission"),
        },
    )
    def go_live(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=AgreementState.LIVE,
        target=AgreementState.ENDED,
        permission=is_agreement_editor,
        custom={
            "label": "Record that the agreement has ended",
            "gate": "missing_to_end",
            # Offered only once the end date has passed.
            "hidden_until_ready": True,
        },
    )
    def end(self, *, by, reason=""):
        self.ended_on = self.ends_on

    @fsm.transition(
        field=state,
        source=[AgreementState.SIGNED, AgreementState.LIVE],
        target=AgreementState.TERMINATED,
        permission=can_terminate_agreement,
        custom={"label": "Terminate early", "needs_reason": True, "destructive": True, "effects": ("ended_on",)},
    )
    def terminate(self, *, by, reason):
        self.termination_reason = reason

    @fsm.transition(
        field=state,
        source=AgreementState.DRAFT,
        target=AgreementState.CANCELLED,
        permission=is_agreement_editor,
        custom={
            "label": "Cancel this draft",
            "needs_reason": True,
            "destructive": True,
            "effects": ("settle_commission",),
        },
    )
    def cancel(self, *, by, reason):
        pass


class KpiSource(models.TextChoices):
    SPECIFICATION = "specification", "Specification"
    BID = "bid", "Winning bid"
    OFFICER = "officer", "Added by an officer"
    VARIATION = "variation", "Added by a variation"
    SOCIAL_VALUE = "social_value", "Social value commitment"


class TargetKind(models.TextChoices):
    TOTAL = "total", "A total over the agreement, spread across the periods"
    LEVEL = "level", "A level to reach in every period (for example a percentage)"


class AgreementKpi(models.Model):
    """A key performance indicator: a success measure of the commission or an outcome from the
    winning bid, with its overall target and a target for each reporting period."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="kpis")
    position = models.PositiveSmallIntegerField(default=0)
    outcome = models.TextField(blank=True, help_text="The outcome this KPI evidences.")
    council_outcome = models.ForeignKey(Outcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(max_length=300)
    unit = models.CharField(max_length=60, help_text="For example: sessions, people, hectares, %.")
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    target_kind = models.CharField(max_length=8, choices=TargetKind.choices, default=TargetKind.TOTAL)
    higher_is_better = models.BooleanField(default=True)
    source = models.CharField(max_length=16, choices=KpiSource.choices, default=KpiSource.OFFICER)
    success_measure = models.ForeignKey(
        SuccessMeasure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bid_outcome = models.ForeignKey(BidOutcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    retired_on = models.DateField(null=True, blank=True, help_text="Set by a variation that drops the KPI.")
    # A social value commitment the council accepted: its measure, the proxy £ per unit as it stood when
    # accepted (the council's list may change later; what was agreed does not), and when it is due.
    social_value_measure = models.ForeignKey(
        SocialValueMeasure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    social_value_commitment = models.ForeignKey(
        BidSocialValueCommitment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proxy_value_per_unit = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    due_by = models.DateField(null=True, blank=True, help_text="When the social value committed is due.")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return f"{self.description}: {self.target.normalize():f} {self.unit}"

    def clean(self):
        validate_whole_for_unit(self.target, self.unit)
        validate_whole_for_unit(self.baseline, self.unit, "baseline")

    @property
    def council(self) -> Council:
        return self.agreement.council

    def default_targets(self, periods: list[tuple[date, date]], total: Decimal | None = None) -> list[Decimal]:
        """Per-period targets: a level repeats; a total is spread by the length of each period, adding
        up to the total exactly. Counted things (people, sessions) get whole numbers: each period
        takes the running total to its end, rounded half up, less what the periods before took, so no
        period is more than one away from its exact share and none goes below nothing. Otherwise
        shares are to the penny, the last period taking the rounding."""
        if not periods:
            return []
        if self.target_kind == TargetKind.LEVEL:
            return [self.target for _ in periods]
        total = self.target if total is None else total
        days = [(last - first).days + 1 for first, last in periods]
        all_days = sum(days)
        if is_counted(self.unit):
            ends, running = [], 0
            for d in days:
                running += d
                ends.append(rounded(total * running / all_days, self.unit))
            ends[-1] = total
            return [end - start for start, end in zip([Decimal("0"), *ends[:-1]], ends, strict=True)]
        shares = [(total * d / all_days).quantize(PENNY, rounding=ROUND_HALF_UP) for d in days[:-1]]
        return [*shares, total - sum(shares, Decimal("0"))]


class KpiTarget(models.Model):
    """The KPI's target for one reporting period."""

    kpi = models.ForeignKey(AgreementKpi, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    period_end = models.DateField()
    target = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="kpi_target_one_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="kpi_target_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}: {self.target.normalize():f}"


class PaymentKind(models.TextChoices):
    INSTALMENT = "instalment", "Periodic instalment"
    MILESTONE = "milestone", "Milestone payment"
    ADJUSTMENT = "adjustment", "Adjustment from a variation"


class ScheduledPayment(models.Model):
    """One payment in the agreement's schedule, optionally conditional on performance against a KPI."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(max_length=16, choices=PaymentKind.choices, default=PaymentKind.INSTALMENT)
    description = models.CharField(max_length=200)
    due_on = models.DateField()
    # Negative only for an adjustment that reduces the value.
    amount = models.DecimalField(**MONEY)
    kpi = models.ForeignKey(
        AgreementKpi, null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_payments"
    )
    condition = models.TextField(blank=True, help_text="What must be achieved before it is paid, if anything.")
    variation = models.ForeignKey(
        "AgreementVariation", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.description} due {self.due_on:%d/%m/%Y}"

    @property
    def council(self) -> Council:
        return self.agreement.council

    @property
    def is_performance_linked(self) -> bool:
        return self.kpi_id is not None or bool(self.condition)


class VariationKind(models.TextChoices):
    VALUE = "value", "Change of value"
    DATES = "dates", "Change of dates"
    KPIS = "kpis", "Change of KPIs"
    EXTENSION = "extension", "Extension"
    TERMINATION = "termination", "Early termination"
    TERMS = "terms", "Change of payment terms or clauses"


class ModificationGround(models.TextChoices):
    """What permits a change to an above-threshold contract (Procurement Act 2023, s.74 and Schedule 8),
    as its contract change notice (UK10) gives it."""

    PROVIDED_FOR = "provided_for", "Provided for in the contract (Schedule 8, paragraph 1)"
    URGENCY = "urgency", "Urgency or the protection of life (Schedule 8, paragraph 2)"
    UNFORESEEABLE = "unforeseeable", "Unforeseeable circumstances (Schedule 8, paragraph 4)"
    KNOWN_RISK = "known_risk", "A known risk has materialised (Schedule 8, paragraph 5)"
    ADDITIONAL = "additional", "Additional goods, services or works (Schedule 8)"
    RESTRUCTURING = "restructuring", "Novation or assignment on corporate restructuring (Schedule 8, paragraph 9)"
    NOT_SUBSTANTIAL = "not_substantial", "Not a substantial modification (section 74)"
    BELOW_THRESHOLD = "below_threshold", "A below-threshold modification (section 74)"
    OTHER = "other", "Another ground in Schedule 8"


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
    changes.extend(describe_payment_terms_changes(before.get("payment_terms"), after.get("payment_terms")))
    return changes


class AgreementVariation(models.Model):
    """One change to a signed agreement: why, who approved it and when, and the full terms before
    and after. Append-only: the model refuses updates and deletes."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="variations")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=VariationKind.choices)
    reason = models.TextField()
    effective_on = models.DateField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField()
    approval_reference = models.CharField(max_length=60, blank=True)
    # Asked for changes of value or dates to above-threshold contracts, which need a contract change notice.
    modification_ground = models.CharField(max_length=16, choices=ModificationGround.choices, blank=True)
    before = models.JSONField()
    after = models.JSONField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_variation_number_unique"),
            models.CheckConstraint(condition=Q(kind__in=VariationKind.values), name="agreement_variation_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Variation {self.number}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Variations are never changed: record a new variation instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Variations are never deleted.")

    @property
    def changes(self) -> list[str]:
        """What changed, in words, from the before and after terms."""
        return describe_changes(self.before, self.after)
