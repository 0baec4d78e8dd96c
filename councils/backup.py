"""Backup and restore of the database (PostgreSQL, `pg_dump -Fc` / `pg_restore`) and the uploaded
files, with the app's own checks around them.

A backup is a new folder holding ``database.dump``, ``media/`` (a copy of MEDIA_ROOT) and
``manifest.json``: the migrations applied, the row count of every table and the SHA-256 of the dump
and of every file. The counts are taken in the same database snapshot that `pg_dump` dumps
(``pg_export_snapshot``), so they describe exactly what is in the dump.

A restore first checks the backup against its manifest, that this code has exactly the migrations
the backup was taken with, and that the target database holds no data (unless forced); then it
restores and verifies the row counts, the migrations and every file's checksum against the manifest.

SQLite is refused: there, copy the database with ``sqlite3 var/commissioner.sqlite3 ".backup
backup.sqlite3"`` and copy ``var/media`` beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess  # noqa: S404 (runs pg_dump and pg_restore with fixed arguments)
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
# Tables that `migrate` fills by itself: a database with rows only here is still empty.
MIGRATION_MADE = ("django_migrations", "django_content_type", "auth_permission", "django_celery_beat_")


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _connection(alias: str):
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            "Backup and restore need PostgreSQL (pg_dump and pg_restore). On SQLite, stop the app and copy "
            'the database with: sqlite3 var/commissioner.sqlite3 ".backup backup.sqlite3", and copy var/media.'
        )
    connection.ensure_connection()
    return connection


def _binary(connection, name: str) -> str:
    """The tool of the server's own major version (Debian installs each under /usr/lib/postgresql)."""
    major = connection.pg_version // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client-{major}).")
    return found


def _environment(connection) -> dict[str, str]:
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for key, variable in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if params.get(key):
            env[variable] = str(params[key])
    return env


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from pg_tables)
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _code_migrations(connection) -> list[str]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.disk_migrations)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _files(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): _sha256(path) for path in sorted(root.rglob("*")) if path.is_file()}


def backup(path: Path, *, alias: str = "default") -> dict:
    """Write a backup folder at `path` (which must not exist); returns its manifest."""
    connection = _connection(alias)
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: back up into a new folder.")
    applied_in_code = _code_migrations(connection)
    path.mkdir(parents=True)
    dump = path / "database.dump"
    with connection.cursor() as cursor:
        applied = _applied(cursor)
    missing = sorted(set(applied_in_code) - set(applied))
    if missing:
        shutil.rmtree(path)
        raise BackupError(f"Migrations not applied yet: {', '.join(missing)}. Run manage.py migrate first.")
    # Counts and dump from one snapshot: a separate connection holds it open while pg_dump runs.
    snapshot_connection = connection.copy()
    try:
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor)
            subprocess.run(  # noqa: S603
                [_binary(connection, "pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)],
                env=_environment(connection),
                check=True,
                capture_output=True,
            )
            cursor.execute("COMMIT")
    except subprocess.CalledProcessError as error:
        shutil.rmtree(path)
        raise BackupError(f"pg_dump failed: {error.stderr.decode(errors='replace').strip()}") from error
    finally:
        snapshot_connection.close()
    media = _media_root()
    if media.exists():
        shutil.copytree(media, path / "media")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"file": dump.name, "sha256": _sha256(dump), "server_version": connection.pg_version},
        "migrations": applied,
        "tables": counts,
        "files": _files(path / "media"),
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


@dataclass
class Verification:
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} is not a backup: manifest.json is missing or unreadable.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("This backup was made by another version of the backup format.")
    return manifest


def check_backup(path: Path) -> dict:
    """The manifest, once the dump and every file are what it says (nothing restored before this)."""
    path = Path(path)
    manifest = _read_manifest(path)
    dump = path / manifest["database"]["file"]
    if not dump.exists() or _sha256(dump) != manifest["database"]["sha256"]:
        raise BackupError("The database dump is missing or does not match its checksum.")
    files = _files(path / "media")
    if files != manifest["files"]:
        wrong = sorted(set(files.items()) ^ set(manifest["files"].items()))
        raise BackupError(f"The backup's files do not match the manifest ({len(wrong)} differ), e.g. {wrong[0][0]}.")
    return manifest


def _has_data(cursor) -> list[str]:
    tables = [t for t in _tables(cursor) if not t.startswith(MIGRATION_MADE)]
    return [table for table, count in _counts_of(cursor, tables).items() if count]


def _counts_of(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from pg_tables)
        counts[table] = cursor.fetchone()[0]
    return counts


def verify(manifest: dict, *, alias: str = "default") -> Verification:
    """Compare the database and MEDIA_ROOT with a backup's manifest."""
    connection = _connection(alias)
    problems = []
    with connection.cursor() as cursor:
        counts = _counts(cursor)
        applied = _applied(cursor)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"Table {table}: {counts.get(table)} rows, the backup had {expected}.")
    if applied != manifest["migrations"]:
        problems.append("The migrations applied differ from the backup's.")
    media = _media_root()
    for name, digest in manifest["files"].items():
        file = media / name
        if not file.exists():
            problems.append(f"File {name} is missing.")
        elif _sha256(file) != digest:
            problems.append(f"File {name} differs from the backup.")
    return Verification(problems)


def restore(path: Path, *, force: bool = False, alias: str = "default") -> Verification:
    """Restore a backup folder over this database and MEDIA_ROOT, then verify it."""
    connection = _connection(alias)
    path = Path(path)
    manifest = check_backup(path)
    code = _code_migrations(connection)
    if sorted(manifest["migrations"]) != code:
        only_backup = sorted(set(manifest["migrations"]) - set(code))
        only_code = sorted(set(code) - set(manifest["migrations"]))
        raise BackupError(
            "This code and the backup have different migrations: restore with the version of the app that made "
            f"the backup. Only in the backup: {', '.join(only_backup) or 'none'}; "
            f"only in this code: {', '.join(only_code) or 'none'}."
        )
    with connection.cursor() as cursor:
        holding = _has_data(cursor)
    if holding and not force:
        raise BackupError(
            f"The database already holds data ({len(holding)} tables, e.g. {holding[0]}): restoring would replace "
            "it. Use --force to replace it."
        )
    connection.close()  # pg_restore drops and recreates the tables: hold nothing open on them
    try:
        subprocess.run(  # noqa: S603
            [
                _binary(_connection(alias), "pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                connection.settings_dict["NAME"],
                str(path / manifest["database"]["file"]),
            ],
            env=_environment(connection),
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as error:
        raise BackupError(f"pg_restore failed: {error.stderr.decode(errors='replace').strip()}") from error
    media = _media_root()
    if (path / "media").exists():
        shutil.copytree(path / "media", media, dirs_exist_ok=True)
    return verify(manifest, alias=alias)
