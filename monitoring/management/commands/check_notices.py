"""Bring every council's notices up to date with the records, then check each against OCDS 1.1.5
patched with the UK extension, and say how many there are of each type and state, and how many
validate. For cron, or after an upgrade: ``python manage.py check_notices``. Exits non-zero when a
notice does not validate."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Notice
from monitoring.notices import ocds
from monitoring.notices.services import notices_refresh_all


class Command(BaseCommand):
    help = "Refresh every council's notices from the records and validate each one."

    def add_arguments(self, parser):
        parser.add_argument("--no-refresh", action="store_true", help="Only check the notices already recorded.")

    def handle(self, *args, no_refresh=False, **options):
        if not no_refresh:
            notices_refresh_all()
        counts: Counter = Counter()
        invalid = []
        for notice in Notice.objects.select_related("council").order_by("council__slug", "notice_type", "id"):
            counts[(notice.notice_type, notice.get_state_display())] += 1
            errors = ocds.release_errors(notice.data)
            if errors:
                invalid.append(f"{notice.council.slug} {notice.notice_type} {notice.subject}: {errors[0]}")
        for (notice_type, state), count in sorted(counts.items()):
            self.stdout.write(f"{notice_type:<11} {state:<17} {count}")
        total = sum(counts.values())
        self.stdout.write(f"{total - len(invalid)} of {total} notices validate.")
        if invalid:
            raise CommandError("Notices that do not validate:\n" + "\n".join(invalid))
