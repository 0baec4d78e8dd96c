"""In the browser: a commissioning officer records a draft agreement's payment terms (a unit price with
payment by results, a break clause and TUPE), is told clearly that a notice period cannot be longer than
the agreement, fixes it, and sees the terms on the agreement page. Every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from councils.models import Role
from councils.tests.factories import PASSWORD
from monitoring.tests.factories import draft_agreement
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_unit_price_and_results_mix_with_a_break_clause_and_tupe(page, council, people):
    agreement = draft_agreement(council, title="Supported employment")
    sign_in(page, people[Role.COMMISSIONING_OFFICER].email, PASSWORD)
    page.goto(agreement.get_absolute_url())
    page.get_by_role("link", name="Record or view the payment terms").click()
    page.get_by_role("heading", name="Payment terms and clauses", level=1).wait_for()
    page.get_by_role("link", name="Record the payment terms").click()
    page.get_by_role("heading", name="Record the payment terms", level=1).wait_for()
    assert_accessible(page)

    page.get_by_role("checkbox", name="Per unit delivered, at a unit price").check()
    page.get_by_role("checkbox", name="Payment by results").check()
    page.get_by_label("Unit paid for (per unit only)").fill("hour of support")
    page.get_by_label("Price per unit (per unit only)").fill("£24.50")
    page.get_by_label("Result paid for (payment by results only)").fill("A person in work for 13 weeks")
    page.get_by_label("Price per result (payment by results only)").fill("1,500")
    page.get_by_label("Evidence required (payment by results only)").fill("Payslips or an employer's letter")
    page.get_by_role("group", name="Is there a break clause?").get_by_label("Yes").check()
    page.get_by_label("Break clause notice period (days)").fill("400")
    page.get_by_role("group", name="Does TUPE apply?").get_by_label("Yes").check()
    page.get_by_label("TUPE note (optional)").fill("Six support workers transfer from the outgoing provider.")
    page.get_by_role("button", name="Save").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    expect(summary).to_contain_text("notice period must not be longer than the agreement: it runs 365 days")
    assert_accessible(page)
    page.get_by_label("Break clause notice period (days)").fill("90")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Payment terms and clauses saved.").wait_for()

    page.goto(agreement.get_absolute_url())
    section = page.locator("section", has=page.get_by_role("heading", name="Payment terms and clauses"))
    expect(section).to_contain_text("Per unit: £24.50 per hour of support")
    expect(section).to_contain_text("Payment by results")
    expect(section).to_contain_text("Yes, on 90 days' notice")
    expect(section).to_contain_text("TUPE applies")
    expect(section).to_contain_text("A person in work for 13 weeks")
    assert_accessible(page)
