"""The lead commissioner's dashboard: the council's pipeline, decisions waiting, notices due on Find
a Tender, agreements ending and overdue returns by provider.

One module per dashboard so each role's landing page, and the fixed set of queries it costs, can be
read on its own.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from commissioning.models import AwardState
from commissioning.reviews.selectors import review_counts
from councils.lazy import parts, section, sections
from councils.models import Council, User
from monitoring.dashboards import charts
from monitoring.dashboards.selectors.filters import (
    Filters,
    filtered_agreements,
    filtered_commissions,
    filtered_reviews,
)
from monitoring.dashboards.selectors.rows import LIST_LIMIT, Rows, decisions_counted, first_of_both, first_rows
from monitoring.dashboards.selectors.shared import (
    IN_FORCE_STATES,
    ZERO,
    commissions_awaiting_approval,
    council_awards,
    pipeline_funnel,
    stage_rows,
    waiting_since,
)
from monitoring.models import AWAITING_PROVIDER_STATES, MonitoringReturn, add_months
from monitoring.notices.selectors import notices_due
from monitoring.savings.selectors import savings_summary

NOTICES_SHOWN = 5


def lead_dashboard(user: User, council: Council, filters: Filters) -> dict:
    """Pipeline across the council, decisions waiting, agreements ending, overdue returns by provider.

    Each section is worked out only when the template shows it (`councils.lazy`): the page keeps each
    section by the families of data it shows, so after a change (a return sent, a bid saved) only the
    sections showing it run their queries again."""
    today = timezone.localdate()
    commissions = filtered_commissions(user, council, filters)
    agreements = filtered_agreements(user, council, filters)
    six, twelve = add_months(today, 6), add_months(today, 12)
    pipeline = section(lambda: stage_rows(commissions))
    return {
        "pipeline": pipeline,
        "funnel": section(lambda: pipeline_funnel(pipeline["stages"])),
        **parts(
            lambda: _decisions(council, commissions),
            "awaiting_approval",
            "awards_awaiting",
            "decisions_waiting",
            "decisions_shown",
        ),
        **parts(lambda: _ending(agreements, today, six, twelve), "ending", "ending_totals"),
        **parts(lambda: _overdue(agreements, today), "overdue_by_provider", "overdue_parties"),
        **sections(
            savings=lambda: savings_summary(
                user, council, commissions, filtered_reviews(user, council, filters), filters.year, filters.outcome
            ),
            # The notices of the commissions shown, and the council's own: due soon or overdue, the earliest first.
            notices=lambda: first_rows(
                notices_due(council, today).filter(Q(commission__in=commissions) | Q(commission__isnull=True)),
                limit=NOTICES_SHOWN,
                overdue=Q(due_on__lt=today),
            ),
            # Reviews of existing services by state: the services the council already has, under review.
            reviews=lambda: review_counts(user, council),
        ),
        "six_months_on": six,
        "twelve_months_on": twelve,
    }


def _decisions(council: Council, commissions) -> dict:
    # Both kinds of decision share one table: the longest waiting first, LIST_LIMIT in all.
    awaiting_approval, awards_awaiting = first_of_both(
        first_rows(commissions_awaiting_approval(commissions)),
        first_rows(
            council_awards(council)
            .filter(commission__in=commissions, state=AwardState.AWAITING_DECISION)
            .order_by("submitted_at", "id")
        ),
        lambda commission: waiting_since(commission.updated_at),
        lambda award: waiting_since(award.submitted_at),
    )
    return {
        "awaiting_approval": awaiting_approval,
        "awards_awaiting": awards_awaiting,
        **decisions_counted(awaiting_approval, awards_awaiting),
    }


def _ending(agreements, today, six, twelve) -> dict:
    ending = agreements.filter(state__in=IN_FORCE_STATES, ends_on__gte=today, ends_on__lte=twelve)
    totals = ending.aggregate(
        within_six=Count("id", filter=Q(ends_on__lte=six)),
        within_six_value=Coalesce(Sum("value", filter=Q(ends_on__lte=six)), ZERO),
        within_twelve=Count("id"),
        within_twelve_value=Coalesce(Sum("value"), ZERO),
    )
    return {
        "ending": Rows(
            ending.select_related("council", "provider", "commission").order_by("ends_on", "id")[:LIST_LIMIT],
            totals["within_twelve"],
        ),
        "ending_totals": totals,
    }


def _overdue(agreements, today) -> dict:
    # The providers (and in-house teams) with the most overdue returns; the total counts them all.
    overdue = first_rows(
        MonitoringReturn.objects.filter(agreement__in=agreements, state__in=AWAITING_PROVIDER_STATES, due_on__lt=today)
        .annotate(party=Coalesce("agreement__provider__legal_name", NullIf("agreement__internal_team_name", Value(""))))
        .values("party")
        .annotate(count=Count("id"))
        .order_by("-count", "party")
    )
    return {
        "overdue_parties": overdue.total,
        "overdue_by_provider": charts.bar_chart(
            id="overdue-by-provider",
            title="Overdue monitoring returns by provider",
            description="How many monitoring returns each provider or team has not sent by their due date.",
            rows=[(row["party"] or "Unknown", row["count"]) for row in overdue],
            label_heading="Provider or team",
            value_heading="Overdue returns",
            formatter=charts.as_count,
            empty_text="No monitoring returns are overdue.",
        ),
    }
