"""An officer's dashboard: their work queue (stage work, approvals, clarifications, bids to score,
returns to review, KPI assessments due, notices to publish, overdue items), their commissions by stage and
deadlines coming up.

The busiest dashboard, and the only one shaped by the person's roles rather than by filters, so it
stands on its own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from commissioning.cycle.selectors import commissions_visible_to
from commissioning.models import (
    AwardState,
    Clarification,
    ClarificationVisibility,
    Commission,
    Evidence,
    GapAnalysis,
    NeedsAssessment,
    Opportunity,
    OpportunityState,
    State,
)
from councils.models import Council, Role, User
from councils.permissions import NOTICE_OFFICERS, has_any_role, roles_in
from monitoring.dashboards import charts
from monitoring.dashboards.selectors import queues
from monitoring.dashboards.selectors.rows import (
    LIST_LIMIT,
    Keep,
    Rows,
    first_of_both,
    first_rows,
    kept_lists,
    part_families,
    worked_out,
)
from monitoring.dashboards.selectors.shared import (
    IN_FORCE_STATES,
    commissions_awaiting_approval,
    council_awards,
    stage_rows,
    waiting_since,
)
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    KPI_DUTY,
    Agreement,
    AgreementState,
    MonitoringReturn,
    ReturnState,
    add_months,
    next_assessment_due,
)
from monitoring.notices.selectors import notices_due, preparable_types
from monitoring.renewals.selectors import BANDS, OtherList, expiry_pipeline
from providers.models import OrganisationMember

UPCOMING_DAYS = 30
# The notices due are a few lines of the queue; the notices page has them all.
NOTICES_SHOWN = 5


def _cycle_exists(model) -> Exists:
    return Exists(model.objects.filter(commission=OuterRef("pk"), cycle=OuterRef("cycle")))


# The families of the council's data (`councils.page_cache.family_of`) each list of the dashboard reads,
# besides the commissions, their portfolios and the person's roles ("commissioning.cycle", "councils").
# A dashboard kept by them (`keep`) works out again, after a change, only the lists that show it, and
# adds up its headline figures from the others as kept. `tests/test_page_fragments.py` checks every
# table a list reads belongs to one of its families.
_COMMISSIONS = ("commissioning.cycle", "councils")
LIST_FAMILIES = {
    name: (*_COMMISSIONS, *families)
    for name, families in {
        "stage_work": ("commissioning.records",),
        "approvals": ("commissioning.records", "commissioning.regime"),
        "awards": ("commissioning.award", "commissioning.sourcing"),
        "clarifications": ("commissioning.sourcing", "commissioning.bids"),
        "panels": (
            "commissioning.evaluation",
            "commissioning.sourcing",
            "commissioning.bids",
            "commissioning.conflicts",
        ),
        "to_progress": ("commissioning.sourcing", "commissioning.bids", "commissioning.evaluation"),
        "summaries": ("commissioning.award", "commissioning.sourcing", "commissioning.bids"),
        "returns": ("monitoring.returns", "monitoring.agreements"),
        "assessments": ("monitoring.returns", "monitoring.agreements", "commissioning.regime"),
        "notices": ("monitoring.notices", "monitoring.agreements", "commissioning.sourcing", "commissioning.award"),
        "by_stage": (),
        "deadlines": ("commissioning.sourcing",),
        "expiry": ("monitoring.agreements", "monitoring.reviews"),
    }.items()
}
# The lists each table of the dashboard shows: a table is kept by their families ({% fragment %}).
_TABLES = {
    "stage_work": ("stage_work",),
    "decisions": ("approvals", "awards"),
    "clarifications": ("clarifications",),
    "bids_to_open": ("to_progress",),
    "panels_to_set_up": ("to_progress",),
    "panels": ("panels",),
    "summaries": ("summaries",),
    "returns": ("returns",),
    "assessments": ("assessments",),
    "notices": ("notices",),
    "coming_up": ("deadlines", "expiry"),
    "expiry": ("expiry",),
}
PART_FAMILIES = part_families(LIST_FAMILIES, _TABLES)


def officer_dashboard(user: User, council: Council, keep: Keep = worked_out) -> dict:
    """What is waiting for this officer: stage work, approvals, clarifications, bids to score,
    returns to review, overdue items; their commissions by stage; deadlines coming up. Each list is
    worked out through `keep`, by its own families (`LIST_FAMILIES`)."""
    today = timezone.localdate()
    roles = roles_in(user, council)
    is_lead = Role.LEAD_COMMISSIONER in roles
    is_commissioner = bool(roles & {Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER})
    is_sourcing = bool(roles & {Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER})
    commissions = commissions_visible_to(user, council)
    mine = commissions.filter(lead_officer=user)
    # What decides which lists are shown and what each holds, besides its data: the day and the roles.
    vary = [today.isoformat(), ",".join(sorted(roles))]

    kept = kept_lists(keep, LIST_FAMILIES, vary)

    stage_work = kept("stage_work", lambda: _stage_work(mine))
    approvals = awards = Rows()
    if is_lead:
        # Below the key-decision threshold the lead commissioner decides (a delegated decision).
        approvals = kept(
            "approvals",
            lambda: first_rows(
                commissions_awaiting_approval(commissions).filter(
                    Q(budget__isnull=True) | Q(budget__lt=council.key_decision_threshold)
                )
            ),
        )
        awards = kept(
            "awards",
            lambda: first_rows(
                council_awards(council)
                .filter(state=AwardState.AWAITING_DECISION, is_key_decision=False)
                .order_by("submitted_at", "id")
            ),
        )
        # Both kinds share one table: the longest waiting first, LIST_LIMIT in all.
        approvals, awards = first_of_both(
            approvals,
            awards,
            lambda commission: waiting_since(commission.updated_at),
            lambda award: waiting_since(award.submitted_at),
        )
    clarifications = (
        kept("clarifications", lambda: _clarifications(user, council, commissions, today)) if is_sourcing else Rows()
    )
    panels = kept("panels", lambda: queues.panels(user, council))
    to_open, to_set_up = kept(
        "to_progress", lambda: queues.opportunities_to_progress(user, council, commissions, roles)
    )
    summaries = kept("summaries", lambda: queues.summaries_to_send(user, council, commissions, roles))
    returns = kept("returns", lambda: _returns(user, council, today)) if is_commissioner else Rows()
    # The lead commissioner answers for every contract's yearly assessment, whoever leads it, so none
    # that is due falls off every list when its officer has moved on.
    assessments = (
        kept("assessments", lambda: _assessments_due(user, council, today, everyone=is_lead))
        if is_commissioner
        else Rows()
    )
    notices = Rows()
    types = preparable_types(user, council)
    publishes = has_any_role(user, council, NOTICE_OFFICERS)
    if types or publishes:
        # The drafts this officer prepares (the UK17 is the finance officer's) and, for the notice
        # officers, every notice ready to publish (the UK17 too), due soon or overdue.
        notices = kept(
            "notices",
            lambda: first_rows(
                notices_due(council, today, types=types, ready_to_publish=publishes),
                limit=NOTICES_SHOWN,
                overdue=Q(due_on__lt=today),
            ),
        )

    by_stage = kept("by_stage", lambda: stage_rows(mine))
    # Sourcing officers watch every opportunity of the council; other officers their own commissions'.
    deadlines = kept("deadlines", lambda: _deadlines(council, commissions if is_sourcing else mine, today))
    # Every officer may be a contract manager; the lead commissioner sees the whole council's pipeline.
    pipeline, ending = kept("expiry", lambda: _expiry(user, council, mine, today, everyone=is_lead))
    # Deadlines and endings share one list: the soonest first, LIST_LIMIT in all.
    deadlines, ending = first_of_both(
        deadlines, ending, lambda opportunity: _next_deadline(opportunity, today), lambda agreement: agreement.ends_on
    )
    overdue_items = (
        returns.counts.get("overdue", 0)
        + clarifications.counts.get("overdue", 0)
        + ending.counts["ended"]
        + assessments.counts.get("overdue", 0)
        + notices.counts.get("overdue", 0)
    )
    waiting = (
        stage_work,
        approvals,
        awards,
        clarifications,
        to_open,
        to_set_up,
        panels,
        returns,
        assessments,
        summaries,
        notices,
    )
    return {
        "waiting": sum(rows.total for rows in waiting),
        "decisions_total": approvals.total + awards.total,
        "decisions_shown": len(approvals) + len(awards),
        "stage_work": stage_work,
        "approvals": approvals,
        "awards": awards,
        "clarifications": clarifications,
        "panels": panels,
        "bids_to_open": to_open,
        "panels_to_set_up": to_set_up,
        "summaries_to_send": summaries,
        "returns": returns,
        "assessments": assessments,
        "notices": notices,
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
        "expiry_pipeline": pipeline,
        "expiry_everyone": is_lead,
        "expiry_bands": [(months, pipeline.counts[f"within_{months}"]) for months in BANDS],
        "part_families": PART_FAMILIES,
        "part_vary": vary,
    }


def _stage_work(mine: QuerySet[Commission]) -> Rows:
    """The officer's commissions with a stage gate to complete, the longest untouched first, each
    with what the Understand gate still asks for."""
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
    return stage_work


def _clarifications(user: User, council: Council, commissions: QuerySet[Commission], today: date) -> Rows:
    """Opportunities with questions waiting for an answer, the earliest deadline first."""
    conflicted = OrganisationMember.objects.filter(user=user).filter(
        Q(organisation__bids__opportunity=OuterRef("opportunity"))
        | Q(
            organisation__partnered_bids__bid__opportunity=OuterRef("opportunity"),
            organisation__partnered_bids__confirmed_at__isnull=False,
        )
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
        .values("opportunity_id", "opportunity__reference", "opportunity__title", "opportunity__clarification_deadline")
        .annotate(count=Count("id"))
        .order_by("opportunity__clarification_deadline", "opportunity_id"),
        overdue=Q(opportunity__clarification_deadline__lt=start_of_today),
    )
    for row in clarifications:
        row["overdue"] = timezone.localdate(row["opportunity__clarification_deadline"]) < today
    return clarifications


def _returns(user: User, council: Council, today: date) -> Rows:
    """Returns waiting for this officer: submitted ones to review, and overdue ones to chase."""
    overdue_return = Q(state__in=AWAITING_PROVIDER_STATES, due_on__lt=today)
    return first_rows(
        MonitoringReturn.objects.filter(agreement__council=council)
        .filter(Q(agreement__commission__lead_officer=user) | Q(agreement__council_contact=user))
        .filter(Q(state=ReturnState.SUBMITTED) | overdue_return)
        .select_related("agreement__council", "agreement__provider")
        .order_by("due_on", "id"),
        overdue=overdue_return,
    )


def _deadlines(council: Council, watched: QuerySet[Commission], today: date) -> Rows:
    soon = today + timedelta(days=UPCOMING_DAYS)
    return first_rows(
        Opportunity.objects.filter(council=council, commission__in=watched, state=OpportunityState.PUBLISHED)
        .filter(
            Q(clarification_deadline__date__gte=today, clarification_deadline__date__lte=soon)
            | Q(submission_deadline__date__gte=today, submission_deadline__date__lte=soon)
        )
        .order_by("submission_deadline", "id")
    )


def _expiry(user: User, council: Council, mine: QuerySet[Commission], today: date, *, everyone: bool) -> tuple:
    """The expiry pipeline (the whole council's for the lead commissioner) and, in the same query, the
    agreements of the officer's own commissions ending soon."""
    return expiry_pipeline(
        user,
        council,
        today,
        everyone=everyone,
        other=OtherList(
            condition=Q(commission__in=mine, state__in=IN_FORCE_STATES, ends_on__lte=add_months(today, 3)),
            order_by=("ends_on", "id"),
            counts={"ended": Q(ends_on__lt=today)},
        ),
    )


def _assessments_due(user: User, council: Council, today: date, *, everyone: bool = False) -> Rows:
    """Live contracts under the KPI duty (s.52, s.71) that this officer leads or is the contact for (every
    one of the council's for the lead commissioner, `everyone`), whose
    yearly KPI assessment is due within UPCOMING_DAYS or overdue, the earliest first. Few contracts are
    worth more than £5,000,000, so the due days are worked out here rather than in the query."""
    agreements = Agreement.objects.filter(KPI_DUTY, council=council, state=AgreementState.LIVE)
    if not everyone:
        agreements = agreements.filter(Q(commission__lead_officer=user) | Q(council_contact=user))
    agreements = (
        agreements.annotate(latest_assessment=Max("assessments__assessed_on"))
        .select_related("council", "provider")
        .order_by("id")
    )
    due = []
    for agreement in agreements:
        agreement.assessment_due = next_assessment_due(
            agreement.latest_assessment, agreement.live_on, agreement.starts_on
        )
        agreement.assessment_overdue = agreement.assessment_due < today
        if agreement.assessment_due <= today + timedelta(days=UPCOMING_DAYS):
            due.append(agreement)
    due.sort(key=lambda agreement: (agreement.assessment_due, agreement.pk))
    return Rows(due[:LIST_LIMIT], len(due), {"overdue": sum(1 for a in due if a.assessment_overdue)})


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
