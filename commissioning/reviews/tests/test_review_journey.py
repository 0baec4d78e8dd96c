"""A review in the browser: the lead commissioner opens a review of a service on the provision map,
adds evidence, starts it and concludes "recommission", and lands on the commission it started."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from commissioning.models import Review
from commissioning.tests.review_factories import provision
from councils.models import Role
from councils.tests.factories import PASSWORD
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_review_concludes_in_a_recommission(page, council, people):
    provision(council, service_name="Dial-a-ride", provider_name="Moorside Community Transport")
    sign_in(page, people[Role.LEAD_COMMISSIONER].email, PASSWORD)
    page.goto(f"/commissioning/{council.slug}/")
    page.get_by_role("link", name="Reviews of existing services").click()
    page.get_by_role("link", name="Open a review").click()
    page.get_by_label("Title").fill("Community transport")
    page.get_by_label("Scope").fill("Dial-a-ride and the voluntary car schemes.")
    page.get_by_label("Start date").fill("01/04/2026")
    page.get_by_label("Planned conclusion date").fill("30/09/2026")
    page.get_by_label(re.compile("Dial-a-ride, run by Moorside Community Transport")).check()
    page.get_by_role("button", name="Open the review").click()

    expect(page.get_by_role("heading", name="Community transport", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add evidence").first.click()
    page.get_by_label("Title").fill("Passenger survey")
    page.get_by_label("Note (optional if you add a document)").fill(
        "Journeys fell by a third; the rural wards are not served."
    )
    page.get_by_role("button", name="Add the evidence").click()
    page.locator("[data-step-link=start]").click()
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_text("Under way").first).to_be_visible()

    page.locator("[data-step-link=conclude]").click()
    page.get_by_label("What the review found").fill("The schemes no longer reach the rural wards.")
    page.get_by_label("Recommission", exact=True).check()
    page.get_by_label("Reasons for the conclusion").fill("A district-wide service with online booking is needed.")
    assert_accessible(page)
    page.get_by_role("button", name="Record the conclusion").click()

    review = Review.objects.get(title="Community transport")
    page.wait_for_url(f"**{review.commission.get_absolute_url()}")
    expect(page.locator("[data-from-review]")).to_contain_text(review.reference)
    expect(page.get_by_text("Dial-a-ride").first).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(review.get_absolute_url())
    expect(page.locator("[data-recommission]")).to_contain_text(review.commission.reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
