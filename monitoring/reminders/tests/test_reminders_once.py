"""Exactly once: a double run, two sweeps at once, two delivery workers at once, a worker that dies
half-way through its batch, a message that fails, and the daily digest."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.utils import timezone

from councils.models import Notification, NotificationPreference, ReminderKind, SentReminder
from councils.notification_selectors import ReminderRules
from monitoring.reminders import emails, kinds, outbox
from monitoring.reminders import services as reminders
from monitoring.tests.factories import agreeing_commission, live_agreement
from monitoring.tests.reminder_factories import agreement_with, at, provider, return_due, sweep_on

DUE = date(2026, 12, 24)
REQUIRE_SERVICES = os.environ.get("COMMISSIONER_REQUIRE_SERVICES") == "1"


def needs_postgresql():
    """Concurrency is tested where it matters: PostgreSQL (SQLite serialises every writer anyway)."""
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("Concurrency tests need PostgreSQL (DATABASE_URL unset?)")
        pytest.skip("Concurrency tests need PostgreSQL")


def providers_with_returns(council, count: int) -> list:
    """`count` providers, each with a live agreement and a return due on Christmas Eve."""
    commission = agreeing_commission(council, title="Youth clubs across the district")
    returns = []
    for number in range(count):
        organisation = provider(f"Youth Club {number}")[0]
        agreement = live_agreement(council, commission=commission, provider=organisation, monitoring_frequency="annual")
        returns.append(return_due(agreement, DUE))
    return returns


def reminder_keys() -> Counter:
    return Counter(SentReminder.objects.values_list("recipient_id", "kind", "object_id", "occurrence"))


def emails_by_recipient() -> Counter:
    return Counter((message.to[0], message.subject, message.body) for message in mail.outbox)


# ---- The sweep ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_double_run_adds_nothing_the_second_time(council):
    providers_with_returns(council, 3)

    first = sweep_on(DUE)
    second = sweep_on(DUE)

    assert first.created[ReminderKind.RETURN_DUE_TODAY] == 3
    assert second.total == 0
    assert max(reminder_keys().values()) == 1
    assert Notification.objects.count() == SentReminder.objects.count() == first.total


def todays_return_reminders() -> list[kinds.Reminder]:
    context = kinds.Sweep(today=DUE, now=timezone.now(), rules=ReminderRules())
    return list(kinds.return_reminders(context))


@pytest.mark.parametrize("writer", list(outbox.WRITERS))
@pytest.mark.django_db
def test_every_writer_adds_each_reminder_once_with_its_notification(council, writer):
    if writer == "copy":
        needs_postgresql()
    providers_with_returns(council, 2)
    with at(DUE):
        batch = todays_return_reminders()
        first = outbox.record(batch, writer=writer)
        again = outbox.record(batch, writer=writer)

    assert len(first) == len(batch) == 2
    assert again == []
    notifications = Notification.objects.select_related("reminder").order_by("user_id")
    assert [(n.user_id, n.title, n.body, n.url) for n in notifications] == sorted(
        (r.recipient_id, r.title, r.body, r.url) for r in batch
    )
    assert all(n.reminder.recipient_id == n.user_id for n in notifications)


@pytest.mark.parametrize("writer", ["copy", "returning"])
@pytest.mark.django_db
def test_the_unique_index_decides_when_two_sweeps_read_at_the_same_moment(council, writer):
    """Without the read-ahead of what was sent (both sweeps saw nothing yet), the upsert still adds
    each reminder once and a notification only for the rows it really added."""
    if writer == "copy":
        needs_postgresql()
    providers_with_returns(council, 2)
    with at(DUE):
        batch = todays_return_reminders()
        with transaction.atomic():
            first = outbox.WRITERS[writer](batch, timezone.now())
        with transaction.atomic():
            second = outbox.WRITERS[writer](batch, timezone.now())

    assert len(first) == 2
    assert second == set()
    assert Notification.objects.count() == SentReminder.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(council):
    needs_postgresql()
    providers_with_returns(council, 12)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(reminders.sweep(batch_size=5))  # small batches: the two interleave
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    with at(DUE):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert errors == []
    assert sum(result.created[ReminderKind.RETURN_DUE_TODAY] for result in results) == 12
    assert max(reminder_keys().values()) == 1
    assert Notification.objects.count() == SentReminder.objects.count()


# ---- Delivery ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_reminder_is_emailed_once_to_its_recipient_alone(council):
    returns = providers_with_returns(council, 3)
    sweep_on(DUE)

    with at(DUE, 10):
        sent = emails.deliver_emails()
        again = emails.deliver_emails()

    due_today = SentReminder.objects.filter(kind=ReminderKind.RETURN_DUE_TODAY)
    assert sent == SentReminder.objects.count()
    assert again == 0
    assert not SentReminder.objects.filter(emailed_at__isnull=True).exists()
    assert max(emails_by_recipient().values()) == 1
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mail.outbox)
    first = next(m for m in mail.outbox if m.to == [due_today.first().recipient.email])
    assert first.subject.startswith("Monitoring return due today")
    assert "is due today, 24 December 2026" in first.body
    html = first.alternatives[0]
    assert html[1] == "text/html"
    assert "<h1>Monitoring return due today" in html[0]
    assert len(returns) == due_today.count()


@pytest.mark.django_db
def test_a_reminder_is_not_marked_emailed_before_its_notification_is_there(council):
    providers_with_returns(council, 2)
    sweep_on(DUE)
    waiting = SentReminder.objects.order_by("pk").first()
    notification = Notification.objects.get(reminder=waiting)
    kept = {field: getattr(notification, field) for field in ("user_id", "kind", "title", "body", "url")}
    notification.delete()  # as if its notification were not yet written

    with at(DUE, 10):
        sent = emails.deliver_emails()
    waiting.refresh_from_db()
    assert sent == SentReminder.objects.count() - 1 == len(mail.outbox)
    assert waiting.emailed_at is None

    Notification.objects.create(reminder=waiting, **kept)
    with at(DUE, 10, 1):
        assert emails.deliver_emails() == 1
    waiting.refresh_from_db()
    assert waiting.emailed_at is not None
    assert mail.outbox[-1].to == [waiting.recipient.email]


class WorkerLost(BaseException):
    """What a killed worker looks like from inside: nothing after it runs, no handler catches it."""


class DyingBackend(EmailBackend):
    """The real in-memory backend, until the worker is killed while handing over the third message."""

    deliveries = 0

    def send_messages(self, messages):
        DyingBackend.deliveries += 1
        if DyingBackend.deliveries == 3:
            raise WorkerLost
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_worker_dying_mid_batch_loses_nothing_and_sends_nothing_twice(council, settings):
    providers_with_returns(council, 5)
    sweep_on(DUE)
    pending = SentReminder.objects.count()
    settings.EMAIL_BACKEND = "monitoring.reminders.tests.test_reminders_once.DyingBackend"
    DyingBackend.deliveries = 0

    with at(DUE, 10), pytest.raises(WorkerLost):
        emails.deliver_emails()
    assert len(mail.outbox) == 2
    assert SentReminder.objects.filter(emailed_at__isnull=False).count() == 2

    with at(DUE, 10, 1):  # the next run, on a new worker
        emails.deliver_emails()

    assert len(mail.outbox) == pending
    assert max(emails_by_recipient().values()) == 1
    assert not SentReminder.objects.filter(emailed_at__isnull=True).exists()


class RefusingBackend(EmailBackend):
    """The mail server refuses one address; every other message goes."""

    def send_messages(self, messages):
        if any("youth-club-1" in address for message in messages for address in message.to):
            raise ConnectionError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_refused_message_stays_in_the_outbox_and_does_not_hold_up_the_others(council, settings):
    providers_with_returns(council, 3)
    sweep_on(DUE)
    settings.EMAIL_BACKEND = "monitoring.reminders.tests.test_reminders_once.RefusingBackend"

    with at(DUE, 10):
        sent = emails.deliver_emails()

    refused = SentReminder.objects.get(emailed_at__isnull=True)
    assert sent == SentReminder.objects.count() - 1 == len(mail.outbox)
    assert "youth-club-1" in refused.recipient.email
    assert refused.attempts == 1
    for _ in range(emails.MAX_ATTEMPTS):
        emails.deliver_emails()
    refused.refresh_from_db()
    assert refused.attempts == emails.MAX_ATTEMPTS  # then left alone for an administrator


@pytest.mark.django_db(transaction=True)
def test_two_delivery_workers_at_once_never_send_the_same_reminder(council):
    needs_postgresql()
    providers_with_returns(council, 10)
    sweep_on(DUE)
    start = threading.Barrier(2)
    counts, errors = [], []

    def deliver():
        try:
            start.wait()
            counts.append(emails.deliver_emails())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(counts) == len(mail.outbox) == SentReminder.objects.count()
    assert max(emails_by_recipient().values()) == 1


# ---- The daily digest --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_digest_users_get_one_email_a_day_with_all_their_reminders(council):
    organisation, admin, contact = provider("Digest Trust")
    first = agreement_with(council, organisation)
    second = live_agreement(
        council, commission=first.commission, provider=organisation, monitoring_frequency="annual", title="Second"
    )
    return_due(first, DUE)
    return_due(second, DUE)
    NotificationPreference.objects.create(user=contact, daily_digest=True)
    sweep_on(DUE)

    with at(DUE, 10):
        individually = emails.deliver_emails()
    assert individually == SentReminder.objects.exclude(recipient=contact).count()
    assert contact.email not in {message.to[0] for message in mail.outbox}

    with at(date(2026, 12, 25), 7):
        assert emails.send_digests() == 1
        assert emails.send_digests() == 0  # a second run the same morning
    digest = mail.outbox[-1]
    assert digest.to == [contact.email]
    assert digest.subject == "Your reminders for 25 December 2026: 2 new"
    assert digest.body.count("Monitoring return due today") == 2
    rows = SentReminder.objects.filter(recipient=contact)
    assert set(rows.values_list("digest_date", flat=True)) == {date(2026, 12, 25)}
    # The in-app notifications are there whichever way the emails go.
    assert Notification.objects.filter(user=contact).count() == 2


@pytest.mark.django_db
def test_a_reminder_arriving_after_the_digest_waits_for_the_next_day(council):
    organisation, _, contact = provider("Late Digest Trust")
    agreement = agreement_with(council, organisation)
    NotificationPreference.objects.create(user=contact, daily_digest=True)
    return_due(agreement, DUE)
    sweep_on(DUE, 6)
    with at(DUE, 7):
        assert emails.send_digests() == 1
    return_due(agreement, date(2026, 12, 31), period_start=date(2025, 2, 1))  # due soon from 24 December
    sweep_on(DUE, 8)

    with at(DUE, 9):
        assert emails.send_digests() == 0
    with at(date(2026, 12, 25), 7):
        assert emails.send_digests() == 1
    assert mail.outbox[-1].subject == "Your reminders for 25 December 2026: 1 new"
