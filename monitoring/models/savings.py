"""Savings realised: what an agreement actually saved in a financial year, recorded once the agreement
has taken effect, by the commissioners who manage it or the finance team.

A figure counts as realised on the dashboards and outcome pages once a finance officer (the section
151 officer's team) has confirmed it: one a finance officer records is confirmed as it is recorded;
one a commissioner records, or changes, waits for their confirmation. Savings identified live with the
commission (`commissioning.SavingsIdentified`); the agreement's commission joins the two.
Only `monitoring.savings.services` writes here.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models import MONEY
from councils.financial_year import EARLIEST_YEAR, LATEST_YEAR, financial_year_label
from monitoring.models.agreements import Agreement, AgreementState

__all__ = ["TAKEN_EFFECT_STATES", "SavingsRealised"]

# An agreement has taken effect once it went live; an ended or terminated one still saved what it saved.
TAKEN_EFFECT_STATES = frozenset({AgreementState.LIVE, AgreementState.ENDED, AgreementState.TERMINATED})


class SavingsRealised(models.Model):
    """What one agreement saved in one financial year."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="savings_realised")
    financial_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)]
    )
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    how = models.TextField("How it was realised", help_text="What changed, and where the figure comes from.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["financial_year", "id"]
        verbose_name_plural = "savings realised"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "financial_year"], name="savings_realised_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="savings_realised_positive"),
            models.CheckConstraint(
                condition=Q(financial_year__gte=EARLIEST_YEAR) & Q(financial_year__lte=LATEST_YEAR),
                name="savings_realised_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="savings_realised_confirmed_by_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_label}: {self.amount}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def council(self):
        return self.agreement.council
