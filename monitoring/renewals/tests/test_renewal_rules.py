"""The lead times of the renewal warnings, as a council administrator sets them on the reminder rules
page: several numbers of days, checked; and councils' older single-value rules carried over."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from councils.models import AuditEvent, ReminderKind, ReminderRule, Role, SentReminder, validate_lead_times
from councils.notification_forms import ReminderRuleForm
from councils.notification_selectors import ReminderRules, ReminderSettings
from monitoring.tests.factories import live_agreement

pytestmark = pytest.mark.django_db

EXTENSION = ReminderKind.EXTENSION_DECISION_DUE
ENDING = ReminderKind.AGREEMENT_ENDING


def rule_url(council, kind):
    return reverse("councils:reminder_rule_edit", kwargs={"council_slug": council.slug, "kind": kind})


def form(kind=ENDING, **data):
    return ReminderRuleForm({"enabled": "yes", "working_days": "calendar", **data}, kind=kind,
                            current=ReminderSettings.default(kind))  # fmt: skip


def test_lead_times_are_read_furthest_first():
    bound = form(lead_times="91; 274 , 183")
    assert bound.is_valid(), bound.errors
    assert bound.rule_values()["lead_times"] == [274, 183, 91]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter up to 6 numbers of days from 1 to 366, separated by commas"),
        ("six months", "for example 274, 183, 91"),
        ("0, 30", "from 1 to 366"),
        ("400", "from 1 to 366"),
        ("90, 60, 90", "Enter each number of days once"),
        ("1, 2, 3, 4, 5, 6, 7", "Enter up to 6 numbers"),
        ("-5", "for example 274, 183, 91"),
    ],
)
def test_bad_lead_times_are_refused(typed, problem):
    bound = form(EXTENSION, lead_times=typed)
    assert not bound.is_valid()
    assert problem in bound.errors["lead_times"][0]


@pytest.mark.parametrize("value", [[0], [367], [30, 30], [1, 2, 3, 4, 5, 6, 7], ["90"], [True], "90"])
def test_the_model_refuses_bad_lead_times(value):
    with pytest.raises(ValidationError):
        validate_lead_times(value)


def test_lead_times_belong_only_to_the_renewal_warnings(council):
    rule = ReminderRule(council=council, kind=ReminderKind.RETURN_DUE_SOON, days_before=5, lead_times=[5, 3])
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "lead_times" in refused.value.message_dict


def test_a_council_administrator_sets_the_extension_warnings(client_for, council, people):
    client = client_for(people[Role.COUNCIL_ADMIN])
    page = client.get(rule_url(council, EXTENSION)).content.decode()
    assert 'value="274, 183, 91"' in page

    response = client.post(rule_url(council, EXTENSION), {"enabled": "yes", "lead_times": "30, 120, 60",
                                                          "working_days": "working"})  # fmt: skip

    assert response.status_code == 302
    rule = ReminderRule.objects.get(council=council, kind=EXTENSION)
    assert (rule.lead_times, rule.days_before, rule.working_days) == ([120, 60, 30], 120, True)
    event = AuditEvent.objects.get(event_type="reminder_rule.updated", council=council)
    assert (event.extra["before"]["lead_times"], event.extra["after"]["lead_times"]) == ([274, 183, 91], [120, 60, 30])
    listing = client.get(reverse("councils:reminder_rules", kwargs={"council_slug": council.slug})).content.decode()
    assert "120, 60 and 30 working days before the notice date of an extension option" in listing


def test_bad_lead_times_change_nothing(client_for, council, people):
    response = client_for(people[Role.COUNCIL_ADMIN]).post(
        rule_url(council, ENDING), {"enabled": "yes", "lead_times": "0", "working_days": "calendar"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ReminderRule.objects.exists()


def test_only_those_who_set_the_rules_may_change_the_lead_times(client_for, council, people):
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        rule_url(council, EXTENSION), {"enabled": "yes", "lead_times": "30", "working_days": "calendar"}
    )
    assert response.status_code == 403
    assert not ReminderRule.objects.exists()


def test_a_rule_with_one_value_from_before_keeps_it():
    old = ReminderSettings(days_before=120, working_days=False, is_default=False)
    assert old.leads == (120,)
    assert (old.lead_for(121), old.lead_for(120), old.lead_for(3)) == (None, 120, 120)


def test_the_migrations_carry_over_a_councils_single_value_and_what_was_sent(council, people):
    ReminderRule.objects.create(council=council, kind=ENDING, days_before=120)
    import_module("councils.migrations.0025_reminder_lead_times").single_value_as_lead_time(apps, None)
    assert ReminderRule.objects.get(kind=ENDING).lead_times == [120]
    assert ReminderRules().get(council.pk, ENDING).leads == (120,)

    agreement = live_agreement(council)

    old = SentReminder.objects.create(
        recipient=people[Role.COMMISSIONING_OFFICER],
        kind=ENDING,
        content_type=ContentType.objects.get_for_model(agreement),
        object_id=agreement.pk,
        occurrence="2027-03-31",
    )
    import_module("monitoring.migrations.0016_extension_notice_days").name_the_old_warnings(apps, None)
    old.refresh_from_db()
    assert old.occurrence == "2027-03-31:120"
