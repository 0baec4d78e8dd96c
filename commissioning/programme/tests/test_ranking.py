"""The ranking rule, proved for any scores and weights: by weighted total, highest first; ties broken
the same way every time; weights must be positive; scaling every weight by one factor changes nothing."""

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissioning.programme import ranking

CRITERIA = ("prevention", "return", "match", "risk", "sustainability")
weights_st = st.dictionaries(st.sampled_from(CRITERIA), st.integers(1, 100), min_size=1)
scores_st = st.fixed_dictionaries({c: st.integers(0, 5) for c in CRITERIA})
candidates_st = st.lists(scores_st, min_size=1, max_size=12)
# The machine is shared: generating the data may be slow at times, which says nothing about the rule.
proved = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ranked(candidates, weights):
    entries = [(n, (f"C{n:03d}",), scores) for n, scores in enumerate(candidates)]
    return ranking.rank(entries, weights)


@proved
@given(candidates=candidates_st, weights=weights_st)
def test_the_ranking_is_by_weighted_total_highest_first_ties_by_tie_key(candidates, weights):
    result = ranked(candidates, weights)
    assert [r.position for r in result] == list(range(1, len(candidates) + 1))
    for higher, lower in zip(result, result[1:], strict=False):
        assert higher.total >= lower.total
        if higher.total == lower.total:
            assert higher.item < lower.item  # the tie key (the reference) decides
    for r in result:
        expected = Fraction(sum(weights[c] * candidates[r.item][c] for c in weights), sum(weights.values()))
        assert r.total == expected
        assert 0 <= r.total <= 5


@proved
@given(candidates=candidates_st, weights=weights_st, factor=st.fractions(min_value=Fraction(1, 1000), max_value=1000))
def test_scaling_every_weight_by_one_factor_never_changes_the_ranking(candidates, weights, factor):
    scaled = {c: w * factor for c, w in weights.items()}
    before = [(r.item, r.total) for r in ranked(candidates, weights)]
    after = [(r.item, r.total) for r in ranked(candidates, scaled)]
    assert before == after


@proved
@given(candidates=candidates_st, weights=weights_st, order=st.randoms())
def test_the_order_candidates_arrive_in_never_matters(candidates, weights, order):
    entries = [(n, (f"C{n:03d}",), scores) for n, scores in enumerate(candidates)]
    shuffled = list(entries)
    order.shuffle(shuffled)
    assert [r.item for r in ranking.rank(entries, weights)] == [r.item for r in ranking.rank(shuffled, weights)]


@proved
@given(weights=st.dictionaries(st.sampled_from(CRITERIA), st.integers(-100, 0), min_size=1))
def test_weights_must_be_positive(weights):
    with pytest.raises(ValueError, match="more than 0"):
        ranking.rank([(1, ("C1",), dict.fromkeys(CRITERIA, 3))], weights)


def test_a_candidate_not_scored_on_every_criterion_comes_last_without_a_total():
    weights = {"prevention": 2, "risk": 1}
    result = ranking.rank(
        [("partly", ("A",), {"prevention": 5}), ("all", ("B",), {"prevention": 1, "risk": 0})], weights
    )
    assert [(r.item, r.total) for r in result] == [("all", Fraction(2, 3)), ("partly", None)]


def test_totals_are_shown_to_two_places_rounded_half_up():
    assert ranking.shown(Fraction(2, 3)) == "0.67"
    assert ranking.shown(Fraction(1, 8)) == "0.13"
    assert ranking.shown(None) == ""
