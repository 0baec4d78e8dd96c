"""What an evaluation needs before each of its steps, in words the panel can act on.

The workflow engine checks the same function the evaluation page shows, on the locked rows.
"""

from __future__ import annotations

from collections import defaultdict

from commissioning.evaluation.selectors import (
    bid_prices,
    current_members,
    eligible_bids,
    evaluated_bids,
    member_criteria,
    quality_criteria,
)
from commissioning.models import (
    BIDS_READABLE_STATES,
    ComplianceResult,
    Declaration,
    Evaluation,
    ModeratedScore,
    PriceMethod,
    ScoreSheet,
)


def _declarations(evaluation: Evaluation, members) -> dict[tuple[int, int], bool]:
    rows = Declaration.objects.filter(member__in=members).values_list("member_id", "bid_id", "has_conflict")
    return {(member_id, bid_id): conflict for member_id, bid_id, conflict in rows}


def _unconflicted_officer_missing(bids, officers, declared) -> list[str]:
    missing = []
    for bid in bids:
        if officers and all(declared.get((member.pk, bid.pk)) is True for member in officers):
            missing.append(
                f"Every officer on the panel has declared a conflict with {bid.organisation}'s bid: "
                "appoint another officer"
            )
    return missing


def missing_to_open_compliance(evaluation: Evaluation) -> list[str]:
    opportunity = evaluation.opportunity
    if opportunity.state not in BIDS_READABLE_STATES:
        return ["The bids must be opened before the panel can declare against them"]
    bids = list(evaluated_bids(opportunity).select_related("organisation"))
    missing = [] if bids else ["There are no submitted bids to evaluate"]
    members = current_members(evaluation)
    officers = [m for m in members if not m.is_independent]
    if not any(m.is_chair for m in members):
        missing.append("Name the chair of the panel")
    if len(officers) < 2:
        missing.append("Appoint at least two officers to the panel")
    declared = _declarations(evaluation, members)
    for member in members:
        if any((member.pk, bid.pk) not in declared for bid in bids):
            missing.append(f"{member.user} has not yet declared their interests against every bid")
    missing += _unconflicted_officer_missing(bids, officers, declared)
    return missing


def missing_to_open_scoring(evaluation: Evaluation) -> list[str]:
    bids = list(evaluated_bids(evaluation.opportunity).select_related("organisation"))
    checks = len(evaluation.compliance_checks)
    done = defaultdict(int)
    for bid_id in ComplianceResult.objects.filter(evaluation=evaluation).values_list("bid_id", flat=True):
        done[bid_id] += 1
    missing = [
        f"Record the compliance checks for {bid.organisation}'s bid ({done[bid.pk]} of {checks} done)"
        for bid in bids
        if done[bid.pk] < checks
    ]
    if evaluation.price_method == PriceMethod.LOWEST_PRICE:
        eligible = eligible_bids(evaluation)
        prices = bid_prices(eligible)
        missing += [
            f"{bid.organisation}'s bid has no price to score: record that at its compliance checks"
            for bid in eligible
            if prices.get(bid.pk, 0) <= 0
        ]
    members = current_members(evaluation)
    officers = [m for m in members if not m.is_independent]
    missing += _unconflicted_officer_missing(eligible_bids(evaluation), officers, _declarations(evaluation, members))
    return missing


def missing_to_open_moderation(evaluation: Evaluation) -> list[str]:
    eligible = eligible_bids(evaluation)
    members = current_members(evaluation)
    declared = _declarations(evaluation, members)
    submitted = set(
        ScoreSheet.objects.filter(evaluation=evaluation, submitted_at__isnull=False).values_list("member_id", "bid_id")
    )
    missing = []
    for member in members:
        if not member_criteria(evaluation, member):
            continue
        if any((member.pk, bid.pk) not in declared for bid in evaluated_bids(evaluation.opportunity)):
            missing.append(f"{member.user} must declare their interests, then score")
            continue
        to_score = [
            b for b in eligible if declared.get((member.pk, b.pk)) is False and (member.pk, b.pk) not in submitted
        ]
        if to_score:
            missing.append(f"{member.user} has not yet submitted scores for {len(to_score)} bid(s)")
    officer_ids = {m.pk for m in members if not m.is_independent}
    for bid in eligible:
        if not any((member_id, bid.pk) in submitted for member_id in officer_ids):
            missing.append(f"No officer has yet submitted scores for {bid.organisation}'s bid")
    return missing


def missing_to_sign_off(evaluation: Evaluation) -> list[str]:
    eligible = eligible_bids(evaluation)
    criteria = quality_criteria(evaluation)
    moderated = set(ModeratedScore.objects.filter(evaluation=evaluation).values_list("bid_id", "criterion_id"))
    chair = evaluation.members.filter(is_chair=True, ended_at__isnull=True).first()
    conflicted = set()
    if chair is not None:
        conflicted = set(Declaration.objects.filter(member=chair, has_conflict=True).values_list("bid_id", flat=True))
    missing = [] if chair else ["Name the chair of the panel"]
    for bid in eligible:
        if bid.pk in conflicted:
            missing.append(
                f"The chair has declared a conflict with {bid.organisation}'s bid: "
                "the lead commissioner must name another chair"
            )
        to_go = sum(1 for c in criteria if (bid.pk, c.pk) not in moderated)
        if to_go:
            missing.append(f"Moderate {bid.organisation}'s bid: {to_go} criteria to go")
    return missing
