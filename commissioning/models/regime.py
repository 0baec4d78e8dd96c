"""The legal regime a commission is procured under (Procurement Act 2023 and Regulations 2024, the
Provider Selection Regime, or a grant), proposed from its value, CPV code and route and confirmed by an
officer, with the threshold it was measured against kept as it was on that day. Notices, assessment
summaries and the standstill read this record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models

from commissioning.models.cycle import Commission
from councils.models import ThresholdKind

# A grant of this value or more is a subsidy to record on the subsidy database.
SUBSIDY_DATABASE_FROM = Decimal("100000")
# Below-threshold contracts of this value or more need a contract details notice (UK7).
NOTIFIABLE_BELOW_THRESHOLD_FROM = Decimal("30000")
# Above-threshold contracts (not light touch) worth more than this need at least three KPIs before they
# are entered into (s.52) and a contract performance notice (UK9) at least every 12 months (s.71).
KPI_DUTY_OVER = Decimal("5000000")
# The open procedure's shortest tendering period, in days (s.54); 10 after a planned procurement notice
# published between 40 days and a year before the tender notice (reg 16, Sch 1 to the Act's table).
OPEN_PROCEDURE_MINIMUM_DAYS = 25
AFTER_PLANNED_NOTICE_MINIMUM_DAYS = 10
PLANNED_NOTICE_EARLIEST_DAYS = 40
PLANNED_NOTICE_LATEST_DAYS = 365


class Regime(models.TextChoices):
    ABOVE_THRESHOLD = "above_threshold", "Procurement Act, above threshold"
    LIGHT_TOUCH = "light_touch", "Procurement Act, light-touch services"
    BELOW_THRESHOLD = "below_threshold", "Procurement Act, regulated below threshold"
    PROVIDER_SELECTION = "provider_selection", "Health services under the Provider Selection Regime"
    GRANT = "grant", "Grant (not procurement)"
    # In-house, shared service or partnership arrangements: no contract is procured (e.g. Teckal).
    EXEMPT = "exempt", "Not procured (in-house, shared service or partnership)"


# Public contracts under the Act: advertised and awarded by notice, with a contract award notice and
# its standstill, and counted in the payments duties (above threshold, light touch included).
PUBLIC_CONTRACT_REGIMES = frozenset({Regime.ABOVE_THRESHOLD, Regime.LIGHT_TOUCH})


class Procedure(models.TextChoices):
    OPEN = "open", "Open procedure"
    COMPETITIVE_FLEXIBLE = "competitive_flexible", "Competitive flexible procedure"
    DIRECT_AWARD = "direct_award", "Direct award"


class PsrRoute(models.TextChoices):
    DIRECT_A = "direct_a", "Direct Award A"
    DIRECT_B = "direct_b", "Direct Award B"
    DIRECT_C = "direct_c", "Direct Award C"
    MOST_SUITABLE = "most_suitable", "Most Suitable Provider process"
    COMPETITIVE = "competitive", "Competitive Process"


class PsrKeyCriterion(models.TextChoices):
    QUALITY = "quality", "Quality and innovation"
    VALUE = "value", "Value"
    INTEGRATION = "integration", "Integration, collaboration and sustainability"
    ACCESS = "access", "Access, inequalities and choice"
    SOCIAL_VALUE = "social_value", "Social value"


class ProcurementRegime(models.Model):
    commission = models.OneToOneField(Commission, on_delete=models.CASCADE, related_name="procurement_regime")
    regime = models.CharField(max_length=24, choices=Regime.choices)
    proposed_regime = models.CharField(max_length=24, choices=Regime.choices)
    reason = models.TextField(blank=True, help_text="Why the officer chose another regime than the one proposed.")
    procedure = models.CharField(max_length=24, choices=Procedure.choices, blank=True)
    direct_award_ground = models.TextField(blank=True)
    reserved_to_mutuals = models.BooleanField(default=False)
    psr_route = models.CharField(max_length=16, choices=PsrRoute.choices, blank=True)
    psr_decision = models.TextField(blank=True)
    psr_key_criteria = models.JSONField(default=list, blank=True)
    subsidy_database = models.BooleanField(
        default=False, help_text="A grant of £100,000 or more, to be recorded on the subsidy database."
    )
    # What the proposal was measured against, kept as it was when the officer confirmed it.
    value = models.DecimalField(max_digits=14, decimal_places=2)
    cpv_code = models.CharField(max_length=8, blank=True)
    threshold_kind = models.CharField(max_length=20, choices=ThresholdKind.choices)
    threshold_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    threshold_on = models.DateField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now=True)
    # When the planned procurement notice (UK3) appeared on Find a Tender, recorded by the notices.
    planned_notice_published_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.commission.reference}: {self.get_regime_display()}"

    def minimum_tendering_days(self, publishing_on: date) -> int | None:
        """The statutory minimum from publication to the deadline for bids, where there is one: 25
        days, or 10 when a planned procurement notice went out 40 days to a year before."""
        if self.regime != Regime.ABOVE_THRESHOLD or self.procedure != Procedure.OPEN:
            return None
        planned = self.planned_notice_published_on
        if planned is not None and (
            PLANNED_NOTICE_EARLIEST_DAYS <= (publishing_on - planned).days <= PLANNED_NOTICE_LATEST_DAYS
        ):
            return AFTER_PLANNED_NOTICE_MINIMUM_DAYS
        return OPEN_PROCEDURE_MINIMUM_DAYS
