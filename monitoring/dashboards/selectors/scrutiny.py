"""Scrutiny's dashboard: the read-only assurance view of decisions taken, performance, the forward
plan, decisions open to call-in, notes and agenda flags.

Scrutiny holds decision-makers to account, so this view reads what was decided and how (including a
digest of the evaluation) and never offers anything to decide.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from commissioning.models import ApprovalDecision, Award, AwardState, ForwardPlanEntry
from councils.lazy import parts, section, sections
from councils.models import Council, User
from monitoring.dashboards.selectors.filters import Filters, filtered_agreements, filtered_commissions
from monitoring.dashboards.selectors.ratings import concerns_of, performance_list, rag_over_time
from monitoring.dashboards.selectors.rows import LIST_LIMIT, Keep, Rows, first_rows, worked_out
from monitoring.dashboards.selectors.shared import council_awards
from monitoring.models import AgendaFlag, MonitoringReturn, ScrutinyNote


def _within(day: date, filters: Filters) -> bool:
    return filters.period is None or filters.period[0] <= day <= filters.period[1]


def _in_period(queryset: QuerySet, filters: Filters, field_name: str) -> QuerySet:
    if filters.period is None:
        return queryset
    start, end = filters.period
    return queryset.filter(**{f"{field_name}__gte": start, f"{field_name}__lte": end})


# What the headline figures add up besides the agreements overdue or rated red, each kept by the families
# it reads (`Keep`): a return sent works out only the figures showing returns again.
_AWARDS = (
    "commissioning.cycle",
    "councils",
    "commissioning.award",
    "commissioning.sourcing",
    "commissioning.evaluation",
)
_FORWARD_PLAN = ("commissioning.cycle", "councils", "commissioning.award")


def scrutiny_dashboard(user: User, council: Council, filters: Filters, keep: Keep = worked_out) -> dict:
    """Decisions taken (who, when, threshold, evaluation summary), performance of commissioned services,
    overdue and red-rated agreements, the forward plan, decisions open to call-in, notes and flags.

    Each section is worked out only when the template shows it (`councils.lazy`), so a section the
    page has kept (by the families of data it shows) runs no query."""
    today = timezone.localdate()
    commissions = filtered_commissions(user, council, filters)
    agreements = filtered_agreements(user, council, filters)
    performance = section(lambda: performance_list(agreements, today))
    flags = section(
        lambda: first_rows(
            AgendaFlag.objects.filter(commission__in=commissions, resolved_at__isnull=True)
            .with_people()
            .select_related("commission__council")
            .order_by("meeting_on", "created_at", "id")
        )
    )
    return {
        **parts(
            lambda: keep("awards", _AWARDS, [today.isoformat()], lambda: _awards(council, commissions, filters, today)),
            "award_decisions",
            "call_in",
        ),
        "flags": flags,
        "performance": performance,
        **sections(
            approvals=lambda: first_rows(
                _in_period(ApprovalDecision.objects.filter(commission__in=commissions), filters, "decided_on")
                .select_related("commission__council", "decided_by")
                .order_by("-decided_on", "-id")
            ),
            concerns=lambda: concerns_of(performance),
            rag_chart=lambda: rag_over_time(MonitoringReturn.objects.filter(agreement__in=agreements), today),
            # Decisions whose expected date has passed stay on (shown as slipped, oldest first): scrutiny
            # must see a key decision that was not taken when the council said it would be.
            forward_plan=lambda: keep(
                "forward_plan",
                _FORWARD_PLAN,
                [today.isoformat()],
                lambda: first_rows(
                    ForwardPlanEntry.objects.filter(council=council, decided_on__isnull=True, withdrawn_on__isnull=True)
                    .select_related("commission__council", "portfolio")
                    .order_by("expected_on", "id"),
                    slipped=Q(expected_on__lt=today),
                ),
            ),
            # Waiting for scrutiny: flags whose meeting has been held with nothing recorded of what the
            # committee did (the earliest meetings come first in `flags`, so no query of their own).
            flags_to_record=lambda: [flag for flag in flags if flag.meeting_on and flag.meeting_on < today],
            notes=lambda: list(
                ScrutinyNote.objects.filter(commission__in=commissions)
                .with_people()
                .select_related("commission__council")[:10]
            ),
        ),
    }


def _awards(council: Council, commissions: QuerySet, filters: Filters, today: date) -> dict:
    # One query for both the award decisions taken in the period and those still open to call-in.
    open_to_call_in = Q(state=AwardState.APPROVED, call_in_ends_on__gte=today, effective_on__isnull=True)
    in_period = Q(decided_on__isnull=False)
    if filters.period is not None:
        in_period &= Q(decided_on__range=filters.period)
    # Window counts give how many of each there are in all.
    awards = first_rows(
        council_awards(council)
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
    return {"award_decisions": award_decisions, "call_in": call_in}


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
