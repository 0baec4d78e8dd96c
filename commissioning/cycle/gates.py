"""What each step of the cycle needs before it can be taken.

Each `missing_*` function returns the exact list of what is still missing, in words an officer can
act on. The workflow engine checks the same function the page shows, on the locked rows. Only the
current cycle's records count.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from commissioning import ports
from commissioning.models import (
    COMPETITIVE_ROUTES,
    AwardState,
    DeliveryRoute,
    FundingCommitment,
    FundingPot,
    OpportunityState,
    Recommendation,
    spent_commitments,
)
from councils.formatting import money


def _current(related_manager, commission):
    return related_manager.filter(cycle=commission.cycle)


def missing_to_plan(commission) -> list[str]:
    missing = []
    if not _current(commission.needs_assessments, commission).exists():
        missing.append("Record the needs assessment")
    if not _current(commission.evidence, commission).exists():
        missing.append("Add at least one piece of evidence for the needs assessment")
    if not _current(commission.gap_analyses, commission).exists():
        missing.append("Record the gap analysis")
    return missing


def missing_for_approval(commission) -> list[str]:
    missing = []
    options = list(_current(commission.options, commission).values_list("route", flat=True))
    if len(options) < 2:
        missing.append("Appraise at least two delivery options (doing nothing can be one)")
    if not commission.delivery_route:
        missing.append("Choose a delivery route")
    elif commission.delivery_route == DeliveryRoute.DO_NOTHING:
        missing.append("The chosen route is to do nothing: cancel the commission instead")
    elif commission.delivery_route not in options:
        missing.append("Appraise the chosen delivery route as one of the options")
    if not commission.budget:
        missing.append("Set the budget")
    else:
        committed = _current(commission.funding, commission).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if committed < commission.budget:
            missing.append(
                f"Commit funding to cover the budget ({money(committed)} of {money(commission.budget)} committed)"
            )
    if not commission.starts_on or not commission.ends_on:
        missing.append("Set the start and end dates")
    if commission.is_key_decision and not commission.portfolio_id:
        missing.append("Choose the cabinet portfolio: this is a key decision")
    outcomes = list(_current(commission.outcomes_sought, commission).annotate(measures=Count("success_measures")))
    if not outcomes:
        missing.append("Add at least one outcome sought")
    for outcome in outcomes:
        if outcome.measures == 0:
            missing.append(f"Add at least one success measure to the outcome ‘{str(outcome)[:60]}’")
    if commission.delivery_route in COMPETITIVE_ROUTES:
        total = _current(commission.criteria, commission).aggregate(total=Sum("weight"))["total"]
        if total is None:
            missing.append("Add evaluation criteria: bids are judged against them")
        elif total != 100:
            missing.append(f"Make the evaluation criteria weights total 100% (they total {total}%)")
    if commission.equality_impact_assessment_needed and not commission.equality_impact_summary.strip():
        missing.append("Summarise the equality impact assessment")
    return missing


def funding_shortfalls(commission) -> list[str]:
    """Each pot must still hold what this commission wants from it, after other approved commitments."""
    shortfalls = []
    for commitment in _current(commission.funding, commission).select_related("pot"):
        already = FundingCommitment.objects.filter(spent_commitments(), pot=commitment.pot).exclude(
            commission=commission, cycle=commission.cycle
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        remaining = commitment.pot.amount - already
        if commitment.amount > remaining:
            shortfalls.append(
                f"{commitment.pot.name} has {money(remaining)} left, "
                f"but this commission needs {money(commitment.amount)} from it"
            )
    return shortfalls


def missing_to_approve(commission) -> list[str]:
    return missing_for_approval(commission) + funding_shortfalls(commission)


def lock_funding_pots(commission) -> None:
    """Lock the pots this cycle draws on, in one order, so that two approvals drawing on the same pot
    take turns and the second sees the first's commitment."""
    pots = _current(commission.funding, commission).values("pot_id")
    list(FundingPot.objects.select_for_update().filter(pk__in=pots).order_by("pk").values_list("pk", flat=True))


def missing_to_record_award(commission) -> list[str]:
    """Sourcing ends only with this cycle's award approved, and nothing still open or sealed."""
    missing = []
    awards = commission.awards.filter(cycle=commission.cycle)
    if not awards.filter(state=AwardState.APPROVED).exists():
        missing.append("The award must be approved first")
    live = commission.opportunities.filter(
        cycle=commission.cycle, state__in=[OpportunityState.PUBLISHED, OpportunityState.CLOSED]
    )
    for reference in live.values_list("reference", flat=True):
        missing.append(f"The opportunity {reference} is still open or its bids are still sealed")
    return missing


def missing_to_start_delivery(commission) -> list[str]:
    """Delivery starts once at least one of this cycle's agreements is live and none is still to be signed."""
    agreements = ports.agreements.of_cycle(commission)
    missing = [f"The agreement {reference} is still to be signed or go live" for reference in agreements.pending]
    if not agreements.live:
        missing.append("At least one agreement must be live")
    return missing


def _review(commission):
    return _current(commission.reviews, commission).first()


def missing_for_next_cycle(commission) -> list[str]:
    review = _review(commission)
    if review is None:
        return ["Record the review report with a recommendation"]
    if review.recommendation not in (Recommendation.RECOMMISSION, Recommendation.REDESIGN):
        return [f"The review recommends ‘{review.get_recommendation_display()}’, not recommissioning or redesign"]
    return []


def missing_to_extend(commission) -> list[str]:
    review = _review(commission)
    if review is None:
        return ["Record the review report with a recommendation"]
    if review.recommendation != Recommendation.EXTEND:
        return [f"The review recommends ‘{review.get_recommendation_display()}’, not extending"]
    if not ports.agreements.of_cycle(commission).live:
        return ["No agreement is live: there is no delivery to extend; start the next cycle instead"]
    return []


def missing_to_decommission(commission) -> list[str]:
    review = _review(commission)
    missing = []
    if review is None:
        missing.append("Record the review report with a recommendation")
    elif review.recommendation != Recommendation.DECOMMISSION:
        missing.append(f"The review recommends ‘{review.get_recommendation_display()}’, not decommissioning")
    if not _current(commission.decommissioning_records, commission).exists():
        missing.append("Record the decommissioning rationale, the impact on service users and when providers were told")
    return missing
