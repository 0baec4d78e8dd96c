"""Reminders: recording a batch in the outbox, each reminder exactly once.

**Exactly once.** Every reminder is a `SentReminder` row, unique per (recipient, kind, subject,
occurrence). A batch is inserted with ``INSERT … ON CONFLICT DO NOTHING RETURNING`` in one transaction
together with the in-app `Notification` of each row that was really new, so running the sweep twice,
or twice at once, adds nothing the second time.

Kept apart because it is the database-specific part (COPY on psycopg2, RETURNING where the database
has it, a portable road for the rest), and `WRITERS` is what tests and `make bench-reminders` swap.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from councils import page_cache
from councils.models import Notification, SentReminder, User
from monitoring.reminders.kinds import Reminder

OUTBOX_COLUMNS = ("recipient_id", "kind", "content_type_id", "object_id", "occurrence", "created_at", "attempts")
UNIQUE_COLUMNS = ("recipient_id", "kind", "content_type_id", "object_id", "occurrence")
NOTIFICATION_COLUMNS = ("user_id", "kind", "title", "body", "url", "reminder_id", "created_at")


def _quoted(columns: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in columns)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(model, columns: tuple[str, ...], values: list[list], suffix: str = "") -> list[tuple]:
    """A multi-row INSERT in chunks of 1,000, in raw SQL: building a model instance per row would cost
    more than the database does at 100,000 rows. Returns what `suffix` (a RETURNING clause) returns."""
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returned = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), 1000):
            chunk = values[start : start + 1000]
            # Table and column names come from the model, never from input; every value is a parameter.
            sql = f"INSERT INTO {_table(model)} ({_quoted(columns)}) VALUES {', '.join([one] * len(chunk))} {suffix}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])
            if suffix:
                returned += cursor.fetchall()
    return returned


def _write_returning(rows: list[Reminder], now: datetime) -> set[tuple]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING for the outbox, then the new rows' notifications.

    One statement per chunk, so two sweeps at once cannot both add a row: the second waits on the
    unique index for the first to commit, then skips it. PostgreSQL and SQLite 3.35+ both speak it."""
    created_at = connection.ops.adapt_datetimefield_value(now)
    unique = _quoted(UNIQUE_COLUMNS)
    values = [[r.recipient_id, r.kind, r.content_type_id, r.object_id, r.occurrence, created_at, 0] for r in rows]
    added = _insert(SentReminder, OUTBOX_COLUMNS, values, f"ON CONFLICT ({unique}) DO NOTHING RETURNING id, {unique}")
    ids = {tuple(found[1:]): found[0] for found in added}
    notifications = [
        [r.recipient_id, r.kind, r.title[:200], r.body, r.url, ids[r.key], created_at] for r in rows if r.key in ids
    ]
    _insert(Notification, NOTIFICATION_COLUMNS, notifications)
    return set(ids)


def _write_copy(rows: list[Reminder], now: datetime) -> set[tuple]:
    """PostgreSQL, fastest: COPY the batch into a temporary table, then one statement adds the outbox
    rows that are new (ON CONFLICT DO NOTHING, as above) for people whose accounts are open, and a
    notification for each of them. Everything is decided in that statement, so `record` reads nothing
    ahead: at 400,000 due returns the read-ahead cost more than offering the rows to the unique index."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow(
            [r.recipient_id, r.kind, r.content_type_id, r.object_id, r.occurrence, r.title[:200], r.body, r.url]
        )
    buffer.seek(0)
    keys = _quoted(UNIQUE_COLUMNS)
    batch_keys = ", ".join(f"b.{column}" for column in UNIQUE_COLUMNS)
    outbox, notification, user = _table(SentReminder), _table(Notification), _table(User)
    with connection.cursor() as cursor:
        # Kept for the connection's life, emptied at every commit (and here, for a batch inside a
        # larger transaction).
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reminder_batch (recipient_id bigint, kind varchar(32), "
            "content_type_id integer, object_id bigint, occurrence varchar(64), title varchar(200), body text, "
            "url varchar(500)) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE reminder_batch")
        cursor.copy_expert("COPY reminder_batch FROM STDIN WITH (FORMAT csv)", buffer)
        # Table names come from the models; the two times are parameters.
        cursor.execute(
            f"WITH added AS (INSERT INTO {outbox} ({_quoted(OUTBOX_COLUMNS)}) "  # noqa: S608
            f"SELECT {batch_keys}, %s, 0 FROM reminder_batch b JOIN {user} u ON u.id = b.recipient_id "
            f"WHERE u.is_active ON CONFLICT ({keys}) DO NOTHING RETURNING id, {keys}), "
            f"notified AS (INSERT INTO {notification} ({_quoted(NOTIFICATION_COLUMNS)}) "
            f"SELECT added.recipient_id, added.kind, b.title, b.body, b.url, added.id, %s "
            f"FROM added JOIN reminder_batch b USING ({keys})) "
            f"SELECT {keys} FROM added",
            [now, now],
        )
        return set(cursor.fetchall())


def _write_portably(rows: list[Reminder], now: datetime) -> set[tuple]:
    """For databases that cannot return rows from an upsert: insert, then read back the new ids. Only
    for databases whose writers are serialised (SQLite); the unique constraint still refuses a
    duplicate, failing the batch rather than sending anything twice."""
    SentReminder.objects.bulk_create(
        [
            SentReminder(
                recipient_id=r.recipient_id,
                kind=r.kind,
                content_type_id=r.content_type_id,
                object_id=r.object_id,
                occurrence=r.occurrence,
                created_at=now,
            )
            for r in rows
        ],
        batch_size=1000,
    )
    wanted = {r.key: r for r in rows}
    added = SentReminder.objects.filter(created_at=now, object_id__in={r.object_id for r in rows})
    ids = {key: pk for pk, *rest in added.values_list("pk", *UNIQUE_COLUMNS) if (key := tuple(rest)) in wanted}
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=r.recipient_id, kind=r.kind, title=r.title[:200], body=r.body, url=r.url, reminder_id=pk,
                created_at=now,
            )
            for key, pk in ids.items()
            if (r := wanted[key])
        ],
        batch_size=1000,
    )  # fmt: skip
    # bulk_create sends no signal: the recipients' headers count unread notifications.
    if ids:
        page_cache.bump(*{f"user:{wanted[key].recipient_id}" for key in ids})
    return set(ids)


WRITERS = {"copy": _write_copy, "returning": _write_returning, "portable": _write_portably}
# Writers that leave out closed accounts and what was sent before in the statement that writes.
SELF_FILTERING = frozenset({"copy"})


def _writer() -> str:
    if connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2":
        return "copy"  # psycopg2's copy_expert; psycopg 3 takes the portable-SQL road below
    return "returning" if connection.features.can_return_rows_from_bulk_insert else "portable"


def _already_sent(rows: list[Reminder]) -> set[tuple]:
    """The batch's reminders sent before (by subject): an hourly sweep mostly finds the same ones again,
    and reading them back is cheaper than offering every one to the unique index."""
    sent = SentReminder.objects.filter(
        content_type_id__in={r.content_type_id for r in rows},
        object_id__in={r.object_id for r in rows},
        kind__in={r.kind for r in rows},
    )
    return set(sent.values_list(*UNIQUE_COLUMNS))


def record(reminders: Iterable[Reminder], *, now: datetime | None = None, writer: str | None = None) -> list[Reminder]:
    """Write one batch of reminders and their notifications in one transaction; return those that were
    new (the others had been sent before, by this sweep or another). `writer` picks how (tests try each)."""
    now = now or timezone.now()
    writer = writer or _writer()
    batch = {}
    for reminder in reminders:
        batch.setdefault(reminder.key, reminder)
    if not batch:
        return []
    if writer in SELF_FILTERING:
        with transaction.atomic():
            added = WRITERS[writer](list(batch.values()), now)
        return [r for r in batch.values() if r.key in added]
    inactive = set(
        User.objects.filter(pk__in={r.recipient_id for r in batch.values()}, is_active=False).values_list(
            "pk", flat=True
        )
    )
    rows = [r for r in batch.values() if r.recipient_id not in inactive]
    with transaction.atomic():
        known = _already_sent(rows)
        rows = [r for r in rows if r.key not in known]
        added = WRITERS[writer](rows, now) if rows else set()
    return [r for r in rows if r.key in added]
