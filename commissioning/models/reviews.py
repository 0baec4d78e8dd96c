"""Reviews of the services a council already has: one or several at a time, with a scope, a
timetable and evidence, ending in a recorded conclusion with its reasons.

A review is not a purchase. It may conclude that a service stays as it is under a new outcomes
framework, changes in-house, is decommissioned or shared with a partner; only a recommission starts
a commission, which carries the review's findings and links back to it.

The review's state is a protected FSM field; only the workflow engine (`councils.workflow.run`)
takes its transitions. The agreements a review covers are kept by `monitoring` (ReviewedAgreement):
commissioning does not know agreements.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from commissioning.models.cycle import Commission
from commissioning.models.records import ExistingProvision
from commissioning.permissions import is_commissioning_officer, is_lead_commissioner
from councils.models import Council, Outcome, Portfolio
from councils.state_field import StateField
from councils.uploads import UPLOAD_HINT, PrivateFileField

__all__ = [
    "Conclusion",
    "Review",
    "ReviewEvidence",
    "ReviewMeasure",
    "ReviewState",
]


class ReviewState(models.TextChoices):
    OPEN = "open", "Opened"
    UNDER_WAY = "under_way", "Under way"
    CONCLUDED = "concluded", "Concluded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Conclusion(models.TextChoices):
    KEEP = "keep", "Keep as it is, with a new outcomes framework"
    CHANGE_IN_HOUSE = "change_in_house", "Change the service in-house"
    RECOMMISSION = "recommission", "Recommission"
    DECOMMISSION = "decommission", "Decommission"
    SHARE = "share", "Share with a partner"


OPEN_REVIEW_STATES = [ReviewState.OPEN, ReviewState.UNDER_WAY]


class Review(fsm.ConcurrentTransitionMixin, models.Model):
    """A review of one or more existing services (from the provision map) or agreements."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="reviews")
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    scope = models.TextField(help_text="What the review looks at, and what it leaves out.")
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="reviews")
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_led")
    starts_on = models.DateField("Start date")
    concludes_by = models.DateField("Planned conclusion date")
    state = StateField(default=ReviewState.OPEN, choices=ReviewState.choices, protected=True)
    # Services from the provision map of the council's commissions.
    provisions = models.ManyToManyField(ExistingProvision, blank=True, related_name="reviews")
    findings = models.TextField(blank=True, help_text="What the review found, in a few paragraphs.")
    conclusion = models.CharField(max_length=32, choices=Conclusion.choices, blank=True)
    conclusion_reasons = models.TextField("Reasons for the conclusion", blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    # A recommission starts a commission that carries the findings; the commission links back here.
    commission = models.OneToOneField(
        Commission, null=True, blank=True, on_delete=models.PROTECT, related_name="from_review"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["concludes_by", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ReviewState.values), name="review_state_valid"),
            models.CheckConstraint(condition=Q(concludes_by__gte=models.F("starts_on")), name="review_dates_in_order"),
            # A concluded review always says what it concluded and why.
            models.CheckConstraint(
                condition=~Q(state=ReviewState.CONCLUDED) | (~Q(conclusion="") & ~Q(conclusion_reasons="")),
                name="review_concluded_with_reasons",
            ),
            # A recommission always starts a commission, and only a recommission does.
            models.CheckConstraint(
                condition=Q(commission__isnull=True)
                | Q(state=ReviewState.CONCLUDED, conclusion=Conclusion.RECOMMISSION),
                name="review_commission_only_when_recommissioned",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReviewState.CONCLUDED, conclusion=Conclusion.RECOMMISSION)
                | Q(commission__isnull=False),
                name="review_recommission_has_commission",
            ),
        ]
        indexes = [models.Index(fields=["council", "state"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commissioning:review", kwargs={"council_slug": self.council.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REVIEW_STATES

    # --- open → under way → concluded; withdrawn ----------------------------------------------
    @fsm.transition(
        field=state,
        source=ReviewState.OPEN,
        target=ReviewState.UNDER_WAY,
        permission=is_commissioning_officer,
        custom={"label": "Start the review", "gate": "missing_to_start", "tells": ("review_started",)},
    )
    def start(self, *, by, reason=""):
        pass

    # Taken through `review_conclude`, which stages the conclusion the gate reads.
    @fsm.transition(
        field=state,
        source=ReviewState.UNDER_WAY,
        target=ReviewState.CONCLUDED,
        permission=is_lead_commissioner,
        custom={
            "label": "Record the conclusion",
            "internal": True,
            "gate": "missing_to_conclude",
            "effects": ("conclusion",),
            "tells": ("review_concluded",),
            "final": True,
        },
    )
    def conclude(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=OPEN_REVIEW_STATES,
        target=ReviewState.WITHDRAWN,
        permission=is_lead_commissioner,
        custom={"label": "Withdraw this review", "needs_reason": True, "destructive": True},
    )
    def withdraw(self, *, by, reason):
        pass


class ReviewEvidence(models.Model):
    """A note or document the review rests on: performance figures, user feedback, a benchmark."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    document = PrivateFileField(folder="reviews", blank=True, help_text=UPLOAD_HINT)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "review evidence"
        constraints = [
            models.CheckConstraint(condition=~Q(note="") | ~Q(document=""), name="review_evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def council(self) -> Council:
        return self.review.council


class ReviewMeasure(models.Model):
    """One success measure of the new outcomes framework a review concluded the service keeps to."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="new_measures")
    council_outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_measures"
    )
    outcome = models.CharField(max_length=300, help_text="The outcome the service is to achieve.")
    measure = models.CharField(max_length=300, help_text="How the outcome is measured, and its target.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.measure}"
