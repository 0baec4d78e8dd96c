"""Award: from a signed-off evaluation to a lawful decision, the bidders told, and agreements signable.

One `Award` per opportunity, with its own state machine:

    draft → awaiting_decision → approved ⇄ called_in
      ↑            │                 │
      └─ referred back ─┘  └─ decision withdrawn (back to draft)

The recommendation (`AwardItem`s: which bids win, for which lot, for how much — several for a split
award or shared delivery) goes to the right decision-maker by the council's thresholds: a delegated
officer decision by the lead commissioner below the key-decision value; at or above it a key
decision by a portfolio holder or cabinet, which must have been on the forward plan
(`ForwardPlanEntry`) for the council's notice period first. After a key decision the call-in period
runs (working days); a scrutiny member may call it in (`CallIn`) once, and the decision-maker then
confirms or withdraws it. Once the decision has effect every bidder gets its assessment summary
(`AssessmentSummary`, Procurement Regulations 2024 reg 31): prepared as drafts the officers check and
correct (`AssessmentSummaryCorrection`), then sent. Under the Procurement Act the standstill runs from
the day the contract award notice (UK6) is published, not from the summaries (s.51); the regime
(`ProcurementRegime`) says whether it is mandatory, voluntary or absent.
`monitoring.agreements.gates.award_allows_signing` reads all of this before an agreement may be signed.

Only `commissioning.award_services` writes here.
"""

from __future__ import annotations

from datetime import date, timedelta

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commissioning.models.cycle import MONEY, Commission
from commissioning.models.records import DecisionMaker
from commissioning.models.sourcing import Bid, Lot, Opportunity
from councils.models import Council, Portfolio, Role
from councils.permissions import COMMISSIONERS, has_any_role
from councils.state_field import StateField

__all__ = [
    "Award",
    "AwardItem",
    "AwardState",
    "CallIn",
    "CallInRequest",
    "CallInResolution",
    "AssessmentSummary",
    "AssessmentSummaryCorrection",
    "ForwardPlanEntry",
]


class AwardState(models.TextChoices):
    DRAFT = "draft", "Recommendation being prepared"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    APPROVED = "approved", "Approved"
    CALLED_IN = "called_in", "Called in by scrutiny"


def is_award_officer(award, user) -> bool:
    return has_any_role(user, award.council, COMMISSIONERS)


def can_decide_award(award, user) -> bool:
    """The decision-maker the council's thresholds name: the lead commissioner (delegated officer
    decision) below the key-decision value; at or above it, the holder of the commission's portfolio,
    or any portfolio holder (cabinet member) when the commission has no portfolio."""
    if not award.is_key_decision:
        return has_any_role(user, award.council, (Role.LEAD_COMMISSIONER,))
    if not has_any_role(user, award.council, (Role.PORTFOLIO_HOLDER,)):
        return False
    portfolio = award.commission.portfolio
    return portfolio is None or portfolio.holder_id is None or portfolio.holder_id == user.pk


def can_refer_back(award, user) -> bool:
    return can_decide_award(award, user) or has_any_role(user, award.council, (Role.LEAD_COMMISSIONER,))


def can_call_in(award, user) -> bool:
    return has_any_role(user, award.council, (Role.SCRUTINY_MEMBER,))


class Award(fsm.ConcurrentTransitionMixin, models.Model):
    """The award of one opportunity: the recommendation, the decision, call-in, the assessment summaries,
    the contract award notice and the standstill."""

    opportunity = models.OneToOneField(Opportunity, on_delete=models.PROTECT, related_name="award")
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="awards")
    cycle = models.PositiveIntegerField(default=1)
    state = StateField(default=AwardState.DRAFT, choices=AwardState.choices, protected=True)
    recommendation = models.TextField(
        blank=True, help_text="The officer's recommendation to the decision-maker, and why."
    )
    # Fixed when the recommendation is submitted, from the total value and the council's threshold.
    is_key_decision = models.BooleanField(default=False)
    threshold_at_submission = models.DecimalField(**MONEY, null=True, blank=True)
    value_at_submission = models.DecimalField(**MONEY, null=True, blank=True)
    evaluation_digest = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The decision.
    decision_maker = models.CharField(max_length=32, choices=DecisionMaker.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reference = models.CharField(max_length=60, blank=True)
    minute_url = models.URLField(blank=True)
    decision_comments = models.TextField(blank=True)
    # When the approval was recorded: a decision can be called in once, so call-ins are counted from here.
    approved_at = models.DateTimeField(null=True, blank=True)
    # Key decisions only: the last day scrutiny may call the decision in.
    call_in_ends_on = models.DateField(null=True, blank=True)
    # When the decision could be acted on: after call-in, or at once for an officer decision.
    effective_on = models.DateField(null=True, blank=True)
    # The OCDS UK extension's `Award.assessmentSummariesDateSent`.
    assessment_summaries_sent_at = models.DateTimeField(null=True, blank=True)
    # The day the contract award notice (UK6) — under the Provider Selection Regime, the notice of the
    # intention to award — was published on Find a Tender: the standstill counts from it.
    award_notice_published_on = models.DateField(null=True, blank=True)
    # Light touch and direct awards: the officer may choose to observe a standstill all the same.
    voluntary_standstill = models.BooleanField(default=False)
    # Fixed when the notice is published: whether a standstill runs and its last day (the contract may be
    # entered into only after it). The UK extension's `Award.standstillPeriod`.
    standstill_applies = models.BooleanField(default=False)
    standstill_ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=AwardState.values), name="award_state_valid"),
        ]
        indexes = [models.Index(fields=["commission", "state"]), models.Index(fields=["state", "call_in_ends_on"])]

    def __str__(self) -> str:
        return f"Award of {self.opportunity.reference}"

    def get_absolute_url(self) -> str:
        return reverse(
            "commissioning:award_detail",
            kwargs={"council_slug": self.council.slug, "pk": self.opportunity_id},
        )

    @property
    def council(self) -> Council:
        return self.commission.council

    def effective_from(self) -> date | None:
        """The day the decision can be acted on: the decision day for an officer decision, the day
        it was confirmed after a call-in, or the day after the call-in period when nobody called it
        in (worked out here, so no scheduled job has to record it)."""
        if self.state != AwardState.APPROVED:
            return None
        if self.effective_on is not None:
            return self.effective_on
        if self.call_in_ends_on is not None:
            return self.call_in_ends_on + timedelta(days=1)
        return None

    def has_effect(self, today: date | None = None) -> bool:
        effective = self.effective_from()
        return effective is not None and effective <= (today or timezone.localdate())

    @property
    def decision_has_effect(self) -> bool:
        """Approved, and past any call-in: the assessment summaries can go and the agreements can follow."""
        return self.has_effect()

    def in_call_in_period(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.state == AwardState.APPROVED
            and self.call_in_ends_on is not None
            and self.effective_on is None
            and today <= self.call_in_ends_on
        )

    # --- transitions: called only by commissioning.award_services -----------------------------------
    @fsm.transition(
        field=state,
        source=AwardState.DRAFT,
        target=AwardState.AWAITING_DECISION,
        permission=is_award_officer,
        custom={
            "label": "Send the recommendation for decision",
            "gate": "missing_to_submit",
            "locks": ("opportunity",),
            "effects": ("record_submission",),
            "tells": ("decision_to_take",),
        },
    )
    def submit(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=AwardState.AWAITING_DECISION,
        target=AwardState.DRAFT,
        permission=can_refer_back,
        custom={"label": "Refer the recommendation back", "needs_reason": True, "tells": ("award_referred_back",)},
    )
    def refer_back(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=AwardState.AWAITING_DECISION,
        target=AwardState.APPROVED,
        permission=can_decide_award,
        custom={
            "label": "Approve the award",
            "gate": "missing_to_approve",
            "decision": True,
            "locks": ("opportunity",),
            "effects": ("decision",),
            "tells": ("award_approved",),
        },
    )
    def approve(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=AwardState.APPROVED,
        target=AwardState.CALLED_IN,
        permission=can_call_in,
        custom={
            "label": "Call in this decision",
            # Enough scrutiny members have asked (the council's threshold): the gate counts their requests.
            "gate": "missing_to_call_in",
            "needs_reason": True,
            # Taken by `call_in_request` when the last needed member asks, never from the generic step page.
            "internal": True,
            "effects": ("call_in",),
            "tells": ("award_called_in",),
        },
    )
    def call_in(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=AwardState.CALLED_IN,
        target=AwardState.APPROVED,
        permission=can_decide_award,
        custom={
            "label": "Confirm the decision after call-in",
            "needs_reason": True,
            "effects": ("confirm",),
            "tells": ("award_confirmed",),
        },
    )
    def confirm_after_call_in(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=AwardState.CALLED_IN,
        target=AwardState.DRAFT,
        permission=can_decide_award,
        custom={
            "label": "Withdraw the decision",
            "needs_reason": True,
            "destructive": True,
            "effects": ("withdraw",),
            "tells": ("award_withdrawn",),
        },
    )
    def withdraw_decision(self, *, by, reason):
        pass


class AwardItem(models.Model):
    """One winning bid (for one lot, when the opportunity has lots) and the value awarded to it.
    Several items make a split award: lots to different providers, or shared delivery of one lot."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="items")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="award_items")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="award_items")
    value = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    note = models.TextField(blank=True, help_text="For shared delivery: who does what.")

    class Meta:
        ordering = ["lot__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["award", "bid", "lot"], name="award_item_unique"),
            models.UniqueConstraint(
                fields=["award", "bid"], condition=Q(lot__isnull=True), name="award_item_unique_without_lot"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="award_item_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Bid {self.bid_id}" + (f", lot {self.lot.number}" if self.lot_id else "")


class ForwardPlanEntry(models.Model):
    """A key decision the council has published it will take: the forward plan, public, at least the
    council's notice period (28 clear days by default) before the decision."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="forward_plan")
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="forward_plan_entries")
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.PROTECT, related_name="forward_plan_entries"
    )
    reference = models.CharField(max_length=40, unique=True)
    matter = models.TextField(help_text="The decision to be taken, in plain words.")
    decision_maker = models.CharField(max_length=32, choices=DecisionMaker.choices)
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expected_on = models.DateField(help_text="When the decision is expected to be taken.")
    published_on = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["expected_on", "id"]
        verbose_name_plural = "forward plan entries"
        indexes = [models.Index(fields=["council", "expected_on"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.matter[:60]}"

    @property
    def is_current(self) -> bool:
        return self.decided_on is None and self.withdrawn_on is None

    def slipped(self, today: date | None = None) -> bool:
        """Still to be decided, and its expected date has passed: it stays on the plan, shown as slipped."""
        return self.is_current and self.expected_on < (today or timezone.localdate())

    @property
    def is_slipped(self) -> bool:
        return self.slipped()

    @property
    def days_slipped(self) -> int:
        return max((timezone.localdate() - self.expected_on).days, 0)


class CallInResolution(models.TextChoices):
    CONFIRMED = "confirmed", "Decision confirmed"
    WITHDRAWN = "withdrawn", "Decision withdrawn"


class CallIn(models.Model):
    """A scrutiny member's call-in of a key decision during its call-in period, and how it ended."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="call_ins")
    called_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_in_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    resolution = models.CharField(max_length=16, choices=CallInResolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["called_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["award"], condition=Q(resolution=""), name="one_open_call_in_per_award"),
        ]

    def __str__(self) -> str:
        return f"Call-in of {self.award}"


class CallInRequest(models.Model):
    """One scrutiny member's request to call a key decision in, with their reason. The decision is
    called in when as many members as the council's constitution sets (`Council.call_in_threshold`)
    have asked during the call-in period; until then a member may withdraw their request (the row goes,
    the audit trail keeps it). `decision_approved_at` ties the request to the decision it was made
    about: a decision withdrawn and taken again starts afresh."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="call_in_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision_approved_at = models.DateTimeField()
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "requested_by", "decision_approved_at"], name="one_call_in_request_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Call-in request by {self.requested_by_id} on {self.award}"


class AssessmentSummary(models.Model):
    """What one bidder is told of the outcome and how its tender was assessed (reg 31): each award
    criterion's weighting, the score and the scores available, an explanation by reference to the
    tender, the totals, and for an unsuccessful bid why it was not awarded.

    A draft (`sent_at` empty) until the summaries are sent; its `content` is rebuilt from the signed-off
    evaluation with the officers' corrections on top. Once sent, `content` is the summary as sent (a
    snapshot), so the PDF can be rebuilt from it later. Rows made before summaries replaced the outcome
    letters hold the letter as sent (content version 1)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="assessment_summaries")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="assessment_summaries")
    successful = models.BooleanField()
    content = models.JSONField()
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.TextField(blank=True, help_text="The email addresses it went to, one per line.")

    class Meta:
        ordering = ["-successful", "bid_id"]
        verbose_name_plural = "assessment summaries"
        constraints = [models.UniqueConstraint(fields=["award", "bid"], name="one_summary_per_bid")]

    def __str__(self) -> str:
        return f"Assessment summary for bid {self.bid_id}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class AssessmentSummaryCorrection(models.Model):
    """An officer's correction of one part of a draft summary — a criterion's explanation, or why the
    bid was not awarded — kept with the text before and after. Never changed: a later correction of
    the same part is a new row, and the latest one is what the summary says."""

    summary = models.ForeignKey(AssessmentSummary, on_delete=models.PROTECT, related_name="corrections")
    # "criterion:<id>" for a criterion's explanation, "reasons" for why the bid was not awarded.
    part = models.CharField(max_length=40)
    label = models.CharField(max_length=300)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"Correction of {self.label} on summary {self.summary_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Corrections are kept as made: correct the part again instead.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Corrections are kept as made.")
