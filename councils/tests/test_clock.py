"""A date and a time typed in UK time, across the clock changes: the skipped hour is refused, the
repeated hour needs BST or GMT, every other time is the moment it says on the clock."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from councils.clock import BST, GMT, is_ambiguous, local_moment, which_of_two

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def test_the_hour_the_clocks_skip_does_not_exist():
    with pytest.raises(forms.ValidationError, match="1:30am on 28 March 2027 does not exist: the clocks go forward"):
        local_moment(datetime.date(2027, 3, 28), datetime.time(1, 30))
    assert local_moment(datetime.date(2027, 3, 28), datetime.time(2, 0)) == datetime.datetime(
        2027, 3, 28, 1, tzinfo=UTC
    )
    assert local_moment(datetime.date(2027, 3, 28), datetime.time(0, 59)) == datetime.datetime(
        2027, 3, 28, 0, 59, tzinfo=UTC
    )


def test_the_hour_that_happens_twice_needs_bst_or_gmt():
    day, time = datetime.date(2027, 10, 31), datetime.time(1, 30)
    assert is_ambiguous(day, time)
    with pytest.raises(forms.ValidationError, match="1:30am on 31 October 2027 happens twice"):
        local_moment(day, time)
    bst, gmt = local_moment(day, time, BST), local_moment(day, time, GMT)
    assert bst == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert gmt == datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert (which_of_two(bst), which_of_two(gmt)) == (BST, GMT)
    assert which_of_two(datetime.datetime(2027, 10, 31, 12, tzinfo=UTC)) == ""
    assert not is_ambiguous(day, datetime.time(2, 30))


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 31)),
    time=st.times(),
    which=st.sampled_from(["", BST, GMT]),
)
def test_property_a_moment_is_what_the_clock_said_or_a_validation_error(day, time, which):
    try:
        moment = local_moment(day, time, which)
    except forms.ValidationError:
        return
    local = moment.astimezone(LONDON)
    assert (local.date(), local.time()) == (day, time)
