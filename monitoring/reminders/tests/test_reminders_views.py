"""The notification pages (everyone's own list, opening, marking read, the email preference), the
council's reminder rules page, the header's unread count, and the `send_reminders` command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from councils.models import (
    AuditEvent,
    EmailOptOut,
    Notification,
    NotificationPreference,
    ReminderKind,
    ReminderRule,
    Role,
)
from councils.notification_forms import EMAIL_GROUPS
from monitoring.tests.reminder_factories import agreement_with, at, provider, return_due
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db

LIST = reverse("councils:notifications")


def notify(user, count: int = 1, **fields) -> list[Notification]:
    made = []
    for number in range(count):
        values = {
            "kind": ReminderKind.RETURN_OVERDUE,
            "title": f"Monitoring return overdue: KMC-{number:03d}",
            "body": "The monitoring return was due on 24 December 2026.",
            "url": "/monitoring/provider/agreements/1/",
            "created_at": timezone.now() - timedelta(minutes=number),
            **fields,
        }
        made.append(Notification.objects.create(user=user, **values))
    return made


def rules_url(council, kind: str | None = None) -> str:
    if kind is None:
        return reverse("councils:reminder_rules", kwargs={"council_slug": council.slug})
    return reverse("councils:reminder_rule_edit", kwargs={"council_slug": council.slug, "kind": kind})


# ---- Everyone's own notifications ------------------------------------------------------------------


def test_the_list_shows_only_your_own_notifications_newest_first(client_for, people):
    mine = notify(people["provider_admin"], 2)
    notify(people["other_provider_admin"], title="Someone else's reminder")

    response = client_for(people["provider_admin"]).get(LIST)

    assert response.status_code == 200
    assert [n.pk for n in response.context["page_obj"]] == [mine[0].pk, mine[1].pk]
    assert b"Someone else" not in response.content
    assert b"2 notifications, 2 unread" in response.content


def test_the_header_counts_unread_notifications(client_for, council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    notify(officer, 3)
    Notification.objects.filter(pk=Notification.objects.first().pk).update(read_at=timezone.now())

    response = client_for(officer).get(council.get_absolute_url())

    assert b"Notifications (2 unread)" in response.content


def test_the_list_runs_in_the_same_number_of_queries_however_many_rows(client_for, people):
    user = people["provider_admin"]
    notify(user, 1)
    _, response = assert_same_queries(client_for(user), LIST, lambda count: notify(user, count))
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 1


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client_for, people):
    notification = notify(people["provider_admin"])[0]

    response = client_for(people["provider_admin"]).get(
        reverse("councils:notification_open", kwargs={"pk": notification.pk})
    )

    assert response.status_code == 302
    assert response["Location"] == "/monitoring/provider/agreements/1/"
    notification.refresh_from_db()
    assert notification.is_read


def test_a_notification_never_sends_you_off_the_site(client_for, people):
    notification = notify(people["provider_admin"], url="https://evil.example/phish")[0]

    response = client_for(people["provider_admin"]).get(
        reverse("councils:notification_open", kwargs={"pk": notification.pk})
    )

    assert response["Location"] == LIST


@pytest.mark.parametrize(
    ("name", "method"), [("councils:notification_open", "get"), ("councils:notification_read", "post")]
)
def test_someone_elses_notification_is_not_found(client_for, people, name, method):
    notification = notify(people["provider_admin"])[0]
    client = client_for(people["other_provider_admin"])

    response = getattr(client, method)(reverse(name, kwargs={"pk": notification.pk}))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_signing_in_is_needed(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_mark_one_and_mark_all_as_read(client_for, people):
    user = people["provider_admin"]
    first, *others = notify(user, 3)
    theirs = notify(people["other_provider_admin"])[0]
    client = client_for(user)

    response = client.post(reverse("councils:notification_read", kwargs={"pk": first.pk}), {"page": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?page=1"
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 2

    response = client.post(reverse("councils:notifications_read_all"), follow=True)
    assert b"2 notifications marked as read" in response.content
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_choosing_the_daily_digest(client_for, people):
    user = people["finance_officer"]
    client = client_for(user)
    url = reverse("councils:notification_preferences")

    assert client.get(url).context["form"].initial["emails"] == "individual"
    every_kind = {f"email_{slug}": list(kinds) for slug, _, kinds in EMAIL_GROUPS}
    response = client.post(url, {"emails": "digest", **every_kind})

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=user).daily_digest
    assert AuditEvent.objects.filter(event_type="notification_preference.updated", actor=user).exists()
    assert client.get(url).context["form"].initial["emails"] == "digest"
    assert not EmailOptOut.objects.filter(user=user).exists()  # every kind still emailed


def test_the_preference_form_shows_its_errors(client_for, people):
    response = client_for(people["finance_officer"]).post(reverse("councils:notification_preferences"), {})

    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Choose how you want emails" in response.content


# ---- The council's reminder rules ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER])
def test_the_council_administrator_and_lead_commissioner_change_a_rule(client_for, council, people, role):
    client = client_for(people[role])
    assert client.get(rules_url(council)).status_code == 200

    response = client.post(
        rules_url(council, ReminderKind.RETURN_OVERDUE),
        {"enabled": "yes", "repeat_every_days": "3", "escalate_after_days": "15", "working_days": "calendar"},
    )

    assert response.status_code == 302
    rule = ReminderRule.objects.get(council=council, kind=ReminderKind.RETURN_OVERDUE)
    assert (rule.repeat_every_days, rule.escalate_after_days, rule.working_days) == (3, 15, False)
    event = AuditEvent.objects.get(event_type="reminder_rule.updated", council=council)
    assert event.extra["before"]["repeat_every_days"] == 5
    assert event.extra["after"]["repeat_every_days"] == 3
    page = client.get(rules_url(council)).content.decode()
    assert "then every 3 days" in page
    assert "after 15 days overdue" in page


def test_the_rules_page_shows_the_defaults(client_for, council, people):
    page = client_for(people[Role.COUNCIL_ADMIN]).get(rules_url(council)).content.decode()

    assert "5 working days before the due date" in page
    assert "274, 183 and 91 days before a live agreement ends, each once" in page
    assert "Escalated to the lead officer and the portfolio holder after 10 working days overdue" in page


@pytest.mark.parametrize("visitor", [Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER, "other_council_officer"])
def test_other_people_cannot_change_the_rules(client_for, council, people, visitor):
    client = client_for(people[visitor])

    assert client.get(rules_url(council)).status_code == 403
    response = client.post(rules_url(council, ReminderKind.RETURN_DUE_SOON), {"enabled": "no", "days_before": "3"})

    assert response.status_code == 403
    assert not ReminderRule.objects.exists()


def test_a_rule_that_cannot_be_changed_by_a_council_is_not_found(client_for, council, people):
    client = client_for(people[Role.COUNCIL_ADMIN])

    assert client.get(rules_url(council, ReminderKind.COMPLIANCE_EXPIRING)).status_code == 404
    assert client.get(rules_url(council, "not-a-kind")).status_code == 404


def test_invalid_rule_settings_show_an_error_summary(client_for, council, people):
    response = client_for(people[Role.COUNCIL_ADMIN]).post(
        rules_url(council, ReminderKind.RETURN_DUE_SOON), {"enabled": "yes", "days_before": "0", "working_days": ""}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Enter a number of days from 1 to 366" in content
    assert "Choose how the days are counted" in content
    assert not ReminderRule.objects.exists()


def test_the_list_links_to_the_reminder_rules_of_councils_you_administer(client_for, council, people):
    admin_page = client_for(people[Role.COUNCIL_ADMIN]).get(LIST).content.decode()
    officer_page = client_for(people[Role.COMMISSIONING_OFFICER]).get(LIST).content.decode()

    assert rules_url(council) in admin_page
    assert rules_url(council) not in officer_page


# ---- By hand: the management command -------------------------------------------------------------


def test_the_command_runs_one_sweep_and_sends_its_emails(council):
    organisation, _, contact = provider("Command Trust")
    return_due(agreement_with(council, organisation), date(2026, 12, 24))
    out = StringIO()

    with at(date(2026, 12, 24)):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)

    output = out.getvalue()
    assert (
        "Reminder sweep: 2 new reminders (Agreement ending: time to review: 1, Monitoring return due today: 1)"
        in output
    )
    assert "Reminder sweep: no new reminders" in output
    assert "Reminder emails sent: 2." in output
    assert [m.to for m in mail.outbox if "due today" in m.subject] == [[contact.email]]


def test_the_demo_opens_with_notifications(demo_data):
    # `demo_data` is what `seed_demo` made (seeded once per test process); `.output` is what it printed.
    assert "Reminders: " in demo_data.output
    # Kirkby Moor Age Concern's insurance expires within the month.
    assert Notification.objects.filter(
        kind=ReminderKind.COMPLIANCE_EXPIRING, user__email="admin@kirkby-moor-age-concern.example"
    ).exists()
