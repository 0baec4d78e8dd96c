"""Reads for open data: the one rule for what is public, each read in a fixed number of queries.

What is published, and from when:

- a **commission** once the council has decided to go ahead with it (an approval decision is recorded):
  plans still being written are the council's working papers;
- an **opportunity** once it is published (never a draft), as on the public opportunity pages;
- **who bid** (names only, never what a bid says) once the bids have been opened, which is never before
  the deadline; withdrawn and unfinished bids never;
- an **award** once its decision has effect: approved, and past the call-in period of a key decision
  (an award that is called in, referred back or withdrawn is not published);
- an **agreement** once it is on the public contract and grant register (live, ended or terminated early),
  with its payment schedule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import DateField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from commissioning.models import (
    BIDS_READABLE_STATES,
    PUBLIC_STATES,
    ApprovalDecision,
    Award,
    AwardItem,
    AwardState,
    Bid,
    BidState,
    Clarification,
    ClarificationVisibility,
    Commission,
    DeliveryRoute,
    EvaluationCriterion,
    Opportunity,
    OpportunityDocument,
    OpportunitySocialValueAsk,
)
from councils.models import Council
from monitoring.models import (
    REGISTER_STATES,
    Agreement,
    AgreementKpi,
    AgreementType,
    KpiActual,
    KpiSource,
    ReturnState,
    ScheduledPayment,
    payments_with_net,
)
from monitoring.open_data.common import TRANSPARENCY_THRESHOLD, Period, is_vcse

# Rows read per query where a file is written row by row (the nightly build, the Transparency Code
# files): memory stays the same whatever the council's size.
CHUNK = 1000

# ---- Awards ----------------------------------------------------------------------------------------


def award_in_effect(today: date, prefix: str = "") -> Q:
    """Awards whose decision has effect on `today` (`Award.has_effect`, as a query): approved, and either
    in effect from a date already reached or past the last day scrutiny could call the key decision in."""
    return Q(**{f"{prefix}state": AwardState.APPROVED}) & (
        Q(**{f"{prefix}effective_on__lte": today}) | Q(**{f"{prefix}call_in_ends_on__lt": today})
    )


def awards_in_effect(council: Council, today: date) -> QuerySet[AwardItem]:
    """The public awards page: each winning bid (and lot) of every award in effect, newest first."""
    return (
        AwardItem.objects.filter(award_in_effect(today, "award__"), award__commission__council=council)
        .select_related("award__opportunity", "award__commission", "bid__organisation", "lot")
        .order_by("-award__decided_on", "-award_id", "lot__number", "id")
    )


# ---- Commissions, for OCDS --------------------------------------------------------------------------


def published_commissions(council: Council) -> QuerySet[Commission]:
    """Commissions the council has decided to go ahead with (at least one approval recorded)."""
    approved = ApprovalDecision.objects.filter(commission=OuterRef("pk"))
    return Commission.objects.filter(Exists(approved), council=council)


def _ocds_related(today: date) -> list:
    public_opportunities = (
        Opportunity.objects.filter(state__in=PUBLIC_STATES, published_at__isnull=False)
        .select_related("opening")
        .prefetch_related(
            "lots",
            Prefetch("social_value_asks", queryset=OpportunitySocialValueAsk.objects.select_related("measure__theme")),
            Prefetch("documents", queryset=OpportunityDocument.objects.order_by("kind", "title", "id")),
            # Who bid, never before the bids are opened; submitted bids only.
            Prefetch(
                "bids",
                queryset=Bid.objects.filter(state=BidState.SUBMITTED, opportunity__state__in=BIDS_READABLE_STATES)
                .select_related("organisation__owning_council")
                .order_by("submitted_at", "id"),
            ),
            Prefetch(
                "clarifications",
                queryset=Clarification.objects.filter(visibility=ClarificationVisibility.PUBLISHED).only(
                    "id", "opportunity_id", "visibility"
                ),
            ),
        )
        .order_by("published_at", "id")
    )
    awards = (
        Award.objects.filter(award_in_effect(today))
        .select_related("opportunity")
        .prefetch_related(
            Prefetch("items", queryset=AwardItem.objects.select_related("bid__organisation__owning_council", "lot"))
        )
        .order_by("decided_on", "id")
    )
    accepted_actuals = (
        KpiActual.objects.filter(monitoring_return__state=ReturnState.ACCEPTED, actual__isnull=False)
        .select_related("monitoring_return")
        .order_by("monitoring_return__period_start", "id")
    )
    social_value_kpis = (
        AgreementKpi.objects.filter(source=KpiSource.SOCIAL_VALUE, retired_on__isnull=True)
        .prefetch_related(Prefetch("actuals", queryset=accepted_actuals, to_attr="accepted_actuals"))
        .order_by("position", "id")
    )
    agreements = (
        Agreement.objects.filter(state__in=REGISTER_STATES)
        .select_related("provider__owning_council", "lot", "bid", "payment_terms")
        .prefetch_related(
            # Net of the remedies log's deductions: what is due is what is published.
            Prefetch("payments", queryset=payments_with_net(ScheduledPayment.objects.order_by("due_on", "id"))),
            "payment_terms__results",
            Prefetch("kpis", queryset=social_value_kpis, to_attr="social_value_kpis"),
        )
        .order_by("signed_on", "reference")
    )
    return [
        Prefetch("approvals", queryset=ApprovalDecision.objects.order_by("cycle", "decided_on", "id")),
        Prefetch("opportunities", queryset=public_opportunities),
        Prefetch("awards", queryset=awards),
        Prefetch("agreements", queryset=agreements),
        Prefetch("criteria", queryset=EvaluationCriterion.objects.order_by("position", "id")),
    ]


def ocds_commissions(council: Council, today: date) -> QuerySet[Commission]:
    """Every published commission of the council with all it publishes, in a fixed number of queries (per
    chunk, when read with `.iterator(chunk_size=…)`: the prefetches then run for each chunk)."""
    return (
        published_commissions(council)
        .select_related("council", "portfolio")
        .prefetch_related(*_ocds_related(today))
        .order_by("reference")
    )


def ocds_commission(council: Council, key: str, today: date) -> Commission:
    """One published commission of the council, by its reference or number; anything else is a 404."""
    lookup = Q(reference=key) | Q(pk=int(key)) if key.isdigit() else Q(reference=key)
    commission = (
        published_commissions(council)
        .filter(lookup)
        .select_related("council", "portfolio")
        .prefetch_related(*_ocds_related(today))
        .first()
    )
    if commission is None:
        raise Http404
    return commission


# ---- Agreements: grants awarded and the Transparency Code files ----------------------------------------


def published_agreements(council: Council) -> QuerySet[Agreement]:
    """Agreements on the public register, with the day each was awarded (the award decision, or for an
    agreement made without a competition, the day it was signed) and the day it was made (signed)."""
    return (
        Agreement.objects.filter(council=council, state__in=REGISTER_STATES)
        .select_related("council", "commission__portfolio", "provider__owning_council", "lot", "bid__opportunity")
        .annotate(
            awarded_on=Coalesce(
                "bid__opportunity__award__decided_on", "signed_on", "starts_on", output_field=DateField()
            ),
            made_on=Coalesce("signed_on", "starts_on", output_field=DateField()),
        )
    )


def _within(queryset: QuerySet, field: str, period: Period) -> QuerySet:
    if period.starts_on is not None:
        queryset = queryset.filter(**{f"{field}__gte": period.starts_on})
    if period.ends_on is not None:
        queryset = queryset.filter(**{f"{field}__lte": period.ends_on})
    return queryset


def grants_awarded(council: Council, period: Period | None = None) -> QuerySet[Agreement]:
    """Grants the council has awarded through its grant route, to provider organisations, newest first."""
    grants = published_agreements(council).filter(
        agreement_type=AgreementType.GRANT_AGREEMENT,
        commission__delivery_route=DeliveryRoute.GRANT,
        provider__isnull=False,
    )
    return _within(grants, "awarded_on", period or Period()).order_by("-awarded_on", "-id")


def contracts_made(council: Council, period: Period) -> QuerySet[Agreement]:
    """Transparency Code: every agreement worth more than £5,000 made (signed) in the period."""
    agreements = published_agreements(council).filter(value__gt=TRANSPARENCY_THRESHOLD)
    return _within(agreements, "made_on", period).order_by("made_on", "reference")


def contract_register(council: Council, period: Period) -> QuerySet[Agreement]:
    """Transparency Code: every agreement worth more than £5,000 in force at some time in the period."""
    agreements = published_agreements(council).filter(value__gt=TRANSPARENCY_THRESHOLD)
    if period.ends_on is not None:
        agreements = agreements.filter(starts_on__lte=period.ends_on)
    if period.starts_on is not None:
        agreements = agreements.annotate(finished_on=Coalesce("ended_on", "ends_on", output_field=DateField())).filter(
            finished_on__gte=period.starts_on
        )
    return agreements.order_by("starts_on", "reference")


def vcse_grants(council: Council, period: Period) -> Iterator[Agreement]:
    """Transparency Code: every grant (of any value) to a voluntary, community or social enterprise
    organisation awarded in the period, whatever the commission's route. Read in chunks: whether an
    organisation is VCSE is worked out from what it registered, not stored."""
    grants = published_agreements(council).filter(agreement_type=AgreementType.GRANT_AGREEMENT, provider__isnull=False)
    ordered = _within(grants, "awarded_on", period).order_by("awarded_on", "reference")
    return (grant for grant in ordered.iterator(chunk_size=CHUNK) if is_vcse(grant.provider))


def invitations_to_tender(council: Council, period: Period) -> QuerySet[Opportunity]:
    """Transparency Code: every opportunity worth more than £5,000 published in the period."""
    opportunities = Opportunity.objects.filter(
        council=council, state__in=PUBLIC_STATES, published_at__isnull=False, budget_envelope__gt=TRANSPARENCY_THRESHOLD
    ).select_related("commission__portfolio")
    # `__date` is the day in UK time (the project's time zone), as the council counts its quarters.
    return _within(opportunities, "published_at__date", period).order_by("published_at", "reference")
