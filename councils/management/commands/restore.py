"""Restore a backup made by `manage.py backup`, then verify it against its manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from councils import backup


class Command(BaseCommand):
    help = "Restore the backup folder PATH into the database and MEDIA_ROOT, and verify it."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--force", action="store_true", help="Replace a database that already holds data.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, path: str, force: bool, database: str, **options):
        try:
            result = backup.restore(Path(path), force=force, alias=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if not result.ok:
            raise CommandError("Restored, but it does not match the backup:\n" + "\n".join(result.problems))
        self.stdout.write(f"Restored {path} and verified every table's rows and every file.")
