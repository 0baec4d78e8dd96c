"""Working days skip weekends and England and Wales bank holidays."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from councils.calendar import add_working_days, bank_holidays, is_working_day, working_days_between


def test_easter_2026_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert is_working_day(date(2026, 4, 7))


def test_standstill_over_easter_2026():
    # Notified on Friday 27 March: 8 working days skip two weekends, Good Friday and Easter Monday.
    assert add_working_days(date(2026, 3, 27), 8) == date(2026, 4, 10)
    assert working_days_between(date(2026, 3, 27), date(2026, 4, 10)) == 8


def test_call_in_over_christmas_and_new_year():
    # Decided on Wednesday 23 December 2026: 25 December (Fri) and Boxing Day's substitute (Mon 28)
    # and New Year's Day (Fri 1 January 2027) are skipped.
    assert add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    assert date(2026, 12, 28) in bank_holidays(2026)


def test_early_may_bank_holiday():
    # Friday 1 May 2026 + 1 working day: Monday 4 May is the early May bank holiday.
    assert add_working_days(date(2026, 5, 1), 1) == date(2026, 5, 5)


def test_weekend_start_counts_from_the_next_working_day():
    saturday = date(2026, 6, 13)
    assert add_working_days(saturday, 1) == date(2026, 6, 15)
    assert add_working_days(saturday, 5) == date(2026, 6, 19)
    assert working_days_between(saturday, date(2026, 6, 15)) == 1


def test_zero_and_negative_days():
    assert add_working_days(date(2026, 4, 3), 0) == date(2026, 4, 3)
    # Two working days before Tuesday 7 April 2026 is Thursday 2 April (Easter skipped).
    assert add_working_days(date(2026, 4, 7), -2) == date(2026, 4, 1)
    assert working_days_between(date(2026, 4, 10), date(2026, 3, 27)) == -8


def test_other_regions_have_their_own_holidays():
    # 2 January is a bank holiday in Scotland only.
    assert not is_working_day(date(2026, 1, 2), "scotland")
    assert is_working_day(date(2026, 1, 2))
    with pytest.raises(ValueError, match="Unknown region"):
        add_working_days(date(2026, 1, 2), 1, region="atlantis")


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=60),
)
def test_between_inverts_add(start, days):
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert days == 0 or is_working_day(end)
