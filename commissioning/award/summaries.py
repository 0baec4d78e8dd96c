"""Assessment summaries (Procurement Regulations 2024, reg 31): what each bidder is told of the outcome
and of how its own tender was assessed, built from the signed-off evaluation and the award.

`build_summaries` writes each summary as plain data (kept in `AssessmentSummary.content`, and as sent
once sent), and `documents.summary_pdf` lays it out. Each summary has:

- the supplier's name, postal and email address and unique identifier (its PPON, else its Companies
  House or charity number);
- the award criteria and how they were assessed: each criterion's title, description and weighting,
  the scores available (the evaluation's scale) and how scores became points;
- the tender's moderated score on each criterion, explained by reference to the tender — to start
  with, the panel's moderated rationale; for price, the tendered price and the points it earned — and
  the quality and price sub-totals and the total;
- for a bid that did not win, why: its total and rank, the tie-break where one decided it, or the
  reasons it was excluded at the compliance checks (and so not assessed).

No score of another bid is shown, except the one figure a tie-break compared when the successful
tender and this one had the same total (`summary_ties`). The officers correct explanations and
reasons before sending, and write the free text — an opening and a closing paragraph and the council's
feedback to this bidder (`FREE_TEXT`) — as drafts (`AssessmentSummaryCorrection`): `corrections`
(part → text) are laid over what the scores give. The scores, points, ranks, totals, tie-break and
dates come from the evaluation and the award only.
After a competitive award of a public contract (above threshold or light touch) the summary is the
one reg 31 requires; for every other award the same document is the bidder's outcome message.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from commissioning.award import selectors, summary_ties
from commissioning.award.standstill_selectors import (
    PSR_INTENTION,
    StandstillRule,
    standstill_will_apply,
    standstill_working_days,
)
from commissioning.evaluation.summary import CriterionResult, RankedBid
from commissioning.models import (
    Award,
    AwardItem,
    Bid,
    DecisionMaker,
    DeliveryRoute,
    EvaluationCriterion,
    PriceMethod,
)
from councils.formatting import money
from providers.identity import identifiers

CONTENT_VERSION = 2
SUCCESSFUL, UNSUCCESSFUL, EXCLUDED = "successful", "unsuccessful", "excluded"
REASONS = "reasons"
REASONS_LABEL = "Why the bid was not successful"
# The officers' own words in a summary (part → label): nothing in them is generated, so nothing in them
# can contradict the evaluation. Each may be left empty.
FREE_TEXT = {
    "opening": "Opening paragraph",
    "feedback": "The council's feedback",
    "closing": "Closing paragraph",
}


def criterion_part(criterion_id: int) -> str:
    """The name a correction of this criterion's explanation goes by."""
    return f"criterion:{criterion_id}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _whole(route: str) -> str:
    return "The grant" if route == DeliveryRoute.GRANT else "The contract"


def _what(item: AwardItem, route: str) -> str:
    return selectors.lot_name(item.lot) if item.lot is not None else _whole(route)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


DECIDED_BY = {
    DecisionMaker.DELEGATED_OFFICER: "by the lead commissioner under delegated powers",
    DecisionMaker.PORTFOLIO_HOLDER: "by the portfolio holder",
    DecisionMaker.CABINET: "by cabinet",
}


def _decision_sentence(award: Award) -> str:
    reference = f" (reference {award.decision_reference})" if award.decision_reference else ""
    return (
        f"The decision was taken {DECIDED_BY.get(award.decision_maker, '')} on {selectors.day(award.decided_on)}"
        f"{reference} and has effect from {selectors.day(award.effective_from())}."
    )


def _notice_paragraph(award: Award, rule: StandstillRule, *, winner: bool) -> str:
    """What happens before the contract is entered into: the notice and any standstill that follows it."""
    if not rule.notice:
        return ""
    sentence = f"Before the contract is entered into we will publish a {rule.notice} on Find a Tender."
    if not standstill_will_apply(award, rule):
        return sentence
    days = standstill_working_days(award)
    purpose = " for representations" if rule.notice == PSR_INTENTION else ""
    sentence += (
        f" A standstill period of {days} working days{purpose} starts on the day it is published; the contract "
        "will not be entered into before it ends."
    )
    if not winner:
        sentence += " If you have concerns about the decision, please tell us during that period."
    return sentence


def _signing_step(award: Award, rule: StandstillRule) -> str:
    if not rule.notice:
        return "The agreement can then be signed."
    if standstill_will_apply(award, rule):
        return f"The agreement can be signed once the {rule.notice} has been published and the standstill has ended."
    return f"The agreement can be signed once the {rule.notice} has been published."


def _supplier(bid: Bid) -> dict:
    organisation = bid.organisation
    found = identifiers(organisation)
    return {
        "name": organisation.legal_name,
        "address": _lines(organisation.registered_address) + ([organisation.postcode] if organisation.postcode else []),
        "email": bid.created_by.email,
        "identifier": f"{found[0]['scheme']}-{found[0]['id']}" if found else "",
    }


def _method(evaluation, opportunity) -> dict:
    max_score = evaluation.max_score
    scale = list(evaluation.scale)
    text = (
        f"The evaluation panel scored each quality criterion from 0 to {max_score} against the scale below, and "
        f"agreed a moderated score. Each score earns points in proportion to the criterion's weighting "
        f"(score ÷ {max_score} × weighting)."
    )
    if evaluation.price_method == PriceMethod.LOWEST_PRICE:
        text += (
            " Price was scored by the lowest-price method: the lowest price tendered earns the full weighting, "
            "and every other price earns lowest price ÷ its price × weighting."
        )
    text += " The points add up to a total out of 100; the most advantageous tender has the highest total."
    return {
        "text": text,
        "max_score": max_score,
        "scores": [{"score": score, "label": label} for score, label in enumerate(scale)],
        "full_criteria": (
            f"The award criteria and how they would be assessed were set out in full in the documents of "
            f"{opportunity.reference}, on the opportunity's page."
        ),
    }


def _score_text(criterion: CriterionResult, scale: list[str], max_score: int) -> str:
    if criterion.is_price:
        return "Price"
    if criterion.score is None:
        return "Not scored"
    label = scale[criterion.score] if 0 <= criterion.score < len(scale) else ""
    return f"{criterion.score} out of {max_score}" + (f" ({label.lower()})" if label else "")


def _explanation(criterion: CriterionResult, row: RankedBid) -> str:
    """Where the officers' correction starts: the panel's moderated rationale, which refers to what the
    tender said; for price, the price tendered and the points it earned."""
    if criterion.is_price:
        if not row.price:
            return f"The tender gave no price, so it earned {criterion.points} of the {criterion.weight} points."
        return (
            f"The tendered price of {money(row.price)} earned {criterion.points} of the {criterion.weight} points "
            "by the lowest-price method."
        )
    return criterion.rationale.strip() or "The panel recorded no reasons for this score."


def _criteria_rows(row: RankedBid, scale, max_score, descriptions, corrected: dict[str, str]) -> list[dict]:
    rows = []
    for criterion in row.criteria:
        part = criterion_part(criterion.criterion_id)
        rows.append(
            {
                "criterion_id": criterion.criterion_id,
                "title": criterion.title,
                "description": descriptions.get(criterion.criterion_id, ""),
                "weight": criterion.weight,
                "is_price": criterion.is_price,
                "score": criterion.score,
                "score_text": _score_text(criterion, scale, max_score),
                "max_score": max_score,
                "points": str(criterion.points),
                "explanation": corrected.get(part, _explanation(criterion, row)),
                "corrected": part in corrected,
            }
        )
    return rows


def _totals(row: RankedBid, count: int) -> dict:
    return {
        "quality_points": str(row.quality_points),
        "price_points": str(row.price_points),
        "priced": any(criterion.is_price for criterion in row.criteria),
        "total": str(row.total),
        "out_of": 100,
        "rank": row.rank,
        "of": count,
    }


def _loss_reasons(row: RankedBid, count: int, lost: str, *, tie_explained: bool) -> list[str]:
    reasons = [
        f"Your tender scored {row.total} points out of 100 and was ranked {_ordinal(row.rank)} of {count} tenders "
        f"assessed: it was not the most advantageous tender for {lost}."
    ]
    if row.tie_break and not tie_explained:
        reasons.append(
            f"It had the same total as the tender ranked above it, which came ahead on the {row.tie_break} "
            "(the tie rule set out in the opportunity)."
        )
    return reasons


def _tie_breaks(row: RankedBid | None, kind: str, rivals: list[RankedBid], ranked, max_score) -> list[str]:
    """What the tie rule decided between this tender and the `rivals` it competed with for the same
    lots (the successful tenders, for a bid that did not win; the others, for a successful one)."""
    if row is None or kind == EXCLUDED:
        return []
    lines = []
    for rival in rivals:
        if kind == SUCCESSFUL and summary_ties.tied(ranked, row, rival):
            lines.append(summary_ties.won_on_tie(row, rival, max_score))
        elif kind == UNSUCCESSFUL and summary_ties.tied(ranked, rival, row):
            lines.append(summary_ties.lost_on_tie(rival, row, max_score))
    return list(dict.fromkeys(lines))


def _rivals(bid_id, kind, won, covered, ranked_by_id) -> list[RankedBid]:
    """The ranked tenders this one competed with for the same thing: any lot in common, or the whole."""
    mine = covered.get(bid_id, set())

    def overlaps(other_id) -> bool:
        theirs = covered.get(other_id, set())
        return not mine or not theirs or bool(mine & theirs)

    if kind == SUCCESSFUL:
        others = [pk for pk in ranked_by_id if pk not in won]
    else:
        others = [pk for pk in won if pk in ranked_by_id]
    return [ranked_by_id[pk] for pk in others if pk != bid_id and overlaps(pk)]


def build_summaries(
    award: Award,
    bids: list[Bid],
    *,
    on: date,
    signatory,
    rule: StandstillRule,
    corrections: dict[int, dict[str, str]] | None = None,
) -> list[tuple[Bid, dict]]:
    """The content of every bidder's summary on `on`, from the signed-off evaluation and the award's
    items, with `corrections` (bid id → part → text) laid over the explanations and reasons."""
    corrections = corrections or {}
    opportunity, council = award.opportunity, award.council
    evaluation = selectors.signed_off_evaluation(opportunity)
    summary = selectors.signed_off_summary(opportunity, evaluation)
    scale, max_score = list(evaluation.scale), evaluation.max_score
    method = _method(evaluation, opportunity)
    descriptions = dict(
        EvaluationCriterion.objects.filter(
            pk__in={c.criterion_id for row in summary.ranked for c in row.criteria}
        ).values_list("pk", "description")
    )
    route = award.commission.delivery_route
    items = selectors.award_items(award)
    won = defaultdict(list)
    for item in items:
        won[item.bid_id].append(item)
    ranked = {row.bid_id: row for row in summary.ranked}
    excluded = {row.bid_id: row for row in summary.excluded}
    covered = selectors.bid_lot_ids(bids)
    lots = {lot.pk: lot for lot in selectors.lots_of(opportunity)}
    winners_text = "; ".join(f"{_lower_first(_what(item, route))} to {item.bid.organisation}" for item in items)
    title = "Assessment summary"
    # After a competitive award of a public contract the summary is the one the law requires; elsewhere
    # the same document is simply how the council tells a bidder the outcome.
    basis = (
        "This is your assessment summary under regulation 31 of the Procurement Regulations 2024."
        if rule.summaries_required
        else ""
    )
    ranked_rows = sorted(summary.ranked, key=lambda ranked_row: ranked_row.rank)
    results = []
    for bid in bids:
        corrected = corrections.get(bid.pk, {})
        row = ranked.get(bid.pk)
        kind = SUCCESSFUL if bid.pk in won else (EXCLUDED if bid.pk in excluded else UNSUCCESSFUL)
        rivals = _rivals(bid.pk, kind, won, covered, ranked)
        tie_breaks = _tie_breaks(row, kind, rivals, ranked_rows, max_score)
        organisation = bid.organisation
        supplier = _supplier(bid)
        content = {
            "version": CONTENT_VERSION,
            "kind": kind,
            "statutory": rule.summaries_required,
            "title": title,
            "subject": f"{title}: {opportunity.reference} {opportunity.title}",
            "council": {
                "name": council.name,
                "address": _lines(council.address),
                "email": council.contact_email,
                "phone": council.contact_phone,
                "website": council.website,
            },
            "date": on.isoformat(),
            "date_text": selectors.day(on),
            "reference": f"{opportunity.reference}/AS{bid.pk}",
            "to": {"organisation": str(organisation), "address": supplier["address"]},
            "supplier": supplier,
            "opportunity": {"reference": opportunity.reference, "title": opportunity.title},
            "greeting": f"Dear {organisation}",
            "decision": {
                "maker": award.get_decision_maker_display(),
                "reference": award.decision_reference,
                "decided_on": award.decided_on.isoformat() if award.decided_on else None,
                "decided_on_text": selectors.day(award.decided_on),
                "effective_from_text": selectors.day(award.effective_from()),
            },
            "notice": {"name": rule.notice, "standstill": rule.standstill},
            "paragraphs": [],
            "won": [],
            "method": method,
            "criteria": [],
            "totals": None,
            "reasons": [],
            "next_steps": [],
            "tie_breaks": tie_breaks,
            **{part: corrected.get(part, "") for part in FREE_TEXT},
            "signatory": {
                "name": str(signatory),
                "job_title": getattr(signatory, "job_title", ""),
                "council": council.name,
            },
            "contact": council.contact_email,
        }
        thanks = f"Thank you for your bid for {opportunity.reference} {opportunity.title}."
        if row is not None:
            content["criteria"] = _criteria_rows(row, scale, max_score, descriptions, corrected)
            content["totals"] = _totals(row, len(summary.ranked))
        if kind == SUCCESSFUL:
            content["won"] = [
                {
                    "what": _what(item, route),
                    "value": str(item.value),
                    "value_text": money(item.value),
                    "note": item.note,
                }
                for item in won[bid.pk]
            ]
            total = sum((item.value for item in won[bid.pk]), Decimal("0"))
            content["paragraphs"] = [
                f"{thanks} I am pleased to tell you that {council.name} has decided to award {organisation} the "
                f"following, worth {money(total)} in all.",
                _decision_sentence(award),
                basis,
                "Below is how your tender was assessed against each award criterion: the score, why it was "
                "given by reference to your tender, and the total.",
                _notice_paragraph(award, rule, winner=True),
            ]
            content["next_steps"] = [
                "We will send you the draft agreement, with its KPIs and payment schedule, to check.",
                _signing_step(award, rule),
                "Delivery starts once the agreement is signed and put live.",
            ]
        else:
            if kind == EXCLUDED:
                opening = (
                    f"{thanks} I am sorry to tell you that it has not been successful: it did not pass the "
                    "compliance checks set out in the opportunity, so it was disqualified and not assessed "
                    "against the award criteria. The reasons are below."
                )
                generated = list(excluded[bid.pk].reasons)
            else:
                opening = (
                    f"{thanks} I am sorry to tell you that it has not been successful. Below is how your tender "
                    "was assessed against each award criterion: the score, why it was given by reference to "
                    "your tender, the total, and why the contract is not being awarded to you."
                )
                bid_for = [lots[pk] for pk in sorted(covered.get(bid.pk, set()), key=lambda pk: lots[pk].number)]
                lost = "; ".join(selectors.lot_name(lot) for lot in bid_for) or _lower_first(_whole(route))
                generated = _loss_reasons(row, len(summary.ranked), lost, tie_explained=bool(tie_breaks)) if row else []
            content["paragraphs"] = [
                opening,
                f"{council.name} has decided to award {winners_text}. {_decision_sentence(award)}",
                basis,
                _notice_paragraph(award, rule, winner=False),
            ]
            content["reasons"] = _lines(corrected[REASONS]) if REASONS in corrected else generated
            content["reasons_corrected"] = REASONS in corrected
            content["next_steps"] = [
                "The scores and explanations are the evaluation panel's moderated view of your tender. If you would "
                f"like to talk them through, contact {council.contact_email or council.name}.",
            ]
        content["paragraphs"] = [p for p in content["paragraphs"] if p]
        results.append((bid, content))
    return results
