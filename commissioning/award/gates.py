"""What an award needs before each of its steps, in words the officer or decision-maker can act on.

The workflow engine checks the same function the award page shows, on the locked rows (the award,
and the opportunity behind it). `missing_before_award_notice` is the gate on publishing the contract
award notice (UK6): the notices page asks it, and `services.record_award_notice_published` checks it.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from commissioning.award.selectors import (
    award_items,
    day,
    forward_plan_problem,
    item_problems,
    signed_off_evaluation,
    signed_off_summary,
)
from commissioning.award.standstill_selectors import standstill_rule
from commissioning.evaluation.summary import EvaluationSummary
from commissioning.models import BIDS_READABLE_STATES, Award, AwardState, CallIn, CallInRequest, State

DECIDABLE_COMMISSION_STATES = (State.SOURCING, State.AGREEING)


def _common_missing(award: Award, summary: EvaluationSummary | None, items) -> list[str]:
    missing = []
    if summary is None:
        missing.append("The evaluation must be signed off")
    if award.opportunity.state not in BIDS_READABLE_STATES:
        missing.append("The opportunity's bids must have been opened")
    if award.commission.state not in DECIDABLE_COMMISSION_STATES:
        missing.append(
            f"The commission is ‘{award.commission.get_state_display().lower()}’: an award is decided while it is "
            "sourcing providers"
        )
    return missing + item_problems(award.opportunity, items, summary)


def missing_to_submit(award: Award) -> list[str]:
    """Before the recommendation goes to the decision-maker: a signed-off evaluation, a written
    recommendation, and valid items (every lot awarded, within the budget envelope)."""
    missing = _common_missing(award, signed_off_summary(award.opportunity), award_items(award))
    if not award.recommendation.strip():
        missing.insert(0, "Write the recommendation to the decision-maker")
    return missing


def missing_to_approve(award: Award, today: date | None = None) -> list[str]:
    """Before the decision: the recommendation as it was sent, still valid, on the evaluation it was
    sent with; and for a key decision, on the forward plan long enough for a decision today."""
    today = today or timezone.localdate()
    evaluation = signed_off_evaluation(award.opportunity)
    missing = _common_missing(award, signed_off_summary(award.opportunity, evaluation), award_items(award))
    if evaluation is not None and award.evaluation_digest and evaluation.result_digest != award.evaluation_digest:
        missing.append("The evaluation summary is not the one the recommendation was sent with: refer it back")
    if award.is_key_decision:
        problem = forward_plan_problem(award, today)
        if problem:
            missing.append(problem)
    return missing


def _call_ins_of_this_decision(award: Award) -> QuerySet[CallIn]:
    call_ins = CallIn.objects.filter(award=award)
    if award.approved_at is not None:
        call_ins = call_ins.filter(called_in_at__gte=award.approved_at)
    return call_ins


def call_in_requests(award: Award) -> QuerySet[CallInRequest]:
    """The scrutiny members' requests to call in the decision as it stands (not an earlier one that
    was withdrawn and taken again)."""
    if award.approved_at is None:
        return CallInRequest.objects.none()
    return CallInRequest.objects.filter(award=award, decision_approved_at=award.approved_at)


def missing_to_ask_for_call_in(award: Award, today: date | None = None) -> list[str]:
    """What stops a scrutiny member asking for a key decision to be called in: it must be an approved
    key decision, still in its call-in period, not called in already."""
    today = today or timezone.localdate()
    if not award.is_key_decision:
        return ["Only a key decision (by cabinet or a portfolio holder) can be called in"]
    if award.state == AwardState.CALLED_IN:
        return ["This decision has already been called in: the decision-maker must confirm or withdraw it"]
    if award.state != AwardState.APPROVED:
        return ["Only an approved decision can be called in"]
    if award.effective_on is not None:
        return [f"The decision has had effect since {day(award.effective_on)}"]
    if award.call_in_ends_on is None or today > award.call_in_ends_on:
        return [f"The call-in period ended on {day(award.call_in_ends_on)}"]
    if _call_ins_of_this_decision(award).exists():
        return ["This decision has already been called in once"]
    return []


def call_in_still_needed(award: Award) -> int:
    """How many more scrutiny members must ask before the decision is called in."""
    return max(award.council.call_in_threshold - call_in_requests(award).count(), 0)


def missing_to_call_in(award: Award, today: date | None = None) -> list[str]:
    """A key decision is called in once, during its call-in period, when as many scrutiny members as
    the council's constitution sets have asked."""
    missing = missing_to_ask_for_call_in(award, today)
    if missing:
        return missing
    needed = call_in_still_needed(award)
    if needed:
        threshold = award.council.call_in_threshold
        return [
            f"Needs {needed} more scrutiny member{'s' if needed != 1 else ''} to ask for the call-in: the "
            f"constitution needs {threshold} member{'s' if threshold != 1 else ''}"
        ]
    return []


def missing_before_award_notice(award: Award, on: date | None = None) -> list[str]:
    """Before the contract award notice (UK6) — under the Provider Selection Regime, the notice of the
    intention to award — is published on `on` (today): the decision has effect, and every supplier that
    submitted an assessed tender has had its assessment summary where reg 31 requires one (s.50(3):
    before the notice). Says so when no such notice is published for this award, or it already was."""
    on = on or timezone.localdate()
    rule = standstill_rule(award)
    if not rule.notice:
        return [f"No award notice is published for this award. {rule.why}"]
    if award.award_notice_published_on is not None:
        return [f"The {rule.notice} was recorded as published on {day(award.award_notice_published_on)}"]
    missing = []
    if award.state == AwardState.CALLED_IN:
        missing.append("Scrutiny has called the award decision in: wait until the decision-maker confirms it")
    elif award.state != AwardState.APPROVED:
        missing.append("The award decision must be approved")
    elif not award.has_effect(on):
        missing.append(
            f"The decision must have effect: the call-in period runs until the end of {day(award.call_in_ends_on)}, "
            f"and the decision has effect from {day(award.effective_from())}"
        )
    if rule.summaries_required:
        sent = award.assessment_summaries_sent_at
        if sent is None:
            missing.append("Send the assessment summaries to every supplier that submitted an assessed tender")
        elif timezone.localdate(sent) > on:
            missing.append(
                f"The assessment summaries were sent on {day(timezone.localdate(sent))}: the notice cannot be "
                "published before them"
            )
    return missing
