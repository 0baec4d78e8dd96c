"""Performance as the dashboards show it: RAG ratings of accepted monitoring returns, overdue
returns, and the charts drawn from them.

Several dashboards (and the meeting pack) rate agreements and chart ratings over time; the rules
(a rating counts once an officer has accepted the return, an agreement gives concern when a return
is overdue or rated red) live here once so every page agrees.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncQuarter

from councils.financial_year import financial_year_label, financial_year_of
from monitoring import charts as line_charts
from monitoring.dashboards import charts
from monitoring.dashboards.selectors.rows import Rows, first_rows
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    Agreement,
    AgreementState,
    KpiActual,
    MonitoringReturn,
    Rag,
    ReturnState,
    add_months,
)

RATED = (Rag.RED, Rag.AMBER, Rag.GREEN)


def rag_key(value) -> str:
    """'red', 'amber' or 'green'; '' for anything not rated."""
    return value if value in RATED else ""


def _accepted(returns: QuerySet[MonitoringReturn]) -> QuerySet[MonitoringReturn]:
    # Ratings count once an officer has accepted the return: until then they are the provider's figures.
    return returns.filter(state=ReturnState.ACCEPTED, overall_rag__in=RATED)


def with_performance(agreements: QuerySet[Agreement], today: date) -> QuerySet[Agreement]:
    """Each agreement with its overdue returns and the rating of its latest accepted return."""
    latest = _accepted(MonitoringReturn.objects.filter(agreement=OuterRef("pk"))).order_by("-period_end", "-id")
    # Correlated subqueries, not a join and GROUP BY over every return of every agreement: each reads
    # one agreement's few returns through the (agreement, due_on) index.
    overdue = (
        MonitoringReturn.objects.filter(agreement=OuterRef("pk"), state__in=AWAITING_PROVIDER_STATES, due_on__lt=today)
        .order_by()
        .values("agreement")
        .annotate(n=Count("id"))
        .values("n")
    )
    return agreements.annotate(
        overdue_returns=Coalesce(Subquery(overdue), Value(0)),
        latest_rag=Coalesce(Subquery(latest.values("overall_rag")[:1]), Value("")),
    )


# An agreement gives concern when a return is overdue or its latest accepted return was rated red.
CONCERN = Q(overdue_returns__gt=0) | Q(latest_rag=Rag.RED)


def _live_with_performance(agreements: QuerySet[Agreement], today: date) -> QuerySet[Agreement]:
    return with_performance(agreements.filter(state=AgreementState.LIVE), today).select_related(
        "council", "provider", "commission"
    )


def _rated(rows: Rows) -> Rows:
    for agreement in rows:
        agreement.rag = rag_key(agreement.latest_rag)
    return rows


def performance_list(agreements: QuerySet[Agreement], today: date) -> Rows:
    """Live agreements with their overdue returns and latest rating ('red', 'amber', 'green' or ''),
    the worst first: overdue or rated red, then amber, then the rest, each by end date. How many give
    concern (`CONCERN`) is counted in the same query (`counts["concern"]`, for `concerns_of`)."""
    worst_first = Case(
        When(CONCERN, then=Value(0)),
        When(latest_rag=Rag.AMBER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    live = _live_with_performance(agreements, today).annotate(concern_order=worst_first)
    return _rated(first_rows(live.order_by("concern_order", "ends_on", "id"), concern=Q(concern_order=0)))


def concerns_of(performance: Rows) -> Rows:
    """Live agreements with a return overdue or rated red at their latest accepted return, by end date:
    the first rows of `performance_list`, which puts them first in that order, so no query of its own."""
    return Rows([agreement for agreement in performance if agreement.concern_order == 0], performance.counts["concern"])


def _quarters(today: date, count: int) -> list[date]:
    """The first days of the last `count` quarters, oldest first, ending with the current one."""
    current = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [add_months(current, -3 * n) for n in range(count - 1, -1, -1)]


def _quarter_label(first: date) -> str:
    """The council's financial quarter: Q1 is April to June, so October to December 2026 is Q3 2026/27."""
    return f"Q{(first.month - 4) % 12 // 3 + 1} {financial_year_label(financial_year_of(first))}"


def rag_over_time(returns: QuerySet[MonitoringReturn], today: date, quarters: int = 6) -> charts.StackedChart:
    """Accepted returns of the last `quarters` quarters, counted by quarter and rating (one query)."""
    first = _quarters(today, quarters)
    rows = (
        _accepted(returns)
        .filter(period_end__gte=first[0], period_end__lte=today)
        .annotate(quarter=TruncQuarter("period_end"))
        .values("quarter", "overall_rag")
        .annotate(count=Count("id"))
        .order_by("quarter")
    )
    periods: dict[date, dict[str, int]] = {}
    for row in rows:
        periods.setdefault(_as_date(row["quarter"]), {})[row["overall_rag"]] = row["count"]
    return charts.stacked_rag_chart(
        id="rag-over-time",
        title="Monitoring returns by rating",
        description="How many accepted monitoring returns were rated green, amber or red in each financial "
        "quarter (Q1 is April to June).",
        periods=[(_quarter_label(q), counts) for q, counts in sorted(periods.items())],
    )


def kpi_trend(returns: QuerySet[MonitoringReturn], today: date, quarters: int = 6) -> line_charts.LineChart | None:
    """The share of KPIs on target (green) and far off it (red) in accepted returns, quarter by quarter
    (one query). A KPI's rating is the officer's override when there is one."""
    first = _quarters(today, quarters)
    rating = Coalesce(NullIf("rag_override", Value("")), "rag")
    rows = (
        KpiActual.objects.filter(monitoring_return__in=_accepted(returns), monitoring_return__period_end__gte=first[0])
        .annotate(quarter=TruncQuarter("monitoring_return__period_end"), rating=rating)
        .filter(rating__in=RATED)
        .values("quarter", "rating")
        .annotate(count=Count("id"))
        .order_by("quarter")
    )
    counts: dict[date, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(_as_date(row["quarter"]), {})[row["rating"]] = row["count"]
    if not counts:
        return None

    def share(quarter: date, rag: str):
        rated = sum(counts.get(quarter, {}).values())
        return Decimal(100 * counts[quarter].get(rag, 0) / rated).quantize(Decimal("1")) if rated else None

    return line_charts.line_chart(
        chart_id="kpi-trend",
        title="KPIs on target",
        description="Of the KPIs in accepted monitoring returns each financial quarter (Q1 is April to June), "
        "the percentage rated green (on target) and red (well short of it).",
        categories=[_quarter_label(q) for q in first],
        series=[
            line_charts.Series("Green (%)", [share(q, Rag.GREEN) for q in first], colour=line_charts.GREEN),
            line_charts.Series("Red (%)", [share(q, Rag.RED) for q in first], colour=line_charts.RED, dashed=True),
        ],
        value_format=lambda value: f"{value:.0f}%",
    )


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value
