"""Notices chased: the officer's and the lead commissioner's dashboards show the notices due or
overdue (the first few, how many in all, the notices page), and the reminder sweep tells the council's
procurement officers a few working days before a notice is due and once it is overdue, once each.

Christmas 2026 is the calendar: Friday 25 and Monday 28 December are bank holidays in England and Wales.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import Membership, Notification, ReminderKind, ReminderRule, Role
from councils.notification_selectors import ReminderRules
from monitoring.dashboards.tests.test_dashboards_views import dashboard_url, signed_in
from monitoring.models import Notice
from monitoring.reminders import kinds
from monitoring.tests.notice_factories import advertised_notice, more_drafts, published
from monitoring.tests.reminder_factories import at, occurrences, recipients, sweep_on
from tests.query_counts import assert_same_queries_on

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 24)  # Thursday, the day before Christmas


@pytest.fixture
def due_on_christmas_eve(council, people):
    """A tender notice due on 24 December (its opportunity advertised that day)."""
    with at(DUE):
        return advertised_notice(council)


# ---- Dashboards ----------------------------------------------------------------------------------------


def test_the_officers_dashboard_shows_the_notices_they_prepare(client_for, council, people):
    with at(date(2026, 11, 2)):
        overdue = advertised_notice(council, title="Befriending for older people")
    due = advertised_notice(council)
    response = client_for(people[Role.PROCUREMENT_OFFICER]).get(dashboard_url(council))
    notices = response.context["notices"]
    assert [n.pk for n in notices] == [overdue.pk, due.pk]  # the optional UK3s are never due
    assert (notices.total, notices.counts["overdue"]) == (2, 1)
    assert response.context["overdue_items"] == 1
    body = response.content.decode()
    assert due.get_absolute_url() in body
    assert f"{reverse('monitoring:notice_list', args=[council.slug])}?state=due" in body
    # The finance officer prepares only the payments compliance notice (UK17): none of these.
    assert client_for(people[Role.FINANCE_OFFICER]).get(dashboard_url(council, view="officer")).context["notices"] == []


def test_the_lead_commissioners_dashboard_shows_the_councils_notices_due(client_for, council, people):
    notice = advertised_notice(council)
    published(advertised_notice(council, title="Debt advice"))
    response = client_for(people[Role.LEAD_COMMISSIONER]).get(dashboard_url(council, view="lead"))
    assert [n.pk for n in response.context["notices"]] == [notice.pk]
    assert 'id="notices"' in response.content.decode()


def test_the_dashboards_show_the_first_few_notices_in_fixed_queries(council, people):
    notice = advertised_notice(council)
    url = dashboard_url(council)
    pages = {
        "officer": (signed_in(people[Role.PROCUREMENT_OFFICER]), url),
        "lead": (signed_in(people[Role.LEAD_COMMISSIONER]), dashboard_url(council, view="lead")),
    }
    _, responses = assert_same_queries_on(pages, lambda count: more_drafts(notice, count))
    for response in responses.values():
        notices = response.context["notices"]
        assert (len(notices), notices.total) == (5, 25)
        assert "the first 5 shown" in response.content.decode()


# ---- Reminders -----------------------------------------------------------------------------------------


def test_the_procurement_officers_are_reminded_before_it_is_due_and_once_it_is_overdue(
    council, people, due_on_christmas_eve
):
    notice, officer = due_on_christmas_eve, people[Role.PROCUREMENT_OFFICER]
    sweep_on(date(2026, 12, 17))  # five working days before: not yet
    assert occurrences(ReminderKind.NOTICE_DUE_SOON, notice) == []
    sweep_on(date(2026, 12, 21))  # three working days before
    assert recipients(ReminderKind.NOTICE_DUE_SOON, notice) == {officer.email}
    reminder = Notification.objects.get(kind=ReminderKind.NOTICE_DUE_SOON)
    assert reminder.title == f"UK4 tender notice due on 24 December 2026: {notice.title}"
    assert "in 3 working days" in reminder.body
    assert notice.due_rule.rstrip(".") in reminder.body
    assert reminder.url == notice.get_absolute_url()
    sweep_on(date(2026, 12, 22))
    sweep_on(DUE)
    assert occurrences(ReminderKind.NOTICE_DUE_SOON, notice) == ["2026-12-24"]  # once

    sweep_on(date(2026, 12, 28))  # Christmas and the substitute holiday are not working days: not late yet
    assert occurrences(ReminderKind.NOTICE_OVERDUE, notice) == []
    sweep_on(date(2026, 12, 29))
    sweep_on(date(2027, 1, 5))
    assert occurrences(ReminderKind.NOTICE_OVERDUE, notice) == ["2026-12-24:overdue-1"]  # once, by default
    assert recipients(ReminderKind.NOTICE_OVERDUE, notice) == {officer.email}
    overdue = Notification.objects.get(kind=ReminderKind.NOTICE_OVERDUE)
    assert "was due on 24 December 2026 and is 1 working day overdue" in overdue.body


def test_a_council_may_be_reminded_again_and_a_published_notice_is_not_chased(council, people, due_on_christmas_eve):
    notice = due_on_christmas_eve
    ReminderRule.objects.create(council=council, kind=ReminderKind.NOTICE_OVERDUE, repeat_every_days=2)
    sweep_on(date(2026, 12, 29))
    sweep_on(date(2026, 12, 31))
    assert occurrences(ReminderKind.NOTICE_OVERDUE, notice) == ["2026-12-24:overdue-1", "2026-12-24:overdue-2"]
    with at(date(2027, 1, 4)):
        published(Notice.objects.get(pk=notice.pk))
    sweep_on(date(2027, 1, 6))
    assert len(occurrences(ReminderKind.NOTICE_OVERDUE, notice)) == 2


def test_without_procurement_officers_the_commissions_lead_officer_is_reminded(council, people, due_on_christmas_eve):
    notice = due_on_christmas_eve
    Membership.objects.filter(council=council, role=Role.PROCUREMENT_OFFICER).delete()
    sweep_on(date(2026, 12, 22))
    assert recipients(ReminderKind.NOTICE_DUE_SOON, notice) == {notice.commission.lead_officer.email}


def test_the_notice_reminders_are_read_in_a_fixed_number_of_queries(council, people, due_on_christmas_eve):
    def reminders() -> tuple[int, int]:
        with at(date(2026, 12, 22)), CaptureQueriesContext(connection) as queries:
            sweep = kinds.Sweep(today=timezone.localdate(), now=timezone.now(), rules=ReminderRules())
            before = len(queries)
            found = list(kinds.notice_reminders(sweep))
        return len(queries) - before, len(found)

    one = reminders()
    more_drafts(due_on_christmas_eve, 40)
    many = reminders()
    assert (one[1], many[1]) == (1, 41)
    assert many[0] == one[0] == 2  # the notices, and the councils' procurement officers
