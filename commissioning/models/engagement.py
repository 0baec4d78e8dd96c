"""Early engagement on drafts: a commission's draft outcomes and draft specification opened for
comment by registered providers (or the public too) for a set period, the comments, and the
officers' answers.

What people comment on is the snapshot taken when the consultation opened (`sections`), never the
live records, so later edits to the drafts do not change what a comment was about. A comment names
its consultation and section and nothing of a procurement: no comment is ever tied to a bid or its
evaluation (the ethical wall). The consultation's row in the commission's engagement log
(`EngagementActivity`, kind "consultation") summarises it and links here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models.cycle import Commission
from commissioning.models.records import EngagementActivity
from councils.models import Council
from providers.models import Organisation

__all__ = ["Consultation", "ConsultationAudience", "ConsultationComment", "DraftPart"]


class DraftPart(models.TextChoices):
    OUTCOMES = "outcomes", "Draft outcomes and success measures"
    SPECIFICATION = "specification", "Draft specification"


class ConsultationAudience(models.TextChoices):
    PROVIDERS = "providers", "Registered providers only"
    PUBLIC = "public", "Registered providers and the public"


class ConsultationQuerySet(models.QuerySet):
    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day)

    def open_now(self):
        return self.open_on(timezone.localdate())


class Consultation(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="consultations")
    cycle = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text="What the council most wants to hear about.")
    parts = models.JSONField(default=list)  # the DraftPart values opened
    audience = models.CharField(max_length=16, choices=ConsultationAudience.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()
    # The drafts as published: [{"key", "heading", "part", "lines": [...]}, ...].
    sections = models.JSONField(default=list)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    engagement = models.OneToOneField(
        EngagementActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultation"
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="consultation_dates"),
            models.CheckConstraint(
                condition=Q(audience__in=ConsultationAudience.values), name="consultation_audience_valid"
            ),
        ]
        indexes = [models.Index(fields=["opens_on", "closes_on"], name="consultation_period_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def council(self) -> Council:
        return self.commission.council

    @property
    def is_public(self) -> bool:
        return self.audience == ConsultationAudience.PUBLIC

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())

    @property
    def has_closed(self) -> bool:
        return timezone.localdate() > self.closes_on

    def section_headings(self) -> dict[str, str]:
        return {section["key"]: section["heading"] for section in self.sections}


class ConsultationComment(models.Model):
    """One comment on one section of the drafts, from a provider organisation (through a person who
    acts for it) or from a member of the public (their name and email, never published), and the
    council's answer. Nothing here names a bid."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=60)
    text = models.TextField()
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultation_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    draft_changed_because = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "created_at"], name="consultation_comment_idx")]

    def __str__(self) -> str:
        return f"Comment on {self.section} by {self.public_name}"

    @property
    def council(self) -> Council:
        return self.consultation.commission.council

    @property
    def public_name(self) -> str:
        """How the comment is signed where it is published: the organisation, or 'A member of the
        public' (a person's name and email are for the council only)."""
        return str(self.organisation) if self.organisation_id else "A member of the public"

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)
