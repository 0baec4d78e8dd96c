"""One believable past for each demo commission, relative to the day the demo is seeded.

The services stamp what they do with the clock (audit events, approvals, signatures), so a commission
that has been in delivery for months must have been planned, approved, procured and signed months
ago: the demo moves the clock back (`time_machine`, demo only) to each step's day and calls the real
services there. Steps happen at office hours on working days, and deadlines fall at noon on a working
day, as a council would set them.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

import time_machine
from django.utils import timezone

from commissioning.models import State
from councils.calendar import is_working_day
from monitoring.models import add_months

NOON = datetime.time(12)


def working_day(day: datetime.date, *, back: bool = False) -> datetime.date:
    """`day` if it is a working day, else the next one (the previous one with `back`)."""
    step = datetime.timedelta(days=-1 if back else 1)
    while not is_working_day(day):
        day += step
    return day


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def noon_deadline(day: datetime.date) -> datetime.datetime:
    """A deadline: 12pm UK time on `day`, or on the next working day when `day` is not one."""
    return at(working_day(day), NOON.hour)


def travel(day: datetime.date, hour: int = 10, minute: int = 0):
    """The clock moved to `hour` on `day` (the working day before it when `day` is not one), but never
    past the real now: what happens today happens no later than the moment the demo is seeded."""
    hatch = time_machine.escape_hatch
    real_now = datetime.datetime.fromtimestamp(
        hatch.time.time() if hatch.is_travelling() else time.time(), tz=datetime.UTC
    )
    return time_machine.travel(step_moment(at(working_day(day, back=True), hour, minute), real_now), tick=False)


def step_moment(when: datetime.datetime, real_now: datetime.datetime) -> datetime.datetime:
    """`when`, or a minute before the real now if that is earlier; but never into the day before now.
    Seeded in the first minute after midnight, an agreement signed today would otherwise be signed the
    day before its own date, and refused as signed in the future."""
    midnight = at(timezone.localdate(real_now), 0)
    return min(when, max(real_now - datetime.timedelta(minutes=1), midnight))


# How long ago (in days) each demo commission's story began, by the state it has reached today.
# Understand takes about six weeks, planning another six, the decision two more, a procurement about
# two months and the service starts eight months after the work began (see Timeline).
DAYS_AGO = {
    State.UNDERSTANDING: 14,
    State.CANCELLED: 35,
    State.PLANNING: 60,
    State.AWAITING_APPROVAL: 95,
    State.SOURCING: 115,
    State.AGREEING: 200,
    State.DELIVERING: 470,
}
# In review near the end of a three-year term; decommissioned a little further on.
MONTHS_AGO = {State.REVIEWING: 39, State.DECOMMISSIONED: 44}


@dataclass(frozen=True)
class Timeline:
    """The days a commission's steps happened, counted from the day its work began."""

    began: datetime.date

    @classmethod
    def reaching(cls, state: str, today: datetime.date | None = None) -> Timeline:
        today = today or timezone.localdate()
        if state in MONTHS_AGO:
            return cls(working_day(add_months(today, -MONTHS_AGO[state])))
        return cls(working_day(today - datetime.timedelta(days=DAYS_AGO.get(state, 0))))

    def day(self, days: int) -> datetime.date:
        return working_day(self.began + datetime.timedelta(days=days))

    @property
    def planning(self) -> datetime.date:
        return self.day(42)

    @property
    def submitted(self) -> datetime.date:
        return self.day(84)

    @property
    def approved(self) -> datetime.date:
        return self.day(98)

    @property
    def sourcing(self) -> datetime.date:
        return self.day(105)

    @property
    def starts_on(self) -> datetime.date:
        """The service starts on the first of the month, about eight months after the work began."""
        return add_months((self.began + datetime.timedelta(days=240)).replace(day=1), 1)

    @property
    def goes_live(self) -> datetime.date:
        """Agreements are signed and go live on the last working day before the service starts."""
        return working_day(self.starts_on - datetime.timedelta(days=1), back=True)

    def reviewed(self, today: datetime.date | None = None) -> datetime.date:
        return working_day((today or timezone.localdate()) - datetime.timedelta(days=10), back=True)

    def decommissioned(self, today: datetime.date | None = None) -> datetime.date:
        return working_day((today or timezone.localdate()) - datetime.timedelta(days=3), back=True)
