"""In the browser ("Done when" 3 of issue 21): an expiry warning arrives once. The hourly Celery task
runs twice on the day the six-month warning is due; the contract manager has one notification and one
email, opens the agreement from it, and finds it in the contract expiry pipeline on their dashboard.
Every page is checked with axe-core against WCAG 2.2 AA."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from councils.models import ReminderKind, Role
from councils.tests.factories import PASSWORD
from monitoring import tasks
from monitoring.reminders.emails import deliver_emails
from monitoring.tests.factories import END
from monitoring.tests.reminder_factories import agreement_with, at, provider
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expiry_warning_arrives_once(page, council, people, monkeypatch):
    # The task hands the emails to the delivery task; here it delivers them at once.
    monkeypatch.setattr(tasks, "deliver_reminder_emails", SimpleNamespace(delay=deliver_emails))
    manager = people[Role.PROCUREMENT_OFFICER]
    agreement = agreement_with(
        council, provider("Harbour Care Renewals")[0], council_contact=manager, title="Harbour home care"
    )

    with at(END - timedelta(days=100)):  # 21 December 2026: the six-month warning is due
        first = tasks.send_reminders()
        second = tasks.send_reminders()

    assert first == {ReminderKind.AGREEMENT_ENDING: 2}
    assert second == {}
    emails = [message for message in mail.outbox if message.to == [manager.email]]
    assert len(emails) == 1
    assert emails[0].subject.startswith("Agreement ends on 31 March 2027")

    sign_in(page, manager.email, PASSWORD)
    page.get_by_role("link", name="Notifications (1 unread)").click()
    page.get_by_role("heading", name="Notifications", level=1).wait_for()
    expect(page.get_by_role("link", name=re.compile("Agreement ends on 31 March 2027"))).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Agreement ends on 31 March 2027")).click()
    page.wait_for_url(f"**{agreement.get_absolute_url()}")

    page.goto(reverse("monitoring:dashboard", kwargs={"council_slug": council.slug}) + "?view=officer")
    pipeline = page.locator("section").filter(has=page.get_by_role("heading", name="Contract expiry pipeline"))
    pipeline.get_by_role("link", name=f"{agreement.reference} Harbour home care").wait_for()
    expect(pipeline.get_by_text("£60,000")).to_be_visible()
    assert_accessible(page)
