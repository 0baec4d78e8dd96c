"""Commissions and the work of each stage of the cycle: Understand → Plan → Do → Review, round again.

The commission's state is a protected FSM field. Transitions live here with their permission and
what differs between them (`custom=`: gate, locks, effects); only the workflow engine
(`councils.workflow.run`) takes them, and nothing else writes the state.
"""

from __future__ import annotations

from decimal import Decimal

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from commissioning.permissions import (
    can_approve,
    can_cancel,
    can_decide_referral,
    is_commissioning_officer,
    is_lead_commissioner,
)
from councils.models import Council, Outcome, Portfolio

MONEY = {"max_digits": 14, "decimal_places": 2}


class Stage(models.TextChoices):
    UNDERSTAND = "understand", "Understand"
    PLAN = "plan", "Plan"
    DO = "do", "Do"
    REVIEW = "review", "Review"
    CLOSED = "closed", "Closed"


class State(models.TextChoices):
    UNDERSTANDING = "understanding", "Assessing needs"
    PLANNING = "planning", "Options and specification"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    SOURCING = "sourcing", "Sourcing providers"
    AGREEING = "agreeing", "Putting agreements in place"
    # The award's decision was called in by scrutiny: nothing is signed until it is confirmed or withdrawn.
    AWARD_CALLED_IN = "award_called_in", "Awaiting the award decision"
    DELIVERING = "delivering", "Delivering"
    REVIEWING = "reviewing", "Reviewing"
    DECOMMISSIONED = "decommissioned", "Decommissioned"
    CANCELLED = "cancelled", "Cancelled"


STAGE_OF_STATE = {
    State.UNDERSTANDING: Stage.UNDERSTAND,
    State.PLANNING: Stage.PLAN,
    State.AWAITING_APPROVAL: Stage.PLAN,
    State.SOURCING: Stage.DO,
    State.AGREEING: Stage.DO,
    State.AWARD_CALLED_IN: Stage.DO,
    State.DELIVERING: Stage.DO,
    State.REVIEWING: Stage.REVIEW,
    State.DECOMMISSIONED: Stage.CLOSED,
    State.CANCELLED: Stage.CLOSED,
}
STATES_OF_STAGE = {
    stage: [state for state, owner in STAGE_OF_STATE.items() if owner == stage] for stage in Stage.values
}
# Money is committed from a pot once the decision to spend it has been taken.
COMMITTED_STATES = [
    State.SOURCING,
    State.AGREEING,
    State.AWARD_CALLED_IN,
    State.DELIVERING,
    State.REVIEWING,
    State.DECOMMISSIONED,
]
PROPOSED_STATES = [State.UNDERSTANDING, State.PLANNING, State.AWAITING_APPROVAL]


def spent_commitments(prefix: str = "") -> Q:
    """Commitments whose money is spoken for: the decision has been taken in their cycle, or their
    cycle is over. `prefix` applies the same rule through a relation (e.g. "commitments__")."""
    return Q(**{f"{prefix}commission__state__in": COMMITTED_STATES}) | Q(
        **{f"{prefix}cycle__lt": models.F(f"{prefix}commission__cycle")}
    )


def proposed_commitments(prefix: str = "") -> Q:
    """Commitments of the current cycle of commissions not yet approved."""
    return Q(**{f"{prefix}commission__state__in": PROPOSED_STATES}) & Q(
        **{f"{prefix}cycle": models.F(f"{prefix}commission__cycle")}
    )


BEFORE_AWARD_STATES = [State.UNDERSTANDING, State.PLANNING, State.AWAITING_APPROVAL, State.SOURCING]


class DeliveryRoute(models.TextChoices):
    GRANT = "grant", "Grant"
    CONTRACT = "contract", "Contract"
    IN_HOUSE = "in_house", "In-house service level agreement"
    PARTNERSHIP = "partnership", "Partnership"
    SHARED_SERVICE = "shared_service", "Shared service"
    DO_NOTHING = "do_nothing", "Do nothing"


# Grants and contracts are sourced competitively; the others go straight to an agreement.
COMPETITIVE_ROUTES = frozenset({DeliveryRoute.GRANT, DeliveryRoute.CONTRACT})
DIRECT_ROUTES = frozenset({DeliveryRoute.IN_HOUSE, DeliveryRoute.PARTNERSHIP, DeliveryRoute.SHARED_SERVICE})


class FundingSource(models.TextChoices):
    COUNCIL_BUDGET = "council_budget", "Council budget"
    NHS = "nhs", "NHS"
    PARTNER = "partner", "Partner contribution"
    EXTERNAL_GRANT = "external_grant", "External grant"
    OTHER = "other", "Other"


class FundingPot(models.Model):
    """Money available for commissioning, e.g. the community grants budget or an NHS contribution."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="funding_pots")
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=32, choices=FundingSource.choices)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    starts_on = models.DateField()
    ends_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="funding_pot_unique_name"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="funding_pot_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class FundingRound(models.Model):
    """A round of allocation from a pot (e.g. £60,000 of partnership funding allocated in rounds)."""

    pot = models.ForeignKey(FundingPot, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField()
    allocation = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["opens_on"]

    def __str__(self) -> str:
        return f"{self.pot}: {self.name}"

    @property
    def council(self) -> Council:
        return self.pot.council


class Commission(fsm.ConcurrentTransitionMixin, models.Model):
    """A council's decision to secure an outcome, going round the commissioning cycle again and again."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="commissions")
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    state = fsm.FSMField(default=State.UNDERSTANDING, choices=State.choices, protected=True)
    cycle = models.PositiveIntegerField(default=1)
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions_led")
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="commissions"
    )
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="commissions")
    delivery_route = models.CharField(max_length=32, choices=DeliveryRoute.choices, blank=True)
    budget = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))])
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    equality_impact_assessment_needed = models.BooleanField(default=False)
    equality_impact_summary = models.TextField(blank=True)
    social_value = models.TextField(blank=True)
    lessons_carried_over = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="commission_state_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="commission_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "state"]),
            models.Index(fields=["council", "-updated_at"]),
            models.Index(fields=["lead_officer", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commissioning:detail", kwargs={"council_slug": self.council.slug, "pk": self.pk})

    @property
    def stage(self) -> str:
        return STAGE_OF_STATE[self.state]

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def is_competitive(self) -> bool:
        return self.delivery_route in COMPETITIVE_ROUTES

    @property
    def is_key_decision(self) -> bool:
        return self.budget is not None and self.budget >= self.council.key_decision_threshold

    # --- Understand → Plan ---------------------------------------------------------------
    @fsm.transition(
        field=state,
        source=State.UNDERSTANDING,
        target=State.PLANNING,
        permission=is_commissioning_officer,
        custom={"label": "Move to Plan", "gate": "missing_to_plan"},
    )
    def start_planning(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=[State.PLANNING, State.AWAITING_APPROVAL],
        target=State.UNDERSTANDING,
        permission=is_commissioning_officer,
        custom={"label": "Back to Understand", "needs_reason": True, "back_step": True},
    )
    def return_to_understand(self, *, by, reason):
        pass

    # --- Plan → approval -------------------------------------------------------------------
    @fsm.transition(
        field=state,
        source=State.PLANNING,
        target=State.AWAITING_APPROVAL,
        permission=is_commissioning_officer,
        custom={"label": "Submit for approval", "gate": "missing_for_approval"},
    )
    def submit_for_approval(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=State.PLANNING,
        permission=can_decide_referral,
        custom={"label": "Refer back to Plan", "needs_reason": True, "back_step": True},
    )
    def refer_back(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=fsm.RETURN_VALUE(State.SOURCING, State.AGREEING),
        permission=can_approve,
        custom={
            "label": "Approve",
            "gate": "missing_to_approve",
            "decision": True,
            # Two approvals drawing on one pot must not both pass: the pots are locked before the gate.
            "locks": ("funding_pots",),
            "effects": ("decision",),
        },
    )
    def approve(self, *, by, reason=""):
        # Grants and contracts go out to the market; in-house and partnership routes go
        # straight to an agreement.
        return State.SOURCING if self.is_competitive else State.AGREEING

    # --- Do ----------------------------------------------------------------------------------
    @fsm.transition(
        field=state,
        source=State.SOURCING,
        target=State.PLANNING,
        permission=is_lead_commissioner,
        custom={
            "label": "Withdraw from the market and redesign",
            "needs_reason": True,
            "back_step": True,
            "ends_procurement": True,
            "effects": ("ends_procurement",),
        },
    )
    def withdraw_sourcing(self, *, by, reason):
        pass

    # The award's own steps move the commission: there is no button for these.
    @fsm.transition(
        field=state,
        source=State.SOURCING,
        target=State.AGREEING,
        custom={"label": "Record the award", "internal": True, "gate": "missing_to_record_award"},
    )
    def record_award(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.AGREEING,
        target=State.AWARD_CALLED_IN,
        custom={"label": "The award decision is called in", "internal": True},
    )
    def award_called_in(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.AWARD_CALLED_IN,
        target=State.AGREEING,
        custom={"label": "The award decision is confirmed", "internal": True, "gate": "missing_to_record_award"},
    )
    def award_confirmed(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.AWARD_CALLED_IN,
        target=State.SOURCING,
        custom={"label": "The award decision is withdrawn", "internal": True},
    )
    def award_withdrawn(self, *, by, reason=""):
        pass

    # Taken by the agreement that goes live when nothing else of the cycle is still to be signed.
    @fsm.transition(
        field=state,
        source=State.AGREEING,
        target=State.DELIVERING,
        permission=is_commissioning_officer,
        custom={"label": "Agreements are live: start delivery", "internal": True, "gate": "missing_to_start_delivery"},
    )
    def start_delivery(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.DELIVERING,
        target=State.REVIEWING,
        permission=is_commissioning_officer,
        custom={"label": "Start the review"},
    )
    def start_review(self, *, by, reason=""):
        pass

    # --- Review → round again or stop ---------------------------------------------------
    @fsm.transition(
        field=state,
        source=State.REVIEWING,
        target=State.UNDERSTANDING,
        permission=is_lead_commissioner,
        custom={"label": "Start the next cycle", "gate": "missing_for_next_cycle", "effects": ("next_cycle",)},
    )
    def begin_next_cycle(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.REVIEWING,
        target=State.DELIVERING,
        permission=is_lead_commissioner,
        custom={"label": "Extend current delivery", "gate": "missing_to_extend", "needs_reason": True},
    )
    def extend_delivery(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=State.REVIEWING,
        target=State.DECOMMISSIONED,
        permission=is_lead_commissioner,
        custom={"label": "Decommission", "gate": "missing_to_decommission"},
    )
    def decommission(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=BEFORE_AWARD_STATES,
        target=State.CANCELLED,
        permission=can_cancel,
        custom={
            "label": "Cancel this commission",
            "needs_reason": True,
            "destructive": True,
            "ends_procurement": True,
            "effects": ("ends_procurement",),
        },
    )
    def cancel(self, *, by, reason):
        pass


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


class EngagementActivity(CycleRecord):
    """Who we talked to, when and what we heard: engagement runs through every stage."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="engagements")
    stage = models.CharField(max_length=16, choices=Stage.choices[:4], default=Stage.UNDERSTAND)
    kind = models.CharField(max_length=32, choices=EngagementKind.choices)
    held_on = models.DateField()
    participants = models.TextField(help_text="Who took part: groups, providers, residents, partners.")
    number_of_participants = models.PositiveIntegerField(null=True, blank=True)
    what_we_heard = models.TextField()

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


class SuccessMeasure(models.Model):
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
