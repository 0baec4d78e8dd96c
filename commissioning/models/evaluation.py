"""Evaluation: the panel that judges an opened opportunity's bids, behind conflict-of-interest walls.

One `Evaluation` per opportunity, with its own state machine:
declarations → compliance → scoring → moderation → signed_off. Panellists declare conflicts
against every bid before they see any (`Declaration`); the panel checks each bid's compliance
(`ComplianceResult`); each panellist scores each eligible bid on their own (`ScoreSheet`, `Score`);
the chair moderates (`ModeratedScore`) and signs off. After sign-off nothing here can change: the
services refuse, and every record's `save()`/`delete()` refuses too.

Reads go through `commissioning.evaluation_selectors` (the sealed-bid rule first, then the panel,
then the declarations); writes through `commissioning.evaluation_services`.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from commissioning.models.records import EvaluationCriterion
from commissioning.models.sourcing import Bid, Opportunity, OpportunityQuestion
from councils.models import Council, Role
from councils.permissions import has_any_role
from councils.state_field import StateField

__all__ = [
    "DEFAULT_COMPLIANCE_CHECKS",
    "DEFAULT_SCALE",
    "ComplianceResult",
    "Declaration",
    "Evaluation",
    "EvaluationLocked",
    "EvaluationState",
    "ModeratedScore",
    "PANEL_CHANGE_STATES",
    "PanelMember",
    "PriceMethod",
    "Score",
    "ScoreSheet",
    "ScoringScale",
]


class EvaluationState(models.TextChoices):
    DECLARATIONS = "declarations", "Declaring conflicts of interest"
    COMPLIANCE = "compliance", "Compliance checks"
    SCORING = "scoring", "Scoring"
    MODERATION = "moderation", "Moderation"
    SIGNED_OFF = "signed_off", "Signed off"


# The panel may change until moderation begins: a new panellist must declare and score everything.
PANEL_CHANGE_STATES = (EvaluationState.DECLARATIONS, EvaluationState.COMPLIANCE, EvaluationState.SCORING)


class PriceMethod(models.TextChoices):
    QUALITY_ONLY = "quality_only", "Quality only: no price score (grants)"
    LOWEST_PRICE = "lowest_price", "Price criterion scored as lowest price ÷ bid price × weight"


# Index = score. The default scale: 0 unacceptable to 5 excellent.
DEFAULT_SCALE = ["Unacceptable", "Poor", "Weak", "Satisfactory", "Good", "Excellent"]
DEFAULT_COMPLIANCE_CHECKS = [
    "Eligibility: the organisation meets the opportunity's eligibility requirements",
    "Completeness: every question answered and the declarations made",
    "Within the budget envelope",
    "Required policies, insurance and documents provided",
]


def default_scale() -> list[str]:
    return list(DEFAULT_SCALE)


def default_compliance_checks() -> list[str]:
    return list(DEFAULT_COMPLIANCE_CHECKS)


class EvaluationLocked(Exception):
    """The evaluation is signed off: its records can no longer change."""


class ScoringScale(models.Model):
    """A council's own scoring scale (descriptors from 0 upwards). Without one the default 0–5
    scale applies. Each evaluation keeps a copy from when it was set up."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="scoring_scale")
    descriptors = models.JSONField(default=default_scale, help_text="One label per score, from 0 upwards.")

    def __str__(self) -> str:
        return f"0 to {len(self.descriptors) - 1}"


# ---- Who may move an evaluation on (FSM `permission=` callables: (instance, user)) -------------


def is_chair(evaluation, user) -> bool:
    return evaluation.members.filter(user=user, is_chair=True, ended_at__isnull=True).exists()


def can_run_evaluation(evaluation, user) -> bool:
    """The lead commissioner who set the panel up, or the panel's chair."""
    return has_any_role(user, evaluation.council, (Role.LEAD_COMMISSIONER,)) or is_chair(evaluation, user)


class Evaluation(fsm.ConcurrentTransitionMixin, models.Model):
    """How one opportunity's bids are judged, and where the judging has got to."""

    opportunity = models.OneToOneField(Opportunity, on_delete=models.PROTECT, related_name="evaluation")
    state = StateField(default=EvaluationState.DECLARATIONS, choices=EvaluationState.choices, protected=True)
    price_method = models.CharField(max_length=16, choices=PriceMethod.choices, default=PriceMethod.QUALITY_ONLY)
    price_criterion = models.ForeignKey(
        EvaluationCriterion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scale = models.JSONField(default=default_scale, help_text="Score descriptors from 0 upwards.")
    compliance_checks = models.JSONField(default=default_compliance_checks)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # The ranking as signed off, and its SHA-256: what the award and the assessment summaries are built from.
    result = models.JSONField(null=True, blank=True)
    result_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=EvaluationState.values), name="evaluation_state_valid"),
            models.CheckConstraint(
                condition=Q(price_method=PriceMethod.QUALITY_ONLY, price_criterion__isnull=True)
                | Q(price_method=PriceMethod.LOWEST_PRICE, price_criterion__isnull=False),
                name="evaluation_price_criterion_with_price_method",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.opportunity.reference}"

    def save(self, *args, **kwargs):
        if self.pk and Evaluation.objects.filter(pk=self.pk, state=EvaluationState.SIGNED_OFF).exists():
            raise EvaluationLocked("This evaluation is signed off and cannot change.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EvaluationLocked("Evaluations are kept: they cannot be deleted.")

    @property
    def council(self) -> Council:
        return self.opportunity.council

    @property
    def max_score(self) -> int:
        return len(self.scale) - 1

    @property
    def is_signed_off(self) -> bool:
        return self.state == EvaluationState.SIGNED_OFF

    @fsm.transition(
        field=state,
        source=EvaluationState.DECLARATIONS,
        target=EvaluationState.COMPLIANCE,
        permission=can_run_evaluation,
        custom={
            "label": "Start the compliance checks",
            "gate": "missing_to_open_compliance",
            "tells": ("compliance_due",),
        },
    )
    def open_compliance(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=EvaluationState.COMPLIANCE,
        target=EvaluationState.SCORING,
        permission=can_run_evaluation,
        custom={"label": "Start scoring", "gate": "missing_to_open_scoring", "tells": ("scores_due",)},
    )
    def open_scoring(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=EvaluationState.SCORING,
        target=EvaluationState.MODERATION,
        permission=can_run_evaluation,
        custom={"label": "Close scoring and start moderation", "gate": "missing_to_open_moderation"},
    )
    def open_moderation(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=EvaluationState.MODERATION,
        target=EvaluationState.SIGNED_OFF,
        permission=is_chair,
        custom={
            "label": "Sign off the moderation",
            "gate": "missing_to_sign_off",
            "final": True,
            "effects": ("sign_off",),
        },
    )
    def sign_off(self, *, by, reason=""):
        pass


class EvaluationRecord(models.Model):
    """A record of an evaluation that must not change once the evaluation is signed off."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_signed_off()
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_signed_off()
        return super().delete(*args, **kwargs)

    def locked_evaluation_id(self) -> int | None:
        return self.evaluation_id

    def _refuse_if_signed_off(self) -> None:
        evaluation_id = self.locked_evaluation_id()
        if evaluation_id and Evaluation.objects.filter(pk=evaluation_id, state=EvaluationState.SIGNED_OFF).exists():
            raise EvaluationLocked("This evaluation is signed off: its records cannot change.")


class PanelMember(EvaluationRecord):
    """A person on the panel: an officer of the council (one of them the chair), or an independent
    or service-user representative with no council role who sees only the questions assigned to them.
    Replacing a panellist ends their membership and keeps it, with the reason, for the record."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships")
    is_chair = models.BooleanField(default=False)
    is_independent = models.BooleanField(default=False)
    questions = models.ManyToManyField(
        OpportunityQuestion, blank=True, related_name="+", help_text="For an independent member: what they see."
    )
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointed_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")

    class Meta:
        ordering = ["-is_chair", "is_independent", "appointed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user"], condition=Q(ended_at__isnull=True), name="one_current_membership"
            ),
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(is_chair=True, ended_at__isnull=True), name="one_current_chair"
            ),
            models.CheckConstraint(
                condition=~Q(is_chair=True, is_independent=True), name="independent_member_is_not_chair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on the panel for {self.evaluation.opportunity.reference}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    @property
    def role_label(self) -> str:
        if self.is_chair:
            return "Chair"
        return "Independent member" if self.is_independent else "Panellist"


class Declaration(EvaluationRecord):
    """A panellist's declaration, for one opportunity, against one bid: its lead organisation and
    its partners as they stood when declared. A conflict walls that bid off from the panellist."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="declarations")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="declarations")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    organisations = models.TextField(help_text="The bidding organisation and its partners, as declared against.")
    has_conflict = models.BooleanField()
    nature = models.TextField(blank=True, help_text="The nature of the conflict.")
    declared_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["declared_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "bid"], name="one_declaration_per_member_and_bid"),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(nature=""), name="declared_conflict_has_nature"
            ),
        ]

    def __str__(self) -> str:
        return f"{'Conflict' if self.has_conflict else 'No conflict'} declared against bid {self.bid_id}"


class ComplianceResult(EvaluationRecord):
    """Stage 1: one compliance or eligibility check of one bid, passed or failed, with the reason."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="compliance_results")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    check_name = models.CharField("check", max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bid_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "bid", "check_name"], name="one_result_per_check"),
            models.CheckConstraint(condition=Q(passed=True) | ~Q(reason=""), name="failed_check_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{'Passed' if self.passed else 'Failed'}: {self.check_name[:60]}"


class ScoreSheet(EvaluationRecord):
    """One panellist's scores for one bid: a draft until submitted, fixed once submitted."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="score_sheets")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="score_sheets")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bid_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "bid"], name="one_sheet_per_member_and_bid")]

    def __str__(self) -> str:
        return f"Score sheet for bid {self.bid_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def _refuse_if_signed_off(self) -> None:
        super()._refuse_if_signed_off()
        if self.pk and ScoreSheet.objects.filter(pk=self.pk, submitted_at__isnull=False).exists():
            raise EvaluationLocked("These scores have been submitted and cannot change.")


class Score(EvaluationRecord):
    """A panellist's score on one criterion, with the written justification."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(20)])
    justification = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")]

    def __str__(self) -> str:
        return f"Score on criterion {self.criterion_id}"

    def locked_evaluation_id(self) -> int | None:
        return self.sheet.evaluation_id

    def _refuse_if_signed_off(self) -> None:
        super()._refuse_if_signed_off()
        # A submitted sheet is final: the panellist's independent view is on the record.
        if self.pk and ScoreSheet.objects.filter(pk=self.sheet_id, submitted_at__isnull=False).exists():
            raise EvaluationLocked("These scores have been submitted and cannot change.")


class ModeratedScore(EvaluationRecord):
    """The chair's moderated score for one bid on one quality criterion, with the rationale."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="moderated_scores")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(20)])
    rationale = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bid_id", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "bid", "criterion"], name="one_moderated_score"),
            models.CheckConstraint(condition=~Q(rationale=""), name="moderated_score_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"Moderated score for bid {self.bid_id} on criterion {self.criterion_id}"
