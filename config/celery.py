"""The Celery application: Redis in production, a filesystem broker when embedded."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("commissioner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Scheduled work (django-celery-beat's DatabaseScheduler copies these entries into its tables at start).
app.conf.beat_schedule = {
    "close-due-opportunities": {"task": "commissioning.tasks.close_due_opportunities", "schedule": 300.0},
}


@app.on_after_configure.connect
def ensure_embedded_broker_folders(sender=None, **kwargs) -> None:
    """The filesystem transport does not create its folders; create them before first use."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
        os.makedirs(settings.CELERY_QUEUE_DIR / "results", exist_ok=True)
