"""A date and a time typed on a form, made into a moment in UK time, clock changes and all.

Twice a year a local time is not a single moment. On the last Sunday in March the clocks go forward
at 1am GMT: 1:30am that night never happens. On the last Sunday in October they go back at 2am BST:
1:30am happens twice, first in BST and an hour later in GMT. Django's `make_aware` picks a moment
anyway (1:30am in March becomes 2:30am), so a deadline typed in that hour would silently move. Here a
time that does not exist is refused with a message, and one that happens twice needs a choice
between BST and GMT (`BST` / `GMT`, the radio `TimeOfYearChoice` offers).
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

BST, GMT = "BST", "GMT"


def format_clock(moment: datetime.time) -> str:
    """12pm, 5:30pm: a time as the council writes it."""
    hour = moment.hour % 12 or 12
    half = "am" if moment.hour < 12 else "pm"
    return f"{hour}{half}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{half}"


def _spoken(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _offsets(day: datetime.date, time: datetime.time, zone) -> tuple[datetime.timedelta, datetime.timedelta]:
    naive = datetime.datetime.combine(day, time)
    return naive.replace(tzinfo=zone, fold=0).utcoffset(), naive.replace(tzinfo=zone, fold=1).utcoffset()


def _exists(day: datetime.date, time: datetime.time, zone) -> bool:
    naive = datetime.datetime.combine(day, time)
    there_and_back = naive.replace(tzinfo=zone).astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    return there_and_back == naive


def is_ambiguous(day: datetime.date, time: datetime.time) -> bool:
    """Whether the local time happens twice on that day (the hour the clocks go back)."""
    zone = timezone.get_current_timezone()
    before, after = _offsets(day, time, zone)
    return before != after and _exists(day, time, zone)


def local_moment(day: datetime.date, time: datetime.time, which: str = "") -> datetime.datetime:
    """The aware moment a person meant by `day` and `time` in the current (UK) time zone.

    Raises ValidationError when the time does not exist that day, and when it happens twice and
    `which` (BST or GMT) does not say which of the two is meant. The answer is in UTC: Python
    compares two local times on the same zone by the clock alone, fold ignored, so the second 1:30am
    would equal the first.
    """
    zone = timezone.get_current_timezone()
    naive = datetime.datetime.combine(day, time)
    if not _exists(day, time, zone):
        raise forms.ValidationError(
            f"{format_clock(time)} on {_spoken(day)} does not exist: the clocks go forward an hour that night. "
            "Enter a time before or after the hour that is skipped.",
            code="nonexistent_time",
        )
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(datetime.UTC)
    if which not in (BST, GMT):
        raise forms.ValidationError(
            f"{format_clock(time)} on {_spoken(day)} happens twice, because the clocks go back an hour that "
            "night: choose whether you mean the first (BST) or the second (GMT).",
            code="ambiguous_time",
        )
    # The first of the two is still summer time (the larger offset).
    summer, winter = (first, second) if first.utcoffset() > second.utcoffset() else (second, first)
    return (summer if which == BST else winter).astimezone(datetime.UTC)


def which_of_two(moment: datetime.datetime) -> str:
    """BST or GMT for a stored moment whose local time happens twice ("" when it happens once)."""
    local = timezone.localtime(moment)
    if not is_ambiguous(local.date(), local.time().replace(tzinfo=None)):
        return ""
    return BST if local.dst() else GMT


class TimeOfYearChoice(forms.ChoiceField):
    """BST or GMT, asked only when the time typed happens twice."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "choices",
            [
                (BST, "BST: the first time, before the clocks go back"),
                (GMT, "GMT: the second time, an hour later, after the clocks go back"),
            ],
        )
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
