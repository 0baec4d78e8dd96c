"""Reads for member working groups, scoped to the person reading.

A group works on a review or a commission: its *subject*. A member reads the subject's working
documents and nothing more: not a commission's funding, criteria, opportunity, bids, evaluation or
award, which stay behind the commission's own pages and permissions, nor a review's documents to
download. Anyone who acts for an organisation that bid for the commission is behind the ethical wall
and reads none of it (`walled_off`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from commissioning.models import (
    STAGE_OF_STATE,
    Commission,
    EngagementActivity,
    EngagementKind,
    Opportunity,
    OutcomeSought,
    Review,
    Stage,
    WorkingGroup,
    WorkingGroupComment,
    WorkingGroupMember,
)
from commissioning.models.reviews import OPEN_REVIEW_STATES
from commissioning.permissions import can_read_commission, can_read_review
from commissioning.sourcing.selectors.bids import bids_of_organisations, member_organisation_ids
from councils.models import COUNCILLOR_ROLES, Council, User
from councils.permissions import has_any_role

# What a member comments on: a commission's working documents of Understand and Plan, in page order...
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
# ...and a review's.
REVIEW_DOCUMENTS = {
    "scope": "Scope and timetable",
    "services": "Services covered",
    "evidence": "Evidence",
    "findings": "Findings",
    "general": "The review as a whole",
}


@dataclass(frozen=True)
class SubjectKind:
    """What differs between a review's working group and a commission's."""

    model: type[Model]
    field: str  # the group's field naming its subject
    label: str
    documents: dict[str, str]
    url_name: str  # the group page's URL name ("commissioning:<url_name>")

    def reads(self, user, subject) -> bool:
        """Reads the subject through its own pages (officers, scrutiny, the portfolio's holder)."""
        return can_read_review(user, subject) if self.model is Review else can_read_commission(user, subject)


KINDS = {
    "commission": SubjectKind(Commission, "commission", "commission", WORKING_DOCUMENTS, "working_group"),
    "review": SubjectKind(Review, "review", "review", REVIEW_DOCUMENTS, "review_working_group"),
}


def kind_of(subject) -> SubjectKind:
    return KINDS["review"] if isinstance(subject, Review) else KINDS["commission"]


def subject_lookup(subject) -> dict:
    """The lookup of the group (or rows through it) working on `subject`."""
    return {kind_of(subject).field: subject}


def group_of(subject) -> WorkingGroup | None:
    return WorkingGroup.objects.filter(**subject_lookup(subject)).first()


def _current(subject) -> QuerySet[WorkingGroupMember]:
    return WorkingGroupMember.objects.current().filter(**{f"group__{kind_of(subject).field}": subject})


def is_member(user: User, subject) -> bool:
    """A current member of the subject's working group who is still a councillor of its council
    (someone whose seat was taken away reads nothing, even before they are taken off the group)."""
    if not has_any_role(user, subject.council, COUNCILLOR_ROLES):
        return False
    return _current(subject).filter(user=user).exists()


def walled_off(user: User, subject) -> bool:
    """The user acts for an organisation that bid for (or is a confirmed partner in a bid for) one of
    the commission's opportunities: the ethical wall keeps them out of its working documents too. A
    review has no procurement of its own."""
    if isinstance(subject, Review):
        return False
    commission = subject
    organisations = member_organisation_ids(user)
    if not organisations:
        return False
    bid_for = bids_of_organisations(organisations).values("opportunity_id")
    return Opportunity.objects.filter(commission=commission, pk__in=bid_for).exists()


def subject_for_group(user: User, council: Council, kind: str, pk: int):
    """A review or commission of this council whose working group the user may look at: its readers
    and its group's members. Anyone else gets a 404, never a hint that it exists."""
    subject_kind = KINDS[kind]
    subject = get_object_or_404(
        subject_kind.model.objects.select_related("lead_officer", "portfolio__holder"), council=council, pk=pk
    )
    subject.council = council
    if not (subject_kind.reads(user, subject) or is_member(user, subject)):
        raise Http404
    return subject


def members(subject) -> list[WorkingGroupMember]:
    return list(_current(subject).select_related("user", "added_by").order_by("user__full_name", "pk"))


def member_for(subject, pk: int) -> WorkingGroupMember:
    return get_object_or_404(_current(subject).select_related("user", "group"), pk=pk)


def eligible_councillors(subject) -> QuerySet[User]:
    """The council's active councillors (cabinet, scrutiny, or councillors without either) who are not
    in the group already: the people a portfolio holder may name."""
    current = _current(subject).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            memberships__council_id=subject.council_id,
            memberships__role__in=list(COUNCILLOR_ROLES),
        )
        .exclude(pk__in=current)
        .distinct()
        .order_by("full_name", "email")
    )


def comments(subject) -> list:
    """The group's comments, the latest first: on a commission, its engagement log's for this cycle
    (EngagementActivity); on a review, the review's own log (WorkingGroupComment)."""
    if isinstance(subject, Review):
        return list(WorkingGroupComment.objects.filter(group__review=subject).select_related("author"))
    commission = subject
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
        "engagements": list(commission.engagements.filter(cycle=cycle).select_related("author", "consultation")),
        "existing_provision": list(commission.existing_provision.filter(cycle=cycle)),
        "gap_analysis": commission.gap_analyses.filter(cycle=cycle).first(),
        "options": list(commission.options.filter(cycle=cycle)),
        "outcomes_sought": list(outcomes),
        "risks": list(commission.risks.filter(cycle=cycle)),
    }


def review_documents(review: Review) -> dict:
    """A review's working documents: what it covers and its evidence (titles and notes: its documents
    download from the review's own page only), its findings and new outcomes once written."""
    return {
        "provisions": list(review.provisions.select_related("commission").order_by("service_name")),
        "evidence": list(review.evidence.select_related("added_by")),
        "measures": list(review.new_measures.select_related("council_outcome")),
    }


def documents_of(subject) -> dict:
    return review_documents(subject) if isinstance(subject, Review) else working_documents(subject)


def is_closed(subject) -> bool:
    if isinstance(subject, Review):
        return not subject.is_open
    return STAGE_OF_STATE[subject.state] == Stage.CLOSED


def group_url(subject) -> str:
    return reverse(
        f"commissioning:{kind_of(subject).url_name}", kwargs={"council_slug": subject.council.slug, "pk": subject.pk}
    )


def my_groups(user: User, council: Council | None = None) -> list[WorkingGroupMember]:
    """The working groups a person sits on now, in every council (or one), each with its `subject`
    and its page's `url`."""
    if not user.is_authenticated:
        return []
    rows = WorkingGroupMember.objects.current().filter(user=user)
    if council is not None:
        rows = rows.filter(group__council=council)
    rows = list(
        rows.select_related("group__council", "group__commission__portfolio", "group__review__portfolio").order_by(
            "group__council__name", "-added_at", "pk"
        )
    )
    for row in rows:
        row.subject = row.group.subject
        row.subject.council = row.group.council
        row.kind = kind_of(row.subject).label
        row.url = group_url(row.subject)
    return rows


@dataclass
class GroupToName:
    subject: Model
    kind: str
    url: str
    members: list[WorkingGroupMember]


def groups_to_manage(user: User, council: Council) -> list[GroupToName]:
    """For a portfolio holder: the open reviews and commissions in the portfolios they hold, with
    their group's current members, so they can name councillors to each."""
    current = WorkingGroupMember.objects.current().select_related("user").order_by("user__full_name")
    members = Prefetch("working_group__members", queryset=current, to_attr="current_members")
    reviews = (
        Review.objects.filter(council=council, portfolio__holder=user, state__in=OPEN_REVIEW_STATES)
        .select_related("portfolio", "working_group")
        .prefetch_related(members)
        .order_by("title", "pk")
    )
    commissions = (
        Commission.objects.filter(council=council, portfolio__holder=user)
        .exclude(state__in=[state for state, stage in STAGE_OF_STATE.items() if stage == Stage.CLOSED])
        .select_related("portfolio", "working_group")
        .prefetch_related(members)
        .order_by("title", "pk")
    )
    rows = []
    for subject in [*reviews, *commissions]:
        subject.council = council
        # A reverse one-to-one with no row raises an AttributeError: no group yet.
        group = getattr(subject, "working_group", None)
        rows.append(
            GroupToName(subject, kind_of(subject).label, group_url(subject), group.current_members if group else [])
        )
    return rows


def groups_dashboard(user: User, council: Council) -> dict:
    """A councillor's working groups dashboard: the groups they sit on here and, for a portfolio
    holder, the reviews and commissions in their portfolios whose groups they name."""
    return {"groups": my_groups(user, council), "to_name": groups_to_manage(user, council)}
