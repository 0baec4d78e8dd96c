"""The arithmetic of evaluation (`commissioning.scoring`): examples, then properties with Hypothesis."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.evaluation import scoring
from commissioning.evaluation.scoring import Criterion, Entry

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
QUALITY = [Criterion(key=1, weight=40, position=1, title="Deliverability"), Criterion(key=2, weight=30, position=2)]
PRICE = Criterion(key=3, weight=30, position=3, title="Price", is_price=True)


def test_weighted_points_are_score_over_max_times_weight():
    assert scoring.weighted_points(3, 5, 15) == 9
    assert scoring.weighted_points(5, 5, 15) == 15
    assert scoring.weighted_points(0, 5, 15) == 0
    assert scoring.weighted_points(None, 5, 15) == 0
    assert scoring.weighted_points(2, 3, 10) == Fraction(20, 3)


@pytest.mark.parametrize("score", [-1, 6])
def test_a_score_off_the_scale_is_refused(score):
    with pytest.raises(ValueError, match="outside the scale"):
        scoring.weighted_points(score, 5, 10)


def test_price_formula_gives_the_lowest_price_the_whole_weight_and_others_in_proportion():
    assert scoring.price_points(Decimal("40000"), Decimal("40000"), 30) == 30
    assert scoring.price_points(Decimal("40000"), Decimal("50000"), 30) == 24
    assert scoring.price_points(Decimal("40000"), Decimal("80000"), 30) == 15


@pytest.mark.parametrize(("lowest", "price"), [("0", "10"), ("10", "0"), ("20", "10")])
def test_price_formula_refuses_nonsense(lowest, price):
    with pytest.raises(ValueError, match="Prices|lowest"):
        scoring.price_points(Decimal(lowest), Decimal(price), 30)


def test_spread_flags_criteria_two_or_more_apart():
    assert scoring.spread([3, 4, 3]) == 1
    assert not scoring.needs_discussion([3, 4, 3])
    assert scoring.needs_discussion([2, 4])
    assert scoring.spread([]) == 0
    assert not scoring.needs_discussion([5])


def test_rank_adds_quality_and_price_points_and_orders_by_total():
    entries = [
        Entry(key=10, scores={1: 4, 2: 3}, price=Decimal("50000"), submitted_at=T0),
        Entry(key=11, scores={1: 5, 2: 5}, price=Decimal("100000"), submitted_at=T0),
    ]
    ranked = scoring.rank(entries, [*QUALITY, PRICE], 5)
    first, second = ranked
    # Bid 11: 40 + 30 quality, 50,000 ÷ 100,000 × 30 = 15 price: 85. Bid 10: 32 + 18 + 30 = 80.
    assert (first.key, first.total, first.quality, first.price_points) == (11, 85, 70, 15)
    assert (second.key, second.total, second.price_points) == (10, 80, 30)
    assert [r.rank for r in ranked] == [1, 2]
    assert first.tie_break == second.tie_break == ""
    assert scoring.points(Fraction(2, 3) * 10) == Decimal("6.67")


def _tied(**overrides):
    """Two bids with equal totals, the second listed first; `overrides` changes the second (key 2)."""
    a = {"key": 1, "scores": {1: 3, 2: 4}, "price": Decimal("100"), "submitted_at": T0}
    b = {**a, "key": 2, **overrides}
    return [Entry(**b), Entry(**a)]


HALVES = [Criterion(key=1, weight=50, position=1, title="Deliverability"), Criterion(key=2, weight=50, position=2)]


@pytest.mark.parametrize(
    ("entries", "winner", "reason"),
    [
        # 3 and 4 against 4 and 3 on equal weights: level, so the first-listed of the top weights decides.
        (_tied(scores={1: 4, 2: 3}), 2, "higher score on ‘Deliverability’ (50%)"),
        (_tied(price=Decimal("90")), 2, "lower price"),
        (_tied(submitted_at=T0 - timedelta(hours=1)), 2, "earlier submission"),
        (_tied(), 1, "lower bid number"),
    ],
)
def test_ties_are_broken_by_the_documented_rule(entries, winner, reason):
    ranked = scoring.rank(entries, HALVES, 5)
    assert ranked[0].key == winner
    assert ranked[0].total == ranked[1].total
    assert ranked[1].tie_break == reason


def test_in_a_tie_the_higher_quality_score_beats_the_cheaper_price():
    # A: 6/7 × 70 = 60 quality + 100/150 × 30 = 20 price = 80. B: 50 quality + 30 price = 80.
    criteria = [Criterion(key=1, weight=70, position=1), PRICE]
    entries = [
        Entry(key=2, scores={1: 5}, price=Decimal("100"), submitted_at=T0),
        Entry(key=1, scores={1: 6}, price=Decimal("150"), submitted_at=T0),
    ]
    ranked = scoring.rank(entries, criteria, 7)
    assert [(r.key, r.total, r.quality) for r in ranked] == [(1, 80, 60), (2, 80, 50)]
    assert ranked[1].tie_break == "higher quality score"


def test_a_bid_cannot_be_ranked_twice():
    with pytest.raises(ValueError, match="once"):
        scoring.rank([Entry(key=1, scores={}), Entry(key=1, scores={})], QUALITY, 5)


# ---- Properties ---------------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    """Criteria with whole-percentage weights totalling 100 (maybe one scored on price), a scale,
    and up to eight eligible bids with scores, prices and submission times."""
    count = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=count - 1, max_size=count - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    with_price = draw(st.booleans())
    criteria = [
        Criterion(key=i + 1, weight=w, position=i, title=f"C{i + 1}", is_price=with_price and i == count - 1)
        for i, w in enumerate(weights)
    ]
    max_score = draw(st.integers(min_value=1, max_value=10))
    quality = [c for c in criteria if not c.is_price]
    bids = draw(st.integers(min_value=1, max_value=8))
    keys = draw(st.lists(st.integers(min_value=1, max_value=10_000), min_size=bids, max_size=bids, unique=True))
    prices = st.one_of(st.none(), st.decimals(min_value=1, max_value=1_000_000, places=2))
    entries = [
        Entry(
            key=key,
            scores={c.key: draw(st.one_of(st.none(), st.integers(0, max_score))) for c in quality},
            price=draw(prices),
            submitted_at=T0 + timedelta(minutes=draw(st.integers(0, 3))),
        )
        for key in keys
    ]
    return criteria, max_score, entries


@given(scenarios())
@settings(max_examples=150, deadline=None)
def test_totals_stay_within_0_and_100(scenario):
    criteria, max_score, entries = scenario
    for result in scoring.rank(entries, criteria, max_score):
        assert 0 <= result.total <= 100
        assert result.total == result.quality + result.price_points
        assert sum(result.criterion_points.values()) == result.total
        for criterion in criteria:
            assert 0 <= result.criterion_points[criterion.key] <= criterion.weight


@given(scenarios())
@settings(max_examples=150, deadline=None)
def test_ranking_is_a_permutation_ordered_by_total(scenario):
    criteria, max_score, entries = scenario
    ranked = scoring.rank(entries, criteria, max_score)
    assert sorted(r.key for r in ranked) == sorted(e.key for e in entries)
    assert [r.rank for r in ranked] == list(range(1, len(entries) + 1))
    assert all(a.total >= b.total for a, b in zip(ranked, ranked[1:], strict=False))
    for above, below in zip(ranked, ranked[1:], strict=False):
        assert bool(below.tie_break) == (above.total == below.total)


@given(scenarios(), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_ties_are_resolved_the_same_way_whatever_order_the_bids_come_in(scenario, rnd: random.Random):
    criteria, max_score, entries = scenario
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    first = [(r.key, r.tie_break) for r in scoring.rank(entries, criteria, max_score)]
    assert [(r.key, r.tie_break) for r in scoring.rank(shuffled, criteria, max_score)] == first


@given(scenarios())
@settings(max_examples=150, deadline=None)
def test_the_lowest_price_gets_the_full_price_weight(scenario):
    criteria, max_score, entries = scenario
    price = next((c for c in criteria if c.is_price), None)
    priced = [e for e in entries if e.price is not None and e.price > 0]
    if price is None or not priced:
        return
    lowest = min(e.price for e in priced)
    by_key = {r.key: r for r in scoring.rank(entries, criteria, max_score)}
    for entry in priced:
        points = by_key[entry.key].price_points
        if entry.price == lowest:
            assert points == price.weight
        else:
            assert points == Fraction(lowest) / Fraction(entry.price) * price.weight < price.weight or price.weight == 0


@given(
    st.decimals(min_value=1, max_value=10**6, places=2),
    st.decimals(min_value=1, max_value=10**6, places=2),
    st.integers(min_value=0, max_value=100),
)
def test_a_higher_price_never_scores_more(a, b, weight):
    lowest = min(a, b)
    cheaper, dearer = sorted((a, b))
    assert scoring.price_points(lowest, dearer, weight) <= scoring.price_points(lowest, cheaper, weight) <= weight


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=6))
def test_the_spread_flag_is_two_points_apart(scores):
    assert scoring.needs_discussion(scores) == (max(scores) - min(scores) >= 2)
