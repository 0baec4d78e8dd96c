"""Demo member working groups: in each demo council, a running commission (in the cabinet member's
portfolio where one is), and the review of existing services still under way, each have a working
group of two councillors (the councillor without a seat, `councillor@…`, and the second scrutiny
member), named by the portfolio holder through the real services, and the councillor has commented on
their working documents. Safe to run again: a council that has groups is left alone."""

from __future__ import annotations

from commissioning.groups import services
from commissioning.models import Commission, Review, ReviewState, State, WorkingGroup
from councils.models import Council, Membership, Role, User
from demo.councils import SECOND_SCRUTINY_MEMBER

COMMENTS = [
    ("needs", "The needs assessment should say how many people in the rural wards have no bus on Sundays."),
    ("options", "Before we settle on a route, I would like to hear from the groups that run this already."),
]
REVIEW_COMMENTS = [
    ("services", "Residents tell me the evening sessions are the ones that matter; please count them separately."),
    ("findings", "The findings should compare the cost per person with the neighbouring councils'."),
]


def _person(council: Council, role: str, name: str | None = None) -> User | None:
    memberships = Membership.objects.filter(council=council, role=role).select_related("user")
    if name:
        memberships = memberships.filter(user__full_name=name)
    membership = memberships.order_by("user__email").first()
    return membership.user if membership else None


def _running_commission(council: Council) -> Commission | None:
    """A running commission, the earliest in the cycle first (the group's work is the plan), in a
    portfolio with a holder (who names the group) if there is one; else the lead commissioner names it."""
    for holder_named in (True, False):
        for state in (State.PLANNING, State.UNDERSTANDING, State.AWAITING_APPROVAL, State.REVIEWING):
            running = Commission.objects.filter(council=council, state=state).select_related("portfolio__holder")
            if holder_named:
                running = running.filter(portfolio__holder__isnull=False)
            commission = running.order_by("pk").first()
            if commission is not None:
                return commission
    return None


def seed_working_groups() -> int:
    created = 0
    for council in Council.objects.all():
        councillor = _person(council, Role.COUNCILLOR)
        second = _person(council, Role.SCRUTINY_MEMBER, SECOND_SCRUTINY_MEMBER.get(council.slug))
        if councillor is None or second is None or WorkingGroup.objects.filter(council=council).exists():
            continue
        review = (
            Review.objects.filter(council=council, state=ReviewState.UNDER_WAY)
            .select_related("portfolio__holder")
            .order_by("pk")
            .first()
        )
        subjects = [(_running_commission(council), COMMENTS), (review, REVIEW_COMMENTS)]
        for subject, comments in subjects:
            if subject is None:
                continue
            holder = subject.portfolio.holder if subject.portfolio else None
            namer = holder or _person(council, Role.LEAD_COMMISSIONER)
            for member in (councillor, second):
                services.working_group_add(by=namer, subject=subject, user=member)
            for about, text in comments:
                services.working_group_comment(by=councillor, subject=subject, about=about, text=text)
            created += 1
    return created
