"""Back up the database (pg_dump -Fc) and the uploaded files into a new folder, with a manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from councils import backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and MEDIA_ROOT into the new folder PATH (with manifest.json)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, path: str, database: str, **options):
        try:
            manifest = backup.backup(Path(path), alias=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows), {len(manifest['migrations'])} migrations "
            f"and {len(manifest['files'])} files to {path}."
        )
