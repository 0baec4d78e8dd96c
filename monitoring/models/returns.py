"""Monitoring returns: what a provider reports for one reporting period of a live agreement.

The schedule (one `MonitoringReturn` per reporting period, with its due date) is generated from the
agreement's dates and monitoring frequency, and regenerated when a variation or extension changes
them. A return's due date never moves because it is overdue: reminders count from it.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from councils.models import Council

from .agreements import Agreement


class ReturnState(models.TextChoices):
    DUE = "due", "Not submitted yet"
    SUBMITTED = "submitted", "Submitted: awaiting review"
    QUERIED = "queried", "Queried: back with the provider"
    ACCEPTED = "accepted", "Accepted"
    NOT_REQUIRED = "not_required", "No longer required"


# Waiting for the provider: these are the returns that can be overdue.
AWAITING_PROVIDER_STATES = frozenset({ReturnState.DUE, ReturnState.QUERIED})


class MonitoringSettings(models.Model):
    """A council's monitoring rules: when returns fall due, how RAG ratings are worked out, and whether
    payments are held while returns are overdue. Without a row the defaults apply."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="monitoring_settings")
    return_due_days = models.PositiveSmallIntegerField(
        default=20, validators=[MaxValueValidator(120)], help_text="How long after a period ends its return is due."
    )
    due_days_are_working_days = models.BooleanField(
        default=True, help_text="Count those days in working days (skipping weekends and bank holidays)."
    )
    amber_tolerance_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="An actual within this percentage short of its target is amber; further short is red.",
    )
    hold_payments_when_overdue = models.BooleanField(
        default=False, help_text="Flag an agreement's payments as on hold while any of its returns is overdue."
    )

    class Meta:
        verbose_name_plural = "monitoring settings"

    def __str__(self) -> str:
        return f"Monitoring settings for {self.council}"


class MonitoringReturn(fsm.ConcurrentTransitionMixin, models.Model):
    """One reporting period's return for one agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    state = fsm.FSMField(default=ReturnState.DUE, choices=ReturnState.choices, protected=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ReturnState.values), name="return_state_valid"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="return_period_order"),
            models.UniqueConstraint(
                fields=["agreement", "period_start"],
                condition=~Q(state=ReturnState.NOT_REQUIRED),
                name="one_return_per_agreement_period",
            ),
        ]
        indexes = [
            # The reminder sweep: returns waiting for the provider, by due date.
            models.Index(fields=["due_on"], name="return_awaiting_due_idx", condition=Q(state__in=["due", "queried"])),
            models.Index(fields=["state", "submitted_at"], name="return_state_submitted_idx"),
            models.Index(fields=["agreement", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"Return for {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"

    @property
    def council(self) -> Council:
        return self.agreement.council
