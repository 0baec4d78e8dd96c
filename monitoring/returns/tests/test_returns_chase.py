"""Chasing the provider for an overdue return: a commissioner's POST tells the provider's return
writers (in the app and by email, with a link to the return), is audited, and may be pressed at most
once a day; nobody else may chase (scrutiny 403, another council or the provider 404), and a return
that is not overdue is not chased."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from councils.models import AuditEvent, Notification, ReminderKind, Role
from monitoring.models import MonitoringReturn
from monitoring.reminders import emails
from monitoring.tests.factories import live_agreement
from monitoring.tests.returns_factories import returns_of, writer
from providers.models import ProviderRole

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def overdue(council, people):
    """The first quarter's return (April to June 2026) of a live agreement, overdue by late October."""
    organisation = people["provider_admin"].organisation_memberships.get().organisation
    with time_machine.travel(datetime(2026, 7, 10, 10, tzinfo=LONDON), tick=False):
        agreement = live_agreement(council, provider=organisation)
    first = returns_of(agreement)[0]
    with time_machine.travel(datetime(2026, 10, 30, 10, tzinfo=LONDON), tick=False):
        assert first.is_overdue
        yield first


def chase_url(monitoring_return) -> str:
    return reverse("monitoring:return_chase", args=[monitoring_return.agreement.council.slug, monitoring_return.pk])


def test_a_commissioner_chases_the_providers_return_writers_once_a_day(
    people, overdue, django_capture_on_commit_callbacks
):
    contact = writer(overdue.agreement, ProviderRole.MONITORING_CONTACT)
    bid_writer = writer(overdue.agreement, ProviderRole.BID_WRITER)
    officer = signed_in(people[Role.COMMISSIONING_OFFICER])
    dashboard = reverse("monitoring:dashboard", args=[overdue.agreement.council.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(chase_url(overdue), {"next": dashboard})
    assert response.status_code == 302
    assert response.url == dashboard

    told = Notification.objects.filter(kind=ReminderKind.RETURN_CHASED)
    assert set(told.values_list("user", flat=True)) == {people["provider_admin"].pk, contact.pk}
    assert bid_writer.pk not in told.values_list("user", flat=True)  # bid writers do not send returns
    assert set(told.values_list("url", flat=True)) == {reverse("monitoring:provider_return", args=[overdue.pk])}
    # The emails go from the outbox, like every other notice.
    emails.deliver_emails()
    chased = [m.to[0] for m in mail.outbox if m.subject.startswith("Overdue monitoring return:")]
    assert sorted(chased) == sorted([people["provider_admin"].email, contact.email])
    event = AuditEvent.objects.get(event_type="return.chase")
    assert event.actor == people[Role.COMMISSIONING_OFFICER]
    assert event.extra["told"] == 2
    assert MonitoringReturn.objects.get(pk=overdue.pk).chased_at is not None

    # The return's page now says it was chased today, with no button; a second press changes nothing.
    page = officer.get(reverse("monitoring:return_detail", args=[overdue.agreement.council.slug, overdue.pk]))
    assert "Chased today" in page.content.decode()
    assert "Chase the provider" not in page.content.decode()
    officer.post(chase_url(overdue))
    assert told.count() == 2
    assert AuditEvent.objects.filter(event_type="return.chase").count() == 1

    # The next day it may be chased again, and the page says when it was last chased.
    with time_machine.travel(datetime(2026, 10, 31, 10, tzinfo=LONDON), tick=False):
        officer = signed_in(people[Role.COMMISSIONING_OFFICER])
        body = officer.get(reverse("monitoring:return_detail", args=[overdue.agreement.council.slug, overdue.pk]))
        assert "Last chased 30 October 2026" in body.content.decode()
        again = officer.post(chase_url(overdue), follow=True)
    assert "The provider has been chased" in again.content.decode(), again.content.decode()[-3000:]
    assert told.count() == 4


def test_the_officers_dashboard_offers_the_chase_as_a_button(people, overdue):
    officer = overdue.agreement.commission.lead_officer
    dashboard = reverse("monitoring:dashboard", args=[overdue.agreement.council.slug])
    body = signed_in(officer).get(dashboard).content.decode()
    assert f'action="{chase_url(overdue)}"' in body
    assert 'method="post"' in body


def test_nobody_else_may_chase(people, overdue):
    for key, status in (
        (Role.SCRUTINY_MEMBER, 403),
        (Role.FINANCE_OFFICER, 403),
        ("provider_admin", 404),
        ("other_council_officer", 404),
        ("no_role", 404),
    ):
        assert signed_in(people[key]).post(chase_url(overdue)).status_code == status, key
    assert not Notification.objects.filter(kind=ReminderKind.RETURN_CHASED).exists()
    assert signed_in(people[Role.COMMISSIONING_OFFICER]).get(chase_url(overdue)).status_code == 405


def test_a_return_that_is_not_overdue_is_not_chased(people, council):
    organisation = people["provider_admin"].organisation_memberships.get().organisation
    with time_machine.travel(datetime(2026, 7, 10, 10, tzinfo=LONDON), tick=False):
        agreement = live_agreement(council, provider=organisation)
        first = returns_of(agreement)[0]
        response = signed_in(people[Role.LEAD_COMMISSIONER]).post(chase_url(first), follow=True)
    assert "This return is not overdue" in response.content.decode()
    assert not Notification.objects.filter(kind=ReminderKind.RETURN_CHASED).exists()


def test_the_cached_dashboard_shows_the_chase_at_once(people, overdue, settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 60
    officer = signed_in(overdue.agreement.commission.lead_officer)
    dashboard = reverse("monitoring:dashboard", args=[overdue.agreement.council.slug])
    officer.get(dashboard)  # the first visit gets the CSRF cookie (the chase button's form needs it)
    officer.get(dashboard)
    assert officer.get(dashboard)["X-Page-Cache"] == "hit"
    chasing_officer = signed_in(people[Role.LEAD_COMMISSIONER])
    chasing_officer.post(chase_url(overdue))
    response = officer.get(dashboard)
    assert response["X-Page-Cache"] == "miss"
    assert "Chased today" in response.content.decode()
