"""A provider's failure in a browser, by clicking: a commissioning officer flags the provider as
failed; the lead commissioner, told, opens the intervention, adds an action and chooses the alternative
provision, terminates the agreement for the provider's failure and, taken straight to the commission's
next step, recommissions: the commission starts its next cycle. Every new kind of page passes axe-core.

The world is small and built through the real services and factories (not the demo data)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from councils.models import Role
from councils.tests.factories import PASSWORD, PortfolioFactory
from monitoring.models import Intervention
from monitoring.tests.factories import agreeing_commission, live_agreement
from providers.tests.factories import OrganisationFactory

from .browser import assert_accessible
from .journeys import Journey, open_notification, pass_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_provider_leads_to_an_intervention_and_a_recommission(page, council, people):
    officer, lead, holder = (
        people[Role.COMMISSIONING_OFFICER],
        people[Role.LEAD_COMMISSIONER],
        people[Role.PORTFOLIO_HOLDER],
    )
    portfolio = PortfolioFactory(council=council, holder=holder, name="Adults and health")
    provider = OrganisationFactory(legal_name="Sunrise Meals Ltd")
    commission = agreeing_commission(council, title="Meals at home", portfolio=portfolio)
    agreement = live_agreement(council, commission=commission, provider=provider, title="Meals at home")
    today = timezone.localdate().strftime("%d/%m/%Y")
    journey = Journey("provider failure")

    # A commissioning officer flags the provider as failed, from the agreements list.
    pass_to(page, officer.email, PASSWORD)
    page.goto(f"/monitoring/council/{council.slug}/agreements/")
    page.get_by_role("link", name="Provider risk and continuity").click()
    page.get_by_role("link", name="Flag a provider").click()
    page.get_by_label("Provider").select_option(label="Sunrise Meals Ltd")
    page.get_by_label("Failed").check()
    page.get_by_label("Reason").fill("Administrators were appointed this morning; staff are unpaid.")
    assert_accessible(page)
    page.get_by_role("button", name="Flag").click()
    page.get_by_role("heading", name="Intervention", level=1).wait_for()
    intervention_path = f"/monitoring/council/{council.slug}/interventions/{Intervention.objects.get().pk}/"
    journey.told(holder.email, intervention_path)  # the commission is in their portfolio
    journey.not_told(officer.email)

    # The lead commissioner, told, opens the intervention and plans it.
    pass_to(page, lead.email, PASSWORD)
    page.goto(f"/monitoring/council/{council.slug}/dashboard/?view=lead")
    expect(page.locator("section[aria-labelledby=provider-risk]")).to_contain_text("Sunrise Meals Ltd")
    open_notification(page, journey.told(lead.email, intervention_path))
    expect(page.get_by_text("Administrators were appointed this morning").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What is to be done").fill("Phone every person on the meals round")
    page.get_by_label("Owner").select_option(label=str(officer))
    page.get_by_label("Due date").fill(today)
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("table")).to_contain_text("Phone every person on the meals round")
    page.get_by_role("link", name="Choose the alternative provision").click()
    page.get_by_label("Step-in by another provider").check()
    page.get_by_label("Details").fill("Moorside Kitchens deliver from tomorrow under an emergency arrangement.")
    page.get_by_role("button", name="Record the alternative provision").click()
    expect(page.get_by_text("Moorside Kitchens deliver from tomorrow").first).to_be_visible()

    # The lead terminates the agreement for the provider's failure and recommissions.
    page.get_by_role("link", name=re.compile(f"^{agreement.reference}")).click()
    page.get_by_role("heading", name="Meals at home", level=1).wait_for()
    expect(page.locator("#continuity")).to_be_visible()
    page.get_by_role("link", name="Terminate early").first.click()
    page.get_by_label("Date the agreement ends").fill(today)
    page.get_by_label(re.compile("The provider failed: it is insolvent")).check()
    page.get_by_label("Reason", exact=True).fill("The provider is in administration and has stopped delivering.")
    page.get_by_role("button", name="Terminate early").click()
    page.get_by_role("heading", name="After the failure: the commission's next step", level=1).wait_for()
    assert_accessible(page)
    page.get_by_label(re.compile("Recommission it: review the commission")).check()
    page.get_by_label("Why (for a recommission)").fill("Three other providers run meals rounds nearby.")
    page.get_by_role("button", name="Take the next step").click()
    page.wait_for_url(f"**{commission.get_absolute_url()}")
    expect(page.get_by_text(f"Commission {commission.reference} starts cycle 2").first).to_be_visible()
    commission.refresh_from_db()
    assert (commission.state, commission.cycle) == ("understanding", 2)
    journey.print()
