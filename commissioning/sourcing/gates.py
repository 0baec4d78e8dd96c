"""What an opportunity and a bid need before each step, and the deadline rules bids live by.

Each `missing_*` returns what is missing in words the officer or bidder can act on. The workflow
engine checks the same function the page shows, under the row lock.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from commissioning.conflicts.selectors import missing_to_publish as conflicts_missing_to_publish
from commissioning.models import (
    COMPETITIVE_ROUTES,
    FormType,
    Opportunity,
    OpportunityState,
    ProcurementRegime,
    State,
)
from commissioning.sourcing.numbering import question_number, question_numbers
from councils.formatting import london_time


def deadline_passed(opportunity) -> bool:
    return timezone.now() >= opportunity.submission_deadline


def before_deadline(opportunity) -> bool:
    """Aware datetimes on both sides: the server clock (UTC) against the stored deadline."""
    return timezone.now() < opportunity.submission_deadline


def deadline_message(opportunity, action: str = "submitted") -> str:
    return f"The deadline for bids was {london_time(opportunity.submission_deadline)}. Bids can no longer be {action}."


def word_count(text: str) -> int:
    """Words as GOV.UK Frontend's character count counts them: runs of non-space characters."""
    return len((text or "").split())


def word_limit_error(question, text: str, number: int | None = None) -> str:
    """`number`: the question's displayed number (from `numbering.question_numbers`), looked up if not given."""
    words = word_count(text)
    if words <= question.word_limit:
        return ""
    return (
        f"Your answer to question {number or question_number(question)} must be {question.word_limit} words or "
        f"fewer. It has {words} words."
    )


# ---- Opportunities ------------------------------------------------------------------------------


def _tendering_period_too_short(opportunity, now) -> list[str]:
    """The open procedure above threshold gives bidders at least 25 days from publication, or 10 after
    a planned procurement notice (s.54)."""
    regime = ProcurementRegime.objects.filter(commission_id=opportunity.commission_id).first()
    days = regime.minimum_tendering_days(timezone.localdate(now)) if regime is not None else None
    if days and opportunity.submission_deadline and opportunity.submission_deadline < now + timedelta(days=days):
        return [
            f"The open procedure needs at least {days} days between publication and the deadline for bids: "
            f"set the deadline on or after {london_time(now + timedelta(days=days))}"
        ]
    return []


def _criteria_without_questions(opportunity, criteria) -> list[str]:
    """A weighted criterion the panel would otherwise score against nothing: each needs a question marked
    against it, or to be marked as scored on the whole bid. Numbered as the commission's plan lists them."""
    asked = set(opportunity.questions.values_list("criterion_id", flat=True))
    return [
        f"Criterion {number}, ‘{criterion.title}’ ({criterion.weight}%), has no question marked against it: "
        "mark a question against it, or mark the criterion as scored on the whole bid"
        for number, criterion in enumerate(criteria.order_by("position", "id"), start=1)
        if criterion.weight and not criterion.scored_on_whole_bid and criterion.pk not in asked
    ]


def missing_to_publish(opportunity) -> list[str]:
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
    missing.extend(_tendering_period_too_short(opportunity, now))
    criteria = commission.criteria.filter(cycle=commission.cycle)
    if (criteria.aggregate(total=Sum("weight"))["total"] or 0) != 100:
        missing.append("The commission's evaluation criteria weights must total 100%")
    if not opportunity.questions.exists():
        missing.append("Add at least one question for bidders to answer")
    missing.extend(_criteria_without_questions(opportunity, criteria))
    # Procurement Act 2023, s.83: the conflicts assessment comes before the tender notice.
    missing.extend(conflicts_missing_to_publish(opportunity))
    return missing


def missing_to_close(opportunity) -> list[str]:
    if not deadline_passed(opportunity):
        return [f"The deadline for bids has not passed yet: {london_time(opportunity.submission_deadline)}"]
    return []


def missing_to_open(opportunity) -> list[str]:
    if not deadline_passed(opportunity):
        return [f"The bids can be opened after the deadline: {london_time(opportunity.submission_deadline)}"]
    return []


# ---- Bids ------------------------------------------------------------------------------------------


def _still_taking(bid, action: str) -> list[str]:
    opportunity = bid.opportunity
    if not before_deadline(opportunity):
        return [deadline_message(opportunity, action)]
    if opportunity.state != OpportunityState.PUBLISHED:
        return [f"This opportunity is ‘{opportunity.get_state_display().lower()}’: bids can no longer be {action}."]
    return []


def missing_to_withdraw(bid) -> list[str]:
    return _still_taking(bid, "withdrawn")


def missing_to_submit(bid) -> list[str]:
    """Everything a bid must have before it can be submitted, in the bidder's words: the deadline, every
    question answered within its word limit, the declarations, the lots, a price or budget, at least
    one proposed outcome, and every partner's confirmation."""
    missing = _still_taking(bid, "submitted")
    answers = {a.question_id: a.text for a in bid.answers.all()}
    questions = list(bid.opportunity.questions.all())
    numbers = question_numbers(questions)
    for question in questions:
        text = answers.get(question.pk, "")
        if not text.strip():
            missing.append(f"Answer question {numbers[question.pk]}: {question.text[:60]}")
        elif error := word_limit_error(question, text, numbers[question.pk]):
            missing.append(error)
    if not (bid.no_conflicts or bid.conflicts_declared.strip()):
        missing.append("Declare any conflicts of interest, or confirm there are none")
    if bid.no_conflicts and bid.conflicts_declared.strip():
        missing.append("Either describe your conflicts of interest or confirm that there are none, not both")
    if not bid.accuracy_confirmed:
        missing.append("Confirm that the information in the bid is accurate")
    if bid.opportunity.lots.exists() and not bid.lots.exists():
        missing.append("Choose at least one lot")
    full = bid.opportunity.form_type == FormType.FULL_TENDER
    lines = list(bid.price_lines.all())
    if not lines:
        missing.append("Add at least one line to your pricing" if full else "Add at least one line to your budget")
    if full:
        priced = {line.lot_id for line in lines}
        for lot in bid.lots.all():
            if lot.pk not in priced:
                missing.append(f"Add pricing for lot {lot.number}: {lot.title}")
        chosen = set(bid.lots.values_list("pk", flat=True))
        if any(line.lot_id and line.lot_id not in chosen for line in lines):
            missing.append("Remove the pricing for lots you are not bidding for, or choose those lots")
    if not bid.proposed_outcomes.exists():
        missing.append("Propose at least one outcome with a success measure and target")
    missing += _partners_missing(bid)
    return missing


def _partners_missing(bid) -> list[str]:
    """Every partner must have confirmed: naming an organisation walls its members off, so it is never
    done without its administrators' say."""
    missing = []
    for partner in bid.partners.all():
        if partner.organisation_id is None:
            missing.append(
                f"Remove {partner.name} from your partners, or choose it from the registered organisations: "
                "partners must be registered so that they can confirm"
            )
        elif partner.declined_at is not None:
            missing.append(f"{partner.name} has declined to be a partner in this bid: remove it from your partners")
        elif partner.confirmed_at is None:
            missing.append(
                f"Wait for {partner.name} to confirm that it is a partner in this bid (its administrators have been "
                "asked), or remove it from your partners"
            )
    return missing


def lock_opportunity(obj) -> None:
    """The opportunity behind a bid or an award, held still while the step is checked and taken: closing,
    opening and cancelling wait for it, or it for them."""
    obj.opportunity = Opportunity.objects.select_for_update().select_related("council").get(pk=obj.opportunity_id)
