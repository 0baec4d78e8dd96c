"""The prioritised programme in a browser: the lead commissioner finds the approved programme from the
menu, reads its criteria, reopens it for a change and sends it back to cabinet; the portfolio holder
records cabinet's new decision. Every page passes axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.programme.selectors import financial_year_of, year_label
from demo.councils import DEMO_PASSWORD

from .browser import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_programme_is_reopened_rescored_and_approved_again(demo_data, page):
    this_year = year_label(financial_year_of(timezone.localdate()))
    sign_in(page, "lead@kirkby-moor.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Programme", exact=True).first.click()
    page.get_by_role("heading", name="Prioritised programme").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Set the criteria and their weights").click()
    page.get_by_role("cell", name="Prevention").first.wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the programmes").click()

    page.get_by_role("link", name=this_year, exact=True).click()
    expect(page.locator(".govuk-tag")).to_have_text("Approved by cabinet")
    assert_accessible(page)
    page.get_by_role("link", name="Change the approved programme").click()
    page.get_by_label("Reason").fill("A partner has offered match funding for one of the commissions.")
    page.get_by_role("button", name="Change the approved programme").click()
    expect(page.locator(".govuk-tag")).to_have_text("Being prepared")

    page.locator("[data-ranking] a", has_text="Score").first.click()
    page.get_by_role("heading", name="Score").wait_for()
    assert_accessible(page)
    page.locator("input[type=radio][value='5']").first.check()
    page.get_by_role("button", name="Save the scores").click()
    page.get_by_role("link", name="Send the programme to cabinet").click()
    page.get_by_role("button", name="Send the programme to cabinet").click()
    expect(page.locator(".govuk-tag")).to_have_text("Awaiting cabinet approval")
    sign_out(page)

    sign_in(page, "cabinet@kirkby-moor.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Programme", exact=True).first.click()
    page.get_by_role("link", name=this_year, exact=True).click()
    page.get_by_role("link", name="Approve the programme").click()
    assert_accessible(page)
    page.get_by_label("Cabinet decision").check()
    page.get_by_label("Decision reference").fill("CAB/2026/077")
    page.get_by_label("Link to the published decision or minutes").fill("https://example.org/cabinet/77")
    page.get_by_role("button", name="Approve the programme").click()
    expect(page.locator(".govuk-tag")).to_have_text("Approved by cabinet")
    expect(page.locator("#decision")).to_contain_text("CAB/2026/077")
