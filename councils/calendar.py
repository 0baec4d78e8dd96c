"""Working days: weekdays that are not bank holidays.

Council governance counts in working days — the standstill before a contract is signed (8 working
days), the call-in period after a cabinet decision (5 working days), and reminders where the council
says so. Bank holidays come from the `holidays` package (`holidays.UK` with the region's subdivision),
which follows the published GOV.UK lists, substitute days and one-off holidays included.

England and Wales share one list of bank holidays; Scotland and Northern Ireland have their own.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

ENGLAND_AND_WALES = "england-and-wales"
# region -> the `holidays.UK` subdivision whose bank holidays it keeps
REGIONS = {
    ENGLAND_AND_WALES: "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


def _subdivision(region: str) -> str:
    try:
        return REGIONS[region]
    except KeyError:
        raise ValueError(f"Unknown region {region!r}: choose one of {', '.join(REGIONS)}") from None


@lru_cache(maxsize=256)
def bank_holidays(year: int, region: str = ENGLAND_AND_WALES) -> frozenset[date]:
    """The region's bank holidays in `year` (substitute days included)."""
    return frozenset(holidays.UK(subdiv=_subdivision(region), years=year))


def is_working_day(day: date, region: str = ENGLAND_AND_WALES) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year, region)


def add_working_days(start: date, days: int, region: str = ENGLAND_AND_WALES) -> date:
    """The date `days` working days after `start` (before it, when `days` is negative).

    `start` itself is not counted, whatever day it is: a standstill of 8 working days notified on
    Friday 27 March 2026 ends on Friday 10 April 2026 (Good Friday and Easter Monday skipped).
    With `days == 0` the answer is `start`.
    """
    _subdivision(region)
    step = timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if is_working_day(day, region):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, region: str = ENGLAND_AND_WALES) -> int:
    """How many working days after `start`, up to and including `end` (negative when `end` is earlier).

    The inverse of `add_working_days` going forward: `working_days_between(d, add_working_days(d, n)) == n`
    for every `n >= 0`.
    """
    _subdivision(region)
    if end < start:
        return -working_days_between(end, start, region)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, region):
            count += 1
    return count
