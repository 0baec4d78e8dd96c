"""An agreement's payment schedule: instalments, milestones and the adjustments variations make,
each optionally conditional on performance against a KPI.

Its models keep the page-cache family they had when they lived in `agreements.py`,
`monitoring.agreements` (`page_cache_family`; `councils.page_cache.family_of`): templates and views
name that family.
"""

from __future__ import annotations

from django.db import models

from commissioning.models import MONEY
from councils.models import Council
from monitoring.models.agreements import Agreement
from monitoring.models.kpis import AgreementKpi


class PaymentKind(models.TextChoices):
    INSTALMENT = "instalment", "Periodic instalment"
    MILESTONE = "milestone", "Milestone payment"
    ADJUSTMENT = "adjustment", "Adjustment from a variation"


class ScheduledPayment(models.Model):
    """One payment in the agreement's schedule, optionally conditional on performance against a KPI."""

    page_cache_family = "monitoring.agreements"

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
