"""The one sanctioned rewrite of the audit trail: replacing personal data with a tombstone.

Audit events are append-only (`AuditEvent.save`/`delete` and their queryset refuse; on PostgreSQL a
trigger refuses UPDATE and DELETE). Retention and erasure must still be able to remove who did
something and what they wrote, without losing that it happened. This module is the only caller of the
plain `QuerySet.update` on audit events, and on PostgreSQL it opens the trigger's door for its own
transaction only (``SET LOCAL commissioner.tombstone = 'on'``). Even then the trigger lets through only
an UPDATE that keeps the event's type, time, council, subject and states, and leaves a tombstone in
``extra``; DELETE is always refused. What goes: the actor, the object's description, the reason and
every value in ``extra`` but the few below, which never carry personal data.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from councils.models import AuditEvent

# Keys of `extra` that name things, not people: kept so the event still says what happened.
KEPT_EXTRA = frozenset({"fields", "kind", "role", "opportunity", "page", "export", "format", "document", "queued"})


def tombstone_text(on: date | None = None) -> str:
    return f"Removed under retention on {date_format(on or timezone.localdate())}"


def untombstoned(events: models.QuerySet[AuditEvent]) -> models.QuerySet[AuditEvent]:
    return events.exclude(extra__has_key="tombstone")


@transaction.atomic
def tombstone(events: models.QuerySet[AuditEvent], *, text: str | None = None) -> int:
    """Replace the personal data of these events with a tombstone; returns how many were changed."""
    text = text or tombstone_text()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL commissioner.tombstone = 'on'")
    changed = 0
    # Row by row, because what is kept of `extra` differs per event; locked so nothing races it.
    for pk, extra, reason in untombstoned(events).select_for_update().values_list("pk", "extra", "reason"):
        kept = {key: value for key, value in (extra or {}).items() if key in KEPT_EXTRA}
        changed += models.QuerySet.update(
            AuditEvent.objects.filter(pk=pk),
            actor=None,
            object_repr=text,
            reason=text if reason else "",
            extra={**kept, "tombstone": text},
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL commissioner.tombstone = 'off'")
    return changed
