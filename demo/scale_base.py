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
from decimal import Decimal
from functools import cache

from django.db import connection, connections
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


def _fast(field):
    """How to write a value of the type the field would hand PostgreSQL unchanged, without going through the field:
    `get_db_prep_save` returns a str, int, bool, date, aware datetime or Decimal as it is for Django's own field
    classes, so only other values (and custom fields) need the field's own preparation."""
    if not type(field).__module__.startswith("django.db.models"):
        return None, None
    if field.is_relation:
        field = field.target_field
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "EmailField"):
        return str, lambda value: value.translate(_ESCAPES)
    if kind.endswith("IntegerField") or kind.endswith("AutoField"):
        return int, str
    if kind == "BooleanField":
        return bool, lambda value: "t" if value else "f"
    if kind == "DateField":
        return date, date.isoformat
    if kind == "DateTimeField":
        return datetime, lambda value: value.isoformat() if value.tzinfo is not None else None
    if kind == "DecimalField":
        return Decimal, str
    return None, None


class CopyWriter:
    """Writes rows with `COPY … FROM STDIN`: the columns are the model's concrete fields, each value prepared as
    bulk_create would (`pre_save`, then `get_db_prep_save`, or the same result without the call where it would
    change nothing), and new primary keys are reserved from the table's sequence in one statement and written
    explicitly, so that nothing has to come back and later families can point at the rows.

    Rows are model instances (`write`) or, for the largest tables, where building instances costs more than
    writing them, plain {attname: value} dicts (`write_values`), whose missing fields get the field's default."""

    def __init__(self, model):
        opts = model._meta
        self.fields = [f for f in opts.concrete_fields if not f.generated]
        # Only fields that do something on save (auto_now dates, files) need pre_save; the rest are read directly.
        self.plan = [(f, f.attname, type(f).pre_save is not Field.pre_save, *_fast(f)) for f in self.fields]
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

    def write_values(self, rows: list[dict]) -> list[int]:
        """Write {attname: value} rows and return their primary keys, in order."""
        keys = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), COPY_BATCH):
                keys.extend(self._write_values(cursor, rows[start : start + COPY_BATCH]))
        return keys

    def _reserve(self, cursor, count: int) -> list[int]:
        if not count:
            return []
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, count])
        return [pk for (pk,) in cursor.fetchall()]

    def _write(self, cursor, rows: list) -> None:
        db = connections[connection.alias]  # not the proxy: it costs a context-local lookup per value
        if self.reserves:
            missing = [obj for obj in rows if obj.pk is None]
            for obj, pk in zip(missing, self._reserve(cursor, len(missing)), strict=True):
                obj.pk = pk
        buffer = io.StringIO()
        plan = self.plan
        for obj in rows:
            values = []
            for field, attname, pre_saves, kind, fast in plan:
                value = field.pre_save(obj, True) if pre_saves else getattr(obj, attname)
                values.append(self._text(field, value, kind, fast, db))
            buffer.write("\t".join(values))
            buffer.write("\n")
            obj._state.adding = False
            obj._state.db = connection.alias
        buffer.seek(0)
        cursor.copy_expert(self.sql, buffer)

    def _write_values(self, cursor, rows: list[dict]) -> list[int]:
        db = connections[connection.alias]
        keys = self._reserve(cursor, len(rows)) if self.reserves else [row[self.pk.attname] for row in rows]
        now = timezone.now()
        # What a field left out of the rows holds: its default (or, for auto_now dates, the time), once a batch.
        filled, auto = {}, set()
        for field, attname, _, kind, fast in self.plan:
            if field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                auto.add(attname)
                filled[attname] = self._text(field, now, kind, fast, db)
            else:
                filled[attname] = self._text(field, field.get_default(), kind, fast, db)
        buffer = io.StringIO()
        for key, row in zip(keys, rows, strict=True):
            values = []
            for field, attname, _, kind, fast in self.plan:
                if field.primary_key:
                    values.append(str(key))
                elif attname in row and attname not in auto:
                    values.append(self._text(field, row[attname], kind, fast, db))
                else:
                    values.append(filled[attname])
            buffer.write("\t".join(values))
            buffer.write("\n")
        buffer.seek(0)
        cursor.copy_expert(self.sql, buffer)
        return keys

    @staticmethod
    def _text(field, value, kind, fast, db) -> str:
        if value is None:
            return "\\N"
        if type(value) is kind:
            text = fast(value)
            if text is not None:
                return text
        return _text(field.get_db_prep_save(value, db))


@cache
def copy_writer(model) -> CopyWriter:
    return CopyWriter(model)


def bulk_values(model, rows: list[dict], *, copy: bool | None = None) -> list[int]:
    """Insert {attname: value} rows and return their primary keys: for the largest tables, where building a
    model instance per row would cost more than writing it (COPY); elsewhere they become instances."""
    if copy is None:
        copy = connection.vendor == "postgresql"
    if copy:
        return copy_writer(model).write_values(rows)
    return [obj.pk for obj in bulk(model, [model(**row) for row in rows], copy=False)]


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

    def bulk_values(self, model, rows: list[dict]) -> list[int]:
        return bulk_values(model, rows, copy=self.copy)

    def _count(self, name: str, rows: list) -> list:
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows
