"""When the demo's steps happen: never after the moment it is seeded, and never on another day than their own."""

import datetime

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from demo.timeline import at, step_moment

# Any second over three years, summer and winter time and their changes among them.
MOMENTS = st.integers(0, 3 * 365 * 86400).map(
    lambda seconds: datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=seconds)
)


def test_a_step_today_seeded_just_after_midnight_happens_today():
    real_now = at(datetime.date(2026, 12, 8), 0, 0) + datetime.timedelta(seconds=20)
    moment = step_moment(at(datetime.date(2026, 12, 8), 10), real_now)
    assert timezone.localdate(moment) == datetime.date(2026, 12, 8)
    assert moment <= real_now


def test_a_step_today_happens_a_minute_before_the_seed_once_the_day_is_under_way():
    real_now = at(datetime.date(2026, 12, 8), 9, 30)
    assert step_moment(at(datetime.date(2026, 12, 8), 10), real_now) == real_now - datetime.timedelta(minutes=1)
    assert step_moment(at(datetime.date(2026, 12, 8), 9), real_now) == at(datetime.date(2026, 12, 8), 9)


@given(real_now=MOMENTS, days_ago=st.integers(0, 400), hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_a_step_never_happens_after_the_seed_nor_on_another_day(real_now, days_ago, hour, minute):
    day = timezone.localdate(real_now) - datetime.timedelta(days=days_ago)
    moment = step_moment(at(day, hour, minute), real_now)
    assert moment <= real_now
    assert timezone.localdate(moment) == day
