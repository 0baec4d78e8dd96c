from django.core.management.base import BaseCommand
from django.utils.text import slugify

from councils.models import Role
from demo.councils import DEMO_COUNCILS, DEMO_PASSWORD, PARTNERSHIP, ROLE_MAILBOX
from demo.providers import DEMO_PROVIDERS


class Command(BaseCommand):
    help = "Print the demo sign-ins as a short table (what `make run` shows once the app is up)."

    def handle(self, *args, **options):
        first = DEMO_COUNCILS[0]
        provider = DEMO_PROVIDERS[0][0]
        rows = [(Role(role).label, f"{ROLE_MAILBOX[role]}@{first.domain}") for role in first.staff]
        rows.append((f"Provider ({provider})", f"admin@{slugify(provider)}.example"))
        width = max(len(label) for label, _ in rows)
        others = ", ".join([*(spec.domain for spec in DEMO_COUNCILS[1:]), PARTNERSHIP["domain"]])
        self.stdout.write(f"Demo sign-ins at {first.name}, password {DEMO_PASSWORD} for all:")
        for label, email in rows:
            self.stdout.write(f"  {label:<{width}}  {email}")
        self.stdout.write(f"  Other councils: the same names @{others} (councillors: see the README)")
        self.stdout.write("  Council staff also enter a two-factor code: .venv/bin/python manage.py demo_code")
