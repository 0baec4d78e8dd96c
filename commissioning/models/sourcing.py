"""Sourcing: the opportunity a commission publishes, the questions providers ask about it, and the
sealed bids they submit.

Two state machines: the opportunity (draft → published → closed → opened) and each bid
(draft → submitted ⇄ withdrawn). Bid contents are sealed until the opportunity is opened; that rule
lives in `commissioning.bid_selectors`, which every council-side read goes through.
"""

from __future__ import annotations

from decimal import Decimal

import django_fsm as fsm
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commissioning.models.cycle import MONEY, Commission
from commissioning.models.records import EvaluationCriterion
from commissioning.permissions import can_open_bids, can_publish_opportunity, may_write_bid
from councils.models import Council
from councils.state_field import StateField
from councils.units import validate_whole_for_unit
from councils.uploads import PrivateFileField

# The page cache's family of what a provider writes while drafting a bid (`councils.page_cache.family_of`):
# a bid saved every few seconds changes only the parts of pages showing bids, not everything that shows
# opportunities, their questions, openings or outcomes ("commissioning.sourcing").
BIDS_FAMILY = "commissioning.bids"


class OpportunityState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Open for bids"
    CLOSED = "closed", "Closed: bids sealed"
    OPENED = "opened", "Bids opened"
    CANCELLED = "cancelled", "Cancelled"


# States in which the council may read bid contents. Evaluation and award (later) extend this.
BIDS_READABLE_STATES = frozenset({OpportunityState.OPENED})
PUBLIC_STATES = frozenset(
    {OpportunityState.PUBLISHED, OpportunityState.CLOSED, OpportunityState.OPENED, OpportunityState.CANCELLED}
)


class FormType(models.TextChoices):
    """Proportionate forms: a short application for small grants, the full tender otherwise."""

    SHORT_GRANT = "short_grant", "Short grant application"
    FULL_TENDER = "full_tender", "Full tender"


class Opportunity(fsm.ConcurrentTransitionMixin, models.Model):
    """A commission's call for bids: what is sought, how bids are judged, and the key dates."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="opportunities")
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="opportunities")
    cycle = models.PositiveIntegerField(default=1)
    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    outcomes_sought = models.TextField(help_text="The outcomes bidders should offer to achieve.")
    eligibility = models.TextField(help_text="Who may bid, e.g. constituted voluntary groups in the district.")
    budget_envelope = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    form_type = models.CharField(max_length=16, choices=FormType.choices)
    two_person_opening = models.BooleanField(
        default=False, help_text="Two officers must both confirm the opening (contracts above the tender threshold)."
    )
    state = StateField(default=OpportunityState.DRAFT, choices=OpportunityState.choices, protected=True)
    published_at = models.DateTimeField(null=True, blank=True)
    clarification_deadline = models.DateTimeField()
    submission_deadline = models.DateTimeField()
    expected_award_on = models.DateField()
    service_starts_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission_deadline", "id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(condition=Q(state__in=OpportunityState.values), name="opportunity_state_valid"),
            models.CheckConstraint(
                condition=Q(submission_deadline__gt=models.F("clarification_deadline")),
                name="opportunity_clarifications_close_before_bids",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submission_deadline"]),
            models.Index(fields=["council", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", kwargs={"reference": self.reference})

    @property
    def is_open_for_bids(self) -> bool:
        return self.state == OpportunityState.PUBLISHED and timezone.now() < self.submission_deadline

    @property
    def bids_are_readable(self) -> bool:
        return self.state in BIDS_READABLE_STATES

    @fsm.transition(
        field=state,
        source=OpportunityState.DRAFT,
        target=OpportunityState.PUBLISHED,
        permission=can_publish_opportunity,
        custom={
            "label": "Publish",
            "gate": "missing_to_publish",
            # Matching organisations are told in the step (commissioning.sourcing.alerts).
            "effects": ("forward_plan", "alert_providers"),
        },
    )
    def publish(self, *, by, reason=""):
        self.published_at = timezone.now()

    @fsm.transition(
        field=state,
        source=OpportunityState.PUBLISHED,
        target=OpportunityState.CLOSED,
        custom={"label": "Close for bids", "system": True, "gate": "missing_to_close", "tells": ("bids_to_open",)},
    )
    def close(self, *, by=None, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=OpportunityState.CLOSED,
        target=OpportunityState.OPENED,
        permission=can_open_bids,
        custom={"label": "Open the bids", "internal": True, "gate": "missing_to_open", "tells": ("bids_opened",)},
    )
    def open_bids(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        # After the opening too: a procurement may be abandoned (say, when no bid is affordable).
        source=[OpportunityState.DRAFT, OpportunityState.PUBLISHED, OpportunityState.CLOSED, OpportunityState.OPENED],
        target=OpportunityState.CANCELLED,
        permission=can_publish_opportunity,
        custom={
            "label": "Cancel the opportunity",
            "needs_reason": True,
            "destructive": True,
            "effects": ("notify_cancelled",),
        },
    )
    def cancel(self, *, by, reason):
        pass


class Lot(models.Model):
    """A part of the opportunity that can be bid for separately; a bid may cover one or more lots."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    budget = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class OpportunityQuestion(models.Model):
    """A question every bid answers, judged against one evaluation criterion, within a word limit."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="questions")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField()
    guidance = models.TextField(blank=True)
    word_limit = models.PositiveIntegerField(validators=[MinValueValidator(10), MaxValueValidator(5000)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class DocumentKind(models.TextChoices):
    SPECIFICATION = "specification", "Specification"
    TERMS = "terms", "Terms and conditions"
    OTHER = "other", "Other"


class OpportunityDocument(models.Model):
    """Published with the opportunity: anyone may download it once the opportunity is public."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    file = PrivateFileField(folder="opportunities")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class Interest(models.Model):
    """A provider organisation following an opportunity: told of changes and published clarifications."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey("providers.Organisation", on_delete=models.CASCADE, related_name="interests")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["opportunity", "organisation"], name="interest_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} follows {self.opportunity}"


class ClarificationVisibility(models.TextChoices):
    PENDING = "pending", "Awaiting an answer"
    PUBLISHED = "published", "Published to all interested providers"
    PRIVATE = "private", "Answered privately"


class Clarification(models.Model):
    """A provider's question before the clarification deadline, and the council's answer."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="clarifications")
    organisation = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    asked_at = models.DateTimeField(default=timezone.now)
    published_question = models.TextField(
        blank=True, help_text="The question as published: anonymised, with anything identifying removed."
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        max_length=16, choices=ClarificationVisibility.choices, default=ClarificationVisibility.PENDING
    )

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.question[:80]


class BidState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Bid(fsm.ConcurrentTransitionMixin, models.Model):
    """One organisation's bid (alone or leading partners). Its contents are sealed until opening."""

    page_cache_family = BIDS_FAMILY

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="bids")
    organisation = models.ForeignKey("providers.Organisation", on_delete=models.PROTECT, related_name="bids")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = StateField(default=BidState.DRAFT, choices=BidState.choices, protected=True)
    lots = models.ManyToManyField(Lot, blank=True, related_name="bids")
    summary = models.TextField(blank=True)
    conflicts_declared = models.TextField(
        blank=True, help_text="Any conflict of interest with the council, its officers or councillors."
    )
    no_conflicts = models.BooleanField(default=False)
    accuracy_confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "organisation"], name="one_bid_per_organisation"),
            models.CheckConstraint(condition=Q(state__in=BidState.values), name="bid_state_valid"),
        ]
        indexes = [models.Index(fields=["opportunity", "state"])]

    def __str__(self) -> str:
        # Never the bid's contents: this string appears in logs, admin and audit records.
        return f"Bid {self.pk} for {self.opportunity.reference}"

    @property
    def council(self) -> Council:
        return self.opportunity.council

    @fsm.transition(
        field=state,
        source=[BidState.DRAFT, BidState.WITHDRAWN],
        target=BidState.SUBMITTED,
        permission=may_write_bid,
        custom={
            "label": "Submit bid",
            "gate": "missing_to_submit",
            "locks": ("opportunity",),
            "effects": ("receipt",),
        },
    )
    def submit(self, *, by, reason=""):
        self.submitted_at = timezone.now()

    @fsm.transition(
        field=state,
        source=BidState.SUBMITTED,
        target=BidState.WITHDRAWN,
        permission=may_write_bid,
        custom={"label": "Withdraw bid", "gate": "missing_to_withdraw", "locks": ("opportunity",)},
    )
    def withdraw(self, *, by, reason=""):
        pass


class BidAnswer(models.Model):
    page_cache_family = BIDS_FAMILY

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(OpportunityQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to question {self.question_id}"


class BidPriceLine(models.Model):
    """Pricing / budget breakdown: per lot and per year."""

    page_cache_family = BIDS_FAMILY

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="price_lines")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["lot__number", "year", "id"]

    def __str__(self) -> str:
        return f"Year {self.year}: {self.description}"


class BidOutcome(models.Model):
    """An outcome the bidder proposes, with a success measure and target."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="proposed_outcomes")
    description = models.TextField()
    measure = models.CharField(max_length=200)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=60)

    def __str__(self) -> str:
        return self.measure

    def clean(self):
        validate_whole_for_unit(self.target, self.unit)


class BidPartner(models.Model):
    """A partner in a joint bid led by the bid's organisation.

    A partner is a registered organisation and its administrators confirm before its name is on the
    bid: naming an organisation walls its members (council officers among them) out of the
    procurement, so it is never done to them. Until confirmed the council never sees the name and the
    bid cannot be submitted. Changing who the partner is or what it delivers asks again."""

    page_cache_family = BIDS_FAMILY

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="partners")
    # Null only for partners named by free text before partners had to be registered: never confirmed.
    organisation = models.ForeignKey(
        "providers.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="partnered_bids"
    )
    name = models.CharField(max_length=300, help_text="The partner's legal name.")
    role = models.TextField(help_text="What the partner will deliver.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def shown_name(self) -> str:
        """The name as the council, the panel and any export see it: withheld until confirmed."""
        return self.name if self.is_confirmed else "Unconfirmed partner"


# Lookups from a bid to its partners who have confirmed: the only ones that wall anyone off or are shown.
CONFIRMED_PARTNER = {"partners__confirmed_at__isnull": False}


class BidDocument(models.Model):
    page_cache_family = BIDS_FAMILY

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = PrivateFileField(folder="bids")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Document {self.pk}"


class BidReceipt(models.Model):
    """Proof of a submission: a reference, the time, and a digest of exactly what was submitted."""

    page_cache_family = BIDS_FAMILY

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="receipts")
    reference = models.CharField(max_length=60, unique=True)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the bid's content as submitted.")

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.reference


class BidOpening(models.Model):
    """The recorded opening of the bids: who opened them and when (two officers for large contracts)."""

    opportunity = models.OneToOneField(Opportunity, on_delete=models.PROTECT, related_name="opening")
    first_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_confirmed_at = models.DateTimeField()
    second_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_confirmed_at = models.DateTimeField(null=True, blank=True)
    bids_opened = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(second_officer__isnull=True) | ~Q(second_officer=models.F("first_officer")),
                name="opening_needs_two_different_officers",
            )
        ]

    def __str__(self) -> str:
        return f"Opening of {self.opportunity.reference}"


# A bid's lots are chosen with the bid: their rows change with its family (`m2m_changed` bumps the bid's).
Bid.lots.through.page_cache_family = BIDS_FAMILY
