"""How a tie was decided, in the words of an assessment summary.

The ranking (`commissioning.evaluation.scoring.rank`) breaks a tie between equal totals step by step: the
higher quality score, the higher moderated score criterion by criterion (highest weight first), the
lower price, the earlier submission, the lower bid number. When the successful tender and another had
the same total, each of their summaries says which step decided and the two figures it compared, so a
bidder who lost on a tie can see why, and the winner knows its place was decided by the tie rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from commissioning.evaluation.summary import RankedBid
from councils.formatting import london_time, money


@dataclass(frozen=True)
class Decider:
    """The step of the tie rule that put `ahead` before `behind`, and what it compared."""

    rule: str
    measure: str
    ahead: str
    behind: str


def tied(ranked: list[RankedBid], ahead: RankedBid, behind: RankedBid) -> bool:
    """Whether `behind` is below `ahead` only because of the tie rule: every bid from just below `ahead`
    down to `behind` had the same total as the one above it (the ranking marks those with `tie_break`)."""
    if ahead.rank >= behind.rank:
        return False
    between = [row for row in ranked if ahead.rank < row.rank <= behind.rank]
    return len(between) == behind.rank - ahead.rank and all(row.tie_break for row in between)


def _by_weight(row: RankedBid) -> list:
    """Quality criteria, highest weight first; equal weights in their listed order (as the ranking)."""
    listed = [criterion for criterion in row.criteria if not criterion.is_price]
    return sorted(listed, key=lambda criterion: -criterion.weight)


def _price(row: RankedBid) -> str:
    return money(row.price) if row.price else "no price"


def decider(ahead: RankedBid, behind: RankedBid, max_score: int) -> Decider:
    """The first step of the tie rule on which the two bids differ."""
    if ahead.quality_points != behind.quality_points:
        return Decider(
            "higher quality score",
            "quality score (the total without the price points)",
            f"{ahead.quality_points} points",
            f"{behind.quality_points} points",
        )
    scores_behind = {criterion.criterion_id: criterion.score or 0 for criterion in behind.criteria}
    for criterion in _by_weight(ahead):
        mine, theirs = criterion.score or 0, scores_behind.get(criterion.criterion_id, 0)
        if mine != theirs:
            return Decider(
                f"higher moderated score on ‘{criterion.title}’ ({criterion.weight}%)",
                f"moderated score on ‘{criterion.title}’, the highest-weighted criterion on which the two differed",
                f"{mine} out of {max_score}",
                f"{theirs} out of {max_score}",
            )
    if (ahead.price or 0) != (behind.price or 0):
        return Decider("lower price", "tendered price", _price(ahead), _price(behind))
    if ahead.submitted_at != behind.submitted_at and ahead.submitted_at and behind.submitted_at:
        return Decider(
            "earlier submission",
            "bid was submitted at",
            london_time(ahead.submitted_at),
            london_time(behind.submitted_at),
        )
    return Decider("lower bid number", "bid number", str(ahead.bid_id), str(behind.bid_id))


def lost_on_tie(winner: RankedBid, row: RankedBid, max_score: int) -> str:
    """For the summary of a bid that lost to the successful tender on the tie rule."""
    found = decider(winner, row, max_score)
    return (
        f"Your tender had the same total as the successful tender, {row.total} points out of 100, so the tie "
        f"rule set out in the opportunity decided between them: the successful tender came ahead on the "
        f"{found.rule}. Its {found.measure} was {found.ahead}; yours was {found.behind}."
    )


def won_on_tie(row: RankedBid, other: RankedBid, max_score: int) -> str:
    """For the successful tender's summary, when another tender had the same total."""
    found = decider(row, other, max_score)
    return (
        f"Another tender had the same total as yours, {row.total} points out of 100, so the tie rule set out "
        f"in the opportunity decided between them: yours came ahead on the {found.rule}. Your "
        f"{found.measure} was {found.ahead}; the other tender's was {found.behind}."
    )
