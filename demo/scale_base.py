"""What every family of scale data is built with: batched inserts (PostgreSQL `COPY`, or bulk_create
elsewhere), weighted choices, and the counts the generator reports.

The families (`demo.scale_people`, `demo.scale_cycle`, `demo.scale_monitoring`) are mixins of
`demo.scale_data.Generator` so each can be read on its own; these helpers are what they share, kept
here so the families need not import the generator that combines them.
"""

from __future__ import annotations

import io
import json
import random
from datetime import date, datetime
from datetime import time as dtime
from functools import cache

from django.db import connection
from django.db.models import Field
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

BATCH = 5000
# COPY streams rows, so a batch is only bounded by the memory of its text buffer.
COPY_BATCH = 20000
PREFIX = "scale"

# COPY's text format: backslash, tab and line breaks are escaped; NULL is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value as Django's PostgreSQL backend would send it (after `get_db_prep_save`), in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "adapted") and hasattr(value, "dumps"):  # psycopg2's Json adapter, what JSONField returns
        return value.dumps(value.adapted).translate(_ESCAPES)
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)  # Decimal, UUID, IP addresses, file names


class CopyWriter:
    """Writes model instances with `COPY … FROM STDIN`: the columns are the model's concrete fields, each value
    made by the field itself (`pre_save`, then `get_db_prep_save`) as bulk_create would, and new primary keys
    are reserved from the table's sequence in one statement and written explicitly, so that nothing has to
    come back and later families can point at the rows."""

    def __init__(self, model):
        opts = model._meta
        self.fields = [f for f in opts.concrete_fields if not f.generated]
        # Only fields that do something on save (auto_now dates, files) need pre_save; the rest are read directly.
        self.plan = [(f, f.attname, type(f).pre_save is not Field.pre_save) for f in self.fields]
        self.pk = opts.pk
        self.reserves = isinstance(opts.pk, AutoFieldMixin)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        self.sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
        self.sequence = None
        if self.reserves:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [opts.db_table, opts.pk.column])
                self.sequence = cursor.fetchone()[0]

    def write(self, rows: list) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(rows), COPY_BATCH):
                self._write(cursor, rows[start : start + COPY_BATCH])

    def _write(self, cursor, rows: list) -> None:
        if self.reserves:
            missing = [obj for obj in rows if obj.pk is None]
            if missing:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, len(missing)])
                for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                    obj.pk = pk
        buffer = io.StringIO()
        plan = self.plan
        for obj in rows:
            values = []
            for field, attname, pre_saves in plan:
                value = field.pre_save(obj, True) if pre_saves else getattr(obj, attname)
                values.append(_text(field.get_db_prep_save(value, connection)))
            buffer.write("\t".join(values))
            buffer.write("\n")
            obj._state.adding = False
            obj._state.db = connection.alias
        buffer.seek(0)
        cursor.copy_expert(self.sql, buffer)


@cache
def copy_writer(model) -> CopyWriter:
    return CopyWriter(model)


def bulk(model, rows: list, *, copy: bool | None = None) -> list:
    """Insert in batches and give the rows back with their primary keys: by COPY on PostgreSQL (unless
    `copy=False`), by bulk_create elsewhere (SQLite and PostgreSQL return the new keys)."""
    if copy is None:
        copy = connection.vendor == "postgresql"
    if copy:
        copy_writer(model).write(rows)
        return rows
    created = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH))
    return created


def weighted(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour)))


class Family:
    """A family of generated rows: a mixin of `demo.scale_data.Generator`, sharing its state (`sizes`,
    `rng`, `progress`, `today`, `password`, `counts`, `copy`) and what earlier families built."""

    counts: dict[str, int]
    copy: bool | None = None

    def bulk(self, model, rows: list) -> list:
        return bulk(model, rows, copy=self.copy)

    def _count(self, name: str, rows: list) -> list:
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows
