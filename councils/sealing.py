"""Audit events that are sealed: about a bid whose opportunity's bids have not been opened yet.

Such an event says who has bid and when (and the receipt reference), which nobody may learn before
the opening — council officers and the system administrator alike. Whether an event is sealed is
derived when it is read, from the object it is about, so the opening is the only key and the events
stay append-only. `councils` knows no bids: the apps that hold sealed records register, in their
`AppConfig.ready()`, a function giving the `Q` of the events about them that are still sealed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

SEALED_NOTICE = "Sealed until the bids are opened"

_SEALED: list[Callable[[], Q]] = []


def register(sealed_events: Callable[[], Q]) -> None:
    """Register a function giving the `Q` (on AuditEvent) of events that are sealed right now."""
    if sealed_events not in _SEALED:
        _SEALED.append(sealed_events)


def sealed_q() -> Q:
    condition = Q(pk__in=[])
    for sealed_events in _SEALED:
        condition |= sealed_events()
    return condition


def unsealed(events: QuerySet) -> QuerySet:
    """The events of `events` that anyone may read now (subject to their own permission)."""
    return events.exclude(sealed_q())
