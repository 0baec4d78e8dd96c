"""What the scrutiny progress report is made of, for any date range: the commissions completed (with
their value, how many bid and what came of it), the reviews of existing services by stage, the savings
found and made, the performance exceptions, and scrutiny's own notes and agenda flags.

Every read starts from what the user may see (`commissions_visible_to`, `agreements_visible_to`), and
each section is one query whatever its length, so the report costs the same for one commission or a
hundred. `monitoring.dashboards.scrutiny_report` shapes it for the page, the PDF and the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from commissioning.cycle.selectors import commissions_visible_to
from commissioning.models import (
    Award,
    AwardItem,
    AwardState,
    Bid,
    BidState,
    Commission,
    Review,
    ReviewState,
    SavingsIdentified,
    State,
)
from commissioning.reviews.selectors import review_list
from councils.models import AuditEvent, Council, User
from monitoring.agreements.selectors import agreements_visible_to
from monitoring.dashboards.selectors.ratings import CONCERN, rag_key, with_performance
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    AgendaFlag,
    AgreementState,
    KpiActual,
    MonitoringReturn,
    Rag,
    ReturnState,
    SavingsRealised,
    ScrutinyNote,
    add_months,
)
from monitoring.savings.selectors import identified_of, realised_of, savings_by_portfolio

# A report is read in full, not paged, but each section stays bounded.
SECTION_LIMIT = 500
REPORT_MONTHS = 6


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last six months, ending today: what the committee asks for twice a year."""
    today = today or timezone.localdate()
    return add_months(today, -REPORT_MONTHS), today


@dataclass(frozen=True)
class CompletedCommission:
    """A commission whose commissioning came to a decision in the period."""

    reference: str
    title: str
    url: str
    portfolio: str
    outcomes: list[str]
    completed_on: date
    value: Decimal | None
    bidders: int | None
    result: str


@dataclass
class ScrutinyReport:
    council: Council
    start: date
    end: date
    completed: list[CompletedCommission] = field(default_factory=list)
    red_kpis: list = field(default_factory=list)
    overdue_returns: list = field(default_factory=list)
    at_risk: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    review_stages: list[dict] = field(default_factory=list)
    reviews: list = field(default_factory=list)
    savings_found: list = field(default_factory=list)
    savings_made: list = field(default_factory=list)
    savings_by_portfolio: list = field(default_factory=list)

    @property
    def completed_value(self) -> Decimal:
        return sum((c.value for c in self.completed if c.value is not None), Decimal("0"))

    @property
    def bidders(self) -> int:
        return sum(c.bidders for c in self.completed if c.bidders is not None)

    @property
    def found_total(self) -> Decimal:
        return sum((saving.amount for saving in self.savings_found), Decimal("0"))

    @property
    def made_total(self) -> Decimal:
        """Savings realised and confirmed by a finance officer in the period."""
        return sum((saving.amount for saving in self.savings_made if saving.is_confirmed), Decimal("0"))

    @property
    def awaiting_total(self) -> Decimal:
        return sum((saving.amount for saving in self.savings_made if not saving.is_confirmed), Decimal("0"))

    @property
    def exception_count(self) -> int:
        return len(self.red_kpis) + len(self.overdue_returns) + len(self.at_risk)


def _awards_decided(user: User, council: Council, start: date, end: date) -> list[CompletedCommission]:
    submitted = (
        Bid.objects.filter(opportunity=OuterRef("opportunity"), state=BidState.SUBMITTED)
        .order_by()
        .values("opportunity")
        .annotate(n=Count("id"))
        .values("n")
    )
    awards = (
        Award.objects.filter(
            commission__in=commissions_visible_to(user, council),
            state=AwardState.APPROVED,
            decided_on__range=(start, end),
        )
        .select_related("commission__council", "commission__portfolio", "opportunity")
        .prefetch_related(
            "commission__outcomes",
            Prefetch("items", queryset=AwardItem.objects.select_related("bid__organisation").order_by("id")),
        )
        .annotate(bidders=Coalesce(Subquery(submitted), Value(0)))
        .order_by("decided_on", "id")[:SECTION_LIMIT]
    )
    rows = []
    for award in awards:
        items = list(award.items.all())
        winners = list(dict.fromkeys(str(item.bid.organisation) for item in items))
        commission = award.commission
        rows.append(
            CompletedCommission(
                reference=commission.reference,
                title=commission.title,
                url=commission.get_absolute_url(),
                portfolio=str(commission.portfolio or ""),
                outcomes=[outcome.title for outcome in commission.outcomes.all()],
                completed_on=award.decided_on,
                value=sum((item.value for item in items), Decimal("0")) if items else award.value_at_submission,
                bidders=award.bidders,
                result=f"Awarded to {', '.join(winners)}" if winners else "Award approved",
            )
        )
    return rows


def _decommissioned(user: User, council: Council, start: date, end: date) -> list[CompletedCommission]:
    """Commissions decommissioned in the period: the day is the step's, in the audit trail (the
    decommissioning record may have been written weeks before the decision)."""
    stepped = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Commission),
            object_id=Cast(OuterRef("pk"), CharField()),
            to_state=State.DECOMMISSIONED,
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    commissions = (
        commissions_visible_to(user, council)
        .filter(state=State.DECOMMISSIONED)
        .annotate(decommissioned_at=Subquery(stepped))
        .filter(decommissioned_at__date__range=(start, end))
        .select_related("council", "portfolio")
        .prefetch_related("outcomes")
        .order_by("decommissioned_at", "id")[:SECTION_LIMIT]
    )
    return [
        CompletedCommission(
            reference=commission.reference,
            title=commission.title,
            url=commission.get_absolute_url(),
            portfolio=str(commission.portfolio or ""),
            outcomes=[outcome.title for outcome in commission.outcomes.all()],
            completed_on=timezone.localtime(commission.decommissioned_at).date(),
            value=commission.budget,
            bidders=None,
            result="Decommissioned",
        )
        for commission in commissions
    ]


def completed_commissions(user: User, council: Council, start: date, end: date) -> list[CompletedCommission]:
    """Awards decided in the period (the winner chosen, the decision no longer open to challenge by
    call-in) and commissions decommissioned in it, oldest first."""
    rows = _awards_decided(user, council, start, end) + _decommissioned(user, council, start, end)
    return sorted(rows, key=lambda row: (row.completed_on, row.reference))


def red_kpis(agreements, start: date, end: date) -> list[KpiActual]:
    """KPIs rated red (by the officer's override when there is one) in returns accepted for periods
    ending in the report's range."""
    rating = Coalesce(NullIf("rag_override", Value("")), "rag")
    return list(
        KpiActual.objects.filter(
            monitoring_return__agreement__in=agreements,
            monitoring_return__state=ReturnState.ACCEPTED,
            monitoring_return__period_end__range=(start, end),
        )
        .annotate(rating=rating)
        .filter(rating=Rag.RED)
        .select_related("kpi", "monitoring_return__agreement__provider", "monitoring_return__agreement__council")
        .order_by("monitoring_return__period_end", "monitoring_return__agreement__reference", "kpi__position")[
            :SECTION_LIMIT
        ]
    )


def overdue_returns(agreements, start: date, end: date, today: date) -> list[MonitoringReturn]:
    """Returns due in the range that the provider still has not sent (or not answered a query on)."""
    return list(
        MonitoringReturn.objects.filter(
            agreement__in=agreements,
            state__in=AWAITING_PROVIDER_STATES,
            due_on__range=(start, min(end, today - timedelta(days=1))),
        )
        .select_related("agreement__provider", "agreement__council")
        .order_by("due_on", "id")[:SECTION_LIMIT]
    )


def agreements_at_risk(agreements, today: date) -> list:
    """Live agreements with a return overdue or rated red at their latest accepted return, as they
    stand today: the committee asks what needs its attention now."""
    rows = list(
        with_performance(agreements.filter(state=AgreementState.LIVE), today)
        .filter(CONCERN)
        .select_related("council", "provider", "commission")
        .order_by("ends_on", "id")[:SECTION_LIMIT]
    )
    for agreement in rows:
        agreement.rag = rag_key(agreement.latest_rag)
    return rows


def reviews_in_period(user: User, council: Council, start: date, end: date) -> list[Review]:
    """Reviews of existing services that were running at some point in the period (started by its
    end, and not concluded before its start), withdrawn ones left out."""
    return list(
        review_list(user, council)
        .exclude(state=ReviewState.WITHDRAWN)
        .filter(starts_on__lte=end)
        .filter(Q(concluded_on__isnull=True) | Q(concluded_on__gte=start))
        .select_related("council", "commission__council")
        .order_by("concludes_by", "id")[:SECTION_LIMIT]
    )


def review_stages(reviews: list[Review]) -> list[dict]:
    """How many of the period's reviews are at each stage (withdrawn reviews are not reported)."""
    stages = [state for state in ReviewState if state != ReviewState.WITHDRAWN]
    return [{"label": state.label, "count": sum(1 for r in reviews if r.state == state)} for state in stages]


def savings_found(commissions, reviews, start: date, end: date) -> list[SavingsIdentified]:
    """Savings identified in the period by a commission or a review, against the year they are to be
    made in."""
    return list(
        identified_of(commissions.exclude(state=State.CANCELLED), reviews=reviews)
        .filter(identified_on__range=(start, end))
        .select_related("commission__council", "commission__portfolio", "review__council", "review__portfolio")
        .order_by("identified_on", "id")[:SECTION_LIMIT]
    )


def savings_made(commissions, start: date, end: date) -> list[SavingsRealised]:
    """Savings realised that a finance officer confirmed in the period, and those recorded in it that
    wait for confirmation."""
    confirmed = Q(confirmed_at__date__range=(start, end))
    waiting = Q(confirmed_at__isnull=True, recorded_at__date__range=(start, end))
    return list(
        realised_of(commissions)
        .filter(confirmed | waiting)
        .select_related("agreement__council", "agreement__commission", "agreement__provider")
        .order_by("agreement__reference", "financial_year")[:SECTION_LIMIT]
    )


def scrutiny_report(user: User, council: Council, start: date, end: date) -> ScrutinyReport:
    """The progress report for scrutiny over [start, end] (both days included)."""
    today = timezone.localdate()
    commissions = commissions_visible_to(user, council)
    agreements = agreements_visible_to(user, council)
    in_range = Q(created_at__date__range=(start, end))
    reviews = reviews_in_period(user, council, start, end)
    readable_reviews = review_list(user, council).exclude(state=ReviewState.WITHDRAWN).values("pk")
    return ScrutinyReport(
        council=council,
        start=start,
        end=end,
        completed=completed_commissions(user, council, start, end),
        review_stages=review_stages(reviews),
        reviews=reviews,
        savings_found=savings_found(commissions, readable_reviews, start, end),
        savings_made=savings_made(commissions, start, end),
        # Where each portfolio stands, all years together: what was found against what has been made.
        savings_by_portfolio=savings_by_portfolio(commissions.exclude(state=State.CANCELLED), reviews=readable_reviews),
        red_kpis=red_kpis(agreements, start, end),
        overdue_returns=overdue_returns(agreements, start, end, today),
        at_risk=agreements_at_risk(agreements, today),
        notes=list(
            ScrutinyNote.objects.filter(in_range, commission__in=commissions)
            .with_people()
            .select_related("commission__council")
            .order_by("created_at", "id")[:SECTION_LIMIT]
        ),
        flags=list(
            AgendaFlag.objects.filter(in_range | Q(resolved_at__date__range=(start, end)), commission__in=commissions)
            .with_people()
            .select_related("commission__council")
            .order_by("created_at", "id")[:SECTION_LIMIT]
        ),
    )
