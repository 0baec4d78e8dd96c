"""Counted units (people, sessions) take whole-number targets; percentages, money and measures with
fractions keep two decimal places."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from councils.formatting import quantity_in
from councils.units import is_counted, rounded, validate_whole_for_unit


@pytest.mark.parametrize("unit", ["people", "sessions", "young people", "households", "visits", "referrals"])
def test_counted_units(unit):
    assert is_counted(unit)


@pytest.mark.parametrize(
    "unit", ["%", "percent", "£", "hours", "hectares", "satisfaction score", "people per session", ""]
)
def test_units_with_fractions(unit):
    assert not is_counted(unit)


def test_shares_of_a_counted_total_round_half_up():
    assert rounded(Decimal("3.5"), "sessions") == Decimal("4")
    assert rounded(Decimal("3.32"), "sessions") == Decimal("3")
    assert rounded(Decimal("10.08"), "people") == Decimal("10")
    assert rounded(Decimal("3.325"), "%") == Decimal("3.33")


def test_a_fraction_of_a_counted_thing_is_refused_with_a_clear_error():
    with pytest.raises(ValidationError) as refused:
        validate_whole_for_unit(Decimal("3.32"), "sessions")
    assert refused.value.message_dict == {
        "target": ["Sessions are counted in whole numbers: enter a whole number (for example 3)."]
    }
    validate_whole_for_unit(Decimal("40"), "sessions")
    validate_whole_for_unit(Decimal("40.00"), "people")
    validate_whole_for_unit(Decimal("87.5"), "%")
    validate_whole_for_unit(Decimal("1250.50"), "£")


def test_targets_show_whole_for_counted_units():
    assert quantity_in(Decimal("3.32"), "sessions") == "3"
    assert quantity_in(Decimal("10.08"), "people") == "10"
    assert quantity_in(Decimal("1250.00"), "people") == "1,250"
    assert quantity_in(Decimal("87.50"), "%") == "87.5"


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_a_counted_target_is_always_shown_whole(value):
    shown = quantity_in(value, "people").replace(",", "")
    assert Decimal(shown) == Decimal(shown).to_integral_value()
    assert abs(Decimal(shown) - value) <= Decimal("0.5")
