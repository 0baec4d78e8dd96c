"""Which step of the tie rule decided between two tenders with the same total, and the figures it
compared, for the assessment summaries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from commissioning.award import summary_ties
from commissioning.evaluation.summary import CriterionResult, RankedBid


def ranked(rank, bid_id, *, quality="60.00", scores=(3, 3), price=None, submitted=None, tie_break="") -> RankedBid:
    criteria = [
        CriterionResult(criterion_id=1, title="Delivery", weight=30, is_price=False, score=scores[0], points=0),
        CriterionResult(criterion_id=2, title="Quality", weight=40, is_price=False, score=scores[1], points=0),
    ]
    return RankedBid(
        rank=rank,
        bid_id=bid_id,
        organisation_id=bid_id,
        organisation=f"Bidder {bid_id}",
        partners=[],
        submitted_at=submitted,
        price=price,
        quality_points=Decimal(quality),
        price_points=Decimal("0"),
        total=Decimal("60.00"),
        criteria=criteria,
        tie_break=tie_break,
    )


def test_each_step_of_the_tie_rule_in_order():
    found = summary_ties.decider(ranked(1, 1, quality="61.00"), ranked(2, 2, quality="59.00"), 5)
    assert (found.rule, found.ahead, found.behind) == ("higher quality score", "61.00 points", "59.00 points")
    # The highest-weighted criterion on which they differ, not the first listed.
    found = summary_ties.decider(ranked(1, 1, scores=(2, 4)), ranked(2, 2, scores=(4, 3)), 5)
    assert (found.rule, found.ahead, found.behind) == (
        "higher moderated score on ‘Quality’ (40%)",
        "4 out of 5",
        "3 out of 5",
    )
    found = summary_ties.decider(ranked(1, 1, price=Decimal("40000")), ranked(2, 2, price=Decimal("45000")), 5)
    assert (found.rule, found.ahead, found.behind) == ("lower price", "£40,000", "£45,000")
    early, late = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 11, tzinfo=UTC)
    found = summary_ties.decider(ranked(1, 1, submitted=early), ranked(2, 2, submitted=late), 5)
    assert (found.rule, found.ahead, found.behind) == (
        "earlier submission",
        "2 March 2026, 9:00am",
        "2 March 2026, 11:00am",
    )
    found = summary_ties.decider(ranked(1, 1), ranked(2, 2), 5)
    assert (found.rule, found.ahead, found.behind) == ("lower bid number", "1", "2")


def test_a_tie_is_one_only_where_the_ranking_broke_one_all_the_way_down():
    first, second, third = ranked(1, 1), ranked(2, 2, tie_break="lower price"), ranked(3, 3, tie_break="lower price")
    rows = [first, second, third]
    assert summary_ties.tied(rows, first, second)
    assert summary_ties.tied(rows, first, third)
    assert not summary_ties.tied(rows, second, first)
    not_tied = ranked(2, 2)
    assert not summary_ties.tied([first, not_tied, third], first, third)
    assert not summary_ties.tied([first, not_tied, third], first, not_tied)
