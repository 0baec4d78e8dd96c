"""The ranking rule of the prioritised programme, apart from the database so that it can be proved.

A candidate's weighted total is the weighted mean of its scores, sum(weight × score) / sum(weight),
kept as an exact fraction: it reads on the same 0 to 5 scale as the scores, and multiplying every
weight by the same factor changes nothing. Candidates rank by weighted total, highest first; equal
totals are broken by the candidate's tie key (its reference, then its title), so the same scores give
the same order every time. A candidate not yet scored against every criterion has no total and comes
after all those that have one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Ranked:
    item: Any
    position: int
    total: Fraction | None


def check_weights(weights: Mapping[Hashable, int | Fraction]) -> None:
    if any(weight <= 0 for weight in weights.values()):
        raise ValueError("Every weight must be more than 0.")


def weighted_total(scores: Mapping[Hashable, int], weights: Mapping[Hashable, int | Fraction]) -> Fraction | None:
    """The weighted mean of the scores, or None when a criterion is not scored (or there are none)."""
    check_weights(weights)
    if not weights or any(criterion not in scores for criterion in weights):
        return None
    return Fraction(sum(Fraction(weights[c]) * scores[c] for c in weights), sum(Fraction(w) for w in weights.values()))


def rank(
    candidates: Iterable[tuple[Any, Sequence, Mapping[Hashable, int]]], weights: Mapping[Hashable, int | Fraction]
) -> list[Ranked]:
    """`candidates` are (item, tie key, scores by criterion); returns them ranked, positions from 1."""
    totalled = [(item, tie, weighted_total(scores, weights)) for item, tie, scores in candidates]
    totalled.sort(key=lambda row: (row[2] is None, -(row[2] or 0), tuple(row[1])))
    return [Ranked(item=item, position=n, total=total) for n, (item, _tie, total) in enumerate(totalled, start=1)]


def shown(total: Fraction | None) -> str:
    """A total for people: two decimal places, rounded half up ("" when there is none)."""
    if total is None:
        return ""
    return str((Decimal(total.numerator) / Decimal(total.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))
