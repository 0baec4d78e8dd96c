"""Provider risk, failure and continuity: which agreements deliver a vital service and their continuity
plan, the "at risk" and "failed" flags on an agreement or a provider, and the intervention each flag opens.

- A `ContinuityPlan` row marks an agreement as **vital** (`vital=True`) and holds what happens if the
  provider fails. A vital agreement goes live only with its plan complete (`is_complete`): the go-live
  gate (`monitoring.agreements.gates.missing_to_go_live`) asks.
- A `RiskFlag` is one period of an agreement or a provider organisation (all its agreements with the
  council) being at risk or failed, from raising to clearing: rows are never deleted, so they are the
  history. At most one flag is open per agreement, and per provider in a council.
- An `Intervention` is opened by the first flag on its subject and stays open, through a later flag
  (at risk, then failed), until it is closed with an outcome once its actions are done.

Only `monitoring.continuity.services` writes here, under row locks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from councils.models import Council
from monitoring.models.agreements import Agreement

__all__ = [
    "AlternativeProvision",
    "ContinuityPlan",
    "FlagLevel",
    "Intervention",
    "InterventionAction",
    "RiskFlag",
]


class AlternativeProvision(models.TextChoices):
    """How the service carries on if (or once) the provider cannot deliver it."""

    STEP_IN = "step_in", "Step-in by another provider"
    IN_HOUSE = "in_house", "Brought in-house"
    DIRECT_AWARD = "direct_award", "Emergency direct award"
    OTHER_AGREEMENT = "other_agreement", "Moved to another existing agreement"
    OTHER = "other", "Something else"


class ContinuityPlan(models.Model):
    """Whether the agreement delivers a vital service and, if so, how the service continues if the
    provider fails."""

    agreement = models.OneToOneField(Agreement, on_delete=models.PROTECT, related_name="continuity_plan")
    vital = models.BooleanField(
        "Vital service",
        default=False,
        help_text="People would come to harm, or the council would fail a statutory duty, if it stopped.",
    )
    why_vital = models.TextField(blank=True)
    if_provider_fails = models.TextField(
        "What happens if the provider fails", blank=True, help_text="The first days: who does what, and for whom."
    )
    fallback = models.CharField("Fallback", max_length=16, choices=AlternativeProvision.choices, blank=True)
    fallback_detail = models.TextField(
        "The fallback provider or in-house option", blank=True, help_text="Who, and how quickly they can start."
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="Officer responsible",
    )  # fmt: skip
    last_tested_on = models.DateField("Last tested", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(fallback="") | Q(fallback__in=AlternativeProvision.values), name="continuity_fallback_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Continuity plan for {self.agreement.reference}"

    @property
    def council(self) -> Council:
        return self.agreement.council

    def missing(self) -> list[str]:
        """What a vital service's plan still lacks, in words an officer can act on."""
        if not self.vital:
            return []
        missing = []
        if not self.if_provider_fails.strip():
            missing.append("Say what happens if the provider fails")
        if not self.fallback:
            missing.append("Choose the fallback: another provider, in-house or an emergency direct award")
        if not self.fallback_detail.strip():
            missing.append("Name the fallback provider or in-house option")
        if self.responsible_id is None:
            missing.append("Name the officer responsible for the plan")
        return missing

    @property
    def is_complete(self) -> bool:
        return not self.missing()


class FlagLevel(models.TextChoices):
    AT_RISK = "at_risk", "At risk"
    FAILED = "failed", "Failed"


class RiskFlag(models.Model):
    """An agreement, or a provider organisation with all its agreements with the council, flagged at
    risk or failed, with why; cleared later with why. Exactly one of `agreement` and `provider` is set."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="risk_flags")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="risk_flags")
    provider = models.ForeignKey(
        "providers.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="risk_flags"
    )
    level = models.CharField(max_length=8, choices=FlagLevel.choices)
    reason = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clear_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=FlagLevel.values), name="risk_flag_level_valid"),
            models.CheckConstraint(
                condition=Q(agreement__isnull=False, provider__isnull=True)
                | Q(agreement__isnull=True, provider__isnull=False),
                name="risk_flag_agreement_or_provider",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="risk_flag_has_reason"),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True, cleared_by__isnull=True, clear_reason="")
                | (Q(cleared_at__isnull=False, cleared_by__isnull=False) & ~Q(clear_reason="")),
                name="risk_flag_cleared_with_reason",
            ),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(cleared_at__isnull=True), name="risk_flag_one_open_per_agreement"
            ),
            models.UniqueConstraint(
                fields=["council", "provider"],
                condition=Q(cleared_at__isnull=True),
                name="risk_flag_one_open_per_provider",
            ),
        ]
        indexes = [models.Index(fields=["council", "cleared_at"])]

    def __str__(self) -> str:
        return f"{self.subject_name}: {self.get_level_display().lower()}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    @property
    def subject_name(self) -> str:
        if self.agreement_id:
            return f"{self.agreement.reference} {self.agreement.title}"
        return f"{self.provider} (every agreement with the council)"


class Intervention(models.Model):
    """What the council does about a flagged agreement or provider: its actions, the alternative
    provision chosen, and, once the actions are done, the outcome."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="interventions")
    flag = models.ForeignKey(RiskFlag, on_delete=models.PROTECT, related_name="interventions")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    provider = models.ForeignKey(
        "providers.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    alternative = models.CharField(
        "Alternative provision", max_length=16, choices=AlternativeProvision.choices, blank=True
    )
    alternative_detail = models.TextField(blank=True)
    alternative_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False, provider__isnull=True)
                | Q(agreement__isnull=True, provider__isnull=False),
                name="intervention_agreement_or_provider",
            ),
            models.CheckConstraint(
                condition=Q(alternative="") | Q(alternative__in=AlternativeProvision.values),
                name="intervention_alternative_valid",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, outcome="") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="intervention_closed_with_outcome",
            ),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(closed_at__isnull=True), name="intervention_one_open_per_agreement"
            ),
            models.UniqueConstraint(
                fields=["council", "provider"],
                condition=Q(closed_at__isnull=True),
                name="intervention_one_open_per_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"Intervention: {self.flag.subject_name}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class InterventionAction(models.Model):
    """One thing to do in an intervention: what, who owns it, when it is due and when it was done."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="actions")
    what = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.what

    @property
    def council(self) -> Council:
        return self.intervention.council
