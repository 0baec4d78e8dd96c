"""Scheduled work for monitoring: the reminder sweep, the outbox's emails, the daily digests, the
nightly refresh of the notices and the nightly build of the open data files.

Tasks are thin: `monitoring.reminders` does the work. Each is idempotent, so it is acknowledged only
once it has finished (`acks_late`): a task whose worker dies runs again, and sends nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from councils.models import Council
from monitoring.notices.services import notices_refresh_all
from monitoring.open_data.nightly import build_council
from monitoring.reminders.emails import deliver_emails, send_digests
from monitoring.reminders.services import sweep

# Stop claiming more emails before the task's soft time limit (CELERY_TASK_SOFT_TIME_LIMIT, 240 s);
# whatever is left waits for the next run, a minute later.
DELIVERY_TIME_BUDGET = 180.0


@shared_task(name="monitoring.tasks.send_reminders", acks_late=True)
def send_reminders() -> dict[str, int]:
    """Record today's new reminders (hourly), then email them without waiting for the next delivery run."""
    result = sweep()
    if result.total:
        deliver_reminder_emails.delay()
    return dict(result.created)


@shared_task(name="monitoring.tasks.deliver_reminder_emails", acks_late=True)
def deliver_reminder_emails() -> int:
    """Email pending reminders to people who want them one at a time (every minute)."""
    return deliver_emails(time_budget=DELIVERY_TIME_BUDGET)


def deliver_soon() -> None:
    """After a hand-off or notice is committed: email it now rather than at the next minute's run."""
    deliver_reminder_emails.delay()


@shared_task(name="monitoring.tasks.send_daily_digests", acks_late=True)
def send_daily_digests() -> int:
    """One email with the day's reminders to everyone who chose the daily digest (07:00 London time)."""
    return send_digests()


@shared_task(name="monitoring.tasks.refresh_notices", acks_late=True)
def refresh_notices() -> int:
    """Every council's notices brought up to date (nightly): due days move with the calendar as well as
    with the records, and the steps taken during the day have refreshed only their own commission's."""
    return notices_refresh_all()


@shared_task(name="monitoring.tasks.build_open_data", acks_late=True)
def build_open_data() -> int:
    """Every council's open data files (nightly): one task per council, so the build spreads over the
    workers and each stays well inside the task time limit whatever the number of councils."""
    council_ids = list(Council.objects.order_by("pk").values_list("pk", flat=True))
    for council_id in council_ids:
        build_council_open_data.delay(council_id)
    return len(council_ids)


@shared_task(name="monitoring.tasks.build_council_open_data", acks_late=True)
def build_council_open_data(council_id: int) -> dict[str, int]:
    """One council's open data files (`monitoring.open_data.nightly`); each file is replaced whole, so a
    run repeated after a lost worker only writes the same files again."""
    council = Council.objects.filter(pk=council_id).first()
    if council is None:
        return {}
    build = build_council(council)
    return {"files": len(build.files), "rows": build.rows, "bytes": build.bytes}
