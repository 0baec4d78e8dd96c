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
from councils.models import Council, User
from monitoring.dashboards import charts
from monitoring.dashboards.selectors.filters import Filters, filtered_agreements, filtered_commissions
from monitoring.dashboards.selectors.rows import LIST_LIMIT, Rows, first_of_both, first_rows
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

NOTICES_SHOWN = 5


def lead_dashboard(user: User, council: Council, filters: Filters) -> dict:
    """Pipeline across the council, decisions waiting, agreements ending, overdue returns by provider."""
    today = timezone.localdate()
    commissions = filtered_commissions(user, council, filters)
    pipeline = stage_rows(commissions)
    agreements = filtered_agreements(user, council, filters)
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
        first_rows(commissions_awaiting_approval(commissions)),
        first_rows(
            council_awards(council)
            .filter(commission__in=commissions, state=AwardState.AWAITING_DECISION)
            .order_by("submitted_at", "id")
        ),
        lambda commission: waiting_since(commission.updated_at),
        lambda award: waiting_since(award.submitted_at),
    )
    # The notices of the commissions shown, and the council's own: due soon or overdue, the earliest first.
    notices = first_rows(
        notices_due(council, today).filter(Q(commission__in=commissions) | Q(commission__isnull=True)),
        limit=NOTICES_SHOWN,
        overdue=Q(due_on__lt=today),
    )
    return {
        "pipeline": pipeline,
        "notices": notices,
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
        # Reviews of existing services by state: the services the council already has, under review.
        "reviews": review_counts(user, council),
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
