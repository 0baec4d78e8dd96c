"""The Celery application: Redis in production, a filesystem broker when embedded."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("commissioner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Scheduled work (django-celery-beat's DatabaseScheduler copies these entries into its tables at start).
app.conf.beat_schedule = {
    "close-due-opportunities": {"task": "commissioning.tasks.close_due_opportunities", "schedule": 300.0},
    # Reminders (monitoring.reminders): the sweep hourly, its emails every minute, digests at 07:00 in
    # CELERY_TIMEZONE (Europe/London). All three are idempotent, so a double fire sends nothing twice.
    "send-reminders": {"task": "monitoring.tasks.send_reminders", "schedule": crontab(minute=5)},
    "deliver-reminder-emails": {"task": "monitoring.tasks.deliver_reminder_emails", "schedule": 60.0},
    "send-daily-digests": {"task": "monitoring.tasks.send_daily_digests", "schedule": crontab(hour=7, minute=0)},
    # The Procurement Act notices (monitoring.notices), nightly, before the morning's reminders chase them.
    "refresh-notices": {"task": "monitoring.tasks.refresh_notices", "schedule": crontab(hour=1, minute=30)},
    # The open data files of every council (monitoring.open_data.nightly), after the notices' refresh, in
    # time for the morning; one task per council, so it spreads over the workers.
    "build-open-data": {"task": "monitoring.tasks.build_open_data", "schedule": crontab(hour=3, minute=0)},
    # The retention schedule (councils.retention), nightly; does nothing unless COMMISSIONER_RETENTION_ENABLED.
    "apply-retention": {"task": "councils.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
}


@app.on_after_configure.connect
def ensure_embedded_broker_folders(sender=None, **kwargs) -> None:
    """The filesystem transport does not create its folders; create them before first use."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
        os.makedirs(settings.CELERY_QUEUE_DIR / "results", exist_ok=True)
