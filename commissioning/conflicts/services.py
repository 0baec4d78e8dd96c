"""Writes for the conflicts assessment (Procurement Act 2023, s.83).

An officer prepares the assessment before the tender notice and reviews it after each revision. A
revision is made automatically whenever someone joins the procurement or records a declaration
(`assessment_revise`, called by the evaluation services): it lists the people as they stand, carries
the earlier risk and mitigation over for anyone whose capacity and interests have not changed, and
waits for review. Reviewed revisions are never changed: the history is the record.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.conflicts.selectors import Involved, people_involved
from commissioning.models import (
    ConflictRisk,
    ConflictsAssessment,
    ConflictsAssessmentEntry,
    ConflictsAssessmentRevision,
    Opportunity,
    OpportunityState,
)
from commissioning.permissions import can_assess_conflicts
from commissioning.sourcing.selectors.bids import is_walled_off
from councils.models import User
from councils.services import audit_record

# The assessment is prepared before the tender notice and kept under review until the procurement ends.
CLOSED_STATES = (OpportunityState.CANCELLED,)


def _require_assessor(by: User, opportunity: Opportunity) -> None:
    # An officer who acts for a bidder is walled off from the procurement, and so from its conflicts.
    if by is None or not can_assess_conflicts(opportunity, by) or is_walled_off(by, opportunity):
        raise PermissionDenied


def _next_revision(opportunity: Opportunity, *, reason: str, by: User | None) -> ConflictsAssessmentRevision:
    assessment, _ = ConflictsAssessment.objects.get_or_create(opportunity=opportunity)
    latest = assessment.revisions.order_by("-number").first()
    return ConflictsAssessmentRevision.objects.create(
        assessment=assessment, number=(latest.number + 1) if latest else 1, reason=reason, created_by=by
    )


def _locked(opportunity: Opportunity) -> Opportunity:
    return Opportunity.objects.select_for_update().get(pk=opportunity.pk)


@transaction.atomic
def assessment_review(
    *, by: User, opportunity: Opportunity, answers: dict[int, tuple[str, str]]
) -> ConflictsAssessmentRevision:
    """Prepare (the first time) or review the assessment: for every person involved now, the risk
    and, unless there is no conflict, the mitigation (`answers`: person id → (risk, mitigation)).
    A revision waiting for review is completed; otherwise a new one is made. Nothing is saved unless
    everyone is assessed."""
    _require_assessor(by, opportunity)
    opportunity = _locked(opportunity)
    if opportunity.state in CLOSED_STATES:
        raise ValidationError("This procurement was cancelled: its conflicts assessment can no longer change.")
    people = people_involved(opportunity)
    errors = {}
    for row in people:
        risk, mitigation = answers.get(row.person.pk, ("", ""))
        if risk not in ConflictRisk.values:
            errors[f"risk_{row.person.pk}"] = f"Choose the risk of a conflict for {row.person}"
        elif risk != ConflictRisk.NONE and not mitigation.strip():
            errors[f"mitigation_{row.person.pk}"] = f"Say how the conflict for {row.person} is managed"
    if errors:
        raise ValidationError(errors)
    latest = ConflictsAssessmentRevision.objects.filter(assessment__opportunity=opportunity).order_by("-number").first()
    if latest is not None and not latest.is_reviewed:
        revision = latest
        revision.entries.all().delete()  # rebuilt from the people as they stand at review
    else:
        reason = "Prepared before the tender notice" if latest is None else "Reviewed again by an officer"
        revision = _next_revision(opportunity, reason=reason, by=by)
    ConflictsAssessmentEntry.objects.bulk_create(
        ConflictsAssessmentEntry(
            revision=revision,
            person=row.person,
            capacity=row.capacity,
            interests=row.interests,
            risk=answers[row.person.pk][0],
            mitigation=answers[row.person.pk][1].strip() if answers[row.person.pk][0] != ConflictRisk.NONE else "",
        )
        for row in people
    )
    revision.reviewed_at, revision.reviewed_by = timezone.now(), by
    revision.save(update_fields=["reviewed_at", "reviewed_by"])
    audit_record(
        council=opportunity.council,
        actor=by,
        event_type="conflicts_assessment.reviewed",
        obj=opportunity,
        extra={"revision": revision.number, "people": len(people)},
    )
    return revision


def assessment_revise(*, opportunity: Opportunity, reason: str) -> ConflictsAssessmentRevision | None:
    """Someone joined or declared: a new revision, waiting for review, with the earlier risk and
    mitigation kept for anyone whose capacity and interests are unchanged. Nothing before the
    assessment is first prepared (preparing it lists everyone). Runs inside the caller's transaction."""
    # The same lock as a review, so a revision and a review never race for the next number.
    opportunity = _locked(opportunity)
    latest = (
        ConflictsAssessmentRevision.objects.filter(assessment__opportunity=opportunity)
        .prefetch_related("entries")
        .order_by("-number")
        .first()
    )
    if latest is None:
        return None
    earlier = {(e.person_id, e.capacity, e.interests): e for e in latest.entries.all()}
    people: list[Involved] = people_involved(opportunity)
    if not latest.is_reviewed:
        revision = latest  # still waiting: bring it up to date rather than stack revisions
        revision.reason = f"{revision.reason}; {reason}"[:300]
        revision.save(update_fields=["reason"])
        revision.entries.all().delete()
    else:
        revision = _next_revision(opportunity, reason=reason, by=None)
    entries = []
    for row in people:
        kept = earlier.get((row.person.pk, row.capacity, row.interests))
        entries.append(
            ConflictsAssessmentEntry(
                revision=revision,
                person=row.person,
                capacity=row.capacity,
                interests=row.interests,
                risk=kept.risk if kept else "",
                mitigation=kept.mitigation if kept else "",
            )
        )
    ConflictsAssessmentEntry.objects.bulk_create(entries)
    audit_record(
        council=opportunity.council,
        actor=None,
        event_type="conflicts_assessment.revised",
        obj=opportunity,
        reason=reason,
        extra={"revision": revision.number},
    )
    return revision
