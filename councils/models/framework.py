"""What a council is trying to achieve: its corporate plans, their priorities, outcomes and
cross-cutting themes, and the cabinet portfolios that own the outcomes.

Its models keep the page-cache family they had when the app's models were one module, `councils`
(`page_cache_family`; `councils.page_cache.family_of`): templates and views name that family.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from councils.models.council import Council


class Portfolio(models.Model):
    """A cabinet portfolio (e.g. Health and Wellbeing) and the councillor who holds it."""

    page_cache_family = "councils"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="portfolios")
    name = models.CharField(max_length=200)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios_held",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="portfolio_unique_name")]

    def __str__(self) -> str:
        return self.name


class CorporatePlan(models.Model):
    """A corporate plan period, e.g. Corporate Plan 2012–2015, holding priorities and themes."""

    page_cache_family = "councils"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="corporate_plans")
    title = models.CharField(max_length=200)
    start_year = models.PositiveIntegerField(validators=[MinValueValidator(1990)])
    end_year = models.PositiveIntegerField(validators=[MinValueValidator(1990)])
    summary = models.TextField(blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_end_not_before_start"),
            models.UniqueConstraint(
                fields=["council"], condition=Q(is_current=True), name="plan_one_current_per_council"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": "The end year must be the same as or after the start year."})


class Priority(models.Model):
    """A corporate priority, e.g. Health and Well Being."""

    page_cache_family = "councils"

    plan = models.ForeignKey(CorporatePlan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["plan", "title"], name="priority_unique_title")]

    def __str__(self) -> str:
        return self.title

    @property
    def council(self) -> Council:
        return self.plan.council


class Outcome(models.Model):
    """An end result the council wants, owned by a cabinet portfolio."""

    page_cache_family = "councils"

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes")
    accountable_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes_accountable_for",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["priority__position", "position", "title"]

    def __str__(self) -> str:
        return self.title


class CrossCuttingTheme(models.Model):
    """A theme that runs through every priority, e.g. Community Leadership."""

    page_cache_family = "councils"

    plan = models.ForeignKey(CorporatePlan, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["plan", "title"], name="theme_unique_title")]

    def __str__(self) -> str:
        return self.title
