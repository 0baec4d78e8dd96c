"""An opportunity alert reaches only matching providers: a provider registers choosing an outcome and a
CPV division, an officer publishes a matching opportunity, and the provider finds the alert among its
notifications, saying why; a provider interested in other work and another council finds none."""

import re

import pytest
from playwright.sync_api import expect

from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.sourcing.tests.test_opportunity_alerts import ready_to_publish
from councils.models import Role
from councils.tests.factories import PASSWORD, OutcomeFactory, UserFactory
from providers import services as provider_services
from providers.models import Organisation, OrganisationType, Sector

from .browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "harbour-lantern-meadow-42"


def test_an_opportunity_alert_reaches_only_matching_providers(page, mailoutbox, council, other_council, people):
    outcome = OutcomeFactory(priority__plan__council=council, title="Fewer older people lonely")
    officer = people[Role.PROCUREMENT_OFFICER]
    draft = ready_to_publish(council, officer, outcome=outcome, cpv_code="85311000")
    # A provider that wants building work from another council: alerts on, nothing in common.
    builder = UserFactory(email="builder@otherton-builders.example")
    unrelated = Organisation(
        legal_name="Otherton Builders",
        organisation_type=OrganisationType.SOLE_TRADER,
        sector=Sector.PRIVATE,
        registered_address="2 Yard Lane",
        postcode="OT1 1AA",
        opportunity_alerts=True,
    )
    provider_services.organisation_register(
        by=builder, organisation=unrelated, alert_councils=[other_council], cpv_codes=["45000000"]
    )

    page.goto("/providers/register/")
    page.get_by_role("heading", name="Opportunity alerts").wait_for()
    expect(page.get_by_label("Tell us when a council publishes an opportunity")).to_be_checked()
    page.get_by_label("Legal name").fill("Harbour Lights Community Trust")
    page.get_by_role("group", name="Type of organisation").get_by_label("Registered charity", exact=True).check()
    page.get_by_label("Charity number").fill("1187001")
    page.get_by_label("Registered address").fill("1 Quay Street")
    page.get_by_label("Postcode").fill("la1 1aa")
    page.get_by_role("group", name="Sector").get_by_label("Voluntary, community and faith").check()
    page.get_by_role("group", name="Annual income").get_by_label("£10,000 to £100,000").check()
    page.get_by_label(f"Fewer older people lonely ({council.name})").check()
    page.get_by_label("More precise kinds of work").fill("99")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@harbour-lights.example")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Register organisation").click()
    # A code that is not a CPV group is refused, clearly, and what was chosen is kept.
    expect(page.locator(".govuk-error-summary")).to_contain_text("99 is not a CPV group", use_inner_text=True)
    assert_accessible(page)
    expect(page.get_by_label(f"Fewer older people lonely ({council.name})")).to_be_checked()
    page.get_by_label("More precise kinds of work").fill("")
    page.get_by_label("Health and social work services (85)").check()
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Register organisation").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(re.search(r"https?://\S+/providers/verify/\S+", mailoutbox[-1].body).group(0))
    page.get_by_text("Your email address is confirmed").wait_for()

    # The officer publishes the opportunity (its page's button is covered by the opportunity journeys).
    opportunity_services.opportunity_transition(by=officer, opportunity=draft, name="publish")

    page.goto("/councils/notifications/")
    alert = page.locator(".app-notifications li").filter(has_text=draft.reference)
    expect(alert).to_contain_text(f"New opportunity: {draft.reference}", use_inner_text=True)
    expect(alert).to_contain_text(
        "matches your interest in: the outcome ‘Fewer older people lonely’; "
        "CPV 85000000 Health and social work services",
        use_inner_text=True,
    )
    assert_accessible(page)
    alert.get_by_role("link", name=f"New opportunity: {draft.reference}").click()
    page.get_by_role("heading", name=draft.title).wait_for()

    end_session(page)
    sign_in(page, builder.email, PASSWORD)
    page.goto("/councils/notifications/")
    page.get_by_text("You have no notifications.").wait_for()
