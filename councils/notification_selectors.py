"""Reads for notifications and reminder rules, scoped to the signed-in person or to one council."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from councils.calendar import add_working_days, working_days_between
from councils.models import (
    REMINDER_DEFAULTS,
    RULE_KINDS,
    Council,
    EmailOptOut,
    Notification,
    NotificationPreference,
    ReminderKind,
    ReminderRule,
    User,
)
from councils.permissions import ADMINISTRATORS, roles_by_council

REMINDER_RULE_EDITORS = ADMINISTRATORS


@lru_cache(maxsize=65536)
def days_between(start: date, end: date, working: bool) -> int:
    """Days after `start` up to and including `end`, in working or calendar days.

    Cached: a sweep asks the same few hundred (due date, today) pairs for every return."""
    return working_days_between(start, end) if working else (end - start).days


@lru_cache(maxsize=4096)
def days_after(start: date, days: int, working: bool) -> date:
    return add_working_days(start, days) if working else start + timedelta(days=days)


@dataclass(frozen=True)
class ReminderSettings:
    """One kind of reminder as a council has it: its own `ReminderRule`, or the default."""

    enabled: bool = True
    days_before: int = 0
    repeat_every_days: int = 0
    escalate_after_days: int = 0
    working_days: bool = True
    lead_times: tuple[int, ...] = ()
    is_default: bool = True

    @classmethod
    def default(cls, kind: str) -> ReminderSettings:
        return cls(**REMINDER_DEFAULTS[kind])

    @classmethod
    def of(cls, rule: ReminderRule) -> ReminderSettings:
        return cls(
            enabled=rule.enabled,
            days_before=rule.days_before,
            repeat_every_days=rule.repeat_every_days,
            escalate_after_days=rule.escalate_after_days,
            working_days=rule.working_days,
            lead_times=tuple(rule.lead_times or ()),
            is_default=False,
        )

    @property
    def leads(self) -> tuple[int, ...]:
        """The days before the date at which a warning goes, furthest first (one, `days_before`, for a
        rule without lead times)."""
        return tuple(sorted(set(self.lead_times), reverse=True)) or (self.days_before,)

    def lead_for(self, left: int) -> int | None:
        """The warning due with `left` days to go: the nearest lead time already reached (None before the
        furthest). A sweep that missed a day sends only the latest warning, never the earlier ones late."""
        reached = [lead for lead in self.leads if left <= lead]
        return min(reached) if reached else None

    @property
    def leads_text(self) -> str:
        """'274, 183 and 91 days'."""
        numbers = [str(lead) for lead in self.leads]
        listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        return f"{listed} {self.unit.removesuffix('s') if numbers == ['1'] else self.unit}"

    def days(self, start: date, end: date) -> int:
        return days_between(start, end, self.working_days)

    def date_after(self, start: date, days: int) -> date:
        return days_after(start, days, self.working_days)

    @property
    def unit(self) -> str:
        return "working days" if self.working_days else "days"

    def count(self, days: int) -> str:
        """ "1 working day", "5 days"."""
        unit = self.unit.removesuffix("s") if days == 1 else self.unit
        return f"{days} {unit}"

    def as_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "is_default"}
        values["lead_times"] = list(self.lead_times)
        return values


class ReminderRules:
    """Every council's reminder rules, read in one query; a council without its own row gets the default."""

    def __init__(self, council_ids: list[int] | None = None):
        rules = ReminderRule.objects.all()
        if council_ids is not None:
            rules = rules.filter(council_id__in=council_ids)
        self._own = {(rule.council_id, rule.kind): ReminderSettings.of(rule) for rule in rules}

    def get(self, council_id: int | None, kind: str) -> ReminderSettings:
        return self._own.get((council_id, kind)) or ReminderSettings.default(kind)

    def furthest(self, kind: str, today: date) -> date | None:
        """The furthest day ahead that any council's enabled rule of this kind looks (None if all are off)."""
        candidates = [s for (_, k), s in self._own.items() if k == kind] + [ReminderSettings.default(kind)]
        ends = [s.date_after(today, max(s.leads)) for s in candidates if s.enabled]
        return max(ends) if ends else None

    def shortest_wait(self, kind: str) -> int | None:
        """The fewest days any council's enabled rule of this kind waits before reminding."""
        candidates = [s for (_, k), s in self._own.items() if k == kind] + [ReminderSettings.default(kind)]
        waits = [s.days_before for s in candidates if s.enabled]
        return min(waits) if waits else None


def reminder_rules_for(council: Council) -> list[tuple[ReminderKind, ReminderSettings]]:
    """The council's rule for each kind it can change, in the order the settings page lists them."""
    rules = ReminderRules([council.pk])
    return [(ReminderKind(kind), rules.get(council.pk, kind)) for kind in RULE_KINDS]


def may_edit_reminder_rules(user: User, council: Council | None) -> bool:
    return council is not None and not roles_by_council(user).get(council.pk, frozenset()).isdisjoint(
        REMINDER_RULE_EDITORS
    )


def councils_with_reminder_rules(user: User) -> QuerySet[Council]:
    """The councils whose reminder rules this person may change (for a link from their notifications)."""
    ids = [pk for pk, roles in roles_by_council(user).items() if not roles.isdisjoint(REMINDER_RULE_EDITORS)]
    return Council.objects.filter(pk__in=ids).order_by("name")


def notifications_for(user: User) -> QuerySet[Notification]:
    """A person's own notifications, newest first. Everything a list shows is on the row: no joins."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_for(user: User, pk: int) -> Notification:
    """One of the person's own notifications; anyone else's is a 404 (never a hint that it exists)."""
    return get_object_or_404(Notification, pk=pk, user=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def not_emailed(user: User) -> set[str]:
    """The kinds of notification this person chose not to have emailed."""
    return set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))


def wants_daily_digest(user: User) -> bool:
    return NotificationPreference.objects.filter(user=user, daily_digest=True).exists()
