"""In the browser: a provider's monitoring contact finds a reminder in their notifications, opens it and
chooses the daily digest; a council administrator changes when overdue returns are escalated. Every
page is checked with axe-core against WCAG 2.2 AA."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from councils.models import NotificationPreference, ReminderKind, ReminderRule, Role
from councils.tests.factories import PASSWORD
from monitoring.tests.reminder_factories import agreement_with, provider, return_due, sweep_on
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_reads_a_reminder_and_chooses_the_daily_digest(page, council):
    organisation, _, contact = provider("Journey Youth Trust")
    agreement = agreement_with(council, organisation)
    return_due(agreement, date(2026, 12, 24))
    sweep_on(date(2026, 12, 29))

    sign_in(page, contact.email, PASSWORD)
    page.get_by_role("link", name="Notifications (1 unread)").click()
    page.get_by_role("heading", name="Notifications", level=1).wait_for()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Monitoring return overdue")).click()
    page.wait_for_url(f"**/monitoring/provider/agreements/{agreement.pk}/")
    page.get_by_role("link", name="Notifications", exact=True).click()
    page.get_by_text("1 notification, 0 unread").wait_for()

    page.get_by_role("link", name="Choose how you get reminder emails").click()
    expect(page.get_by_label("Send each reminder by email as it happens")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Send one email a day, at 7am, with that day's reminders").check()
    page.get_by_role("button", name="Save your choice").click()
    page.get_by_text("You will get one email a day").wait_for()
    assert NotificationPreference.objects.get(user=contact).daily_digest


def test_a_council_administrator_changes_when_overdue_returns_are_escalated(page, council, people):
    sign_in(page, people[Role.COUNCIL_ADMIN].email, PASSWORD)
    page.goto("/councils/notifications/")
    page.get_by_role("link", name=f"Reminders sent for {council.name}").click()
    page.get_by_role("heading", name="Reminders", level=1).wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Change monitoring return overdue").click()
    page.get_by_label(re.compile("Remind them again every")).fill("not a number")
    page.get_by_role("button", name="Save the reminder settings").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page)
    page.get_by_label(re.compile("Remind them again every")).fill("3")
    page.get_by_label(re.compile("Tell the lead officer and the portfolio holder")).fill("15")
    page.get_by_role("button", name="Save the reminder settings").click()
    page.get_by_text("after 15 working days overdue").wait_for()

    rule = ReminderRule.objects.get(council=council, kind=ReminderKind.RETURN_OVERDUE)
    assert (rule.repeat_every_days, rule.escalate_after_days) == (3, 15)
