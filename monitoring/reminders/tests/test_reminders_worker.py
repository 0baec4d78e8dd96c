"""A real Celery worker, in its own process, against real Redis and the test database: the sweep task is
queued like beat queues it, and the reminder email arrives.

Needs Redis (REDIS_URL) and PostgreSQL (the worker must reach the test database). Without them the test
is skipped, except under `make test` (COMMISSIONER_REQUIRE_SERVICES=1), where it fails instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from councils.models import ReminderKind, SentReminder
from monitoring.tasks import send_reminders
from monitoring.tests.reminder_factories import agreement_with, provider, return_due

pytestmark = pytest.mark.django_db(transaction=True)

REQUIRE_SERVICES = os.environ.get("COMMISSIONER_REQUIRE_SERVICES") == "1"
PROJECT = Path(settings.BASE_DIR)
WAIT_SECONDS = 60


def require_services() -> None:
    missing = []
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL shared with the worker (DATABASE_URL)")
    if missing:
        message = f"A real worker needs {' and '.join(missing)}"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


def worker_database_url() -> str:
    """The test database (not the one in DATABASE_URL): the worker must see this test's rows."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    require_services()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "monitoring.tests.reminders_worker_settings",
        "COMMISSIONER_TEST_EMAIL_DIR": str(mail_dir),
        "COMMISSIONER_VAR_DIR": str(tmp_path / "var"),
    }
    app.control.purge()  # nothing queued by earlier tests reaches this worker
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"reminders-test-{os.getpid()}@%h"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield process, mail_dir, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_a_real_worker_on_redis_runs_the_sweep_and_the_reminder_email_arrives(council, worker):
    process, mail_dir, log_path = worker
    organisation, _, contact = provider("Worker Test Trust")
    monitoring_return = return_due(agreement_with(council, organisation), timezone.localdate())

    result = send_reminders.delay()

    emailed = SentReminder.objects.filter(
        kind=ReminderKind.RETURN_DUE_TODAY, object_id=monitoring_return.pk, emailed_at__isnull=False
    )
    deadline = time.monotonic() + WAIT_SECONDS
    emails = ""
    while time.monotonic() < deadline:
        emails = "".join(path.read_text(errors="replace") for path in sorted(mail_dir.glob("*")))
        if f"To: {contact.email}" in emails and "Subject: Monitoring return due today" in emails and emailed.exists():
            break
        assert process.poll() is None, f"the worker stopped:\n{log_path.read_text(errors='replace')}"
        time.sleep(0.5)
    else:
        pytest.fail(f"no reminder email within {WAIT_SECONDS}s; worker log:\n{log_path.read_text(errors='replace')}")

    assert result.get(timeout=WAIT_SECONDS)[ReminderKind.RETURN_DUE_TODAY] == 1
    assert emailed.get().recipient == contact
    assert emails.count("Subject: Monitoring return due today") == 1
