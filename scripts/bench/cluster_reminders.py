"""The reminders check of `make bench-cluster` (scripts/bench_cluster.sh): two Celery workers share the
reminder work, one is killed with SIGKILL mid-run, and every reminder is still emailed exactly once.

    cluster_reminders.py --emails N --victim PID --mail-dir NAME=DIR --mail-dir NAME=DIR

1. Queues the real hourly sweep (monitoring.tasks.send_reminders) over the generated data and waits for it.
2. Adds N reminders to the outbox (one notification each, with a numbered title) for bench people.
3. Queues several email deliveries (monitoring.tasks.deliver_reminder_emails), so both workers' processes
   claim rows at once (SELECT ... FOR UPDATE SKIP LOCKED).
4. Once a fifth of the outbox has gone, kills the victim worker (its main process and its pool) with
   SIGKILL: its open transactions roll back, so the rows it was emailing stay pending.
5. Queues one more delivery, as beat does every minute, and waits until the outbox is empty.
6. Counts the emails each worker wrote (the file email backend, one folder per worker): every row
   emailed, every numbered reminder exactly once, and as many emails as rows.

Prints PASS or FAIL lines and exits 1 on any FAIL. Needs the same environment as the workers
(DJANGO_SETTINGS_MODULE=config.settings_bench, DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.celery import app  # noqa: E402
from councils.models import Notification, ReminderKind, SentReminder, User  # noqa: E402
from monitoring.tasks import deliver_reminder_emails, send_reminders  # noqa: E402

SEPARATOR = "-" * 79
SUBJECT = re.compile(r"^Subject: (.*)$", re.MULTILINE)
TITLE = "Cluster check reminder {:06d}"
NUMBERED = re.compile(r"Cluster check reminder (\d{6})")


def verdict(ok: bool, label: str, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}: {label}: {detail}", flush=True)
    return ok


def numbered_rows():
    return SentReminder.objects.filter(occurrence__startswith="cluster-check-")


def pending() -> int:
    return numbered_rows().filter(emailed_at__isnull=True).count()


@transaction.atomic
def seed(count: int, started) -> int:
    """N outbox rows, as the sweep would record them, for 50 bench people who want every email: in
    one transaction, as the sweep writes a reminder and its notification together (a worker still
    delivering the sweep's own reminders must never see a reminder without its notification)."""
    users = User.objects.bulk_create(
        [
            User(email=f"cluster-check-{n}@bench.example", full_name=f"Cluster Check {n}", password=make_password(None))
            for n in range(50)
        ]
    )
    content_type = ContentType.objects.get_for_model(User)
    kind = ReminderKind.values[0]
    rows = SentReminder.objects.bulk_create(
        [
            SentReminder(
                recipient=users[n % len(users)],
                kind=kind,
                content_type=content_type,
                object_id=n,
                occurrence=f"cluster-check-{n}",
                created_at=started,
            )
            for n in range(count)
        ]
    )
    Notification.objects.bulk_create(
        [
            Notification(user_id=row.recipient_id, kind=kind, title=TITLE.format(n), url="/", reminder=row)
            for n, row in enumerate(rows)
        ]
    )
    return count


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def read_mail(directory: Path) -> list[str]:
    subjects = []
    for path in directory.glob("*.log"):
        for message in path.read_text(errors="replace").split(SEPARATOR):
            match = SUBJECT.search(message)
            if match:
                subjects.append(match.group(1).strip())
    return subjects


def wait_until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument("--deliveries", type=int, default=6, help="delivery tasks queued at once")
    parser.add_argument("--victim", type=int, required=True, help="the main process of the worker to kill")
    parser.add_argument("--mail-dir", action="append", required=True, help="NAME=DIR, one per worker")
    args = parser.parse_args()
    mail_dirs = {name: Path(path) for name, path in (item.split("=", 1) for item in args.mail_dir)}
    ok = True
    started = timezone.now()

    # 1. The real sweep, on whichever worker takes it.
    sweep_started = time.monotonic()
    swept = send_reminders.delay().get(timeout=300)
    print(
        f"bench-cluster: the reminder sweep recorded {sum(swept.values())} reminders "
        f"in {time.monotonic() - sweep_started:.1f} s",
        flush=True,
    )
    # 2-3. A large batch, shared by both workers' processes.
    seed(args.emails, started)
    rows = numbered_rows()
    total = rows.count()
    print(
        f"bench-cluster: {pending()} reminders waiting to be emailed; queuing {args.deliveries} deliveries", flush=True
    )
    for _ in range(args.deliveries):
        deliver_reminder_emails.delay()

    # 4. Kill one worker mid-run.
    victim_name = next(iter(mail_dirs))
    reached = wait_until(lambda: pending() <= total * 0.8 and read_mail(mail_dirs[victim_name]), 120, 0.1)
    victims = [args.victim, *children(args.victim)]
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    left = pending()
    before_kill = {name: len(read_mail(path)) for name, path in mail_dirs.items()}
    ok &= verdict(
        reached and left > 0,
        "worker killed mid-run",
        f"SIGKILL to {victim_name} (pids {victims}) with {left} of {total} reminders still waiting; "
        f"emails so far by worker: {before_kill}",
    )

    # 5. What beat would do a minute later: one more delivery, on the surviving worker.
    time.sleep(2)
    deliver_reminder_emails.delay()
    drained = wait_until(lambda: pending() == 0, 300, 0.5)

    # 6. Exactly once.
    by_worker = {name: read_mail(path) for name, path in mail_dirs.items()}
    counts = {name: len(subjects) for name, subjects in by_worker.items()}
    numbered = Counter(
        int(m.group(1)) for subjects in by_worker.values() for s in subjects if (m := NUMBERED.search(s))
    )
    emailed = rows.filter(emailed_at__isnull=False).count()
    missing = [n for n in range(args.emails) if numbered[n] == 0]
    twice = {n: c for n, c in numbered.items() if c > 1}
    ok &= verdict(
        all(counts.values()),
        "both workers took reminders",
        f"emails per worker: {counts} (after the kill, {victim_name} sent "
        f"{counts[victim_name] - before_kill[victim_name]})",
    )
    ok &= verdict(
        drained and emailed == total and not missing,
        "no reminder lost",
        f"{emailed} of {total} outbox rows emailed; numbered reminders never emailed: {len(missing)}",
    )
    # A mail server takes no part in the database's transaction: a process killed after handing a message
    # over and before its COMMIT leaves the row pending, and the row is emailed again. So at most one
    # email per killed process (the one in flight) may go twice; any more would be a fault.
    in_flight = len(victims) - 1 or 1
    extra = sum(numbered.values()) - total
    ok &= verdict(
        extra == sum(c - 1 for c in twice.values()) and extra <= in_flight,
        "no reminder sent twice but the one in flight",
        f"{sum(numbered.values())} emails for {total} reminders (and {sum(counts.values()) - sum(numbered.values())} "
        f"from the sweep); sent twice: {len(twice)} (at most {in_flight}, one per killed process, may be: "
        f"emailed and killed before its commit)",
    )
    app.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
