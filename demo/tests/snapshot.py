"""The whole demo data, seeded once per test run and put back for every test that needs it.

`seed_demo` is slow (every commission, bid, evaluation and award goes through the services), so the
tests that need all of it share one run: the first of them seeds inside a transaction, keeps every
row it made in memory and rolls back. Under xdist the first worker to need it does this and leaves
the rows in a file for the others (one seed per run, not per worker: two seeds at once on a two-core
machine take about as long as one after the other); a worker that asks while the seed is under way
waits for it. Then `demo_data` then inserts those rows again, with the same
primary keys, into the test's own database — inside the test's transaction for `db` tests, and
committed for browser journeys (the live server must see them; the journey's flush removes them).

What is put back is what the seed left in the database, read straight from the tables and written
back with raw inserts: no `save()`, no signals, no `auto_now`, so timestamps are the seed's. Files the
seed stored stay in MEDIA_ROOT, where the restored rows point. Content types and permissions are
made by migrations, not the seed, and get new keys whenever a transactional test flushes the
database: rows pointing to them are put back by natural key. The seed reads today's date, so a run
that crosses midnight seeds again (the file is named for the day).
"""

from __future__ import annotations

import fcntl
import pickle
from dataclasses import dataclass, field
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg2.extras import execute_values

from councils.models import ProcurementThreshold

# Made by migrations (post_migrate), not by the seed: left in place, and referred to by natural key.
MIGRATION_MADE = (ContentType, Permission)
# Also made at migrate time and left in place: the national procurement thresholds (the seed adds none).
NOT_SEEDED = (*MIGRATION_MADE, ProcurementThreshold)


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    fields: list[models.Field]
    rows: list[tuple]

    def __reduce__(self):
        # Pickled by label and field names: auto-created many-to-many models cannot be pickled by reference.
        return (_table, (self.model._meta.label, [f.name for f in self.fields], self.rows))


def _table(label: str, names: list[str], rows: list[tuple]) -> Table:
    model = apps.get_model(label)
    return Table(model, [model._meta.get_field(name) for name in names], rows)


@dataclass(frozen=True)
class Snapshot:
    taken_on: date
    tables: list[Table]
    output: str  # what `seed_demo` printed
    # Each table's rows as the database takes them, worked out on the first restore (`_prepared`).
    prepared: dict[str, list[list]] = field(default_factory=dict, compare=False)

    def count(self, model: type[models.Model]) -> int:
        return sum(len(table.rows) for table in self.tables if table.model is model)


def _seeded_models() -> list[type[models.Model]]:
    result = []
    for model in apps.get_models(include_auto_created=True):
        if model in NOT_SEEDED or model._meta.proxy or not model._meta.managed:
            continue
        assert not model._meta.parents, f"{model._meta.label}: multi-table inheritance is not handled here"
        result.append(model)
    return result


def _natural_keys() -> dict[type[models.Model], dict[int, tuple]]:
    content_types = {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}
    permissions = {
        pk: (*content_types[content_type], codename)
        for pk, content_type, codename in Permission.objects.values_list("pk", "content_type", "codename")
    }
    return {ContentType: content_types, Permission: permissions}


def _by_natural_key(keys: dict[type[models.Model], dict[int, tuple]]) -> dict[type[models.Model], dict[tuple, int]]:
    return {model: {key: pk for pk, key in pks.items()} for model, pks in keys.items()}


def _migration_made_columns(fields: list[models.Field]) -> list[tuple[int, type[models.Model]]]:
    """(column index, model) of the foreign keys to content types and permissions."""
    return [(index, f.related_model) for index, f in enumerate(fields) if f.related_model in MIGRATION_MADE]


def read() -> list[Table]:
    """Every row of every table the seed may write, foreign keys to migration-made rows by natural key."""
    keys = _natural_keys()
    tables = []
    for model in _seeded_models():
        fields = list(model._meta.concrete_fields)
        rows = list(model._base_manager.order_by("pk").values_list(*(f.attname for f in fields)))
        if not rows:
            continue
        columns = dict(_migration_made_columns(fields))
        if columns:
            rows = [
                tuple(
                    keys[columns[i]][value] if i in columns and value is not None else value
                    for i, value in enumerate(row)
                )
                for row in rows
            ]
        tables.append(Table(model, fields, rows))
    return tables


def take() -> Snapshot:
    """Seed the demo in a transaction, read every row it made, and roll it back."""
    leftovers = [model._meta.label for model in _seeded_models() if model._base_manager.exists()]
    assert not leftovers, f"the demo snapshot needs an empty database, and these tables have rows: {leftovers}"
    out = StringIO()
    with transaction.atomic():
        call_command("seed_demo", stdout=out)
        tables = read()
        transaction.set_rollback(True)
    return Snapshot(taken_on=timezone.localdate(), tables=tables, output=out.getvalue())


def _insert(cursor, table: Table, rows: list[list]) -> None:
    """Insert `rows` into `table`'s table: on PostgreSQL a thousand rows a statement, since a round
    trip a row made putting the demo back most of a browser journey's set-up."""
    quote = connection.ops.quote_name
    # Names from the models' metadata, quoted; the values go as parameters.
    into = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        quote(table.model._meta.db_table), ", ".join(quote(f.column) for f in table.fields)
    )
    if connection.vendor == "postgresql":
        execute_values(cursor.cursor, into + "%s", rows, page_size=1000)
    else:
        cursor.executemany(into + "({})".format(", ".join(["%s"] * len(table.fields))), rows)


def _prepared(snapshot: Snapshot, table: Table) -> list[list]:
    """`table`'s rows as the database takes them, foreign keys to migration-made rows still by
    natural key. Worked out once a snapshot: every test that restores it inserts the same values."""
    label = table.model._meta.label
    if label not in snapshot.prepared:
        columns = dict(_migration_made_columns(table.fields))
        snapshot.prepared[label] = [
            [
                value if i in columns or value is None else f.get_db_prep_save(value, connection)
                for i, (f, value) in enumerate(zip(table.fields, row, strict=True))
            ]
            for row in table.rows
        ]
    return snapshot.prepared[label]


def restore(snapshot: Snapshot) -> None:
    """Insert the snapshot's rows into this database, in one transaction, keys and all."""
    pks = _by_natural_key(_natural_keys())
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot.tables:
            rows = _prepared(snapshot, table)
            if columns := dict(_migration_made_columns(table.fields)):
                # Content types and permissions get new keys whenever a transactional test flushes.
                rows = [
                    [
                        pks[columns[i]][value] if i in columns and value is not None else value
                        for i, value in enumerate(row)
                    ]
                    for row in rows
                ]
            _insert(cursor, table, rows)
        # Foreign keys are checked at commit, or here for a test's own transaction (never committed).
        connection.check_constraints(table_names=[table.model._meta.db_table for table in snapshot.tables])
        for statement in connection.ops.sequence_reset_sql(no_style(), [table.model for table in snapshot.tables]):
            cursor.execute(statement)


def shared_take(folder: Path | None) -> Snapshot:
    """The day's snapshot from `folder`, shared by this run's xdist workers, taken here if no worker
    has taken it yet (under a lock, so exactly one worker seeds); `take()` when there is no folder."""
    if folder is None:
        return take()
    today = timezone.localdate()
    path = folder / f"demo-snapshot-{today.isoformat()}.pickle"
    with open(folder / "demo-snapshot.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            # Written by this run's own workers, from this checkout: nothing else is read.
            return pickle.loads(path.read_bytes())  # noqa: S301
        snapshot = take()
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
        partial.rename(path)
        return snapshot


@dataclass
class DemoData:
    """The session's snapshot of the demo, taken the first time a test asks for it (and again on a
    new day: the demo's dates count from today). `folder` is shared by the run's xdist workers."""

    folder: Path | None = None
    snapshot: Snapshot | None = field(default=None)

    def restore(self) -> Snapshot:
        if self.snapshot is None or self.snapshot.taken_on != timezone.localdate():
            self.snapshot = shared_take(self.folder)
        restore(self.snapshot)
        return self.snapshot


@pytest.fixture(scope="session")
def demo_seed(tmp_path_factory, request) -> DemoData:
    # Under xdist each worker's base temporary folder sits in one folder for the whole run (and without
    # xdist, with `-p no:xdist` too, there is nobody to share with).
    if not hasattr(request.config, "workerinput"):
        return DemoData()
    return DemoData(folder=tmp_path_factory.getbasetemp().parent)


@pytest.fixture
def demo_data(demo_seed, db) -> Snapshot:
    """The whole demo (what `seed_demo` makes) in this test's database; `.output` is what the command
    printed. Works with `db` (rolled back after the test) and with `transactional_db` / `live_server`
    (committed, then flushed after the test)."""
    return demo_seed.restore()
