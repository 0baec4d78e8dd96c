"""Reads for member working groups, scoped to the person reading.

A member reads the working documents of the commission their group works on, and nothing more: not
its funding, criteria, opportunity, bids, evaluation or award, which stay behind the commission's own
pages and permissions. Anyone who acts for an organisation that bid for the commission is behind the
ethical wall and reads none of it (`walled_off`)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from commissioning.models import (
    STAGE_OF_STATE,
    Commission,
    EngagementActivity,
    EngagementKind,
    Opportunity,
    OutcomeSought,
    Stage,
    WorkingGroup,
    WorkingGroupMember,
)
from commissioning.permissions import can_read_commission
from commissioning.sourcing.selectors.bids import bids_of_organisations, member_organisation_ids
from councils.models import COUNCILLOR_ROLES, Council, User
from councils.permissions import has_any_role

# What a member comments on: the working documents of Understand and Plan, in the order of the page.
WORKING_DOCUMENTS = {
    "needs": "Needs assessment",
    "evidence": "Evidence",
    "provision": "Existing provision",
    "gaps": "Gap analysis",
    "options": "Options appraisal",
    "outcomes": "Outcomes sought and success measures",
    "risks": "Risks",
    "general": "The commission as a whole",
}


def group_of(commission: Commission) -> WorkingGroup | None:
    return WorkingGroup.objects.filter(commission=commission).first()


def is_member(user: User, commission: Commission) -> bool:
    """A current member of the commission's working group who is still a councillor of its council
    (someone whose seat was taken away reads nothing, even before they are taken off the group)."""
    if not has_any_role(user, commission.council, COUNCILLOR_ROLES):
        return False
    return WorkingGroupMember.objects.current().filter(group__commission=commission, user=user).exists()


def walled_off(user: User, commission: Commission) -> bool:
    """The user acts for an organisation that bid for (or is a confirmed partner in a bid for) one of
    the commission's opportunities: the ethical wall keeps them out of its working documents too."""
    organisations = member_organisation_ids(user)
    if not organisations:
        return False
    bid_for = bids_of_organisations(organisations).values("opportunity_id")
    return Opportunity.objects.filter(commission=commission, pk__in=bid_for).exists()


def commission_for_group(user: User, council: Council, pk: int) -> Commission:
    """A commission of this council whose working group the user may look at: its readers and its
    group's members. Anyone else gets a 404, never a hint that it exists."""
    commission = get_object_or_404(
        Commission.objects.select_related("lead_officer", "portfolio__holder"), council=council, pk=pk
    )
    commission.council = council
    if not (can_read_commission(user, commission) or is_member(user, commission)):
        raise Http404
    return commission


def members(commission: Commission) -> list[WorkingGroupMember]:
    return list(
        WorkingGroupMember.objects.current()
        .filter(group__commission=commission)
        .select_related("user", "added_by")
        .order_by("user__full_name", "pk")
    )


def member_for(commission: Commission, pk: int) -> WorkingGroupMember:
    return get_object_or_404(
        WorkingGroupMember.objects.current().select_related("user", "group"), group__commission=commission, pk=pk
    )


def eligible_councillors(commission: Commission) -> QuerySet[User]:
    """The council's active councillors (cabinet, scrutiny, or councillors without either) who are not
    in the group already: the people a portfolio holder may name."""
    current = WorkingGroupMember.objects.current().filter(group__commission=commission).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            memberships__council_id=commission.council_id,
            memberships__role__in=list(COUNCILLOR_ROLES),
        )
        .exclude(pk__in=current)
        .distinct()
        .order_by("full_name", "email")
    )


def comments(commission: Commission) -> list[EngagementActivity]:
    """The group's comments on this cycle's work, the latest first."""
    return list(
        EngagementActivity.objects.filter(
            commission=commission, cycle=commission.cycle, kind=EngagementKind.WORKING_GROUP
        )
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def working_documents(commission: Commission) -> dict:
    """The current cycle's working documents, in the shape the commission page's sections read
    (`work`), with nothing else in it: no funding, criteria, regime, decisions or procurement."""
    cycle = commission.cycle
    outcomes = (
        OutcomeSought.objects.filter(commission=commission, cycle=cycle)
        .select_related("council_outcome__priority")
        .prefetch_related("success_measures")
    )
    return {
        "needs_assessment": commission.needs_assessments.filter(cycle=cycle).first(),
        "evidence": list(commission.evidence.filter(cycle=cycle)),
        "engagements": list(commission.engagements.filter(cycle=cycle).select_related("author")),
        "existing_provision": list(commission.existing_provision.filter(cycle=cycle)),
        "gap_analysis": commission.gap_analyses.filter(cycle=cycle).first(),
        "options": list(commission.options.filter(cycle=cycle)),
        "outcomes_sought": list(outcomes),
        "risks": list(commission.risks.filter(cycle=cycle)),
    }


def is_closed(commission: Commission) -> bool:
    return STAGE_OF_STATE[commission.state] == Stage.CLOSED


def my_groups(user: User, council: Council | None = None) -> list[WorkingGroupMember]:
    """The working groups a person sits on now, in every council (or one), with their commission."""
    if not user.is_authenticated:
        return []
    rows = WorkingGroupMember.objects.current().filter(user=user)
    if council is not None:
        rows = rows.filter(group__council=council)
    return list(
        rows.select_related("group__council", "group__commission__portfolio").order_by(
            "group__council__name", "group__commission__title", "pk"
        )
    )


def groups_to_manage(user: User, council: Council) -> list[Commission]:
    """For a portfolio holder: the open commissions in the portfolios they hold, with their group's
    current members, so they can name councillors to each."""
    current = WorkingGroupMember.objects.current().select_related("user").order_by("user__full_name")
    return list(
        Commission.objects.filter(council=council, portfolio__holder=user)
        .exclude(state__in=[state for state, stage in STAGE_OF_STATE.items() if stage == Stage.CLOSED])
        .select_related("portfolio", "working_group")
        .prefetch_related(Prefetch("working_group__members", queryset=current, to_attr="current_members"))
        .order_by("title", "pk")
    )


def groups_dashboard(user: User, council: Council) -> dict:
    """A councillor's working groups dashboard: the groups they sit on here and, for a portfolio
    holder, the commissions in their portfolios whose groups they name."""
    return {"groups": my_groups(user, council), "to_name": groups_to_manage(user, council)}
