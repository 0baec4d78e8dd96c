"""Dashboards in the browser, on the demo data: each role signs in and lands on its dashboard (the
README's screenshots are taken here), a portfolio holder approves a key decision from theirs, and a
scrutiny member flags a commission and exports a meeting pack as a PDF. (The demo data is seeded
once per test process and put back for each test: see `demo.tests.snapshot`.)"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from commissioning.models import Award, AwardState, Commission
from councils.models import AuditEvent
from demo.councils import DEMO_PASSWORD
from monitoring.dashboards.tests.test_dashboards_meeting_pack import pdf_text
from monitoring.models import AgendaFlag

from .browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The README's screenshots are refreshed on request (`make screenshots`); an ordinary run writes its
# own copies to a temporary directory, so the tree does not change on every test run.
README_SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
# (screenshot name, who signs in, the dashboard's heading)
DASHBOARDS = [
    ("lead", "lead@kirkby-moor.example", "Council pipeline"),
    ("officer", "officer@kirkby-moor.example", "My work"),
    ("portfolio-holder", "cabinet@kirkby-moor.example", "My portfolios"),
    ("scrutiny", "scrutiny@wyvern.example", "Scrutiny and assurance"),
    ("provider", "admin@kirkby-moor-age-concern.example", "Your organisation's dashboard"),
]
# Wyvern's scrutiny dashboard has one chart, of accepted monitoring returns' ratings. Its demo agreement
# started six months ago and its returns fall due on the 15th: up to the 15th of the month the demo has
# filed one return, not yet accepted, and the chart's place says there is nothing to draw.
NO_RATINGS_YET = "No monitoring returns have been rated in the last six quarters."


@pytest.fixture
def demo(demo_data, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def test_each_role_lands_on_their_dashboard_and_a_portfolio_holder_approves_a_key_decision(demo, tmp_path):
    page = demo
    screenshots = README_SCREENSHOTS if os.environ.get("COMMISSIONER_SCREENSHOTS") else tmp_path
    screenshots.mkdir(parents=True, exist_ok=True)
    for name, email, heading in DASHBOARDS:
        sign_in(page, email, DEMO_PASSWORD)
        page.get_by_role("heading", name=heading, level=1).wait_for()
        expect(page, f"{email} lands on their dashboard").to_have_url(re.compile(r"/dashboard/$"))
        charts = page.locator("svg[role=img]")
        if name == "scrutiny":
            expect(charts.or_(page.get_by_text(NO_RATINGS_YET)).first).to_be_visible()
        elif name != "provider":
            expect(charts.first).to_be_visible()
        assert_accessible(page)
        page.screenshot(path=str(screenshots / f"dashboard-{name}.png"), full_page=True)
        assert (screenshots / f"dashboard-{name}.png").stat().st_size > 10_000, f"{name}: blank screenshot"
        end_session(page)

    # The portfolio holder takes the key decision waiting for them, from their dashboard.
    award = Award.objects.get(
        state=AwardState.AWAITING_DECISION, is_key_decision=True, commission__council__slug="kirkby-moor"
    )
    sign_in(page, "cabinet@kirkby-moor.example", DEMO_PASSWORD)
    page.get_by_role("heading", name="Key decisions awaiting you").wait_for()
    page.get_by_role("link", name=f"Approve or refer back the award of {award.opportunity.reference}").click()
    page.get_by_role("heading", name="Record the decision").wait_for()
    page.get_by_label("Portfolio holder decision").check()
    page.get_by_label("Decision reference").fill("PH/KMC/2026/017")
    page.get_by_label("Link to the published decision or minutes").fill(
        "https://democracy.kirkby-moor.example/decisions/ph-2026-017"
    )
    page.get_by_label("Reason or comment").fill("Agreed: the evaluation was thorough and the price is within budget.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve the award").click()
    page.get_by_text("Approve the award: done.").wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED
    assert award.decided_by.email == "cabinet@kirkby-moor.example"
    assert award.in_call_in_period()
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("heading", name="My portfolios", level=1).wait_for()
    # The award is decided; the demo's one commission key decision in their portfolios still waits.
    decided = page.get_by_role("link", name=f"Approve or refer back the award of {award.opportunity.reference}")
    expect(decided).to_have_count(0)
    page.get_by_role("link", name=re.compile("Independent advice services")).first.wait_for()


def test_a_scrutiny_member_flags_a_commission_and_exports_a_meeting_pack(demo):
    page = demo
    # The demo's committee has already flagged the service in delivery (demo/publication.py).
    befriending = Commission.objects.get(council__slug="kirkby-moor", title="Befriending for older people living alone")
    arts = Commission.objects.get(council__slug="kirkby-moor", title="Community arts commissioning round")
    advice = Commission.objects.get(council__slug="kirkby-moor", title="Independent advice services")
    assert AgendaFlag.objects.filter(commission=befriending, resolved_at__isnull=True).exists()
    sign_in(page, "scrutiny@kirkby-moor.example", DEMO_PASSWORD)
    page.get_by_role("heading", name="Scrutiny and assurance", level=1).wait_for()

    # Flag one commission for the committee's agenda from its page.
    page.goto(arts.get_absolute_url())
    page.get_by_role("link", name="Flag for the committee's agenda").click()
    page.get_by_label("Why should the committee look at this commission?").fill(
        "Fewer groups applied this round than last: ask officers why."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Flag for the committee's agenda").click()
    page.get_by_text("The commission is flagged for the scrutiny committee's agenda.").wait_for()
    assert AgendaFlag.objects.filter(commission=arts, resolved_at__isnull=True).exists()

    # The pack: everything flagged, and one more commission.
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("link", name="Make a meeting pack").first.click()
    page.get_by_label("Every commission flagged for the scrutiny committee's agenda").check()
    page.get_by_label(re.compile(re.escape(f"{advice.reference} {advice.title}"))).check()
    page.get_by_label("Meeting (optional)").fill("Overview and Scrutiny Committee, 8 December 2026")
    assert_accessible(page)
    page.get_by_role("button", name="Make the meeting pack").click()
    page.get_by_role("heading", name="Meeting pack: Overview and Scrutiny Committee, 8 December 2026").wait_for()
    page.get_by_role("heading", name=f"{befriending.reference} {befriending.title}").wait_for()
    page.get_by_role("heading", name=f"{arts.reference} {arts.title}").wait_for()
    page.get_by_role("heading", name=f"{advice.reference} {advice.title}").wait_for()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack as a PDF").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert befriending.reference in text
    assert arts.reference in text
    assert advice.reference in text
    assert AuditEvent.objects.filter(event_type="meeting_pack.exported").count() == 1
