"""In the browser: an officer drafts and publishes an opportunity, the public finds it, a provider
follows it and asks a question, the officer publishes the answer, and after the deadline the bids are
opened. Every page is checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.models import DeliveryRoute, Opportunity, OpportunityState, State
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests import bid_factories
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from councils.tests.factories import PASSWORD
from demo import opportunities as opportunity_demo
from tests.browser import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_opportunity_from_draft_to_opening(page, council, people):  # noqa: F811
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.GRANT, budget=Decimal(60000))
    officer = people[Role.COMMISSIONING_OFFICER]
    # The plan scores all but its first criterion on the whole bid, so the one question the journey
    # adds, marked against the first, is all the publish gate needs.
    commission.criteria.exclude(pk=commission.criteria.first().pk).update(scored_on_whole_bid=True)

    sign_in(page, officer.email, PASSWORD)
    page.goto(commission.get_absolute_url())
    page.get_by_role("link", name="Create the opportunity").click()
    expect(page.get_by_role("button", name="Create the draft opportunity")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Create the draft opportunity").click()
    page.get_by_text("Before you can publish").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Add a question").click()
    page.locator("input[name=criterion]").first.check()
    page.get_by_label("Question", exact=True).fill("How will you reach young people in the rural wards?")
    page.get_by_label("Word limit").fill("")
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Word limit").fill("500")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Change the key dates").click()
    page.get_by_label("Deadline for bids: time").fill("half past five")
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Deadline for bids: time").fill("5:30pm")
    page.get_by_role("button", name="Save").click()

    # The conflicts assessment (Procurement Act 2023, s.83) comes before the tender notice.
    expect(page.locator("[data-step=publish]")).to_contain_text("Prepare the conflicts assessment")
    page.get_by_role("link", name="Prepare the conflicts assessment").click()
    page.get_by_role("button", name="Save the conflicts assessment").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    for choice in page.get_by_label("No conflict", exact=True).all():
        choice.check()
    page.get_by_role("button", name="Save the conflicts assessment").click()
    page.get_by_text("Revision 1 of the conflicts assessment is saved").wait_for()

    page.get_by_role("link", name="Publish").click()
    expect(page.get_by_role("button", name="Publish")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Open for bids").first.wait_for()
    opportunity = Opportunity.objects.get(commission=commission)
    assert opportunity.state == OpportunityState.PUBLISHED
    sign_out(page)

    page.goto("/opportunities/")
    assert_accessible(page)
    page.get_by_role("link", name=opportunity.title).click()
    page.get_by_text("5:30pm").first.wait_for()
    assert_accessible(page)

    sign_in(page, "admin@moorside.example", PASSWORD)
    page.goto(opportunity.get_absolute_url())
    page.get_by_role("button", name="Register interest").click()
    page.get_by_role("button", name="Stop following").wait_for()
    page.get_by_role("link", name="Ask a clarification question").click()
    expect(page.get_by_label("Your question")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your question").fill("We are Moorside Youth Trust. Can we bid with a partner?")
    page.get_by_role("button", name="Send your question").click()
    page.get_by_role("heading", name="Your questions").wait_for()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/commissioning/{council.slug}/opportunities/{opportunity.pk}/clarifications/")
    assert_accessible(page)
    page.get_by_role("link", name="Answer").click()
    expect(page.get_by_role("button", name="Send the answer")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Publish it").check()
    page.get_by_label("The question as it will be published").fill("Can a bid include a partner?")
    page.get_by_label("Answer", exact=True).fill("Yes: name the partner and what it will deliver.")
    page.get_by_role("button", name="Send the answer").click()
    page.get_by_text("The clarification is published").wait_for()
    sign_out(page)

    now = timezone.now()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        clarification_deadline=now - datetime.timedelta(days=2), submission_deadline=now - datetime.timedelta(hours=1)
    )
    sign_in(page, people[Role.LEAD_COMMISSIONER].email, PASSWORD)
    page.goto(f"/commissioning/{council.slug}/opportunities/{opportunity.pk}/opening/")
    assert_accessible(page)
    page.get_by_label("I confirm that I do not act for").check()
    page.get_by_role("button", name="Confirm the opening").click()
    page.get_by_text("The bids are open").wait_for()
    assert_accessible(page)
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.OPENED


def test_the_lead_commissioner_takes_a_commission_off_the_market(page, council, people, mailoutbox):  # noqa: F811
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.GRANT, budget=Decimal(60000))
    opportunity = opportunity_demo.opportunity_for(commission, officer=people[Role.COMMISSIONING_OFFICER])
    follower = people["provider_admin"]
    opportunity_services.interest_register(
        by=follower, opportunity=opportunity, organisation=bid_factories.organisation_of(follower)
    )

    sign_in(page, people[Role.LEAD_COMMISSIONER].email, PASSWORD)
    page.goto(commission.get_absolute_url())
    page.get_by_role("link", name="Withdraw from the market and redesign").click()
    page.get_by_text(f"This also cancels {opportunity.reference} (open for bids)").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw from the market and redesign").click()
    page.get_by_text("Give a reason: it is kept in the audit trail.").first.wait_for()  # nothing lost, nothing done
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.PUBLISHED
    page.get_by_label("Reason").fill("Providers told us the lots are unworkable: redesign with them")
    page.get_by_role("button", name="Withdraw from the market and redesign").click()
    page.get_by_text("the commission is now ‘Options and specification’").wait_for()
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.CANCELLED
    assert [m.to for m in mailoutbox] == [[follower.email]]
    sign_out(page)

    page.goto(opportunity.get_absolute_url())
    page.get_by_text("The council has cancelled this opportunity").wait_for()
    assert_accessible(page)
