"""An agreement's key performance indicators and their target for each reporting period.

Its models keep the page-cache family they had when they lived in `agreements.py`,
`monitoring.agreements` (`page_cache_family`; `councils.page_cache.family_of`): templates and views
name that family.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from commissioning.models import MONEY, BidOutcome, BidSocialValueCommitment, SocialValueMeasure, SuccessMeasure
from councils.models import Council, Outcome
from councils.units import TargetInUnits, is_counted, rounded
from monitoring.models.agreements import Agreement

PENNY = Decimal("0.01")


class KpiSource(models.TextChoices):
    SPECIFICATION = "specification", "Specification"
    BID = "bid", "Winning bid"
    OFFICER = "officer", "Added by an officer"
    VARIATION = "variation", "Added by a variation"
    SOCIAL_VALUE = "social_value", "Social value commitment"


class TargetKind(models.TextChoices):
    TOTAL = "total", "A total over the agreement, spread across the periods"
    LEVEL = "level", "A level to reach in every period (for example a percentage)"


class AgreementKpi(TargetInUnits, models.Model):
    """A key performance indicator: a success measure of the commission or an outcome from the
    winning bid, with its overall target and a target for each reporting period."""

    page_cache_family = "monitoring.agreements"

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

    page_cache_family = "monitoring.agreements"

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
