"""What an opportunity needs before it is published, and the deadline rules bids live by.

As with `gates.py`, each `missing_*` returns what is missing in words; the `ready_*`/boolean
functions are the FSM conditions.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone


def missing_to_publish(opportunity) -> list[str]:
    from commissioning.models import COMPETITIVE_ROUTES, State

    missing = []
    commission = opportunity.commission
    if commission.state != State.SOURCING:
        missing.append("The commission must be approved and sourcing providers")
    if commission.delivery_route not in COMPETITIVE_ROUTES:
        missing.append("Only grants and contracts are put out for bids")
    now = timezone.now()
    if opportunity.clarification_deadline and opportunity.clarification_deadline <= now:
        missing.append("Set a clarification deadline in the future")
    if not (
        opportunity.clarification_deadline
        and opportunity.submission_deadline
        and opportunity.clarification_deadline < opportunity.submission_deadline
    ):
        missing.append("The clarification deadline must come before the submission deadline")
    deadline, award_on, starts_on = (
        opportunity.submission_deadline,
        opportunity.expected_award_on,
        opportunity.service_starts_on,
    )
    if deadline and award_on and award_on < timezone.localtime(deadline).date():
        missing.append("The expected award date must be after the submission deadline")
    if award_on and starts_on and starts_on < award_on:
        missing.append("The service start date must be on or after the expected award date")
    criteria = commission.criteria.filter(cycle=commission.cycle)
    if (criteria.aggregate(total=Sum("weight"))["total"] or 0) != 100:
        missing.append("The commission's evaluation criteria weights must total 100%")
    if not opportunity.questions.exists():
        missing.append("Add at least one question for bidders to answer")
    return missing


def ready_to_publish(opportunity) -> bool:
    return not missing_to_publish(opportunity)


def deadline_passed(opportunity) -> bool:
    return timezone.now() >= opportunity.submission_deadline


def before_deadline(bid) -> bool:
    return timezone.now() < bid.opportunity.submission_deadline


def missing_to_submit(bid) -> list[str]:
    """Everything a bid must have before it can be submitted (the bid services fill this in)."""
    missing = []
    if not before_deadline(bid):
        missing.append("The deadline for bids has passed")
    answered = {a.question_id for a in bid.answers.all() if a.text.strip()}
    for question in bid.opportunity.questions.all():
        if question.pk not in answered:
            missing.append(f"Answer question {question.position or question.pk}: {question.text[:60]}")
    if not (bid.no_conflicts or bid.conflicts_declared.strip()):
        missing.append("Declare any conflicts of interest, or confirm there are none")
    if not bid.accuracy_confirmed:
        missing.append("Confirm that the information in the bid is accurate")
    if bid.opportunity.lots.exists() and not bid.lots.exists():
        missing.append("Choose at least one lot")
    return missing


def bid_complete(bid) -> bool:
    return not [m for m in missing_to_submit(bid) if m != "The deadline for bids has passed"]
