"""Reminders: the emails that follow the sweep, from the outbox.

Emails go from the outbox after the sweep (`deliver_emails`): each row is claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` and marked as emailed in the same transaction as its message is
handed to the mail server, so two workers never send the same row and a worker that dies mid-batch
leaves the rest for the next run. People who chose a daily digest get one email a day instead
(`send_digests`). Kinds a person chose not to have emailed (`EmailOptOut`) are set aside first
(`email_skipped`): their in-app notifications stand, and no later run or digest sends them.

Kept apart from the sweep because it runs on its own schedule (every minute, and the digests daily)
and talks to the mail server, not just the database.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from councils.models import EmailOptOut, NotificationPreference, SentReminder, User
from monitoring.reminders.kinds import long_date

logger = logging.getLogger(__name__)

# A row whose email failed this many times is left for an administrator to look at.
MAX_ATTEMPTS = 5


def absolute(path: str) -> str:
    """Links in emails: absolute when the site's address is configured (COMMISSIONER_SITE_URL)."""
    base = getattr(settings, "COMMISSIONER_SITE_URL", "").rstrip("/")
    return f"{base}{path}" if path else f"{base}/"


def _email(user: User, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    context = {
        **context,
        "user": user,
        "service_name": settings.COMMISSIONER_SERVICE_NAME,
        "site_url": absolute("").removesuffix("/"),
        "notifications_link": absolute(reverse("councils:notifications")),
        "preferences_link": absolute(reverse("councils:notification_preferences")),
    }
    # One message per person: nobody sees who else was reminded.
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/reminders/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string(f"email/reminders/{template}.html", context), "text/html")
    return message


def _pending() -> QuerySet[SentReminder]:
    return SentReminder.objects.filter(
        emailed_at__isnull=True, email_skipped=False, attempts__lt=MAX_ATTEMPTS, recipient__is_active=True
    )


def _sendable() -> QuerySet[SentReminder]:
    """Pending reminders whose notification is there to be sent: one written ahead of it (by a writer
    that does not add both in one statement) waits for it, rather than being marked emailed unsent."""
    return _pending().filter(notification__isnull=False)


def skip_unwanted() -> int:
    """Set aside the pending rows of kinds their person does not want emailed, in one statement, before
    anything is sent: a choice made a minute ago is honoured, and turning email back on later does not
    send a backlog."""
    unwanted = EmailOptOut.objects.filter(user=OuterRef("recipient"), kind=OuterRef("kind"))
    return (
        SentReminder.objects.filter(emailed_at__isnull=True, email_skipped=False)
        .filter(Exists(unwanted))
        .update(email_skipped=True)
    )


def deliver_emails(*, limit: int | None = None, time_budget: float | None = None) -> int:
    """Email the outbox's pending reminders to everyone who wants them one at a time. Returns how many
    were sent.

    Each row is claimed with SELECT … FOR UPDATE SKIP LOCKED and marked in the same transaction as its
    message is sent: another worker skips it, and if this one dies, the row (and every row after it)
    is still pending for the next run. A message that fails is retried on later runs, up to
    `MAX_ATTEMPTS` times."""
    started = time.monotonic()
    skip_unwanted()
    sent = 0
    failed: list[int] = []
    individual = _sendable().exclude(recipient__notification_preference__daily_digest=True)
    while limit is None or sent < limit:
        if time_budget is not None and time.monotonic() - started > time_budget:
            break
        with transaction.atomic():
            row = (
                individual.exclude(pk__in=failed)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "notification")
                .order_by("pk")
                .first()
            )
            if row is None:
                break
            notification = row.notification
            try:
                _email(
                    row.recipient,
                    notification.title,
                    "reminder",
                    {"notification": notification, "link": absolute(notification.url)},
                ).send()
            except Exception:
                logger.exception("Could not email reminder %s; it stays in the outbox", row.pk)
                SentReminder.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                failed.append(row.pk)
                continue
            SentReminder.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def send_digests(*, today: date | None = None) -> int:
    """Send each person who chose the daily digest one email with their pending reminders. Returns
    how many digests were sent. Nobody gets two in a day, however often this runs."""
    today = today or timezone.localdate()
    skip_unwanted()
    people = (
        _pending()
        .filter(recipient__notification_preference__daily_digest=True)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in sorted(set(people)):
        try:
            with transaction.atomic():
                # Locking the person's preference makes two runs at once take turns for them.
                preference = (
                    NotificationPreference.objects.select_for_update(of=("self",))
                    .select_related("user")
                    .get(user_id=user_id)
                )
                if not preference.daily_digest or preference.last_digest_on == today:
                    continue
                rows = list(
                    _sendable()
                    .filter(recipient_id=user_id)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("notification")
                    .order_by("pk")
                )
                if not rows:
                    continue
                notifications = [row.notification for row in rows]
                count = len(notifications)
                subject = f"Your reminders for {long_date(today)}: {count} new"
                _email(preference.user, subject, "digest", {"notifications": notifications, "today": today}).send()
                SentReminder.objects.filter(pk__in=[row.pk for row in rows]).update(
                    emailed_at=timezone.now(), digest_date=today
                )
                preference.last_digest_on = today
                preference.save(update_fields=["last_digest_on"])
                sent += 1
        except Exception:
            logger.exception("Could not send the daily digest to user %s; it will be tried again", user_id)
    return sent
