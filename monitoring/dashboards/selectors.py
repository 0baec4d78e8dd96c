"""Reads for the dashboards: each role's landing page, built from aggregate queries.

Dashboards are the most-used pages, so each is a fixed set of queries whatever the size of the
council: counts and sums come from `values().annotate()` / `aggregate()` in the database, lists
are single queries with their related rows joined in, and nothing is fetched row by row. No list
shows more than `LIST_LIMIT` rows, most urgent first, and each knows how many rows there are in all
(`Rows.total`): a window count over the whole result, so the total costs no query of its own. Every
query starts from a selector scoped to what the user may see (`commissions_visible_to`,
`agreements_visible_to`), so a portfolio holder's figures only ever cover their portfolios.

Performance comes from the monitoring returns: the RAG rating of each accepted return, the ratings of
its KPIs, and returns overdue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, TruncQuarter
from django.utils import timezone
from django.utils.http import urlencode

from commissioning.cycle.selectors import commissions_visible_to
from commissioning.models import (
    STATES_OF_STAGE,
    ApprovalDecision,
    Award,
    AwardState,
    Bid,
    BidState,
    Clarification,
    ClarificationVisibility,
    Commission,
    EvaluationState,
    Evidence,
    ForwardPlanEntry,
    GapAnalysis,
    Interest,
    NeedsAssessment,
    Opportunity,
    OpportunityState,
    PanelMember,
    ReviewReport,
    Stage,
    State,
    SuccessMeasure,
)
from councils.formatting import plain_number
from councils.models import Council, Notification, Outcome, Priority, Role, User
from councils.notification_selectors import notifications_for
from councils.permissions import roles_in
from monitoring import charts as line_charts
from monitoring.agreements.selectors import agreements_visible_to
from monitoring.dashboards import charts
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    PROVIDER_VISIBLE_STATES,
    AgendaFlag,
    Agreement,
    AgreementState,
    KpiActual,
    MonitoringReturn,
    Rag,
    ReturnState,
    ScrutinyNote,
    TargetKind,
    add_months,
)
from providers.models import Organisation, OrganisationMember

MONEY_OUTPUT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY_OUTPUT)
CYCLE_STAGES = (Stage.UNDERSTAND, Stage.PLAN, Stage.DO, Stage.REVIEW)
# Commissions still going round the cycle: the pipeline and the investment figures count these.
ACTIVE_STATES = [s for s in State.values if s not in (State.CANCELLED, State.DECOMMISSIONED)]
IN_FORCE_STATES = (AgreementState.SIGNED, AgreementState.LIVE)
UPCOMING_DAYS = 30
LIST_LIMIT = 25


# ---- Bounded lists -------------------------------------------------------------------------------


class Rows(list):
    """The first `LIST_LIMIT` rows of a dashboard list, and how many rows the list has in all (`total`)
    and any further counts asked for (`counts`), all from the database. A plain list to everything
    that iterates it."""

    def __init__(self, rows=(), total: int = 0, counts: dict[str, int] | None = None):
        super().__init__(rows)
        self.total = total
        self.counts = counts or {}

    @property
    def more(self) -> bool:
        return self.total > len(self)


def first_rows(queryset: QuerySet, limit: int = LIST_LIMIT, **counts: Q) -> Rows:
    """The first `limit` rows of `queryset` in one query. The total, and each of `counts` (the rows
    matching a condition), are window counts over the whole result, worked out before the LIMIT, so
    they need no query of their own (and an empty result counts 0)."""
    windows = {"dashboard_total": Window(Count("*"))}
    # COUNT(CASE WHEN ...) rather than a FILTER on a column: valid in a grouped (`values()`) query too.
    windows.update(
        {f"dashboard_{name}": Window(Count(Case(When(condition, then=Value(1))))) for name, condition in counts.items()}
    )
    rows = list(queryset.annotate(**windows)[:limit])

    def count(name: str) -> int:
        if not rows:
            return 0
        first = rows[0]
        return first[f"dashboard_{name}"] if isinstance(first, dict) else getattr(first, f"dashboard_{name}")

    return Rows(rows, count("total"), {name: count(name) for name in counts})


def first_of_both(first: Rows, second: Rows, first_key: Callable, second_key: Callable) -> tuple[Rows, Rows]:
    """Two lists shown in one table: only the `LIST_LIMIT` rows that come first across both (by their
    keys) stay, each list keeping its own total."""
    keyed = [(first_key(row), 0, n) for n, row in enumerate(first)] + [
        (second_key(row), 1, n) for n, row in enumerate(second)
    ]
    kept = {(which, n) for _, which, n in sorted(keyed)[:LIST_LIMIT]}
    return (
        Rows([row for n, row in enumerate(first) if (0, n) in kept], first.total, first.counts),
        Rows([row for n, row in enumerate(second) if (1, n) in kept], second.total, second.counts),
    )


# ---- Filters -------------------------------------------------------------------------------------


def financial_year_of(day: date) -> int:
    """The council's financial year runs from 1 April: 24 November 2026 is in 2026/27 (→ 2026)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{str(start_year + 1)[-2:]}"


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


def _commissions(user: User, council: Council, filters: Filters) -> QuerySet[Commission]:
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


def _agreements(user: User, council: Council, filters: Filters) -> QuerySet[Agreement]:
    agreements = agreements_visible_to(user, council)
    if filters.outcome is not None:
        agreements = agreements.filter(commission__outcomes__pk=filters.outcome)
    if filters.portfolio is not None:
        agreements = agreements.filter(commission__portfolio_id=filters.portfolio)
    if filters.period is not None:
        start, end = filters.period
        agreements = agreements.filter(starts_on__lte=end, ends_on__gte=start)
    return agreements


def _within(day: date, filters: Filters) -> bool:
    return filters.period is None or filters.period[0] <= day <= filters.period[1]


def _in_period(queryset: QuerySet, filters: Filters, field_name: str) -> QuerySet:
    if filters.period is None:
        return queryset
    start, end = filters.period
    return queryset.filter(**{f"{field_name}__gte": start, f"{field_name}__lte": end})


# ---- RAG ratings ---------------------------------------------------------------------------------

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
    the worst first: overdue or rated red, then amber, then the rest, each by end date."""
    worst_first = Case(
        When(CONCERN, then=Value(0)),
        When(latest_rag=Rag.AMBER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    live = _live_with_performance(agreements, today).annotate(concern_order=worst_first)
    return _rated(first_rows(live.order_by("concern_order", "ends_on", "id")))


def concerns_list(agreements: QuerySet[Agreement], today: date) -> Rows:
    """Live agreements with a return overdue or rated red at their latest accepted return, by end date."""
    return _rated(first_rows(_live_with_performance(agreements, today).filter(CONCERN).order_by("ends_on", "id")))


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


# ---- Shared pieces -------------------------------------------------------------------------------


def _stage_rows(commissions: QuerySet[Commission]) -> dict:
    """Commissions and their value by state (one aggregate query), grouped by stage of the cycle."""
    by_state = {
        row["state"]: row
        for row in commissions.order_by()
        .values("state")
        .annotate(count=Count("id"), value=Coalesce(Sum("budget"), ZERO))
    }
    stages = []
    for stage in (*CYCLE_STAGES, Stage.CLOSED):
        rows = [
            {
                "state": state,
                "label": State(state).label,
                "count": by_state.get(state, {}).get("count", 0),
                "value": by_state.get(state, {}).get("value", Decimal("0")),
            }
            for state in STATES_OF_STAGE[stage]
        ]
        stages.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "states": rows,
                "count": sum(r["count"] for r in rows),
                "value": sum((r["value"] for r in rows), Decimal("0")),
            }
        )
    active = [s for s in stages if s["stage"] != Stage.CLOSED]
    return {
        "stages": stages,
        "total": sum(s["count"] for s in stages),
        "active_count": sum(s["count"] for s in active),
        "active_value": sum((s["value"] for s in active), Decimal("0")),
    }


def pipeline_funnel(stages: list[dict]) -> charts.FunnelChart:
    return charts.funnel_chart(
        id="pipeline",
        title="Commissioning pipeline",
        description="How many commissions are at each stage of the cycle, and their value.",
        rows=[(s["label"], s["count"], s["value"]) for s in stages if s["stage"] != Stage.CLOSED],
    )


def _waiting_since(moment: datetime | None) -> tuple[bool, datetime | None]:
    """A sort key for decisions waiting: the longest waiting first, any without a time last."""
    return (moment is None, moment)


def _awaiting_approval(commissions: QuerySet[Commission]) -> QuerySet[Commission]:
    return (
        commissions.filter(state=State.AWAITING_APPROVAL)
        .select_related("council", "portfolio__holder", "lead_officer")
        .order_by("updated_at", "id")
    )


def _awards(council: Council) -> QuerySet[Award]:
    return Award.objects.filter(commission__council=council).select_related(
        "opportunity", "commission__council", "commission__portfolio", "decided_by"
    )


# ---- The lead commissioner: the council's pipeline -------------------------------------------------


def lead_dashboard(user: User, council: Council, filters: Filters) -> dict:
    """Pipeline across the council, decisions waiting, agreements ending, overdue returns by provider."""
    today = timezone.localdate()
    commissions = _commissions(user, council, filters)
    pipeline = _stage_rows(commissions)
    agreements = _agreements(user, council, filters)
    six, twelve = add_months(today, 6), add_months(today, 12)
    ending = agreements.filter(state__in=IN_FORCE_STATES, ends_on__gte=today, ends_on__lte=twelve)
    ending_totals = ending.aggregate(
        within_six=Count("id", filter=Q(ends_on__lte=six)),
        within_six_value=Coalesce(Sum("value", filter=Q(ends_on__lte=six)), ZERO),
        within_twelve=Count("id"),
        within_twelve_value=Coalesce(Sum("value"), ZERO),
    )
    # The providers (and in-house teams) with the most overdue returns; the total counts them all.
    overdue = first_rows(
        MonitoringReturn.objects.filter(agreement__in=agreements, state__in=AWAITING_PROVIDER_STATES, due_on__lt=today)
        .annotate(party=Coalesce("agreement__provider__legal_name", NullIf("agreement__internal_team_name", Value(""))))
        .values("party")
        .annotate(count=Count("id"))
        .order_by("-count", "party")
    )
    overdue_rows = [(row["party"] or "Unknown", row["count"]) for row in overdue]
    # Both kinds of decision share one table: the longest waiting first, LIST_LIMIT in all.
    awaiting_approval, awards_awaiting = first_of_both(
        first_rows(_awaiting_approval(commissions)),
        first_rows(
            _awards(council)
            .filter(commission__in=commissions, state=AwardState.AWAITING_DECISION)
            .order_by("submitted_at", "id")
        ),
        lambda commission: _waiting_since(commission.updated_at),
        lambda award: _waiting_since(award.submitted_at),
    )
    return {
        "pipeline": pipeline,
        "funnel": pipeline_funnel(pipeline["stages"]),
        "awaiting_approval": awaiting_approval,
        "awards_awaiting": awards_awaiting,
        "decisions_waiting": awaiting_approval.total + awards_awaiting.total,
        "decisions_shown": len(awaiting_approval) + len(awards_awaiting),
        "ending": Rows(
            ending.select_related("council", "provider", "commission").order_by("ends_on", "id")[:LIST_LIMIT],
            ending_totals["within_twelve"],
        ),
        "ending_totals": ending_totals,
        "overdue_parties": overdue.total,
        "six_months_on": six,
        "twelve_months_on": twelve,
        "overdue_by_provider": charts.bar_chart(
            id="overdue-by-provider",
            title="Overdue monitoring returns by provider",
            description="How many monitoring returns each provider or team has not sent by their due date.",
            rows=overdue_rows,
            label_heading="Provider or team",
            value_heading="Overdue returns",
            formatter=charts.as_count,
            empty_text="No monitoring returns are overdue.",
        ),
    }


# ---- Officers: my work queue ------------------------------------------------------------------------


def _cycle_exists(model) -> Exists:
    return Exists(model.objects.filter(commission=OuterRef("pk"), cycle=OuterRef("cycle")))


def officer_dashboard(user: User, council: Council) -> dict:
    """What is waiting for this officer: stage work, approvals, clarifications, bids to score,
    returns to review, overdue items; their commissions by stage; deadlines coming up."""
    today = timezone.localdate()
    soon = today + timedelta(days=UPCOMING_DAYS)
    roles = roles_in(user, council)
    is_lead = Role.LEAD_COMMISSIONER in roles
    is_commissioner = bool(roles & {Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER})
    is_sourcing = bool(roles & {Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER})
    commissions = commissions_visible_to(user, council)
    mine = commissions.filter(lead_officer=user)

    stage_work = first_rows(
        mine.filter(state__in=[State.UNDERSTANDING, State.PLANNING])
        .annotate(
            has_needs=_cycle_exists(NeedsAssessment),
            has_evidence=_cycle_exists(Evidence),
            has_gap=_cycle_exists(GapAnalysis),
        )
        .select_related("council")
        .order_by("updated_at", "id")
    )
    for commission in stage_work:
        commission.still_to_do = _understand_missing(commission) if commission.state == State.UNDERSTANDING else []

    approvals, awards = Rows(), Rows()
    if is_lead:
        # Below the key-decision threshold the lead commissioner decides (a delegated decision). Both
        # kinds share one table: the longest waiting first, LIST_LIMIT in all.
        approvals, awards = first_of_both(
            first_rows(
                _awaiting_approval(commissions).filter(
                    Q(budget__isnull=True) | Q(budget__lt=council.key_decision_threshold)
                )
            ),
            first_rows(
                _awards(council)
                .filter(state=AwardState.AWAITING_DECISION, is_key_decision=False)
                .order_by("submitted_at", "id")
            ),
            lambda commission: _waiting_since(commission.updated_at),
            lambda award: _waiting_since(award.submitted_at),
        )

    clarifications = Rows()
    if is_sourcing:
        conflicted = OrganisationMember.objects.filter(user=user).filter(
            Q(organisation__bids__opportunity=OuterRef("opportunity"))
            | Q(organisation__partnered_bids__bid__opportunity=OuterRef("opportunity"))
        )
        # Overdue once the deadline's day (in the council's time) has gone.
        start_of_today = timezone.make_aware(datetime.combine(today, time.min))
        clarifications = first_rows(
            Clarification.objects.filter(
                opportunity__council=council,
                opportunity__commission__in=commissions,
                visibility=ClarificationVisibility.PENDING,
            )
            # The ethical wall: nobody acting for a bidder sees the opportunity's officer pages.
            .exclude(Exists(conflicted))
            .values(
                "opportunity_id", "opportunity__reference", "opportunity__title", "opportunity__clarification_deadline"
            )
            .annotate(count=Count("id"))
            .order_by("opportunity__clarification_deadline", "opportunity_id"),
            overdue=Q(opportunity__clarification_deadline__lt=start_of_today),
        )
        for row in clarifications:
            row["overdue"] = timezone.localdate(row["opportunity__clarification_deadline"]) < today

    panels = first_rows(
        PanelMember.objects.filter(
            user=user,
            ended_at__isnull=True,
            evaluation__opportunity__council=council,
            evaluation__state__in=[
                EvaluationState.DECLARATIONS,
                EvaluationState.COMPLIANCE,
                EvaluationState.SCORING,
                EvaluationState.MODERATION,
            ],
        )
        .select_related("evaluation__opportunity")
        .annotate(
            bids=Count(
                "evaluation__opportunity__bids",
                filter=Q(evaluation__opportunity__bids__state=BidState.SUBMITTED),
                distinct=True,
            ),
            sheets_submitted=Count("score_sheets", filter=Q(score_sheets__submitted_at__isnull=False), distinct=True),
        )
        .order_by("evaluation__opportunity__submission_deadline", "id")
    )

    returns = Rows()
    if is_commissioner:
        # Returns waiting for this officer: submitted ones to review, and overdue ones to chase.
        overdue_return = Q(state__in=AWAITING_PROVIDER_STATES, due_on__lt=today)
        returns = first_rows(
            MonitoringReturn.objects.filter(agreement__council=council)
            .filter(Q(agreement__commission__lead_officer=user) | Q(agreement__council_contact=user))
            .filter(Q(state=ReturnState.SUBMITTED) | overdue_return)
            .select_related("agreement__council", "agreement__provider")
            .order_by("due_on", "id"),
            overdue=overdue_return,
        )

    by_stage = _stage_rows(mine)
    # Sourcing officers watch every opportunity of the council; other officers their own commissions'.
    watched = commissions if is_sourcing else mine
    deadlines = first_rows(
        Opportunity.objects.filter(council=council, commission__in=watched, state=OpportunityState.PUBLISHED)
        .filter(
            Q(clarification_deadline__date__gte=today, clarification_deadline__date__lte=soon)
            | Q(submission_deadline__date__gte=today, submission_deadline__date__lte=soon)
        )
        .order_by("submission_deadline", "id")
    )
    ending = first_rows(
        Agreement.objects.filter(council=council, commission__in=mine, state__in=IN_FORCE_STATES)
        .filter(ends_on__lte=add_months(today, 3))
        .select_related("council", "provider")
        .order_by("ends_on", "id"),
        ended=Q(ends_on__lt=today),
    )
    # Deadlines and endings share one list: the soonest first, LIST_LIMIT in all.
    deadlines, ending = first_of_both(
        deadlines, ending, lambda opportunity: _next_deadline(opportunity, today), lambda agreement: agreement.ends_on
    )
    overdue_items = returns.counts.get("overdue", 0) + clarifications.counts.get("overdue", 0) + ending.counts["ended"]
    waiting = (stage_work, approvals, awards, clarifications, panels, returns)
    return {
        "waiting": sum(rows.total for rows in waiting),
        "decisions_total": approvals.total + awards.total,
        "decisions_shown": len(approvals) + len(awards),
        "stage_work": stage_work,
        "approvals": approvals,
        "awards": awards,
        "clarifications": clarifications,
        "panels": panels,
        "returns": returns,
        "is_commissioner": is_commissioner,
        "is_sourcing": is_sourcing,
        "overdue_items": overdue_items,
        "by_stage": by_stage,
        "by_stage_chart": charts.bar_chart(
            id="my-commissions",
            title="My commissions by stage",
            description="How many of the commissions you lead are at each stage of the cycle.",
            rows=[(s["label"], s["count"]) for s in by_stage["stages"]],
            label_heading="Stage",
            value_heading="Commissions",
            formatter=charts.as_count,
            empty_text="You do not lead any commissions yet.",
        ),
        "deadlines": deadlines,
        "agreements_ending": ending,
        "coming_up_total": deadlines.total + ending.total,
        "coming_up_shown": len(deadlines) + len(ending),
        "today": today,
        "upcoming_days": UPCOMING_DAYS,
    }


def _next_deadline(opportunity: Opportunity, today: date) -> date:
    """The day of the opportunity's next deadline: questions closing, else bids closing."""
    questions = timezone.localdate(opportunity.clarification_deadline)
    return questions if questions >= today else timezone.localdate(opportunity.submission_deadline)


def _understand_missing(commission: Commission) -> list[str]:
    """The Understand gate in words, from what was fetched with the commission (no further queries)."""
    missing = []
    if not commission.has_needs:
        missing.append("a needs assessment")
    if not commission.has_evidence:
        missing.append("at least one piece of evidence")
    if not commission.has_gap:
        missing.append("a gap analysis")
    return missing


# ---- Portfolio holders -------------------------------------------------------------------------------


def _investment_by_outcome(council: Council, commissions: QuerySet[Commission], filters: Filters) -> list[Outcome]:
    """Budget of the active commissions serving each outcome (a commission serving two outcomes counts
    towards each), and of those serving each outcome's priority (each commission counted once)."""
    active = commissions.filter(state__in=ACTIVE_STATES)
    outcomes = Outcome.objects.filter(priority__plan__council=council)
    if filters.outcome is not None:
        outcomes = outcomes.filter(pk=filters.outcome)
    # Filtering on the relation before annotating makes the sums run over the joined active commissions
    # only, rather than over every commission of the council with a filter on each row.
    rows = list(
        outcomes.filter(commissions__in=active)
        .annotate(
            investment=Coalesce(Sum("commissions__budget"), ZERO), commission_count=Count("commissions", distinct=True)
        )
        .select_related("priority")
        .order_by("-investment", "title")
    )
    # A second, small query: as a column of the first, the priority's total was worked out again for
    # every joined row (EXPLAIN: 74 times for 9 outcomes); here it is once per priority.
    serving_priority = (
        active.filter(Exists(Outcome.objects.filter(priority=OuterRef(OuterRef("pk")), commissions=OuterRef("pk"))))
        .order_by()
        .values("council")
        .annotate(total=Sum("budget"))
        .values("total")
    )
    totals = (
        dict(
            Priority.objects.filter(pk__in={o.priority_id for o in rows})
            .annotate(total=Coalesce(Subquery(serving_priority[:1], output_field=MONEY_OUTPUT), ZERO))
            .values_list("pk", "total")
        )
        if rows
        else {}
    )
    for outcome in rows:
        outcome.priority_investment = totals.get(outcome.priority_id, ZERO)
    return rows


def _priorities_of(outcomes: list[Outcome]) -> list[tuple[str, Decimal]]:
    """Each priority once, with the total the database worked out for it, largest first."""
    totals = {o.priority_id: (o.priority.title, o.priority_investment) for o in outcomes}
    return sorted(totals.values(), key=lambda row: (-row[1], row[0]))


def with_reported(measures: QuerySet[SuccessMeasure]) -> QuerySet[SuccessMeasure]:
    """Each success measure with what providers have reported against it in accepted returns, through
    the agreements' KPIs: the total so far for a total (sessions, people), the latest figure for a level
    (a percentage)."""
    actuals = KpiActual.objects.filter(
        kpi__success_measure=OuterRef("pk"), monitoring_return__state=ReturnState.ACCEPTED, actual__isnull=False
    )
    total = (
        actuals.filter(kpi__target_kind=TargetKind.TOTAL)
        .order_by()
        .values("kpi__success_measure")
        .annotate(total=Sum("actual"))
        .values("total")
    )
    latest = actuals.filter(kpi__target_kind=TargetKind.LEVEL).order_by("-monitoring_return__period_end", "-id")
    return measures.annotate(
        reported_total=Subquery(total[:1], output_field=MONEY_OUTPUT),
        reported_level=Subquery(latest.values("actual")[:1]),
    )


def portfolio_dashboard(user: User, council: Council, filters: Filters) -> dict:
    """Commissions in the portfolios the user holds, key decisions awaiting them, investment by outcome
    and priority, performance of live agreements, and outcomes achieved against success measures."""
    today = timezone.localdate()
    commissions = _commissions(user, council, filters)
    listed = commissions.exclude(state=State.CANCELLED).select_related("council", "portfolio", "lead_officer")
    # The commissions awaiting the holder's key decision come first, so the same query gives the
    # decisions (the first rows) and, in a window count, how many there are.
    key_decision = Q(state=State.AWAITING_APPROVAL, budget__gte=F("council__key_decision_threshold"))
    commission_list = first_rows(
        listed.annotate(
            awaiting_key_decision=Case(
                When(key_decision, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        ).order_by("-awaiting_key_decision", "portfolio__name", "title", "id"),
        key_decisions=key_decision,
    )
    key_decisions = Rows(
        [c for c in commission_list if c.awaiting_key_decision], commission_list.counts["key_decisions"]
    )
    latest_review = ReviewReport.objects.filter(commission=OuterRef("pk")).order_by("-cycle", "-id")
    reviewed = first_rows(
        listed.annotate(outcomes_achieved=Subquery(latest_review.values("outcomes_achieved")[:1]))
        .exclude(Q(outcomes_achieved__isnull=True) | Q(outcomes_achieved=""))
        .order_by("portfolio__name", "title", "id")
    )
    # A key award decision falls to the holder of the commission's portfolio (any cabinet member
    # when the portfolio is vacant or there is none). Both kinds share one table, LIST_LIMIT in all.
    key_decisions, awards = first_of_both(
        key_decisions,
        first_rows(
            _awards(council)
            .filter(state=AwardState.AWAITING_DECISION, is_key_decision=True)
            .filter(
                Q(commission__portfolio__holder=user)
                | Q(commission__portfolio__isnull=True)
                | Q(commission__portfolio__holder__isnull=True)
            )
            .order_by("submitted_at", "id")
        ),
        lambda commission: _waiting_since(commission.updated_at),
        lambda award: _waiting_since(award.submitted_at),
    )
    outcomes = _investment_by_outcome(council, commissions, filters)
    priorities = _priorities_of(outcomes)
    agreements = _agreements(user, council, filters)
    performance = performance_list(agreements, today)
    measures = first_rows(
        with_reported(
            SuccessMeasure.objects.filter(
                outcome_sought__commission__in=commissions.filter(state__in=ACTIVE_STATES),
                outcome_sought__cycle=F("outcome_sought__commission__cycle"),
            )
        )
        .select_related("outcome_sought__commission", "outcome_sought__council_outcome")
        .order_by("outcome_sought__commission__title", "id")
    )
    for measure in measures:
        reported = measure.reported_total if measure.reported_total is not None else measure.reported_level
        measure.target_display = plain_number(measure.target)
        measure.reported_display = plain_number(reported) if reported is not None else ""
    return {
        "commissions": commission_list,
        # The commission list, narrowed as the dashboard is (it has no filter by year).
        "commission_query": urlencode(
            {name: value for name, value in (("portfolio", filters.portfolio), ("outcome", filters.outcome)) if value}
        ),
        "key_decisions": key_decisions,
        "awards": awards,
        "decisions_waiting": key_decisions.total + awards.total,
        "decisions_shown": len(key_decisions) + len(awards),
        "outcomes": outcomes,
        "outcome_chart": charts.bar_chart(
            id="investment-by-outcome",
            title="Investment by outcome",
            description="The budgets of the commissions serving each outcome. A commission serving "
            "several outcomes counts towards each.",
            rows=[(o.title, o.investment) for o in outcomes],
            label_heading="Outcome",
            value_heading="Investment",
            extras={o.title: o.priority.title for o in outcomes},
            extra_heading="Priority",
            empty_text="No commissions in your portfolios have a budget yet.",
        ),
        "priority_chart": charts.bar_chart(
            id="investment-by-priority",
            title="Investment by priority",
            description="The budgets of the commissions serving each corporate priority, each counted once.",
            rows=priorities,
            label_heading="Priority",
            value_heading="Investment",
            empty_text="No commissions in your portfolios have a budget yet.",
        ),
        "performance": performance,
        "rag_chart": rag_over_time(MonitoringReturn.objects.filter(agreement__in=agreements), today),
        "kpi_chart": kpi_trend(MonitoringReturn.objects.filter(agreement__in=agreements), today),
        "measures": measures,
        "reviewed": reviewed,
    }


# ---- Scrutiny: the read-only assurance view ------------------------------------------------------


def scrutiny_dashboard(user: User, council: Council, filters: Filters) -> dict:
    """Decisions taken (who, when, threshold, evaluation summary), performance of commissioned services,
    overdue and red-rated agreements, the forward plan, decisions open to call-in, notes and flags."""
    today = timezone.localdate()
    commissions = _commissions(user, council, filters)
    approvals = first_rows(
        _in_period(ApprovalDecision.objects.filter(commission__in=commissions), filters, "decided_on")
        .select_related("commission__council", "decided_by")
        .order_by("-decided_on", "-id")
    )
    # One query for both the award decisions taken in the period and those still open to call-in.
    open_to_call_in = Q(state=AwardState.APPROVED, call_in_ends_on__gte=today, effective_on__isnull=True)
    in_period = Q(decided_on__isnull=False)
    if filters.period is not None:
        in_period &= Q(decided_on__range=filters.period)
    # Window counts give how many of each there are in all.
    awards = first_rows(
        _awards(council)
        .filter(commission__in=commissions)
        .filter(in_period | open_to_call_in)
        .select_related("opportunity__evaluation")
        .order_by("-decided_on", "-id"),
        limit=2 * LIST_LIMIT,
        decided=in_period,
        call_in=open_to_call_in,
    )
    award_decisions = Rows(
        [a for a in awards if a.decided_on is not None and _within(a.decided_on, filters)][:LIST_LIMIT],
        awards.counts["decided"],
    )
    for award in award_decisions:
        award.evaluation_summary = evaluation_digest(award)
    call_in = Rows(
        sorted((a for a in awards if a.in_call_in_period(today)), key=lambda a: (a.call_in_ends_on, a.pk))[:LIST_LIMIT],
        awards.counts["call_in"],
    )
    agreements = _agreements(user, council, filters)
    performance = performance_list(agreements, today)
    forward_plan = first_rows(
        ForwardPlanEntry.objects.filter(
            council=council, decided_on__isnull=True, withdrawn_on__isnull=True, expected_on__gte=today
        )
        .select_related("commission__council", "portfolio")
        .order_by("expected_on", "id")
    )
    flags = first_rows(
        AgendaFlag.objects.filter(commission__in=commissions, resolved_at__isnull=True)
        .with_people()
        .select_related("commission__council")
        .order_by("meeting_on", "created_at", "id")
    )
    notes = list(
        ScrutinyNote.objects.filter(commission__in=commissions).with_people().select_related("commission__council")[:10]
    )
    return {
        "approvals": approvals,
        "award_decisions": award_decisions,
        "performance": performance,
        "concerns": concerns_list(agreements, today),
        "rag_chart": rag_over_time(MonitoringReturn.objects.filter(agreement__in=agreements), today),
        "forward_plan": forward_plan,
        "call_in": call_in,
        "flags": flags,
        "notes": notes,
    }


def evaluation_digest(award: Award) -> str:
    """One line on how the winner was chosen, from the signed-off evaluation stored with the opportunity
    (bid contents and other bidders' scores stay with the evaluation)."""
    evaluation = getattr(award.opportunity, "evaluation", None)
    result = getattr(evaluation, "result", None) or {}
    ranked, excluded = result.get("ranked") or [], result.get("excluded") or []
    if not ranked and not excluded:
        return "No evaluation recorded"
    parts = [f"{len(ranked)} bid{'s' if len(ranked) != 1 else ''} scored"]
    if excluded:
        parts.append(f"{len(excluded)} excluded at compliance")
    if ranked:
        parts.append(f"highest total {Decimal(ranked[0]['total']):.2f} out of 100")
    return ", ".join(parts)


# ---- Providers -------------------------------------------------------------------------------------


@dataclass
class ProviderDashboard:
    organisations: list[Organisation] = field(default_factory=list)
    opportunities: Rows = field(default_factory=Rows)
    bids: Rows = field(default_factory=Rows)
    agreements: Rows = field(default_factory=Rows)
    returns: Rows = field(default_factory=Rows)
    answers: list[Clarification] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def provider_dashboard(user: User) -> ProviderDashboard:
    """The organisations the user acts for: opportunities they follow, their bids, agreements, returns
    due, answers to their questions, and the person's own notifications. Only their own organisations'
    records, ever."""
    organisations = list(Organisation.objects.filter(members__user=user).order_by("legal_name").distinct())
    if not organisations:
        return ProviderDashboard()
    notifications = list(notifications_for(user)[:10])
    organisation_ids = [o.pk for o in organisations]
    today = timezone.localdate()
    followed = Interest.objects.filter(organisation_id__in=organisation_ids)
    return ProviderDashboard(
        organisations=organisations,
        opportunities=first_rows(
            Opportunity.objects.filter(
                Q(Exists(followed.filter(opportunity=OuterRef("pk"))))
                | Q(Exists(Bid.objects.filter(opportunity=OuterRef("pk"), organisation_id__in=organisation_ids))),
                state=OpportunityState.PUBLISHED,
            )
            .select_related("council")
            .order_by("submission_deadline", "id")
        ),
        bids=first_rows(
            Bid.objects.filter(organisation_id__in=organisation_ids)
            .select_related("opportunity__council", "organisation")
            .order_by("-updated_at", "-id")
        ),
        agreements=first_rows(
            Agreement.objects.filter(provider_id__in=organisation_ids, state__in=PROVIDER_VISIBLE_STATES)
            .select_related("council", "provider")
            .order_by("-starts_on", "-id")
        ),
        returns=first_rows(
            MonitoringReturn.objects.filter(
                agreement__provider_id__in=organisation_ids,
                agreement__state__in=PROVIDER_VISIBLE_STATES,
                state__in=AWAITING_PROVIDER_STATES,
                # The period under way and any earlier ones still owed: what the provider works on now.
                period_start__lte=today,
            )
            .select_related("agreement__council", "agreement__provider")
            .order_by("due_on", "id")
        ),
        notifications=notifications,
        answers=list(
            Clarification.objects.filter(answered_at__isnull=False)
            .filter(
                # Answers to the organisation's own questions, and answers published to every
                # provider following the opportunity.
                Q(organisation_id__in=organisation_ids)
                | Q(
                    visibility=ClarificationVisibility.PUBLISHED,
                    opportunity__in=followed.values("opportunity"),
                )
            )
            .select_related("opportunity")
            .order_by("-answered_at", "-id")[:10]
        ),
    )


def provider_has_dashboard(user: User) -> bool:
    return OrganisationMember.objects.filter(user=user).exists()


# ---- The meeting pack ------------------------------------------------------------------------------


def meeting_pack_choices(user: User, council: Council) -> QuerySet[Commission]:
    """The commissions the user may put in a meeting pack, with whether scrutiny flagged them."""
    open_flags = AgendaFlag.objects.filter(commission=OuterRef("pk"), resolved_at__isnull=True)
    return (
        commissions_visible_to(user, council)
        .exclude(state=State.CANCELLED)
        .annotate(flagged=Exists(open_flags))
        .select_related("council", "portfolio")
        .order_by("-flagged", "reference")
    )


def meeting_pack_commissions(user: User, council: Council, *, chosen=(), flagged: bool = False) -> list[Commission]:
    """The chosen commissions (and, if asked, every one flagged for the agenda) with their stage,
    decisions, spend and performance, in a fixed number of queries."""
    today = timezone.localdate()
    wanted = Q(pk__in=[c.pk for c in chosen])
    if flagged:
        wanted |= Q(Exists(AgendaFlag.objects.filter(commission=OuterRef("pk"), resolved_at__isnull=True)))
    payments_due = (
        Agreement.objects.filter(pk=OuterRef("pk"))
        .annotate(total=Sum("payments__amount", filter=Q(payments__due_on__lte=today)))
        .values("total")
    )
    agreements = with_performance(
        Agreement.objects.exclude(state=AgreementState.CANCELLED).select_related("provider"), today
    ).annotate(paid_to_date=Coalesce(Subquery(payments_due[:1], output_field=MONEY_OUTPUT), ZERO))
    return list(
        commissions_visible_to(user, council)
        .filter(wanted)
        .select_related("council", "portfolio__holder", "lead_officer")
        .prefetch_related(
            Prefetch("approvals", queryset=ApprovalDecision.objects.select_related("decided_by")),
            Prefetch(
                "awards",
                queryset=Award.objects.filter(decided_on__isnull=False).select_related("decided_by", "opportunity"),
                to_attr="decided_awards",
            ),
            Prefetch("agreements", queryset=agreements.order_by("reference"), to_attr="pack_agreements"),
            Prefetch(
                "agenda_flags",
                queryset=AgendaFlag.objects.filter(resolved_at__isnull=True).with_people(),
                to_attr="open_flags",
            ),
        )
        .order_by("reference")
    )
