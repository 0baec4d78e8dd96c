"""The prioritised programme: the council's own prioritisation criteria and their weights, the
candidates for a financial year's programme (reviews of existing services and commissions) scored
against them, and cabinet's decision on it.

    draft → awaiting_approval → approved
      ↑            │                │
      └─ referred back ┘  └─ reopened for changes (needs a new approval)

Criteria belong to the council and change whenever its administrator or lead commissioner decides.
The ranking cabinet decides on is copied into the programme when it is sent for approval (`ranking`),
so changing a criterion or a weight afterwards never changes a programme that was sent or approved.

Only `commissioning.programme.services` writes here.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from commissioning.models.cycle import Commission
from commissioning.models.records import DecisionMaker
from commissioning.models.reviews import Review
from commissioning.permissions import (
    can_approve_programme,
    can_refer_programme_back,
    can_reopen_programme,
    can_submit_programme,
)
from councils.models import Council
from councils.state_field import StateField

__all__ = [
    "CandidateScore",
    "MAX_PRIORITY_SCORE",
    "MAX_WEIGHT",
    "PrioritisationCriterion",
    "Programme",
    "ProgrammeCandidate",
    "ProgrammeState",
]

# A candidate scores 0 (does nothing for this criterion) to 5 (does the most) against each criterion.
MAX_PRIORITY_SCORE = 5
MAX_WEIGHT = 100


class PrioritisationCriterion(models.Model):
    """One of the council's own reasons to do something first (prevention, return on investment, match
    funding, risk, sustainability...), with the weight it carries in the ranking."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="prioritisation_criteria")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, help_text="What a high score means, so that scorers agree.")
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WEIGHT)],
        help_text="A whole number from 1 to 100: only how the weights compare matters.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "prioritisation criteria"
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="prioritisation_criterion_unique_name"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_WEIGHT), name="prioritisation_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (weight {self.weight})"


class ProgrammeState(models.TextChoices):
    DRAFT = "draft", "Being prepared"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting cabinet approval"
    APPROVED = "approved", "Approved by cabinet"


class Programme(fsm.ConcurrentTransitionMixin, models.Model):
    """A council's ranked programme of reviews and commissions for one financial year, and cabinet's decision."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="programmes")
    # The calendar year the financial year starts in: 2026 is 2026/27 (1 April to 31 March).
    financial_year = models.PositiveSmallIntegerField()
    state = StateField(default=ProgrammeState.DRAFT, choices=ProgrammeState.choices, protected=True)
    # Fixed when sent for approval: the criteria with their weights and the ranked candidates with their
    # scores and reasons, as cabinet sees them. Empty while the programme is being prepared.
    ranking = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Cabinet's decision (a reopened programme keeps its last decision in the audit trail).
    decision_maker = models.CharField(max_length=32, choices=DecisionMaker.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reference = models.CharField(max_length=60, blank=True)
    minute_url = models.URLField(blank=True)
    decision_comments = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["council", "financial_year"], name="one_programme_per_year"),
            models.CheckConstraint(condition=Q(state__in=ProgrammeState.values), name="programme_state_valid"),
        ]

    def __str__(self) -> str:
        return f"Programme {self.year_label}"

    def get_absolute_url(self) -> str:
        return reverse(
            "commissioning:programme", kwargs={"council_slug": self.council.slug, "year": self.financial_year}
        )

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"

    @property
    def is_fixed(self) -> bool:
        return self.state != ProgrammeState.DRAFT

    # --- transitions: called only by commissioning.programme.services ------------------------------
    @fsm.transition(
        field=state,
        source=ProgrammeState.DRAFT,
        target=ProgrammeState.AWAITING_APPROVAL,
        permission=can_submit_programme,
        custom={
            "label": "Send the programme to cabinet",
            "gate": "missing_to_submit",
            "effects": ("fix_ranking",),
            "tells": ("programme_to_approve",),
        },
    )
    def submit(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=ProgrammeState.AWAITING_APPROVAL,
        target=ProgrammeState.DRAFT,
        permission=can_refer_programme_back,
        custom={
            "label": "Refer the programme back",
            "needs_reason": True,
            "back_step": True,
            "effects": ("unfix_ranking",),
            "tells": ("programme_referred_back",),
        },
    )
    def refer_back(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=ProgrammeState.AWAITING_APPROVAL,
        target=ProgrammeState.APPROVED,
        permission=can_approve_programme,
        custom={
            "label": "Approve the programme",
            "decision": True,
            "effects": ("decision",),
            "tells": ("programme_approved",),
        },
    )
    def approve(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=ProgrammeState.APPROVED,
        target=ProgrammeState.DRAFT,
        permission=can_reopen_programme,
        custom={
            "label": "Change the approved programme",
            "needs_reason": True,
            "back_step": True,
            "destructive": True,
            "effects": ("reopen",),
        },
    )
    def reopen(self, *, by, reason):
        pass


class ProgrammeCandidate(models.Model):
    """A review of existing services, or a commission, put forward for the year's programme, to be
    scored against the council's criteria. Exactly one of the two."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="candidates")
    commission = models.ForeignKey(
        Commission, null=True, blank=True, on_delete=models.PROTECT, related_name="programme_candidacies"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="programme_candidacies"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission__isnull=False, review__isnull=True)
                | Q(commission__isnull=True, review__isnull=False),
                name="programme_candidate_one_subject",
            ),
            models.UniqueConstraint(
                fields=["programme", "commission"],
                condition=Q(commission__isnull=False),
                name="programme_candidate_unique_commission",
            ),
            models.UniqueConstraint(
                fields=["programme", "review"],
                condition=Q(review__isnull=False),
                name="programme_candidate_unique_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def subject(self) -> Commission | Review:
        return self.review if self.review_id else self.commission

    @property
    def council(self) -> Council:
        return self.programme.council

    @property
    def reference(self) -> str:
        return self.subject.reference

    @property
    def title(self) -> str:
        return self.subject.title

    @property
    def kind(self) -> str:
        return "Review" if self.review_id else "Commission"

    @property
    def subject_url(self) -> str:
        return self.subject.get_absolute_url()


class CandidateScore(models.Model):
    """How one candidate scores against one criterion, and a short reason why."""

    candidate = models.ForeignKey(ProgrammeCandidate, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(PrioritisationCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_PRIORITY_SCORE)])
    reason = models.CharField(max_length=300)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "criterion"], name="candidate_score_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=MAX_PRIORITY_SCORE), name="candidate_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.criterion.name}"
