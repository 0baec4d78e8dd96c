"""A lead commissioner signs in to their dashboard, typing into the sign-in and code pages, sees the
council's outcomes, and signs out."""

import pytest
from playwright.sync_api import expect

from demo.councils import DEMO_PASSWORD

from .browser import assert_accessible, sign_in_by_hand, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_commissioner_sees_the_councils_outcomes_and_signs_out(demo_data, page):
    page.goto("/")
    assert_accessible(page)
    sign_in_by_hand(page, "lead@kirkby-moor.example", DEMO_PASSWORD)

    page.wait_for_url("**/council/kirkby-moor/dashboard/")
    expect(page.locator(".app-header__name")).to_have_text("Kirkby Moor City Council")
    page.get_by_role("link", name="Priorities and outcomes").first.click()

    page.get_by_role("heading", name="Health and Well Being").wait_for()
    page.get_by_role("cell", name="Fewer older people isolated and lonely", exact=True).wait_for()
    # GOV.UK Frontend marks the body once its JavaScript has started.
    page.locator("body.govuk-frontend-supported").wait_for(state="attached")
    assert_accessible(page)

    sign_out(page)
    assert "Commissioner" in page.title()
