"""The conflicts assessment (Procurement Act 2023, s.83): one per opportunity, prepared before the
tender notice and revised whenever someone joins the procurement.

Each revision lists every person acting for the council or influencing a decision, the interests they
declared as they stood then, and the risk and mitigation an officer recorded. Revisions are kept, never
changed after review: a revision made automatically (someone joined, a declaration was recorded) waits
for an officer to review it. Writes go through `commissioning.conflicts.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.models.sourcing import Opportunity

__all__ = ["ConflictRisk", "ConflictsAssessment", "ConflictsAssessmentRevision", "ConflictsAssessmentEntry"]


class ConflictRisk(models.TextChoices):
    NONE = "none", "No conflict"
    LOW = "low", "Low: managed by the mitigation"
    HIGH = "high", "High: the person must step back"


class ConflictsAssessment(models.Model):
    opportunity = models.OneToOneField(Opportunity, on_delete=models.PROTECT, related_name="conflicts_assessment")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Conflicts assessment for {self.opportunity.reference}"


class ConflictsAssessmentRevision(models.Model):
    assessment = models.ForeignKey(ConflictsAssessment, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, help_text="Why this revision was made.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="conflicts_revision_number_unique"),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="conflicts_revision_reviewed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of the conflicts assessment for {self.assessment.opportunity.reference}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class ConflictsAssessmentEntry(models.Model):
    """One person in one revision: the capacity they act in, what they declared, and the assessment."""

    revision = models.ForeignKey(ConflictsAssessmentRevision, on_delete=models.PROTECT, related_name="entries")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=200, help_text="How they act in or influence the procurement.")
    interests = models.TextField(blank=True, help_text="Their declared interests as they stood at this revision.")
    risk = models.CharField(max_length=8, choices=ConflictRisk.choices, blank=True)
    mitigation = models.TextField(blank=True)

    class Meta:
        ordering = ["revision", "id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "person"], name="conflicts_entry_one_per_person"),
            models.CheckConstraint(
                condition=Q(risk="") | Q(risk__in=ConflictRisk.values), name="conflicts_entry_risk_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.capacity})"
