"""What commissioning tells the data-protection machinery in `councils` (registered in `ready()`):
why a person's records must be kept (erasure holds) and what it holds about them (subject access).

A bid's business content belongs to its organisation, not to the person who typed it: the subject
access export lists the bids a person started or submitted (which, for whom, when), not the answers.
Clarification questions are the person's own words, sent in their name: those are included.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from commissioning.models import (
    Bid,
    BidReceipt,
    Clarification,
    Commission,
    ConsultationComment,
    EvaluationState,
    Interest,
    PanelMember,
    State,
)
from councils import erasure, subject_access
from councils.models import User

CLOSED = (State.DECOMMISSIONED, State.CANCELLED)


def holds(user: User, today: dt.date) -> list[str]:
    # Bids they wrote are held by `monitoring.records`, which knows when each bid's retention ends.
    reasons = []
    led = Commission.objects.filter(lead_officer=user).exclude(state__in=CLOSED)
    for commission in led[:5]:
        reasons.append(f"They are the lead officer of {commission.reference}, which is still live.")
    panels = PanelMember.objects.filter(user=user).exclude(evaluation__state=EvaluationState.SIGNED_OFF)
    for member in panels.select_related("evaluation__opportunity")[:5]:
        reasons.append(f"They are on the evaluation panel of {member.evaluation.opportunity.reference}, still open.")
    return reasons


def _bids(user: User) -> list[dict]:
    bids = Bid.objects.filter(Q(created_by=user) | Q(receipts__submitted_by=user)).distinct()
    return [
        {
            "bid": str(bid),
            "opportunity": bid.opportunity.title,
            "organisation": str(bid.organisation),
            "state": bid.get_state_display(),
            "started_by_you": bid.created_by_id == user.pk,
            "started": bid.created_at,
            "submitted": bid.submitted_at,
        }
        for bid in bids.select_related("opportunity", "organisation")
    ]


def _receipts(user: User) -> list[dict]:
    return [
        {"receipt": r.reference, "bid": str(r.bid), "submitted": r.submitted_at}
        for r in BidReceipt.objects.filter(submitted_by=user).select_related("bid__opportunity")
    ]


def _clarifications(user: User) -> list[dict]:
    return [
        {"opportunity": c.opportunity.title, "asked": c.asked_at, "question": c.question, "answer": c.answer}
        for c in Clarification.objects.filter(asked_by=user).select_related("opportunity")
    ]


def _interests(user: User) -> list[dict]:
    return [
        {"opportunity": i.opportunity.title, "organisation": str(i.organisation), "registered": i.created_at}
        for i in Interest.objects.filter(registered_by=user).select_related("opportunity", "organisation")
    ]


def _consultation_comments(user: User) -> list[dict]:
    comments = ConsultationComment.objects.filter(author=user).select_related("consultation", "organisation")
    return [
        {
            "consultation": c.consultation.title,
            "for": str(c.organisation) if c.organisation_id else "yourself",
            "name": c.name,
            "email": c.email,
            "sent": c.created_at,
            "comment": c.text,
        }
        for c in comments
    ]


def _commissions(user: User) -> list[dict]:
    return [
        {"commission": c.reference, "title": c.title, "state": c.get_state_display(), "role": "lead officer"}
        for c in Commission.objects.filter(lead_officer=user)
    ]


def _panels(user: User) -> list[dict]:
    return [
        {"opportunity": m.evaluation.opportunity.title, "evaluation": m.evaluation.get_state_display()}
        for m in PanelMember.objects.filter(user=user).select_related("evaluation__opportunity")
    ]


def register() -> None:
    erasure.register_hold(holds)
    subject_access.register_section(
        "bids",
        "Bids you started or submitted for an organisation (not their content, which is the organisation's).",
        _bids,
    )
    subject_access.register_section("bid_receipts", "Receipts for the bids you submitted.", _receipts)
    subject_access.register_section(
        "clarification_questions", "Questions you asked about opportunities.", _clarifications
    )
    subject_access.register_section("interests", "Opportunities you registered an interest in.", _interests)
    subject_access.register_section(
        "consultation_comments", "Comments you sent on councils' drafts open for comment.", _consultation_comments
    )
    subject_access.register_section("commissions_led", "Commissions you lead as an officer.", _commissions)
    subject_access.register_section("evaluation_panels", "Evaluation panels you sat on.", _panels)


__all__ = ["register"]
