"""For the data protection officer: one person's personal data as a ZIP of JSON and CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from councils.models import User
from councils.subject_access import subject_access_export


class Command(BaseCommand):
    help = "Write a subject access export (ZIP of JSON and CSV) for the person with EMAIL to OUT.zip."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("out", help="Where to write the ZIP (must not exist yet).")
        parser.add_argument("--by", help="The email of the officer making the export, for the record.")

    def handle(self, *args, email: str, out: str, by: str | None, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Nobody has the email address {email}.")
        officer = None
        if by:
            officer = User.objects.filter(email__iexact=by.strip()).first()
            if officer is None:
                raise CommandError(f"Nobody has the email address {by} (--by).")
        path = Path(out)
        if path.exists():
            raise CommandError(f"{path} already exists: choose a new file name.")
        path.write_bytes(subject_access_export(user=user, by=officer))
        path.chmod(0o600)
        self.stdout.write(f"Wrote the personal data of {user.email} to {path}.")
