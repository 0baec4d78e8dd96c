"""Warnings before an agreement ends and before its extension notice date: at each lead time, once,
to the contract manager and the lead officer, counted in working days where the council says so.

The agreement runs from 1 April 2026 to 31 March 2027 (`monitoring.tests.factories`); with 90 days'
notice to extend, its extension notice date is 31 December 2026.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from councils.models import Notification, ReminderKind, ReminderRule, Role, SentReminder
from councils.notification_selectors import ReminderRules
from monitoring.agreements import variations
from monitoring.reminders import outbox
from monitoring.reminders import services as reminders
from monitoring.reminders.kinds import Sweep
from monitoring.reminders.renewals import agreement_reminders, extension_reminders
from monitoring.reminders.tests.test_reminders_once import needs_postgresql
from monitoring.tests.factories import END, approval
from monitoring.tests.reminder_factories import agreement_with, at, occurrences, provider, recipients, sent, sweep_on

pytestmark = pytest.mark.django_db

NOTICE_ON = date(2026, 12, 31)
ENDING = ReminderKind.AGREEMENT_ENDING
EXTENSION = ReminderKind.EXTENSION_DECISION_DUE


@pytest.fixture
def contract_manager(people):
    return people[Role.PROCUREMENT_OFFICER]


def renewable(council, contract_manager, name="Lantern Arts Renewals", **terms):
    """A live agreement with one 12-month extension option, 90 days' notice to extend."""
    terms = {"extension_period_months": 12, "max_extensions": 1, "extension_notice_days": 90, **terms}
    return agreement_with(council, provider(name)[0], council_contact=contract_manager, **terms)


# ---- Before the agreement ends ---------------------------------------------------------------------


def test_nine_six_and_three_months_before_the_end_each_warned_once(council, contract_manager):
    agreement = renewable(council, contract_manager, max_extensions=0, extension_period_months=0,
                          extension_notice_days=0)  # fmt: skip
    lead = agreement.commission.lead_officer

    sweep_on(END - timedelta(days=275))
    assert not sent(ENDING, agreement).exists()

    for days in (274, 183, 91):
        sweep_on(END - timedelta(days=days))
        sweep_on(END - timedelta(days=days))  # a second run the same day adds nothing
        sweep_on(END - timedelta(days=days - 1))  # nor does the next day's

    assert recipients(ENDING, agreement) == {lead.email, contract_manager.email}
    assert occurrences(ENDING, agreement) == sorted([f"2027-03-31:{days}" for days in (274, 183, 91)] * 2)
    mine = Notification.objects.filter(user=contract_manager, kind=ENDING)
    assert mine.count() == 3
    assert mine.filter(body__contains="in 91 days").count() == 1
    assert set(mine.values_list("url", flat=True)) == {agreement.get_absolute_url()}


def test_a_sweep_that_missed_the_earlier_lead_times_sends_only_the_latest(council, contract_manager):
    agreement = renewable(council, contract_manager)

    sweep_on(END - timedelta(days=100))  # past 274 and 183 days: only the six-month warning is due

    assert occurrences(ENDING, agreement) == ["2027-03-31:183", "2027-03-31:183"]


def test_lead_times_in_working_days_skip_christmas(council, contract_manager):
    # Ending Monday 4 January 2027: five working days before is Wednesday 23 December, as Christmas
    # Day, the Boxing Day substitute (28th), New Year's Day and two weekends do not count.
    ReminderRule.objects.create(council=council, kind=ENDING, lead_times=[5], days_before=5, working_days=True)
    agreement = renewable(council, contract_manager, ends_on=date(2027, 1, 4))

    sweep_on(date(2026, 12, 22))
    assert not sent(ENDING, agreement).exists()
    sweep_on(date(2026, 12, 23))
    assert occurrences(ENDING, agreement) == ["2027-01-04:5", "2027-01-04:5"]
    assert "in 5 working days" in Notification.objects.filter(kind=ENDING).first().body


def test_a_council_that_turned_the_warning_off_hears_nothing(council, contract_manager):
    ReminderRule.objects.create(council=council, kind=ENDING, enabled=False, lead_times=[91], days_before=91)
    agreement = renewable(council, contract_manager)

    sweep_on(END - timedelta(days=30))

    assert not sent(ENDING, agreement).exists()


# ---- Before the extension notice date -----------------------------------------------------------------


def test_the_extension_notice_date_is_warned_at_each_lead_time_once(council, contract_manager):
    agreement = renewable(council, contract_manager)
    lead = agreement.commission.lead_officer

    sweep_on(NOTICE_ON - timedelta(days=275))
    assert not sent(EXTENSION, agreement).exists()
    for days in (274, 183, 91):
        with at(NOTICE_ON - timedelta(days=days)):
            first, second = reminders.sweep(), reminders.sweep()
        assert first.created[EXTENSION] == 2
        assert second.total == 0

    assert recipients(EXTENSION, agreement) == {lead.email, contract_manager.email}
    assert occurrences(EXTENSION, agreement) == sorted([f"2026-12-31:{days}" for days in (274, 183, 91)] * 2)
    notification = Notification.objects.filter(user=contract_manager, kind=EXTENSION).first()
    assert notification.title == f"Extension decision due by 31 December 2026: {agreement.reference}"
    assert "give 90 days' notice, by 31 December 2026, in 91 days" in notification.body
    assert "1 extension of up to 12 months left" in notification.body


def test_extension_warnings_stop_once_no_extension_is_left(council, contract_manager):
    agreement = renewable(council, contract_manager)
    sweep_on(NOTICE_ON - timedelta(days=91))
    assert len(occurrences(EXTENSION, agreement)) == 2

    with at(date(2026, 12, 1)):
        variations.agreement_extend(
            by=agreement.commission.lead_officer,
            agreement=agreement,
            ends_on=date(2028, 3, 31),
            reason="Good results",
            approval=approval(council),
        )
    # The new end date would put a notice date on 1 January 2028, but the only option is taken.
    for day in (date(2027, 4, 2), date(2027, 7, 1), date(2027, 10, 1)):
        sweep_on(day)

    assert len(occurrences(EXTENSION, agreement)) == 2


def test_a_second_option_brings_a_new_notice_date_and_new_warnings(council, contract_manager):
    agreement = renewable(council, contract_manager, name="Open Doors Renewals", max_extensions=2)
    with at(date(2026, 12, 1)):
        variations.agreement_extend(
            by=agreement.commission.lead_officer,
            agreement=agreement,
            ends_on=date(2028, 3, 31),
            reason="Good results",
            approval=approval(council),
        )

    sweep_on(date(2027, 10, 2))  # 91 days before 1 January 2028

    assert occurrences(EXTENSION, agreement) == ["2028-01-01:91", "2028-01-01:91"]


def test_no_extension_warning_without_a_notice_period(council, contract_manager):
    agreement = renewable(council, contract_manager, extension_notice_days=0)

    sweep_on(END - timedelta(days=95))

    assert not sent(EXTENSION, agreement).exists()
    assert sent(ENDING, agreement).exists()


def test_extension_notice_counted_in_working_days(council, contract_manager):
    # Notice date Thursday 31 December 2026: from Christmas Eve the working days left are the 29th, 30th
    # and 31st (Christmas Day, the Boxing Day substitute on the 28th and the weekend do not count).
    ReminderRule.objects.create(council=council, kind=EXTENSION, lead_times=[3], days_before=3, working_days=True)
    agreement = renewable(council, contract_manager)

    sweep_on(date(2026, 12, 23))
    assert not sent(EXTENSION, agreement).exists()
    sweep_on(date(2026, 12, 24))
    assert occurrences(EXTENSION, agreement) == ["2026-12-31:3", "2026-12-31:3"]


# ---- Exactly once when sweeps meet --------------------------------------------------------------------


def _renewal_batch():
    context = Sweep(today=timezone.localdate(), now=timezone.now(), rules=ReminderRules())
    return [*agreement_reminders(context), *extension_reminders(context)]


def test_the_unique_index_decides_when_two_sweeps_read_at_the_same_moment(council, contract_manager):
    renewable(council, contract_manager)
    with at(NOTICE_ON - timedelta(days=91)):
        batch = _renewal_batch()
        assert {r.kind for r in batch} == {ENDING, EXTENSION}
        with transaction.atomic():
            first = outbox.WRITERS["returning"](batch, timezone.now())
        with transaction.atomic():
            second = outbox.WRITERS["returning"](batch, timezone.now())

    assert len(first) == len(batch) == 4
    assert second == set()
    assert Notification.objects.count() == SentReminder.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_warning_once(council, people):
    needs_postgresql()
    for number in range(4):
        renewable(council, people[Role.PROCUREMENT_OFFICER], name=f"Renewing Trust {number}")
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait()
            reminders.sweep(batch_size=2)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    with at(NOTICE_ON - timedelta(days=91)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert errors == []
    assert SentReminder.objects.filter(kind=EXTENSION).count() == 8
    assert SentReminder.objects.filter(kind=ENDING).count() == 8
    assert Notification.objects.count() == SentReminder.objects.count()
