"""Apply the retention schedule (councils/retention.py): a dry run unless given --apply."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from councils import retention


class Command(BaseCommand):
    help = "Show what is past retention, per kind of record; with --apply, anonymise or empty it."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Change the records (without it: a dry run).")
        parser.add_argument("--today", help="Count retention from this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, apply: bool, today: str | None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("--today must be a date written YYYY-MM-DD.") from error
        outcomes = retention.run(apply=apply, today=day)
        self.stdout.write("Applying the retention schedule." if apply else "Dry run: nothing is changed.")
        for outcome in outcomes:
            period = outcome.period
            if apply:
                line = f"{period.label}: {outcome.done} of {outcome.due} past retention dealt with."
            else:
                line = f"{period.label}: {outcome.due} past retention ({period.keep}); would be: {period.then}."
            self.stdout.write(f"  {period.slug}: {line}")
        for hold in retention.HOLDS.values():
            self.stdout.write(f"  Held longer, whatever the kind: {hold.label}, {hold.keep} ({hold.basis}).")
        if not apply:
            self.stdout.write("Run again with --apply to do it.")
