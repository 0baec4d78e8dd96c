"""Commissions and the work of each stage of the cycle: Understand → Plan → Do → Review, round again.

The commission's state is a protected FSM field. Transitions live here with their permission and
what differs between them (`custom=`: gate, locks, effects); only the workflow engine
(`councils.workflow.run`) takes them, and nothing else writes the state.
"""

from __future__ import annotations

from decimal import Decimal

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from commissioning.cpv import CpvCode, lookup, validate_cpv_code
from commissioning.permissions import (
    can_approve,
    can_cancel,
    can_decide_referral,
    is_commissioning_officer,
    is_lead_commissioner,
)
from councils.models import Council, Outcome, Portfolio
from councils.state_field import StateField

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
    state = StateField(default=State.UNDERSTANDING, choices=State.choices, protected=True)
    cycle = models.PositiveIntegerField(default=1)
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions_led")
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="commissions"
    )
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="commissions")
    delivery_route = models.CharField(max_length=32, choices=DeliveryRoute.choices, blank=True)
    cpv_code = models.CharField(
        "Main CPV code",
        max_length=8,
        blank=True,
        validators=[validate_cpv_code],
        help_text="What is bought, as its 8-digit code in the CPV 2008 list (without the check digit).",
    )
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
    def cpv(self) -> CpvCode | None:
        return lookup(self.cpv_code)

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
        custom={"label": "Submit for approval", "gate": "missing_for_approval", "tells": ("plan_to_approve",)},
    )
    def submit_for_approval(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=State.PLANNING,
        permission=can_decide_referral,
        custom={
            "label": "Refer back to Plan",
            "needs_reason": True,
            "back_step": True,
            "tells": ("plan_referred_back",),
        },
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
            "tells": ("plan_approved",),
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
