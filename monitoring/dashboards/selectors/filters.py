"""What a dashboard can be narrowed to (financial year, outcome, portfolio), and the scoped
querysets every filtered dashboard starts from.

Every query starts from a selector scoped to what the user may see (`commissions_visible_to`,
`agreements_visible_to`) and is then narrowed here, so a portfolio holder's figures only ever
cover their portfolios and each dashboard narrows the same way. The dashboard filter form reads
the financial year helpers too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from commissioning.cycle.selectors import commissions_visible_to
from commissioning.models import Commission, Review
from commissioning.permissions import READERS_ACROSS_COUNCIL
from councils.financial_year import financial_year_label
from councils.models import Council, Role, User
from councils.permissions import roles_in
from monitoring.agreements.selectors import agreements_visible_to
from monitoring.models import Agreement


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to: a financial year, an outcome, a portfolio (the council is
    in the URL). Empty means everything the user may see."""

    year: int | None = None
    outcome: int | None = None
    portfolio: int | None = None
    outcome_label: str = ""
    portfolio_label: str = ""

    @property
    def period(self) -> tuple[date, date] | None:
        if self.year is None:
            return None
        return date(self.year, 4, 1), date(self.year + 1, 3, 31)

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year) if self.year is not None else ""

    @property
    def any(self) -> bool:
        return self.year is not None or self.outcome is not None or self.portfolio is not None


def filtered_commissions(user: User, council: Council, filters: Filters) -> QuerySet[Commission]:
    """The commissions the user may see, narrowed by the filters. Commissions without dates yet
    (still being understood or planned) belong to every period."""
    commissions = commissions_visible_to(user, council)
    if filters.outcome is not None:
        commissions = commissions.filter(outcomes__pk=filters.outcome)
    if filters.portfolio is not None:
        commissions = commissions.filter(portfolio_id=filters.portfolio)
    if filters.period is not None:
        start, end = filters.period
        commissions = commissions.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=start)
        )
    return commissions


def filtered_reviews(user: User, council: Council, filters: Filters) -> QuerySet[Review]:
    """The reviews the user may read (as `can_read_review`), narrowed by outcome and portfolio."""
    roles = roles_in(user, council)
    reviews = Review.objects.filter(council=council)
    if roles.isdisjoint(READERS_ACROSS_COUNCIL):
        reviews = reviews.filter(portfolio__holder=user) if Role.PORTFOLIO_HOLDER in roles else reviews.none()
    if filters.outcome is not None:
        reviews = reviews.filter(outcomes__pk=filters.outcome)
    if filters.portfolio is not None:
        reviews = reviews.filter(portfolio_id=filters.portfolio)
    return reviews


def filtered_agreements(user: User, council: Council, filters: Filters) -> QuerySet[Agreement]:
    agreements = agreements_visible_to(user, council)
    if filters.outcome is not None:
        agreements = agreements.filter(commission__outcomes__pk=filters.outcome)
    if filters.portfolio is not None:
        agreements = agreements.filter(commission__portfolio_id=filters.portfolio)
    if filters.period is not None:
        start, end = filters.period
        agreements = agreements.filter(starts_on__lte=end, ends_on__gte=start)
    return agreements
