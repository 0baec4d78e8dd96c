"""Reminders: the sweep that works out who is reminded of what today and records the new ones.

The sweep is what schedulers call (the Celery task, `manage.py send_reminders`, the demo seed): it
runs each kind of reminder (`monitoring.reminders.kinds`) through the outbox
(`monitoring.reminders.outbox`) in batches and audits what was new, per council. Idempotent: run it
as often as you like, from as many workers as you like. The emails follow from the outbox
(`monitoring.reminders.emails`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from councils.models import Council, ReminderKind
from councils.notification_selectors import ReminderRules
from councils.services import audit_record
from monitoring.reminders.kinds import Reminder, Sweep
from monitoring.reminders.outbox import record
from monitoring.reminders.sources import SOURCES

# Batches are written on a second connection while the next is worked out (PostgreSQL, outside a
# transaction); tests turn it off to compare.
PIPELINE = True
# Reminders written per transaction: fewer, larger statements and commits (a batch of 5,000 is a few MB).
WRITE_BATCH = 5000


@dataclass
class SweepResult:
    created: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        if not self.total:
            return "no new reminders"
        kinds = ", ".join(f"{ReminderKind(kind).label}: {n}" for kind, n in sorted(self.created.items()))
        return f"{self.total} new reminder{'s' if self.total != 1 else ''} ({kinds})"


def _chunks(items: Iterable[Reminder], size: int) -> Iterator[list[Reminder]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pipelined() -> bool:
    """Write each batch on a second connection while the next is worked out: the database and Python
    then use both cores. Not inside a transaction (the second connection could not see its rows), and
    only where writes from two connections do not wait on each other (PostgreSQL)."""
    return PIPELINE and connection.vendor == "postgresql" and not connection.in_atomic_block


def _record_and_close(chunk: list[Reminder] | None, now: datetime) -> list[Reminder]:
    if chunk is None:  # the last job: the writer thread's own connection is closed with it
        connection.close()
        return []
    return record(chunk, now=now)


def sweep(*, today: date | None = None, now: datetime | None = None, batch_size: int = WRITE_BATCH) -> SweepResult:
    """Work out today's reminders of every kind and record the new ones (notifications included).

    Idempotent: run it as often as you like, from as many workers as you like."""
    started = time.monotonic()
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    context = Sweep(today=today, now=now, rules=ReminderRules())
    result = SweepResult()
    per_council: dict[int | None, Counter] = defaultdict(Counter)

    def count(added: list[Reminder]) -> None:
        for reminder in added:
            result.created[reminder.kind] += 1
            per_council[reminder.council_id][reminder.kind] += 1

    chunks = (chunk for source in SOURCES for chunk in _chunks(source(context), batch_size))
    if _pipelined():
        # One batch written while the next is read and worked out: at most two batches in memory.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reminder-writer") as writer:
            pending = None
            try:
                for chunk in chunks:
                    if pending is not None:
                        count(pending.result())
                    pending = writer.submit(record, chunk, now=now)
                if pending is not None:
                    count(pending.result())
            finally:
                writer.submit(_record_and_close, None, now).result()
    else:
        for chunk in chunks:
            count(record(chunk, now=now))
    _audit_sweep(today, per_council)
    result.seconds = time.monotonic() - started
    return result


def _audit_sweep(today: date, per_council: dict[int | None, Counter]) -> None:
    """One audit event per council that had new reminders, with how many of each kind."""
    if not per_council:
        return
    councils = Council.objects.in_bulk([pk for pk in per_council if pk is not None])
    with transaction.atomic():
        for council_id, counts in per_council.items():
            audit_record(
                council=councils.get(council_id),
                actor=None,
                event_type="reminders.sent",
                extra={"date": today.isoformat(), "counts": dict(sorted(counts.items()))},
            )
