"""Savings a commission or a review of existing services is expected to make, identified per
financial year.

Each figure is what the commission (or review) should save in one financial year (its target year),
with how it will be made and when it was identified. Savings realised are recorded against the
agreements that deliver them, in `monitoring`: an agreement belongs to a commission, and a review
covers agreements, so the two meet per year without this app knowing about agreements.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models.cycle import MONEY, Commission
from commissioning.models.reviews import Review
from councils.financial_year import EARLIEST_YEAR, LATEST_YEAR, financial_year_label
from councils.models import Council

__all__ = ["SavingsIdentified"]


class SavingsIdentified(models.Model):
    """A saving a commission or a review (exactly one of them) is expected to make in one financial year."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="savings_identified")
    commission = models.ForeignKey(
        Commission, null=True, blank=True, on_delete=models.CASCADE, related_name="savings_identified"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="savings_identified"
    )
    target_year = models.PositiveSmallIntegerField(
        "Financial year",
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
        help_text="The financial year the saving is to be made in, by the year it starts (2027 for 2027/28).",
    )
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    basis = models.TextField("How the saving will be made", help_text="For example: a lower unit cost, less demand.")
    identified_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_year", "id"]
        verbose_name_plural = "savings identified"
        constraints = [
            models.CheckConstraint(
                condition=Q(commission__isnull=False, review__isnull=True)
                | Q(commission__isnull=True, review__isnull=False),
                name="savings_identified_commission_or_review",
            ),
            models.UniqueConstraint(
                fields=["commission", "target_year"],
                condition=Q(commission__isnull=False),
                name="savings_identified_one_per_year",
            ),
            models.UniqueConstraint(
                fields=["review", "target_year"],
                condition=Q(review__isnull=False),
                name="savings_identified_review_one_per_year",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="savings_identified_positive"),
            models.CheckConstraint(
                condition=Q(target_year__gte=EARLIEST_YEAR) & Q(target_year__lte=LATEST_YEAR),
                name="savings_identified_year_in_range",
            ),
        ]
        indexes = [models.Index(fields=["council", "target_year"])]

    def __str__(self) -> str:
        return f"{self.year_label}: {self.amount}"

    @property
    def holder(self) -> Commission | Review:
        """The commission or the review the saving is identified for."""
        return self.commission if self.commission_id else self.review

    @property
    def year_label(self) -> str:
        return financial_year_label(self.target_year)
