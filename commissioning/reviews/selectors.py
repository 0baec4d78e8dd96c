"""Reads for reviews of existing services, scoped to the person reading them."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from commissioning import ports
from commissioning.models import ExistingProvision, Review, ReviewState
from commissioning.permissions import READERS_ACROSS_COUNCIL, can_read_review
from councils.models import Council, Role, User
from councils.permissions import roles_in


def review_list(user: User, council: Council, *, state: str = "") -> QuerySet[Review]:
    """The council's reviews this person may read: all of them for officers, scrutiny and
    administrators; those in the portfolios they hold for a portfolio holder."""
    roles = roles_in(user, council)
    reviews = Review.objects.filter(council=council)
    if roles.isdisjoint(READERS_ACROSS_COUNCIL):
        if Role.PORTFOLIO_HOLDER not in roles:
            return Review.objects.none()
        reviews = reviews.filter(portfolio__holder=user)
    if state in ReviewState.values:
        reviews = reviews.filter(state=state)
    return (
        reviews.select_related("lead_officer", "portfolio", "commission")
        .annotate(services=Count("provisions", distinct=True))
        .order_by("concludes_by", "id")
    )


def review_counts(user: User, council: Council) -> list[dict]:
    """How many of the reviews this person may read are at each state (for the list and dashboards)."""
    counts = review_list(user, council).aggregate(
        **{state: Count("id", filter=Q(state=state)) for state in ReviewState.values}
    )
    return [{"state": s, "label": ReviewState(s).label, "count": counts[s]} for s in ReviewState.values]


def review_for_user(user: User, council: Council, pk: int) -> Review:
    """One review of this council that the person may read, or 404 (never reveal that it exists)."""
    review = get_object_or_404(
        Review.objects.select_related("lead_officer", "portfolio__holder", "commission"), council=council, pk=pk
    )
    review.council = council
    if not can_read_review(user, review):
        raise Http404
    return review


def review_page(review: Review) -> dict:
    """What the review page shows: what it covers, its evidence and, once concluded, its new outcomes."""
    return {
        "provisions": list(review.provisions.select_related("commission").order_by("service_name")),
        "agreements": ports.reviewed_agreements.of_review(review),
        "evidence": list(review.evidence.select_related("added_by")),
        "measures": list(review.new_measures.select_related("council_outcome")),
        "outcomes": list(review.outcomes.all()),
    }


def provision_map(council: Council) -> QuerySet[ExistingProvision]:
    """The services on the provision map of the council's commissions, the current cycle's only."""
    return (
        ExistingProvision.objects.filter(commission__council=council)
        .filter(cycle=F("commission__cycle"))
        .select_related("commission")
        .order_by("service_name", "provider_name")
    )
