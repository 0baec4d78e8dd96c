"""The work of each stage of the cycle, kept per cycle: needs, evidence, engagement, provision, gaps,
options, outcomes and measures, funding, criteria, risks, decisions, reviews and decommissioning."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from commissioning.models.cycle import MONEY, Commission, DeliveryRoute, FundingPot, Stage
from councils.models import Council, Outcome
from councils.units import TargetInUnits


class CycleRecord(models.Model):
    """Work done for one commission in one cycle; the next cycle starts afresh or copies it forward."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def council(self) -> Council:
        return self.commission.council


class NeedsAssessment(CycleRecord):
    """Understand: what the population needs, from data, research and what service users say."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="needs_assessments")
    population_and_demand = models.TextField(
        "Population and demand", help_text="Who needs the service and how many: demography, trends, demand data."
    )
    desktop_research = models.TextField(blank=True, help_text="Policy, published research and benchmarking.")
    service_user_feedback = models.TextField(blank=True, help_text="What service users and communities told us.")
    summary_of_need = models.TextField(help_text="The needs this commission must meet, in plain words.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commission", "cycle"], name="one_needs_assessment_per_cycle")]

    def __str__(self) -> str:
        return f"Needs assessment, cycle {self.cycle}"


class EvidenceKind(models.TextChoices):
    DATA = "data", "Population or demand data"
    RESEARCH = "research", "Desktop research"
    FEEDBACK = "feedback", "Service-user feedback"
    DOCUMENT = "document", "Evidence document"


class Evidence(CycleRecord):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=200, help_text="Where it comes from, e.g. JSNA 2025, ONS census 2021.")
    link = models.URLField(blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title


class EngagementKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    CONSULTATION = "consultation", "Consultation"
    SURVEY = "survey", "Survey"
    PROVIDER_EVENT = "provider_event", "Provider market event"
    MEETING = "meeting", "Meeting"
    INFORMAL = "informal", "Informal conversation"
    # Written by a councillor on the member working group, on the working documents (commissioning.groups).
    WORKING_GROUP = "working_group", "Member working group comment"


class EngagementActivity(CycleRecord):
    """Who we talked to, when and what we heard: engagement runs through every stage."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="engagements")
    stage = models.CharField(max_length=16, choices=Stage.choices[:4], default=Stage.UNDERSTAND)
    kind = models.CharField(max_length=32, choices=EngagementKind.choices)
    held_on = models.DateField()
    participants = models.TextField(help_text="Who took part: groups, providers, residents, partners.")
    number_of_participants = models.PositiveIntegerField(null=True, blank=True)
    what_we_heard = models.TextField()
    # A working group member's comment: who wrote it and which working document it is about.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name_plural = "engagement activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%d/%m/%Y}"


class Quality(models.TextChoices):
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    POOR = "poor", "Poor"
    UNKNOWN = "unknown", "Not known"


class ExistingProvision(CycleRecord):
    """Understand: a service already meeting some of the need, who runs it, how it is funded, how good it is."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="existing_provision")
    service_name = models.CharField(max_length=200)
    provider_name = models.CharField(max_length=200)
    funding_source = models.CharField(max_length=200, blank=True)
    annual_funding = models.DecimalField(**MONEY, null=True, blank=True)
    quality = models.CharField(max_length=16, choices=Quality.choices, default=Quality.UNKNOWN)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["service_name"]
        verbose_name_plural = "existing provision"

    def __str__(self) -> str:
        return f"{self.service_name} ({self.provider_name})"


class GapAnalysis(CycleRecord):
    """Need minus provision: the gap, and the opportunities to add value."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="gap_analyses")
    gaps = models.TextField(help_text="Needs that existing provision does not meet.")
    opportunities = models.TextField(blank=True, help_text="Where council money adds value to what exists.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commission", "cycle"], name="one_gap_analysis_per_cycle")]
        verbose_name_plural = "gap analyses"

    def __str__(self) -> str:
        return f"Gap analysis, cycle {self.cycle}"


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class DeliveryOption(CycleRecord):
    """Plan: one option in the options appraisal, scored 1 (poor) to 5 (good) on each dimension."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="options")
    route = models.CharField(max_length=32, choices=DeliveryRoute.choices)
    description = models.TextField()
    estimated_annual_cost = models.DecimalField(**MONEY, null=True, blank=True)
    cost_score = models.PositiveSmallIntegerField(validators=SCORE, help_text="5 is the most affordable.")
    risk_score = models.PositiveSmallIntegerField(validators=SCORE, help_text="5 is the least risky.")
    outcomes_score = models.PositiveSmallIntegerField(validators=SCORE, help_text="5 best delivers the outcomes.")
    social_value_score = models.PositiveSmallIntegerField(validators=SCORE, help_text="5 adds the most social value.")
    advantages = models.TextField(blank=True)
    disadvantages = models.TextField(blank=True)

    class Meta:
        ordering = ["route"]

    def __str__(self) -> str:
        return self.get_route_display()

    @property
    def total_score(self) -> int:
        return self.cost_score + self.risk_score + self.outcomes_score + self.social_value_score


class OutcomeSought(CycleRecord):
    """Specification: an outcome this commission seeks, linked to one of the council's outcomes."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="outcomes_sought")
    council_outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(help_text="The change we are looking for, not the activity.")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "outcomes sought"

    def __str__(self) -> str:
        return self.description[:80]


class SuccessMeasure(TargetInUnits, models.Model):
    """How we will know an outcome is achieved, e.g. 40 training sessions, 2 hectares improved."""

    outcome_sought = models.ForeignKey(OutcomeSought, on_delete=models.CASCADE, related_name="success_measures")
    description = models.CharField(max_length=300)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=60, help_text="For example: sessions, hectares, people, %.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.target.normalize():f} {self.unit}"

    @property
    def council(self) -> Council:
        return self.outcome_sought.commission.council

    @property
    def commission(self) -> Commission:
        return self.outcome_sought.commission


class FundingCommitment(models.Model):
    """Money a commission's budget draws from a pot (match funding included)."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="funding")
    # Each cycle is funded afresh; earlier cycles' commitments stay spent.
    cycle = models.PositiveIntegerField(default=1)
    pot = models.ForeignKey(FundingPot, on_delete=models.PROTECT, related_name="commitments")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    is_match_funding = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commission", "cycle", "pot"], name="one_commitment_per_pot_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.amount} from {self.pot}"

    @property
    def council(self) -> Council:
        return self.commission.council


class EvaluationCriterion(CycleRecord):
    """How bids will be judged; weights are whole percentages and must total 100 for competitive routes."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(default=0)
    # A weighted criterion goes out with a question marked against it, unless the panel is to judge it
    # on the bid as a whole (price, or an overall impression): the publish gate holds this.
    scored_on_whole_bid = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "evaluation criteria"

    def __str__(self) -> str:
        return f"{self.title} ({self.weight}%)"


class Risk(CycleRecord):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField()
    likelihood = models.PositiveSmallIntegerField(validators=SCORE, help_text="1 (rare) to 5 (almost certain).")
    impact = models.PositiveSmallIntegerField(validators=SCORE, help_text="1 (minor) to 5 (severe).")
    mitigation = models.TextField(blank=True)
    owner = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def rating(self) -> int:
        return self.likelihood * self.impact


class DecisionMaker(models.TextChoices):
    DELEGATED_OFFICER = "delegated_officer", "Delegated officer decision (lead commissioner)"
    PORTFOLIO_HOLDER = "portfolio_holder", "Portfolio holder decision"
    CABINET = "cabinet", "Cabinet decision"


class ApprovalDecision(CycleRecord):
    """The recorded decision to commission: by whom, under what authority, with its reference."""

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="approvals")
    decision_maker = models.CharField(max_length=32, choices=DecisionMaker.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=60, blank=True)
    decided_on = models.DateField()
    minute_url = models.URLField(blank=True)
    value_at_decision = models.DecimalField(**MONEY)
    threshold_at_decision = models.DecimalField(**MONEY)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_maker_display()} {self.reference}".strip()


class Recommendation(models.TextChoices):
    RECOMMISSION = "recommission", "Recommission"
    EXTEND = "extend", "Extend"
    REDESIGN = "redesign", "Redesign"
    DECOMMISSION = "decommission", "Decommission"


class ReviewReport(CycleRecord):
    """Review: what was achieved against the success measures, what we learned, what to do next."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="reviews")
    outcomes_achieved = models.TextField(help_text="Outcomes achieved against each success measure.")
    value_for_money = models.TextField()
    lessons_learned = models.TextField()
    user_feedback = models.TextField(blank=True)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    rationale = models.TextField(help_text="Why this recommendation, on the evidence.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commission", "cycle"], name="one_review_per_cycle")]

    def __str__(self) -> str:
        return f"Review, cycle {self.cycle}: {self.get_recommendation_display()}"


class DecommissioningRecord(CycleRecord):
    """Intelligent decommissioning: the evidence, the impact, and proof that people were told in advance."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="decommissioning_records")
    rationale = models.TextField(help_text="The evidence-based reason for stopping.")
    impact_on_service_users = models.TextField(help_text="Who is affected and how, including equality impact.")
    providers_notified_on = models.DateField(help_text="When affected providers and partners were told.")
    notification_details = models.TextField(help_text="Who was told, how, and what notice they were given.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commission", "cycle"], name="one_decommissioning_record_per_cycle")
        ]

    def __str__(self) -> str:
        return f"Decommissioning record, cycle {self.cycle}"
