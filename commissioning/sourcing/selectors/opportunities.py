"""Reads for opportunities and clarifications: the public pages (no sign-in, public states only),
the officers' pages (scoped to commissions the officer may read), and what a provider may see of
its own questions. Bid contents never pass through here: before opening, only a count."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import dateformat, timezone

from commissioning.models import (
    PUBLIC_STATES,
    Bid,
    BidPartner,
    BidState,
    Clarification,
    ClarificationVisibility,
    Commission,
    Evaluation,
    Interest,
    Opportunity,
    OpportunityDocument,
    OpportunityQuestion,
    OpportunityState,
    State,
)
from commissioning.permissions import can_publish_opportunity, can_read_commission
from commissioning.sourcing.selectors import bids as bid_selectors
from councils.audit_types import DOWNLOAD_BID_DOCUMENT, EXPORT_RUN, READ_BID, READING_EVENT_TYPES
from councils.models import AuditEvent, Council, Outcome, User
from providers.models import Organisation, OrganisationMember
from providers.selectors import organisations_for_user

# What the public list shows by default, and with "Include closed and awarded".
OPEN_STATES = (OpportunityState.PUBLISHED,)
LISTED_STATES = tuple(PUBLIC_STATES)
# Not cancelled: a commission has at most one of these per cycle.
LIVE_STATES = (OpportunityState.DRAFT, OpportunityState.PUBLISHED, OpportunityState.CLOSED, OpportunityState.OPENED)

# Providers think in money, not in each council's procurement thresholds: one set of bands for all.
VALUE_BANDS = {
    "under_10k": ("Under £10,000", None, Decimal("10000")),
    "10k_50k": ("£10,000 to £50,000", Decimal("10000"), Decimal("50000")),
    "50k_100k": ("£50,000 to £100,000", Decimal("50000"), Decimal("100000")),
    "100k_250k": ("£100,000 to £250,000", Decimal("100000"), Decimal("250000")),
    "250k_plus": ("£250,000 or more", Decimal("250000"), None),
}


def live_opportunities(commission: Commission) -> list[Opportunity]:
    """This cycle's opportunities that are not cancelled: the market the commission is in."""
    return list(
        commission.opportunities.filter(cycle=commission.cycle, state__in=LIVE_STATES).select_related("council")
    )


def value_band_filter(band: str) -> Q:
    if band not in VALUE_BANDS:
        return Q()
    _label, low, high = VALUE_BANDS[band]
    query = Q()
    if low is not None:
        query &= Q(budget_envelope__gte=low)
    if high is not None:
        query &= Q(budget_envelope__lt=high)
    return query


# ---- Public ----


def public_opportunities(filters: dict) -> QuerySet[Opportunity]:
    """Open opportunities (or, on request, closed and awarded ones too), filtered, in fixed queries."""
    states = LISTED_STATES if filters.get("include_closed") else OPEN_STATES
    opportunities = Opportunity.objects.filter(state__in=states)
    if filters.get("q"):
        opportunities = opportunities.filter(Q(title__icontains=filters["q"]) | Q(summary__icontains=filters["q"]))
    if filters.get("council"):
        opportunities = opportunities.filter(council=filters["council"])
    if filters.get("outcome"):
        opportunities = opportunities.filter(commission__outcomes=filters["outcome"])
    if filters.get("value_band"):
        opportunities = opportunities.filter(value_band_filter(filters["value_band"]))
    if filters.get("closes_after"):
        opportunities = opportunities.filter(submission_deadline__date__gte=filters["closes_after"])
    if filters.get("closes_before"):
        opportunities = opportunities.filter(submission_deadline__date__lte=filters["closes_before"])
    if filters.get("outcome"):
        opportunities = opportunities.distinct()
    return (
        opportunities.select_related("council", "commission")
        .prefetch_related(Prefetch("commission__outcomes", queryset=Outcome.objects.only("id", "title")))
        .order_by("submission_deadline", "id")
    )


def councils_with_opportunities() -> QuerySet[Council]:
    listed = Opportunity.objects.filter(council=OuterRef("pk"), state__in=LISTED_STATES)
    return Council.objects.filter(Exists(listed)).order_by("name")


def outcomes_with_opportunities(council_id: int | None = None) -> QuerySet[Outcome]:
    """Council outcomes that some public opportunity's commission contributes to (for the filter), of one
    council when `council_id` is given. Semi-joins (EXISTS), not a DISTINCT over every commission and
    opportunity: it stays quick however many there are."""
    listed = Opportunity.objects.filter(state__in=LISTED_STATES)
    outcomes = Outcome.objects.all()
    if council_id is not None:
        listed = listed.filter(council_id=council_id)
        outcomes = outcomes.filter(priority__plan__council_id=council_id)
    links = Commission.outcomes.through.objects.filter(
        outcome_id=OuterRef("pk"), commission_id__in=listed.values("commission_id")
    )
    return outcomes.filter(Exists(links)).order_by("title", "id")


def feed_opportunities(limit: int = 50) -> QuerySet[Opportunity]:
    return (
        Opportunity.objects.filter(state=OpportunityState.PUBLISHED)
        .select_related("council")
        .order_by("-published_at", "-id")[:limit]
    )


def public_opportunity(reference: str) -> Opportunity:
    """An opportunity anyone may read; a draft is not found, never hinted at."""
    return get_object_or_404(
        Opportunity.objects.select_related("council", "commission"), reference=reference, state__in=PUBLIC_STATES
    )


def opportunity_content(opportunity: Opportunity) -> dict:
    """What bidders are told: lots, questions with their criteria, the criteria and weights, the
    documents, the council outcomes it serves, and the published clarifications (never who asked)."""
    criteria = list(opportunity.commission.criteria.filter(cycle=opportunity.cycle))
    return {
        "lots": list(opportunity.lots.all()),
        "questions": list(OpportunityQuestion.objects.filter(opportunity=opportunity).select_related("criterion")),
        "criteria": criteria,
        "criteria_total": sum(c.weight for c in criteria),
        "documents": list(opportunity.documents.all()),
        "social_value_asks": list(opportunity.social_value_asks.select_related("measure__theme")),
        "council_outcomes": list(opportunity.commission.outcomes.select_related("priority")),
        "published_clarifications": list(
            opportunity.clarifications.filter(visibility=ClarificationVisibility.PUBLISHED).only(
                "id", "opportunity_id", "published_question", "answer", "answered_at"
            )
        ),
    }


def public_document(opportunity: Opportunity, pk: int) -> OpportunityDocument:
    if opportunity.state not in PUBLIC_STATES:
        raise Http404
    return get_object_or_404(OpportunityDocument, opportunity=opportunity, pk=pk)


# ---- Provider staff ----


def provider_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations a signed-in person acts for (none for council staff without one)."""
    return organisations_for_user(user).order_by("legal_name")


def followed_organisation_ids(organisations: list[Organisation], opportunity: Opportunity) -> set[int]:
    return set(
        Interest.objects.filter(opportunity=opportunity, organisation__in=organisations).values_list(
            "organisation_id", flat=True
        )
    )


def clarifications_for_organisation(organisation: Organisation, opportunity: Opportunity) -> QuerySet[Clarification]:
    """The organisation's own questions and the council's answers, private or published. Nobody else's."""
    return Clarification.objects.filter(opportunity=opportunity, organisation=organisation).select_related("asked_by")


def interested_recipients(opportunity: Opportunity, *, bidders: bool = False) -> list[str]:
    """The email address of every active person acting for an organisation that follows the opportunity
    (and, with `bidders`, for every organisation that has started a bid for it, or is a partner in one)."""
    organisations = Q(organisation_id__in=Interest.objects.filter(opportunity=opportunity).values("organisation_id"))
    if bidders:
        organisations |= Q(organisation_id__in=opportunity.bids.values("organisation_id")) | Q(
            organisation_id__in=BidPartner.objects.filter(bid__opportunity=opportunity).values("organisation_id")
        )
    return sorted(
        set(
            OrganisationMember.objects.filter(organisations, user__is_active=True).values_list("user__email", flat=True)
        )
    )


# ---- Council officers ----


def opportunity_for_officer(user: User, council: Council, pk: int) -> Opportunity:
    """One of this council's opportunities whose commission the user may read, or 404."""
    opportunity = (
        Opportunity.objects.select_related("council", "commission__council", "commission__portfolio")
        .filter(council=council, pk=pk)
        .first()
    )
    if opportunity is None or not can_read_commission(user, opportunity.commission):
        raise Http404
    return opportunity


# One definition of the ethical wall and of what is known before opening: the bid selectors'.
has_bidder_conflict = bid_selectors.is_walled_off
submitted_bid_count = bid_selectors.submitted_bid_count


@dataclass
class SourcingSection:
    """The commission page's sourcing section: its opportunities and what this user may do."""

    opportunities: list[Opportunity] = field(default_factory=list)
    can_create: bool = False
    conflicted_ids: set[int] = field(default_factory=set)


def sourcing_for_commission(commission: Commission, user: User) -> SourcingSection:
    """Each opportunity with its count of submitted bids (hidden from anyone behind the ethical wall)."""
    conflicted = OrganisationMember.objects.filter(user=user).filter(
        Q(organisation__bids__opportunity=OuterRef("pk"))
        | Q(
            organisation__partnered_bids__bid__opportunity=OuterRef("pk"),
            organisation__partnered_bids__confirmed_at__isnull=False,
        )
    )
    opportunities = list(
        Opportunity.objects.filter(commission=commission)
        .annotate(
            submitted_bids=Count("bids", filter=Q(bids__state=BidState.SUBMITTED), distinct=True),
            conflicted=Exists(conflicted),
            pending_clarifications=Count(
                "clarifications", filter=Q(clarifications__visibility=ClarificationVisibility.PENDING), distinct=True
            ),
        )
        .order_by("-created_at", "-id")
    )
    live = [o for o in opportunities if o.state != OpportunityState.CANCELLED]
    return SourcingSection(
        opportunities=opportunities,
        can_create=(
            commission.state == State.SOURCING
            and commission.is_competitive
            and not live
            and can_publish_opportunity(commission, user)
        ),
        conflicted_ids={o.pk for o in opportunities if o.conflicted},
    )


def clarifications_inbox(opportunity: Opportunity) -> QuerySet[Clarification]:
    """Every question asked, pending first, with who asked (officers may reply privately to them)."""
    pending_first = Case(When(visibility=ClarificationVisibility.PENDING, then=Value(0)), default=Value(1))
    return (
        Clarification.objects.filter(opportunity=opportunity)
        .select_related("organisation", "asked_by", "answered_by")
        .order_by(pending_first, "asked_at", "id")
    )


def clarification_for_officer(opportunity: Opportunity, pk: int) -> Clarification:
    return get_object_or_404(clarifications_inbox(opportunity), pk=pk)


def officer_document(opportunity: Opportunity, pk: int) -> OpportunityDocument:
    return get_object_or_404(OpportunityDocument, opportunity=opportunity, pk=pk)


def opportunity_audit_trail(opportunity: Opportunity, limit: int = 20) -> list[AuditEvent]:
    """The opportunity's recent history, its states in words for the shared audit table."""
    events = list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Opportunity), object_id=str(opportunity.pk)
        ).select_related("actor")[:limit]
    )
    labels = dict(OpportunityState.choices)
    for event in events:
        # Display only (audit events refuse to be saved again): the table shows labels, not codes.
        event.from_state = labels.get(event.from_state, event.from_state)
        event.to_state = labels.get(event.to_state, event.to_state)
    return events


READING_LABELS = {
    READ_BID: "Read the bid",
    DOWNLOAD_BID_DOCUMENT: "Downloaded a document of the bid",
    EXPORT_RUN: "Downloaded the evaluation's ranking",
    "evaluation.scores_exported": "Downloaded the panel's scores",
}


def bid_readings(opportunity: Opportunity, limit: int = 200) -> list[AuditEvent]:
    """Who read the opportunity's bids (pages, documents) or downloaded its scores, newest first."""
    bid_ids = [str(pk) for pk in Bid.objects.filter(opportunity=opportunity).values_list("pk", flat=True)]
    evaluation_ids = [str(pk) for pk in Evaluation.objects.filter(opportunity=opportunity).values_list("pk", flat=True)]
    events = list(
        AuditEvent.objects.filter(event_type__in=READING_EVENT_TYPES)
        .filter(
            Q(content_type=ContentType.objects.get_for_model(Bid), object_id__in=bid_ids)
            | Q(content_type=ContentType.objects.get_for_model(Evaluation), object_id__in=evaluation_ids)
        )
        .select_related("actor")[:limit]
    )
    for event in events:
        event.label = READING_LABELS.get(event.event_type, event.event_type)
    return events


def when(moment) -> str:
    """A deadline as councils write it, in UK time: 24 November 2026, 12:00pm."""
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y, g:i')}{dateformat.format(local, 'A').lower()}"
