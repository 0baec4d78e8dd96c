"""Run one reminder sweep by hand and send its emails, for councils that schedule with cron instead of
Celery beat, e.g. hourly: ``5 * * * * python manage.py send_reminders`` and, for the daily digests,
``0 7 * * * python manage.py send_reminders --digests``. Safe to run as often as you like: nothing is
sent twice."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitoring.reminders.emails import deliver_emails, send_digests
from monitoring.reminders.services import sweep


class Command(BaseCommand):
    help = "Record today's new reminders and notifications, then email them. Nothing is ever sent twice."

    def add_arguments(self, parser):
        parser.add_argument("--no-email", action="store_true", help="Record reminders and notifications only.")
        parser.add_argument("--digests", action="store_true", help="Also send today's daily digests.")

    def handle(self, *args, no_email=False, digests=False, **options):
        result = sweep()
        self.stdout.write(f"Reminder sweep: {result.summary()} in {result.seconds:.1f}s.")
        if no_email:
            return
        sent = deliver_emails()
        self.stdout.write(f"Reminder emails sent: {sent}.")
        if digests:
            self.stdout.write(f"Daily digests sent: {send_digests()}.")
