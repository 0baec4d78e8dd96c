"""Agreements: what was agreed with whom, for how much, until when, and against which KPIs.

An `Agreement` is a grant agreement, a contract, or a service level agreement with an in-house team,
partner or shared service. Its state is a protected FSM field (draft → signed → live → ended, or
terminated early; a draft can be cancelled); only the workflow engine (`councils.workflow`) takes the transitions.

The agreement row always holds the **current** terms. Every change after signing is an
`AgreementVariation` (`variations.py`) — append-only, with the full terms before and after — so history
is never overwritten. KPIs (`kpis.py`) carry their targets per reporting period (`KpiTarget`), one period
per `monitoring_frequency` step from the start date: monitoring returns (next issue) are filed per
period. The payment schedule is `payment_schedule.py`.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

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
    Commission,
    FundingPot,
    Lot,
    ProcurementRegime,
    Regime,
)
from councils.models import Council, Role
from councils.permissions import AGREEMENT_SIGNERS, COMMISSIONERS, has_any_role
from councils.state_field import StateField
from councils.uploads import PrivateFileField


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
    state = StateField(default=AgreementState.DRAFT, choices=AgreementState.choices, protected=True)
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
