"""An officer creates a commission, completes Understand and Plan through the forms, the lead
commissioner approves it, and the audit trail shows every step."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.councils import DEMO_PASSWORD

from .browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_link(page, name):
    page.get_by_role("link", name=name, exact=True).first.click()


def save(page):
    page.get_by_role("button", name="Save").click()


def test_officer_takes_a_commission_through_understand_and_plan_to_approval(demo_data, page):
    today = timezone.localdate()

    sign_in(page, "officer@kirkby-moor.example", DEMO_PASSWORD)
    page.goto("/commissioning/kirkby-moor/")
    click_link(page, "Start a commission")
    page.get_by_label("Title").fill("Warm spaces this winter")
    page.get_by_label("Fewer older people isolated and lonely").check()
    page.get_by_role("button", name="Start commission").click()

    page.get_by_role("heading", name="Warm spaces this winter").wait_for()
    expect(page.locator("[aria-current=step]")).to_have_text(re.compile(r"^Understand"), use_inner_text=True)
    missing = page.locator("[data-step=start_planning]")
    expect(missing).to_contain_text("Record the needs assessment", use_inner_text=True)
    assert_accessible(page)

    # Understand
    click_link(page, "Add the needs assessment")
    page.get_by_label("Population and demand").fill("1,900 people over 75 live alone; fuel poverty is rising.")
    page.get_by_label("Summary of need").fill("Older people need warm, welcoming places to spend winter days.")
    save(page)
    click_link(page, "Add evidence")
    page.get_by_label("Population or demand data").check()
    page.get_by_label("Title").fill("Fuel poverty statistics 2025")
    page.get_by_label("Source").fill("DESNZ")
    save(page)
    click_link(page, "Add the gap analysis")
    page.get_by_label("Gaps").fill("No warm spaces open at weekends in the rural wards.")
    save(page)
    click_link(page, "Move to Plan")
    page.get_by_role("button", name="Move to Plan").click()
    page.get_by_text("the commission is now ‘Options and specification’").wait_for()

    # Plan: options appraisal
    for route, description in (("Grant", "Small grants to community venues"), ("Do nothing", "Rely on libraries")):
        click_link(page, "Add a delivery option")
        page.get_by_role("group", name="Delivery route").get_by_label(route, exact=True).check()
        page.get_by_label("Description").fill(description)
        for score in ("Cost score", "Risk score", "Outcomes score", "Social value score"):
            page.get_by_role("group", name=score).get_by_label("4", exact=True).check()
        save(page)

    # Plan: route, budget, dates, portfolio
    click_link(page, "Change the commission's details, route, budget and dates")
    page.get_by_role("group", name="Chosen delivery route").get_by_label("Grant", exact=True).check()
    page.get_by_label("Budget (optional)").fill("£50,000")
    page.get_by_label("Start date (optional)").fill(f"01/04/{today.year + 1}")
    page.get_by_label("End date (optional)").fill(f"31/03/{today.year + 2}")
    page.get_by_label("Cabinet portfolio").select_option(label="Health and Wellbeing")
    save(page)

    click_link(page, "Add funding from a pot")
    page.get_by_label("Funding pot").select_option(label="Community commissioning budget")
    page.get_by_label("Amount").fill("50000")
    save(page)

    click_link(page, "Add an outcome sought")
    page.get_by_label("Council outcome it contributes to").select_option(label="Fewer older people isolated and lonely")
    page.get_by_label("Outcome sought", exact=True).fill("Older people spend winter days somewhere warm and sociable")
    save(page)
    page.get_by_role("link", name=re.compile(r"^Add a success measure for outcome sought 1")).click()
    page.get_by_label("Description").fill("Warm space sessions held")
    page.get_by_label("Target").fill("40")
    page.get_by_label("Unit").fill("sessions")
    save(page)
    page.get_by_role("button", name="Use the core criteria template").click()
    page.get_by_text("The core evaluation criteria have been added.").wait_for()

    missing = page.locator("[data-step=submit_for_approval]")
    expect(missing, str(page.locator(".app-missing").all_inner_texts())).to_have_count(0)
    assert_accessible(page)
    click_link(page, "Submit for approval")
    page.get_by_role("button", name="Submit for approval").click()
    page.get_by_text("the commission is now ‘Awaiting approval’").wait_for()
    commission_url = page.url
    end_session(page)

    # The lead commissioner decides (below the key-decision threshold).
    sign_in(page, "lead@kirkby-moor.example", DEMO_PASSWORD)
    page.goto(commission_url)
    click_link(page, "Approve")
    page.get_by_label("Reason or comment").wait_for()
    expect(page.locator("body")).to_contain_text("delegated officer decision")
    page.get_by_label("Reason or comment").fill("Clear need, sensible plan, funded.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("the commission is now ‘Sourcing providers’").wait_for()
    expect(page.locator("[aria-current=step]")).to_have_text(re.compile(r"^Do"), use_inner_text=True)

    click_link(page, "See the full audit trail")
    page.get_by_role("heading", name="Audit trail", level=1).wait_for()
    trail = page.locator("table").inner_text()
    for step in ("Move to Plan", "Submit for approval", "Approve", "Helen Ashworth", "Omar Siddiqui"):
        assert step in trail
    assert re.search(r"Awaiting approval\s+Sourcing providers\s+Clear need", trail)
