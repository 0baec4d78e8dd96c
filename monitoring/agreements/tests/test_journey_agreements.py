"""An officer drafts the in-house agreement for a commission putting agreements in place, the legal
officer records the signed copy, the officer puts it live and the commission moves to delivery; the
agreement then appears on the public contract and grant register. Every page passes axe-core."""

import pytest
from playwright.sync_api import expect

from councils.models import Membership, Role
from demo.councils import DEMO_PASSWORD
from demo.providers import tiny_pdf
from tests.browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_in_house_agreement_from_draft_to_live_and_on_the_register(demo_data, page):
    sign_in(page, "officer@kirkby-moor.example", DEMO_PASSWORD)
    page.goto("/commissioning/kirkby-moor/?q=Leisure")
    page.get_by_role("link", name="Leisure centre management").click()
    page.get_by_role("link", name="Draft an agreement").click()
    page.wait_for_url("**/agreements/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # no provider and no team: the error summary
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Or the council's internal team").fill("Kirkby Moor Leisure Services")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Leisure centre management", level=1).wait_for()
    expect(page.locator("body")).to_contain_text("Kirkby Moor Leisure Services (in-house team)")
    assert_accessible(page)
    page.get_by_role("link", name="Targets per period").first.click()
    page.wait_for_url("**/targets/")
    assert_accessible(page)
    page.go_back()
    agreement_url = page.url
    end_session(page)

    sign_in(page, "legal@kirkby-moor.example", DEMO_PASSWORD)
    page.goto(agreement_url)
    page.get_by_role("link", name="Record the signed agreement").click()
    page.get_by_label("Signed agreement").set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Signed")}
    )
    assert_accessible(page)
    page.get_by_role("button", name="Record the signed agreement").click()
    page.get_by_text("is signed").wait_for()
    end_session(page)

    sign_in(page, "officer@kirkby-moor.example", DEMO_PASSWORD)
    page.goto(agreement_url)
    page.get_by_role("link", name="Delivery has started: mark as live").click()
    go_live = page.get_by_role("button", name="Delivery has started: mark as live")
    expect(go_live).to_be_visible()
    assert_accessible(page)
    go_live.click()
    page.get_by_text("the commission is now delivering").wait_for()
    page.get_by_role("link", name="Vary the value").click()
    page.get_by_label("New value").fill("£460,000")
    # £460,000 is above the key-decision threshold: the portfolio holder approves.
    holder = Membership.objects.get(council__slug="kirkby-moor", role=Role.PORTFOLIO_HOLDER).user
    page.get_by_label("Approved by").select_option(label=str(holder))
    page.get_by_label("Reason").fill("Longer opening hours over the summer.")
    page.get_by_role("button", name="Vary the value").click()
    page.get_by_text("Value: £450,000 → £460,000").first.wait_for()
    assert_accessible(page)
    end_session(page)

    page.goto("/monitoring/register/")
    expect(page.locator("body")).to_contain_text("Kirkby Moor Leisure Services (in-house team)")
    assert_accessible(page)
