"""The conflicts assessment (s.83) an officer prepares before publishing, through the real service:
no conflict for anyone with nothing declared, a low risk managed by stepping back from that bid for
anyone who declared something."""

from __future__ import annotations

from commissioning.conflicts import services as conflicts_services
from commissioning.conflicts.selectors import people_involved
from commissioning.models import ConflictRisk, ConflictsAssessmentRevision, Opportunity
from councils.models import User

STEP_BACK = "Takes no part in judging or deciding on the bids from the organisations named."


def prepare_conflicts_assessment(opportunity: Opportunity, officer: User) -> ConflictsAssessmentRevision:
    answers = {
        row.person.pk: (ConflictRisk.LOW, STEP_BACK) if row.interests else (ConflictRisk.NONE, "")
        for row in people_involved(opportunity)
    }
    return conflicts_services.assessment_review(by=officer, opportunity=opportunity, answers=answers)
