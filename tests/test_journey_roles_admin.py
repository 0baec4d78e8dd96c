"""The council administrator's browser journey, on the demo data (Kirkby Moor): from their landing page
(the council pipeline) to what waits there, then the administrator's own work by clicking only: giving
someone a role, reviewing staff added to provider organisations, changing the council's settings, and
choosing which notifications come by email. Every new kind of page passes axe-core.

The other roles have their own journeys (tests/test_journey_roles_officers.py,
tests/test_journey_roles_others.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from commissioning.models import Award, AwardState
from councils.models import AuditEvent, Council, EmailOptOut, Membership, ReminderKind, Role, User

from .browser import assert_accessible
from .journeys import COUNCIL, Journey, as_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = f"admin@{COUNCIL}.example"
NEWCOMER = f"amira.haddad@{COUNCIL}.example"


def test_council_administrator(demo_data, page):
    journey = Journey("council administrator")
    council = Council.objects.get(slug=COUNCIL)
    waiting = Award.objects.get(commission__council=council, state=AwardState.AWAITING_DECISION)
    navigation = page.get_by_role("navigation", name="Menu")

    # Their home is the council pipeline; what waits there is the council's decisions, with whose they are.
    as_person(page, ADMIN, "Council pipeline")
    expect(page).to_have_url(re.compile(rf"/monitoring/council/{COUNCIL}/dashboard/$"))
    assert_accessible(page)
    decisions = page.get_by_role("region", name="Decisions waiting").first
    expect(decisions).to_contain_text(waiting.commission.title)

    # People and roles: give a new officer a role; the list shows them at once.
    navigation.get_by_role("link", name="People and roles").click()
    page.get_by_role("heading", name="People and roles", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Give someone a role").click()
    page.get_by_label("Email address").fill(NEWCOMER)
    page.get_by_label("Full name").fill("Amira Haddad")
    page.get_by_label("Commissioning officer", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Give role").click()
    page.get_by_text("Role given.").wait_for()
    expect(page.get_by_role("table")).to_contain_text(NEWCOMER)
    newcomer = User.objects.get(email=NEWCOMER)
    assert Membership.objects.filter(council=council, user=newcomer, role=Role.COMMISSIONING_OFFICER).exists()

    # Their review queue: staff made members of provider organisations without being asked.
    page.get_by_role("link", name="Staff added to provider organisations without consent").click()
    page.get_by_role("heading", name="Staff added to provider organisations without consent", level=1).wait_for()
    assert_accessible(page)

    # The council's settings: its constitution now needs three members to call a decision in.
    navigation.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name=council.name, level=1).wait_for()
    page.get_by_role("link", name="Change council details and thresholds").click()
    page.get_by_label("Scrutiny members needed to call a decision in").fill("3")
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Council details saved.").wait_for()
    council.refresh_from_db()
    assert council.call_in_threshold == 3
    assert AuditEvent.objects.filter(council=council, actor__email=ADMIN).exists()

    # Their notification emails: no email for plans waiting for approval (still told in the app).
    page.get_by_role("link", name=re.compile(r"^Notifications")).first.click()
    page.get_by_role("heading", name="Notifications", level=1).wait_for()
    page.get_by_role("link", name="Choose how you get reminder emails").click()
    plans = page.get_by_role("group", name="Plans and award decisions: which do you want by email?")
    plans.get_by_label(ReminderKind.PLAN_TO_APPROVE.label).uncheck()
    assert_accessible(page)
    page.get_by_role("button", name="Save your choices").click()
    page.get_by_role("heading", name="Notifications", level=1).wait_for()
    admin = User.objects.get(email=ADMIN)
    assert list(EmailOptOut.objects.filter(user=admin).values_list("kind", flat=True)) == [ReminderKind.PLAN_TO_APPROVE]
    journey.print()
