"""Reads for savings: an agreement's savings realised, a commission's per year (for its savings page,
through `commissioning.ports.savings`), and the dashboards' roll-ups by portfolio and by outcome.

Every roll-up is a fixed set of aggregate queries whatever the number of commissions: figures are
grouped in the database, and the per-outcome sums are correlated subqueries over the commissions
serving each outcome (`serves_outcome`), so a commission serving two outcomes counts towards each.
Realised means confirmed by a finance officer; what waits for confirmation is shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse

from commissioning.cycle.selectors import serves_outcome
from commissioning.models import Commission, Review, ReviewState, SavingsIdentified, State
from commissioning.ports import RealisedInYear
from councils.models import Council, Outcome, User
from monitoring.dashboards.selectors.shared import MONEY_OUTPUT, ZERO
from monitoring.models import Agreement, SavingsRealised

NOTHING = Decimal("0")
CONFIRMED = Q(confirmed_at__isnull=False)


def agreement_savings(agreement: Agreement) -> dict:
    rows = list(
        SavingsRealised.objects.filter(agreement=agreement)
        .select_related("recorded_by", "confirmed_by")
        .order_by("financial_year")
    )
    return {
        "rows": rows,
        "realised": sum((row.amount for row in rows if row.is_confirmed), NOTHING),
        "awaiting": sum((row.amount for row in rows if not row.is_confirmed), NOTHING),
    }


def saving_of(agreement: Agreement, pk: int) -> SavingsRealised:
    return get_object_or_404(SavingsRealised.objects.filter(agreement=agreement), pk=pk)


def _realised_sums() -> dict:
    return {
        "realised": Coalesce(Sum("amount", filter=CONFIRMED), ZERO),
        "awaiting": Coalesce(Sum("amount", filter=~CONFIRMED), ZERO),
    }


def realised_by_year(holder: Commission | Review) -> dict[int, RealisedInYear]:
    """What the commission's agreements realised in each financial year (one query); for a review, the
    agreements it covers and those of the commission it recommissioned."""
    if isinstance(holder, Review):
        agreements = Q(agreement__reviewed_in__review=holder)
        if holder.commission_id:
            agreements |= Q(agreement__commission_id=holder.commission_id)
        realised = SavingsRealised.objects.filter(pk__in=SavingsRealised.objects.filter(agreements).values("pk"))
    else:
        realised = SavingsRealised.objects.filter(agreement__commission=holder)
    rows = realised.order_by().values("financial_year").annotate(**_realised_sums())
    return {row["financial_year"]: RealisedInYear(row["realised"], row["awaiting"]) for row in rows}


def identified_of(
    commissions: QuerySet[Commission], year: int | None = None, reviews: QuerySet[Review] | None = None
) -> QuerySet[SavingsIdentified]:
    """Savings identified by `commissions` (and `reviews`, when given), in `year` if given."""
    scope = Q(commission__in=commissions)
    if reviews is not None:
        scope |= Q(review__in=reviews)
    identified = SavingsIdentified.objects.filter(scope)
    return identified if year is None else identified.filter(target_year=year)


def review_serves(outcome, review) -> Q:
    """A review serves a corporate outcome it names (`outcome` and `review` as in `serves_outcome`)."""
    return Q(Exists(Review.outcomes.through.objects.filter(review_id=review, outcome_id=outcome)))


def realised_of(commissions: QuerySet[Commission], year: int | None = None) -> QuerySet[SavingsRealised]:
    realised = SavingsRealised.objects.filter(agreement__commission__in=commissions)
    return realised if year is None else realised.filter(financial_year=year)


def _sum_per_outer(queryset: QuerySet, group: str, amount: Sum | Coalesce) -> Subquery:
    """One figure from `queryset` for the outer row: grouped on a column every row shares (the council),
    so the aggregate is computed once, inside the subquery."""
    return Subquery(
        queryset.order_by().values(group).annotate(total=amount).values("total")[:1], output_field=MONEY_OUTPUT
    )


def with_savings(
    outcomes: QuerySet[Outcome],
    commissions: QuerySet[Commission],
    year: int | None = None,
    reviews: QuerySet[Review] | None = None,
):
    """Each outcome with the savings identified by the commissions (and reviews) serving it, among
    `commissions` and `reviews`, and realised by the commissions' agreements (confirmed, and awaiting
    confirmation)."""
    outcome = OuterRef(OuterRef("pk"))
    identified = identified_of(commissions, year, reviews).filter(
        serves_outcome(outcome, OuterRef("commission_id")) | review_serves(outcome, OuterRef("review_id"))
    )
    realised = realised_of(commissions, year).filter(
        serves_outcome(OuterRef(OuterRef("pk")), OuterRef("agreement__commission_id"))
    )
    return outcomes.annotate(
        savings_identified=Coalesce(_sum_per_outer(identified, "council", Sum("amount")), ZERO),
        savings_realised=Coalesce(
            _sum_per_outer(realised, "agreement__council", Sum("amount", filter=CONFIRMED)), ZERO
        ),
        savings_awaiting=Coalesce(
            _sum_per_outer(realised, "agreement__council", Sum("amount", filter=~CONFIRMED)), ZERO
        ),
    )


@dataclass
class SavingsRow:
    label: str
    identified: Decimal = NOTHING
    realised: Decimal = NOTHING
    awaiting: Decimal = NOTHING
    url: str = ""

    @property
    def share_realised(self) -> str:
        if not self.identified:
            return ""
        return f"{(100 * self.realised / self.identified).quantize(Decimal('1'))}%"


def _pounds(value) -> Decimal:
    """A sum from a UNION, whose column types some databases leave to the driver (a float on SQLite)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def savings_by_portfolio(
    commissions: QuerySet[Commission], year: int | None = None, reviews: QuerySet[Review] | None = None
) -> list[SavingsRow]:
    """Savings identified and realised by the portfolio of their commission (or review): both tables
    grouped by portfolio in one query (UNION ALL), so the dashboards pay for one round trip."""
    nothing = Value(NOTHING, output_field=MONEY_OUTPUT)
    identified = (
        identified_of(commissions, year, reviews)
        .order_by()
        .values(
            portfolio=Coalesce("commission__portfolio_id", "review__portfolio_id"),
            name=Coalesce("commission__portfolio__name", "review__portfolio__name"),
        )
        .annotate(identified=Sum("amount"), realised=nothing, awaiting=nothing)
        .values_list("portfolio", "name", "identified", "realised", "awaiting")
    )
    realised = (
        realised_of(commissions, year)
        .order_by()
        .values(portfolio=F("agreement__commission__portfolio_id"), name=F("agreement__commission__portfolio__name"))
        .annotate(identified=nothing, **_realised_sums())
        .values_list("portfolio", "name", "identified", "realised", "awaiting")
    )
    rows: dict[int | None, SavingsRow] = {}
    for portfolio, name, identified_sum, realised_sum, awaiting_sum in identified.union(realised, all=True):
        row = rows.setdefault(portfolio, SavingsRow(name or "No portfolio"))
        row.identified += _pounds(identified_sum)
        row.realised += _pounds(realised_sum)
        row.awaiting += _pounds(awaiting_sum)
    return sorted(rows.values(), key=lambda r: (r.label == "No portfolio", -r.identified, r.label))


def savings_by_outcome(
    user: User,
    council: Council,
    commissions: QuerySet[Commission],
    year: int | None = None,
    outcome=None,
    reviews: QuerySet[Review] | None = None,
) -> list[SavingsRow]:
    """Savings identified and realised by the corporate outcome their commission serves (one query); a
    commission serving two outcomes counts towards each, so the rows may add up to more than the total."""
    outcomes = Outcome.objects.filter(priority__plan__council=council)
    if outcome is not None:
        outcomes = outcomes.filter(pk=outcome)
    found = with_savings(outcomes, commissions, year, reviews).filter(
        Q(savings_identified__gt=0) | Q(savings_realised__gt=0) | Q(savings_awaiting__gt=0)
    )
    return [
        SavingsRow(
            o.title,
            o.savings_identified,
            o.savings_realised,
            o.savings_awaiting,
            url=reverse("monitoring:outcome_report", args=[council.slug, o.pk]),
        )
        for o in found.order_by("-savings_identified", "title")
    ]


def savings_summary(
    user: User,
    council: Council,
    commissions: QuerySet[Commission],
    reviews: QuerySet[Review],
    year: int | None = None,
    outcome=None,
) -> dict:
    """The dashboards' savings section: totals, by portfolio and by outcome (two queries). Cancelled
    commissions and withdrawn reviews save nothing."""
    commissions = commissions.exclude(state=State.CANCELLED)
    reviews = reviews.exclude(state=ReviewState.WITHDRAWN)
    by_portfolio = savings_by_portfolio(commissions, year, reviews)
    return {
        "identified": sum((r.identified for r in by_portfolio), NOTHING),
        "realised": sum((r.realised for r in by_portfolio), NOTHING),
        "awaiting": sum((r.awaiting for r in by_portfolio), NOTHING),
        "by_portfolio": by_portfolio,
        "by_outcome": savings_by_outcome(user, council, commissions, year, outcome, reviews),
    }
