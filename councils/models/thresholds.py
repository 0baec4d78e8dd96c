"""The Procurement Act 2023 thresholds, national and each council's own, from a date on.

Its models keep the page-cache family they had when the app's models were one module, `councils`
(`page_cache_family`; `councils.page_cache.family_of`): templates and views name that family.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from councils.models.council import Council


class ThresholdKind(models.TextChoices):
    SUB_CENTRAL = "sub_central", "Sub-central goods and services"
    LIGHT_TOUCH = "light_touch", "Light-touch services"
    WORKS = "works", "Works"


class ProcurementThreshold(models.Model):
    """A Procurement Act 2023 threshold (VAT included) from a date on. Old rows stay, so a procurement
    started before a change keeps the figure of its start date. Rows without a council are national and
    ship with the app; a council adds its own when new figures come into force before the app is updated."""

    page_cache_family = "councils"

    council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="procurement_thresholds"
    )
    kind = models.CharField(max_length=20, choices=ThresholdKind.choices)
    valid_from = models.DateField(help_text="Procurements started on or after this date use this figure.")
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("1"))])
    source = models.CharField(max_length=300, help_text="The instrument or guidance the figure comes from.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"], condition=Q(council__isnull=True), name="threshold_national_once"
            ),
            models.UniqueConstraint(fields=["council", "kind", "valid_from"], name="threshold_council_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.valid_from:%-d %B %Y}: £{self.amount:,.0f}"
