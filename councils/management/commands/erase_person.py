"""Erase a person where the law allows it; otherwise say why their records must be kept."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from councils import erasure
from councils.models import User


class Command(BaseCommand):
    help = "Erase (anonymise) the person with EMAIL, or list the reasons their records must be kept."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--reason", default="", help="Why, for the audit trail (no personal data).")
        parser.add_argument("--check", action="store_true", help="Only say whether erasure is possible.")

    def handle(self, *args, email: str, reason: str, check: bool, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Nobody has the email address {email}.")
        reasons = erasure.reasons_to_keep(user)
        if reasons:
            raise CommandError("Cannot erase this person:\n" + "\n".join(f"  - {r}" for r in reasons))
        if check:
            self.stdout.write("Nothing stops this person being erased.")
            return
        try:
            erasure.erase(user=user, why=reason)
        except erasure.ErasureRefused as refused:
            raise CommandError("Cannot erase this person:\n" + "\n".join(f"  - {r}" for r in refused.reasons)) from None
        self.stdout.write(f"Erased: the account is now {user.pk} ({erasure.ERASED_NAME}).")
