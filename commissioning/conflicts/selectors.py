"""Reads for the conflicts assessment (s.83): who acts in or influences a procurement, what they have
declared, the assessment's revisions, what publishing still needs, and the confirmation a contract
details notice (UK7) carries."""

from __future__ import annotations

import dataclasses
import datetime

from commissioning.models import (
    ConflictsAssessment,
    ConflictsAssessmentRevision,
    Declaration,
    Evaluation,
    Opportunity,
    PanelMember,
)
from councils.models import User
from providers.models import OrganisationMember


@dataclasses.dataclass(frozen=True)
class Involved:
    """A person acting for the council in, or influencing a decision on, one procurement."""

    person: User
    capacity: str
    interests: str


def _organisation_interests(people: list[User]) -> dict[int, list[str]]:
    """Council people who also act for a provider organisation: an interest whatever bids (never
    naming bids, which stay sealed until opened)."""
    found: dict[int, list[str]] = {}
    members = (
        OrganisationMember.objects.filter(user__in=people, consented_at__isnull=False)
        .select_related("organisation")
        .order_by("organisation__legal_name", "role")
    )
    for member in members:
        found.setdefault(member.user_id, []).append(
            f"Acts for {member.organisation.legal_name} as {member.get_role_display().lower()}"
        )
    return found


def _panel(opportunity: Opportunity) -> list[tuple[PanelMember, list[str]]]:
    evaluation = Evaluation.objects.filter(opportunity=opportunity).first()
    if evaluation is None:
        return []
    members = list(evaluation.members.filter(ended_at__isnull=True).select_related("user"))
    declared: dict[int, list[str]] = {}
    for declaration in Declaration.objects.filter(member__in=members, has_conflict=True).order_by("declared_at", "id"):
        declared.setdefault(declaration.member_id, []).append(
            f"Declared a conflict with {declaration.organisations}: {declaration.nature}"
        )
    return [(member, declared.get(member.pk, [])) for member in members]


def people_involved(opportunity: Opportunity) -> list[Involved]:
    """Everyone the assessment covers, built from what has been declared: the commission's lead
    officer, the councillor who takes the award if it is a key decision (the portfolio holder), and
    the evaluation panel with the conflicts each panellist declared. One line each, in that order."""
    commission = opportunity.commission
    rows: dict[int, tuple[User, list[str], list[str]]] = {}

    def add(person: User | None, capacity: str, interests=()) -> None:
        if person is None:
            return
        _, capacities, found = rows.setdefault(person.pk, (person, [], []))
        capacities.append(capacity)
        found.extend(interests)

    add(commission.lead_officer, "Lead officer for the commission")
    portfolio = commission.portfolio
    if portfolio is not None and portfolio.holder_id:
        add(portfolio.holder, f"Portfolio holder ({portfolio.name}): takes the award if it is a key decision")
    for member, declared in _panel(opportunity):
        add(member.user, f"{member.role_label} on the evaluation panel", declared)
    memberships = _organisation_interests([person for person, _, _ in rows.values()])
    return [
        Involved(person, "; ".join(capacities), "\n".join([*memberships.get(person.pk, []), *found]))
        for person, capacities, found in rows.values()
    ]


def assessment_of(opportunity: Opportunity) -> ConflictsAssessment | None:
    return ConflictsAssessment.objects.filter(opportunity=opportunity).first()


def latest_revision(opportunity: Opportunity) -> ConflictsAssessmentRevision | None:
    return (
        ConflictsAssessmentRevision.objects.filter(assessment__opportunity=opportunity)
        .select_related("created_by", "reviewed_by")
        .order_by("-number")
        .first()
    )


def revisions(opportunity: Opportunity) -> list[ConflictsAssessmentRevision]:
    """Newest first, each with its entries: the assessment's history."""
    return list(
        ConflictsAssessmentRevision.objects.filter(assessment__opportunity=opportunity)
        .select_related("created_by", "reviewed_by")
        .prefetch_related("entries__person")
        .order_by("-number")
    )


def missing_to_publish(opportunity: Opportunity) -> list[str]:
    """The s.83 gate on the tender notice: an assessment prepared, and its latest revision reviewed."""
    latest = latest_revision(opportunity)
    if latest is None:
        return ["Prepare the conflicts assessment"]
    if not latest.is_reviewed:
        return [f"Review the conflicts assessment: {latest.reason[0].lower()}{latest.reason[1:]}"]
    return []


@dataclasses.dataclass(frozen=True)
class Confirmation:
    """What a contract details notice (UK7, reg 32) confirms: the assessment was prepared, and when."""

    prepared_at: datetime.datetime
    last_reviewed_at: datetime.datetime
    revisions: int
    up_to_date: bool


def confirmation(opportunity: Opportunity) -> Confirmation | None:
    """None when no assessment was ever prepared (reviewed); a UK7 generator refuses then."""
    reviewed = list(
        ConflictsAssessmentRevision.objects.filter(
            assessment__opportunity=opportunity, reviewed_at__isnull=False
        ).order_by("number")
    )
    if not reviewed:
        return None
    latest = latest_revision(opportunity)
    return Confirmation(
        prepared_at=reviewed[0].reviewed_at,
        last_reviewed_at=reviewed[-1].reviewed_at,
        revisions=latest.number,
        up_to_date=latest.is_reviewed,
    )
