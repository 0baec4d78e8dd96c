"""What each evaluation panel is waiting for, for the person asking: their declarations, their score
sheets, the chair's moderation; or, when the turn is not theirs, whose it is ("Waiting for the panel:
2 of 3 scores in").

Read by the officer's dashboard (their panels in one council) and by an independent member's own page
(their panels in every council). One query whatever the number of panels: the counts are subqueries
of each membership row, so they never multiply one another.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from commissioning.models import (
    Bid,
    BidState,
    Declaration,
    EvaluationState,
    PanelMember,
    ScoreSheet,
)
from councils.models import Council, User
from providers.models import OrganisationMember

# The stages in which a panel has work to do (before sign-off).
WORKING_STATES = (
    EvaluationState.DECLARATIONS,
    EvaluationState.COMPLIANCE,
    EvaluationState.SCORING,
    EvaluationState.MODERATION,
)


@dataclass(frozen=True)
class PanelTask:
    """The next thing on one panel: `url` only when it is the viewer's to do, else `holder` says whose."""

    label: str
    url: str = ""
    holder: str = ""
    due: bool = False


def _count(queryset: QuerySet, outer: str = "pk") -> Coalesce:
    rows = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), Value(0))


def _acting_for_a_bidder(user: User) -> Exists:
    """The ethical wall: the person acts for an organisation that bid for (or is a confirmed partner in
    a bid for) the panel's opportunity; the evaluation is none of theirs to see."""
    return Exists(
        OrganisationMember.objects.filter(user=user).filter(
            Q(organisation__bids__opportunity=OuterRef("evaluation__opportunity"))
            | Q(
                organisation__partnered_bids__bid__opportunity=OuterRef("evaluation__opportunity"),
                organisation__partnered_bids__confirmed_at__isnull=False,
            )
        )
    )


def panel_memberships(user: User, council: Council | None = None) -> QuerySet[PanelMember]:
    """The person's current places on panels still at work (in one council, or in every council),
    with what the next-task words need, the earliest closing date first."""
    memberships = PanelMember.objects.filter(
        user=user, ended_at__isnull=True, evaluation__state__in=WORKING_STATES
    ).exclude(_acting_for_a_bidder(user))
    if council is not None:
        memberships = memberships.filter(evaluation__opportunity__council=council)
    bids = Bid.objects.filter(opportunity=OuterRef("evaluation__opportunity"), state=BidState.SUBMITTED)
    return (
        memberships.select_related("evaluation__opportunity__council")
        .annotate(
            bids=_count(bids, "opportunity"),
            declared=_count(Declaration.objects.filter(member=OuterRef("pk")), "member"),
            conflicts=_count(Declaration.objects.filter(member=OuterRef("pk"), has_conflict=True), "member"),
            sheets_submitted=_count(
                ScoreSheet.objects.filter(member=OuterRef("pk"), submitted_at__isnull=False), "member"
            ),
            panel_size=_count(
                PanelMember.objects.filter(evaluation=OuterRef("evaluation"), ended_at__isnull=True), "evaluation"
            ),
            panel_declared=_count(
                Declaration.objects.filter(evaluation=OuterRef("evaluation"), member__ended_at__isnull=True),
                "evaluation",
            ),
            panel_sheets=_count(
                ScoreSheet.objects.filter(
                    evaluation=OuterRef("evaluation"), member__ended_at__isnull=True, submitted_at__isnull=False
                ),
                "evaluation",
            ),
            panel_conflicts=_count(
                Declaration.objects.filter(
                    evaluation=OuterRef("evaluation"), member__ended_at__isnull=True, has_conflict=True
                ),
                "evaluation",
            ),
        )
        .order_by("evaluation__opportunity__submission_deadline", "id")
    )


def panel_task(member: PanelMember) -> PanelTask:
    """The next thing on this member's panel, from the counts `panel_memberships` annotated."""
    evaluation = member.evaluation
    opportunity = evaluation.opportunity
    args = [opportunity.council.slug, opportunity.pk]
    state = evaluation.state
    if state == EvaluationState.DECLARATIONS:
        if member.declared < member.bids:
            return PanelTask(
                "Declare your interests", reverse("commissioning:evaluation_declarations", args=args), due=True
            )
        expected = member.panel_size * member.bids
        return PanelTask("Waiting for the panel", holder=f"{member.panel_declared} of {expected} declarations in")
    if state == EvaluationState.COMPLIANCE:
        if member.is_chair:
            return PanelTask("Record the compliance checks", reverse("commissioning:evaluation", args=args), due=True)
        return PanelTask("Waiting for the chair", holder="the chair is recording the compliance checks")
    if state == EvaluationState.SCORING:
        expected = member.panel_size * member.bids - member.panel_conflicts
        if member.sheets_submitted < member.bids - member.conflicts:
            return PanelTask("Score the bids", reverse("commissioning:evaluation", args=args), due=True)
        return PanelTask("Waiting for the panel", holder=f"{member.panel_sheets} of {expected} scores in")
    if member.is_chair:
        return PanelTask("Moderate the scores", reverse("commissioning:evaluation_moderation", args=args), due=True)
    return PanelTask("Waiting for the chair", holder="the chair is moderating the scores")


def panels_with_tasks(user: User, council: Council | None = None, limit: int | None = None) -> list[PanelMember]:
    """`panel_memberships` with each row's `task` set (those due to the person first)."""
    rows = list(panel_memberships(user, council)[:limit] if limit else panel_memberships(user, council))
    for member in rows:
        member.task = panel_task(member)
    rows.sort(key=lambda member: not member.task.due)
    return rows


# The evaluation's own steps, and who takes them (the FSM's permissions: `can_run_evaluation`, `is_chair`).
STEP_HOLDERS = {
    EvaluationState.DECLARATIONS: ("Start the compliance checks", "held by the lead commissioner"),
    EvaluationState.COMPLIANCE: ("Start scoring", "held by the lead commissioner"),
    EvaluationState.SCORING: ("Close scoring and start moderation", "held by the lead commissioner"),
    EvaluationState.MODERATION: ("Sign off the moderation", "held by the chair of the panel"),
}
