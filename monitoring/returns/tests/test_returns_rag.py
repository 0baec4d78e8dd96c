"""RAG ratings: green at or beyond the target, amber within the council's tolerance short of it, red
further short; lower-is-better KPIs are the mirror image; no target, no rating. The overall rating
of a return is its worst KPI rating."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.models import Rag
from monitoring.returns.services import compute_rag, overall_rag

D = Decimal
ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


@pytest.mark.parametrize(
    ("actual", "rag"),
    [
        ("120", Rag.GREEN),
        ("100", Rag.GREEN),
        ("99.99", Rag.AMBER),
        ("90", Rag.AMBER),
        ("89.99", Rag.RED),
        ("0", Rag.RED),
    ],
)
def test_higher_is_better(actual, rag):
    assert compute_rag(D(actual), D("100"), higher_is_better=True, tolerance_percent=10) == rag


@pytest.mark.parametrize(
    ("actual", "rag"),
    [("0", Rag.GREEN), ("5", Rag.GREEN), ("5.01", Rag.AMBER), ("5.5", Rag.AMBER), ("5.51", Rag.RED)],
)
def test_lower_is_better(actual, rag):
    # Say, complaints: a target of 5 at most, amber up to 10% over.
    assert compute_rag(D(actual), D("5"), higher_is_better=False, tolerance_percent=10) == rag


def test_no_target_or_no_actual_is_not_rated():
    assert compute_rag(D("10"), None, higher_is_better=True, tolerance_percent=10) == Rag.NOT_RATED
    assert compute_rag(None, D("10"), higher_is_better=True, tolerance_percent=10) == Rag.NOT_RATED


def test_no_tolerance_means_no_amber():
    assert compute_rag(D("99.99"), D("100"), higher_is_better=True, tolerance_percent=0) == Rag.RED
    assert compute_rag(D("100"), D("100"), higher_is_better=True, tolerance_percent=0) == Rag.GREEN


def test_a_target_of_zero():
    assert compute_rag(D("0"), D("0"), higher_is_better=False, tolerance_percent=10) == Rag.GREEN
    assert compute_rag(D("1"), D("0"), higher_is_better=False, tolerance_percent=10) == Rag.RED


def test_overall_is_the_worst_rated_kpi():
    assert overall_rag([Rag.GREEN, Rag.AMBER, Rag.NOT_RATED]) == Rag.AMBER
    assert overall_rag([Rag.GREEN, Rag.RED, Rag.AMBER]) == Rag.RED
    assert overall_rag([Rag.GREEN, Rag.GREEN]) == Rag.GREEN
    assert overall_rag([Rag.NOT_RATED]) == Rag.NOT_RATED
    assert overall_rag([]) == Rag.NOT_RATED


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
tolerances = st.integers(min_value=0, max_value=100)


@settings(deadline=None)
@given(actual=amounts, target=amounts, tolerance=tolerances)
def test_lower_is_better_mirrors_higher_is_better(actual, target, tolerance):
    """Reflecting the actual about the target turns one direction into the other, exactly."""
    mirrored = 2 * target - actual
    assert compute_rag(actual, target, higher_is_better=True, tolerance_percent=tolerance) == compute_rag(
        mirrored, target, higher_is_better=False, tolerance_percent=tolerance
    )


@settings(deadline=None)
@given(low=amounts, high=amounts, target=amounts, tolerance=tolerances, higher=st.booleans())
def test_doing_better_never_rates_worse(low, high, target, tolerance, higher):
    low, high = sorted((low, high))
    better, worse = (high, low) if higher else (low, high)
    assert (
        ORDER[compute_rag(better, target, higher_is_better=higher, tolerance_percent=tolerance)]
        >= ORDER[compute_rag(worse, target, higher_is_better=higher, tolerance_percent=tolerance)]
    )


@settings(deadline=None)
@given(actual=amounts, target=amounts, small=tolerances, large=tolerances, higher=st.booleans())
def test_more_tolerance_never_rates_worse(actual, target, small, large, higher):
    small, large = sorted((small, large))
    assert (
        ORDER[compute_rag(actual, target, higher_is_better=higher, tolerance_percent=large)]
        >= ORDER[compute_rag(actual, target, higher_is_better=higher, tolerance_percent=small)]
    )


@settings(deadline=None)
@given(actual=amounts, target=amounts, tolerance=tolerances, higher=st.booleans())
def test_green_exactly_when_the_target_is_met(actual, target, tolerance, higher):
    met = actual >= target if higher else actual <= target
    rag = compute_rag(actual, target, higher_is_better=higher, tolerance_percent=tolerance)
    assert (rag == Rag.GREEN) == met
    assert rag != Rag.NOT_RATED


@settings(deadline=None)
@given(ratings=st.lists(st.sampled_from(list(Rag))))
def test_overall_is_never_better_than_any_rated_kpi(ratings):
    overall = overall_rag(ratings)
    rated = [r for r in ratings if r != Rag.NOT_RATED]
    if not rated:
        assert overall == Rag.NOT_RATED
    else:
        assert overall in rated
        assert all(ORDER[overall] <= ORDER[r] for r in rated)
