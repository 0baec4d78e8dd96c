"""A portfolio holder's dashboard: their commissions, key decisions awaiting them, investment by
outcome and priority, performance, and outcomes against success measures.

Investment and reported outcomes are figures only this dashboard shows, so their queries live with it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.http import urlencode

from commissioning.models import AwardState, Commission, ReviewReport, State, SuccessMeasure
from councils.formatting import plain_number, quantity_in
from councils.lazy import parts, section, sections
from councils.models import Council, Outcome, Priority, User
from monitoring.dashboards import charts
from monitoring.dashboards.selectors.filters import (
    Filters,
    filtered_agreements,
    filtered_commissions,
    filtered_reviews,
)
from monitoring.dashboards.selectors.ratings import kpi_trend, performance_list, rag_over_time
from monitoring.dashboards.selectors.rows import Keep, Rows, decisions_counted, first_of_both, first_rows, worked_out
from monitoring.dashboards.selectors.shared import MONEY_OUTPUT, ZERO, council_awards, waiting_since
from monitoring.models import KpiActual, MonitoringReturn, ReturnState, TargetKind
from monitoring.savings.selectors import savings_summary

# Commissions still going round the cycle: the investment figures count these.
ACTIVE_STATES = [s for s in State.values if s not in (State.CANCELLED, State.DECOMMISSIONED)]
# A commission waiting for the portfolio holder's key decision.
KEY_DECISION = Q(state=State.AWAITING_APPROVAL, budget__gte=F("council__key_decision_threshold"))


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


# What the headline figures add up besides the performance of live agreements, each kept by the families
# it reads (`Keep`): a return sent works out only the figures showing returns again.
_COMMISSIONS = ("commissioning.cycle", "councils")
_DECISIONS = (*_COMMISSIONS, "commissioning.award", "commissioning.sourcing")
_REVIEWED = (*_COMMISSIONS, "commissioning.records")


def portfolio_dashboard(user: User, council: Council, filters: Filters, keep: Keep = worked_out) -> dict:
    """Commissions in the portfolios the user holds, key decisions awaiting them, investment by outcome
    and priority, performance of live agreements, and outcomes achieved against success measures.

    Each section is worked out only when the template shows it (`councils.lazy`), so a section the
    page has kept (by the families of data it shows) runs no query."""
    today = timezone.localdate()
    day = [today.isoformat()]
    commissions = filtered_commissions(user, council, filters)
    listed = commissions.exclude(state=State.CANCELLED).select_related("council", "portfolio", "lead_officer")
    agreements = filtered_agreements(user, council, filters)
    commission_list = section(lambda: keep("commissions", _COMMISSIONS, day, lambda: _commission_list(listed)))
    outcomes = section(lambda: _investment_by_outcome(council, commissions, filters))
    returns = MonitoringReturn.objects.filter(agreement__in=agreements)
    return {
        "commissions": commission_list,
        "outcomes": outcomes,
        **parts(
            lambda: keep("decisions", _DECISIONS, day, lambda: _decisions(user, council, commission_list)),
            "key_decisions",
            "awards",
            "decisions_waiting",
            "decisions_shown",
        ),
        # The commission list, narrowed as the dashboard is (it has no filter by year).
        "commission_query": urlencode(
            {name: value for name, value in (("portfolio", filters.portfolio), ("outcome", filters.outcome)) if value}
        ),
        **sections(
            savings=lambda: savings_summary(
                user, council, commissions, filtered_reviews(user, council, filters), filters.year, filters.outcome
            ),
            outcome_chart=lambda: charts.bar_chart(
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
            priority_chart=lambda: charts.bar_chart(
                id="investment-by-priority",
                title="Investment by priority",
                description="The budgets of the commissions serving each corporate priority, each counted once.",
                rows=_priorities_of(outcomes),
                label_heading="Priority",
                value_heading="Investment",
                empty_text="No commissions in your portfolios have a budget yet.",
            ),
            performance=lambda: performance_list(agreements, today),
            rag_chart=lambda: rag_over_time(returns, today),
            kpi_chart=lambda: kpi_trend(returns, today),
            measures=lambda: _measures(commissions),
            reviewed=lambda: keep("reviewed", _REVIEWED, day, lambda: _reviewed(listed)),
        ),
    }


def _commission_list(listed: QuerySet[Commission]) -> Rows:
    # The commissions awaiting the holder's key decision come first, so the same query gives the
    # decisions (the first rows) and, in a window count, how many there are.
    return first_rows(
        listed.annotate(
            awaiting_key_decision=Case(
                When(KEY_DECISION, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        ).order_by("-awaiting_key_decision", "portfolio__name", "title", "id"),
        key_decisions=KEY_DECISION,
    )


def _decisions(user: User, council: Council, commission_list: Rows) -> dict:
    key_decisions = Rows(
        [c for c in commission_list if c.awaiting_key_decision], commission_list.counts["key_decisions"]
    )
    # A key award decision falls to the holder of the commission's portfolio (any cabinet member
    # when the portfolio is vacant or there is none); so does one scrutiny called in, to confirm or
    # withdraw. Both kinds share one table, LIST_LIMIT in all.
    key_decisions, awards = first_of_both(
        key_decisions,
        first_rows(
            council_awards(council)
            .filter(state__in=(AwardState.AWAITING_DECISION, AwardState.CALLED_IN), is_key_decision=True)
            .filter(
                Q(commission__portfolio__holder=user)
                | Q(commission__portfolio__isnull=True)
                | Q(commission__portfolio__holder__isnull=True)
            )
            .order_by("submitted_at", "id")
        ),
        lambda commission: waiting_since(commission.updated_at),
        lambda award: waiting_since(award.submitted_at),
    )
    return {"key_decisions": key_decisions, "awards": awards, **decisions_counted(key_decisions, awards)}


def _reviewed(listed: QuerySet[Commission]) -> Rows:
    latest_review = ReviewReport.objects.filter(commission=OuterRef("pk")).order_by("-cycle", "-id")
    return first_rows(
        listed.annotate(outcomes_achieved=Subquery(latest_review.values("outcomes_achieved")[:1]))
        .exclude(Q(outcomes_achieved__isnull=True) | Q(outcomes_achieved=""))
        .order_by("portfolio__name", "title", "id")
    )


def _measures(commissions: QuerySet[Commission]) -> Rows:
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
        measure.target_display = quantity_in(measure.target, measure.unit)
        measure.reported_display = plain_number(reported) if reported is not None else ""
    return measures
