"""The procurement record in the browser: a scrutiny member finds it from the commission page, reads
it without sideways scrolling on a 320px-wide screen, and it passes the accessibility checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commissioning.procurement_record.tests.worlds import driven_procurement
from councils.models import Role
from councils.tests.factories import PASSWORD
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scrutiny_member_reads_the_record_on_a_small_screen(page, council, people):
    driven = driven_procurement(council)
    sign_in(page, people[Role.SCRUTINY_MEMBER].email, PASSWORD)
    page.goto(driven.commission.get_absolute_url())
    page.get_by_role("link", name="The procurement record: decisions and communications with suppliers").click()
    expect(page.get_by_role("heading", name="Procurement record", level=1)).to_be_visible()
    signed = page.locator("[data-what]", has_text="Contract entered into: the agreement was signed with Moorside")
    expect(signed).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
