"""The arithmetic of an evaluation: weighted points, the price formula, the spread that flags a
criterion for discussion, and the ranking with its tie rule. Pure functions, no database.

Scores are whole numbers on the council's scale (0 to `max_score`, 0–5 by default). Weights are
whole percentages that total 100 across the criteria, the price criterion included. Sums are kept
as exact fractions, so two bids that are equal in law are equal here too (no rounding decides a
place); `points` rounds to two decimal places for display and letters only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Scores this far apart or more on one criterion are flagged for the chair to discuss.
SPREAD_FLAG = 2


@dataclass(frozen=True)
class Criterion:
    """A criterion as scoring sees it: an id, its weight (a whole percentage) and its place."""

    key: int
    weight: int
    position: int = 0
    title: str = ""
    is_price: bool = False


@dataclass(frozen=True)
class Entry:
    """One eligible bid: its moderated score per quality criterion (None while not yet moderated),
    its total price (None when it has no price lines) and when it was submitted."""

    key: int
    scores: Mapping[int, int | None]
    price: Decimal | None = None
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class Ranked:
    """A bid's place: rank 1 is the most advantageous. `tie_break` says, when its total equals the
    total of the bid ranked just above it, which step of the tie rule put it below that bid."""

    key: int
    rank: int
    total: Fraction
    quality: Fraction
    price_points: Fraction
    criterion_points: dict[int, Fraction] = field(default_factory=dict)
    tie_break: str = ""


def weighted_points(score: int | None, max_score: int, weight: int) -> Fraction:
    """score ÷ max × weight: a criterion's share of the 100 points (no score counts as none)."""
    if max_score <= 0:
        raise ValueError("The scale must go above 0")
    if score is None:
        return Fraction(0)
    if not 0 <= score <= max_score:
        raise ValueError(f"Score {score} is outside the scale 0 to {max_score}")
    return Fraction(score, max_score) * weight


def price_points(lowest: Decimal, price: Decimal, weight: int) -> Fraction:
    """lowest price ÷ bid price × weight: the lowest price earns the whole weight and every other
    price earns in proportion. Prices must be above £0 (a bid without one fails compliance)."""
    if price <= 0 or lowest <= 0:
        raise ValueError("Prices must be above £0 to be scored")
    if lowest > price:
        raise ValueError("The lowest price cannot be above the bid's price")
    return Fraction(lowest) / Fraction(price) * weight


def spread(scores: Iterable[int]) -> int:
    """The distance between the highest and lowest score (0 for one score or none)."""
    values = list(scores)
    return max(values) - min(values) if values else 0


def needs_discussion(scores: Iterable[int]) -> bool:
    """Panellists' scores on one criterion differ by `SPREAD_FLAG` (2) or more."""
    return spread(scores) >= SPREAD_FLAG


def points(value: Fraction) -> Decimal:
    """Exact points rounded half up to two decimal places, for showing."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _by_weight(criteria: Sequence[Criterion]) -> list[Criterion]:
    """Quality criteria, highest weight first; equal weights in their listed order."""
    return sorted((c for c in criteria if not c.is_price), key=lambda c: (-c.weight, c.position, c.key))


def score_entry(entry: Entry, criteria: Sequence[Criterion], max_score: int, lowest_price: Decimal | None) -> Ranked:
    """An entry's points per criterion, its quality points, its price points and its total."""
    per_criterion: dict[int, Fraction] = {}
    quality = Fraction(0)
    price = Fraction(0)
    for criterion in criteria:
        if criterion.is_price:
            if entry.price is not None and entry.price > 0 and lowest_price is not None:
                price = price_points(lowest_price, entry.price, criterion.weight)
            per_criterion[criterion.key] = price
        else:
            value = weighted_points(entry.scores.get(criterion.key), max_score, criterion.weight)
            per_criterion[criterion.key] = value
            quality += value
    total = quality + price
    return Ranked(
        key=entry.key, rank=0, total=total, quality=quality, price_points=price, criterion_points=per_criterion
    )


TIE_RULE = (
    "Bids with equal totals are put in order by the higher quality score, then the higher moderated score on "
    "the highest-weighted criterion (then the next highest-weighted, and so on), then the lower price, then "
    "the earlier submission, and last the lower bid number."
)
TIE_STEPS = (
    "higher quality score",
    "higher score on the highest-weighted criteria",
    "lower price",
    "earlier submission",
    "lower bid number",
)


def rank(entries: Iterable[Entry], criteria: Sequence[Criterion], max_score: int) -> list[Ranked]:
    """Rank the eligible bids, most advantageous first.

    The tie rule, applied only between bids whose totals are exactly equal, step by step until
    one bid comes ahead:

    1. the higher quality score (the total without the price points);
    2. the higher moderated score on the highest-weighted quality criterion, then on the next
       highest-weighted, and so on (equal weights in the order the criteria are listed);
    3. the lower price (a bid with no price comes after every priced bid);
    4. the earlier submission;
    5. the lower bid number, so that the order is always complete and always the same.

    The lowest price is taken over the entries given (the eligible bids) that have a price above £0.
    """
    entries = list(entries)
    keys = [entry.key for entry in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("Each bid may be ranked once")
    prices = [entry.price for entry in entries if entry.price is not None and entry.price > 0]
    lowest = min(prices) if prices else None
    ordered_criteria = _by_weight(criteria)
    scored = {entry.key: score_entry(entry, criteria, max_score, lowest) for entry in entries}
    by_key = {entry.key: entry for entry in entries}

    def tie_key(entry: Entry) -> tuple:
        result = scored[entry.key]
        return (
            -result.total,
            -result.quality,
            tuple(-(entry.scores.get(c.key) or 0) for c in ordered_criteria),
            (0, entry.price) if entry.price is not None and entry.price > 0 else (1, 0),
            (0, entry.submitted_at) if entry.submitted_at is not None else (1, 0),
            entry.key,
        )

    ordered = sorted(entries, key=tie_key)
    ranked: list[Ranked] = []
    previous: Entry | None = None
    for position, entry in enumerate(ordered, start=1):
        result = scored[entry.key]
        reason = ""
        if previous is not None and scored[previous.key].total == result.total:
            reason = _tie_reason(tie_key(by_key[previous.key]), tie_key(entry), ordered_criteria)
        ranked.append(
            Ranked(
                key=result.key,
                rank=position,
                total=result.total,
                quality=result.quality,
                price_points=result.price_points,
                criterion_points=result.criterion_points,
                tie_break=reason,
            )
        )
        previous = entry
    return ranked


def _tie_reason(above: tuple, below: tuple, ordered_criteria: list[Criterion]) -> str:
    """Which step of the tie rule put `below` after `above` (their totals being equal)."""
    for step, (a, b) in enumerate(zip(above[1:], below[1:], strict=True)):
        if a == b:
            continue
        if step == 1:
            for criterion, x, y in zip(ordered_criteria, a, b, strict=True):
                if x != y:
                    return f"higher score on ‘{criterion.title or criterion.key}’ ({criterion.weight}%)"
        return TIE_STEPS[step]
    return TIE_STEPS[-1]
