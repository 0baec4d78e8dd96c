"""An above-threshold contract from its tender notice to its contract details notice, in the browser.

The procurement officer (signing in with a code from their app: the council requires two-factor sign-in)
finds the tender notice (UK4) due on the council's notices page the day the opportunity is advertised,
marks it ready, records it as published on Find a Tender and downloads its release package. After the
award, the contract award notice (UK6) waits for the assessment summaries; the commissioning officer
prepares them, reads one as its bidder will, and sends them; the procurement officer then publishes the
UK6, and the award page gives the day the standstill ends. The agreement cannot be signed until that
day has passed; the day after, it is signed, and the procurement officer publishes the contract details
notice (UK7), which names the supplier by the PPON it has given. Delivery starts on the contract's first day.

What is not about notices is set up through the services: the regime confirmed above the threshold
(open procedure) before the opportunity is advertised, the bids, the signed-off evaluation and the
officer's decision to award (under the council's £500,000 key-decision threshold: no call-in). The clock
is moved (`time_machine`) to the days the journey needs; the live server runs in this process, so it
moves with it.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import formats, timezone
from playwright.sync_api import expect

from commissioning.award.selectors import day
from commissioning.cycle import regime as regimes
from commissioning.models import Award, Commission, DeliveryRoute, Procedure, Regime, State
from commissioning.tests.award_factories import approved_award, signed_off_evaluation
from commissioning.tests.evaluation_factories import bidder, published_with_bids
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from councils.tests.factories import PASSWORD
from demo.providers import tiny_pdf
from monitoring.agreements import steps
from monitoring.models import Agreement, AgreementState, Notice, NoticeState, NoticeType
from monitoring.notices import ocds
from providers import services as provider_services
from tests.accounts import enrol
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def london(on: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour)))


def as_user(page, user) -> None:
    page.context.clear_cookies()
    sign_in(page, user.email, PASSWORD)


def open_notice(page, council, label: str, title: str, due_on: datetime.date) -> None:
    """From the council's notices page, the notice of that type and title, a draft due on `due_on`."""
    page.goto(reverse("monitoring:notice_list", args=[council.slug]))
    row = page.get_by_role("row").filter(has_text=label).filter(has_text=title)
    expect(row).to_contain_text(formats.date_format(due_on))
    expect(row.locator(".govuk-tag")).to_have_text("Draft")
    row.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()


def mark_ready_and_publish(page, identifier: str, published_on: datetime.date, check_page: bool = False) -> None:
    """On a notice's page: mark it ready, then record what Find a Tender shows once it is published."""
    page.get_by_role("link", name="Mark as ready to publish").click()
    page.get_by_role("button", name="Mark as ready to publish").click()
    page.get_by_text("Mark as ready to publish: done. The notice is now ‘ready to publish’.").wait_for()
    if check_page:  # the notice's page with the form for recording the publication
        assert_accessible(page)
    page.get_by_label("Find a Tender notice identifier").fill(identifier)
    page.get_by_label("Day Find a Tender published it").fill(published_on.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record it as published").click()
    page.get_by_text(f"Recorded as published on Find a Tender: {identifier}.").wait_for()
    about = page.locator("section[aria-labelledby=details] .govuk-summary-list__row")
    expect(about.filter(has=page.locator("dt", has_text="State"))).to_contain_text("Published")
    expect(about.filter(has_text="Find a Tender identifier")).to_contain_text(identifier)
    expect(about.filter(has=page.locator("dt", has_text="Published"))).to_contain_text(
        formats.date_format(published_on)
    )


def test_an_above_threshold_contract_from_tender_notice_to_contract_details_notice(page, council, people):
    procurement, officer = people[Role.PROCUREMENT_OFFICER], people[Role.COMMISSIONING_OFFICER]
    council.require_two_factor = True
    council.key_decision_threshold = Decimal("500000")
    council.save(update_fields=["require_two_factor", "key_decision_threshold"])
    for person in (procurement, officer):
        enrol(person)
    notices_url = reverse("monitoring:notice_list", args=[council.slug])
    advertised_on = timezone.localdate()

    # 1. The day the opportunity is advertised, its tender notice is due: the procurement officer marks
    # it ready and records it as published on Find a Tender.
    with time_machine.travel(london(advertised_on), tick=True):
        commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
        regimes.regime_confirm(
            by=procurement, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN
        )
        winner = bidder("Northgate Housing Trust", 280000)
        opportunity = published_with_bids(council, [winner, bidder("Brightwork Care", 265000)], commission=commission)
        tender_title = f"Tender notice: {opportunity.title}"

        as_user(page, procurement)
        page.goto(notices_url)
        page.get_by_role("link", name="due", exact=True).click()
        page.wait_for_url("**/notices/?state=due")
        row = page.get_by_role("row").filter(has_text="UK4 tender notice")
        expect(row).to_contain_text(formats.date_format(advertised_on))
        expect(row.locator(".govuk-tag")).to_have_text("Draft")
        assert_accessible(page)
        row.get_by_role("link", name=tender_title).click()
        page.get_by_role("heading", name=tender_title, level=1).wait_for()
        assert_accessible(page)
        mark_ready_and_publish(page, f"012345-{advertised_on.year}", advertised_on, check_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the notice as an OCDS release package (JSON)").click()
        assert download.value.suggested_filename.endswith(".json")
        package = json.loads(Path(download.value.path()).read_text())
        (release,) = package["releases"]
        assert release["tender"]["documents"][0]["noticeType"] == "UK4"
        assert release["tender"]["aboveThreshold"] is True

    # 2. After the deadline the bids are evaluated and the award approved (services). The contract award
    # notice waits for the assessment summaries, which the commissioning officer prepares, reads and sends.
    awarded_on = timezone.localdate(opportunity.submission_deadline) + datetime.timedelta(days=1)
    award_url = reverse("commissioning:award_detail", kwargs={"council_slug": council.slug, "pk": opportunity.pk})
    with time_machine.travel(london(awarded_on), tick=True):
        world = approved_award(council, world=signed_off_evaluation(council, opportunity=opportunity))
        award_title = f"Contract award notice: {opportunity.title}"

        as_user(page, officer)
        page.goto(award_url)
        expect(page.locator("section[aria-labelledby=standstill] .app-missing")).to_contain_text(
            "Send the assessment summaries to every supplier that submitted an assessed tender"
        )
        page.get_by_role("link", name="Prepare the assessment summaries").click()
        page.get_by_role("button", name="Prepare the assessment summaries").click()
        page.get_by_text("2 assessment summaries prepared").wait_for()
        page.get_by_role("link", name="Check and correct the summary for Brightwork Care").click()
        preview = page.locator("#summary-preview")
        expect(preview).to_contain_text("Brightwork Care")
        expect(preview).to_contain_text("Northgate Housing Trust")  # who won, and why not this bid
        page.goto(award_url)
        page.get_by_role("link", name="Send the assessment summaries").click()
        page.get_by_role("button", name="Send the assessment summaries").click()
        page.get_by_text("2 assessment summaries sent.").wait_for()

        # 3. The procurement officer publishes the contract award notice: the standstill runs from it.
        as_user(page, procurement)
        open_notice(page, council, "UK6 contract award notice", award_title, awarded_on)
        mark_ready_and_publish(page, f"012346-{awarded_on.year}", awarded_on)
        award = Award.objects.get(pk=world.award.pk)
        assert award.award_notice_published_on == awarded_on
        ends = award.standstill_ends_on
        assert ends > awarded_on
        page.goto(award_url)
        expect(page.locator("#standstill-status")).to_contain_text(
            f"The standstill period runs until the end of {day(ends)}: the agreements can be signed from "
            f"{day(ends + datetime.timedelta(days=1))}."
        )

        # 4. Until the standstill has ended the agreement cannot be signed.
        agreement = Agreement.objects.get(commission=commission)
        as_user(page, officer)
        page.goto(agreement.get_absolute_url())
        expect(page.locator("[data-step=sign]")).to_contain_text(
            f"The standstill period runs until the end of {day(ends)}"
        )
        expect(page.get_by_role("link", name="Record the signed agreement")).to_have_count(0)

    # The day after the standstill, the agreement is signed. The winner has given its PPON, which the
    # contract details notice identifies it by.
    signed_on = ends + datetime.timedelta(days=1)
    with time_machine.travel(london(signed_on), tick=True):
        organisation = winner.organisation
        organisation.ppon = "pabc 1234 wxyz"
        provider_services.organisation_update(by=winner.user, organisation=organisation)

        as_user(page, officer)
        page.goto(agreement.get_absolute_url())
        page.get_by_role("link", name="Record the signed agreement").click()
        page.get_by_label("Signed agreement").set_input_files(
            {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Signed")}
        )
        page.get_by_label("Date it was signed").fill(signed_on.strftime("%d/%m/%Y"))
        page.get_by_role("button", name="Record the signed agreement").click()
        page.get_by_text(f"Agreement {agreement.reference} is signed.").wait_for()

        # 5. The contract details notice is due within 30 days of signature: published the same day.
        as_user(page, procurement)
        details_title = f"Contract details notice: {agreement.reference} {agreement.title}"
        open_notice(
            page, council, "UK7 contract details notice", details_title, signed_on + datetime.timedelta(days=30)
        )
        mark_ready_and_publish(page, f"012347-{signed_on.year}", signed_on)

    # Delivery starts on the contract's first day, and the commission moves into delivery.
    starts_on = max(agreement.starts_on, signed_on)
    with time_machine.travel(london(starts_on), tick=True):
        steps.agreement_go_live(by=officer, agreement=Agreement.objects.get(pk=agreement.pk), live_on=starts_on)
    assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.LIVE
    assert Commission.objects.get(pk=commission.pk).state == State.DELIVERING

    published = {
        n.notice_type: n
        for n in Notice.objects.filter(commission=commission, state=NoticeState.PUBLISHED).order_by("published_on")
    }
    assert {t: (n.fat_identifier, n.published_on) for t, n in published.items()} == {
        NoticeType.UK4: (f"012345-{advertised_on.year}", advertised_on),
        NoticeType.UK6: (f"012346-{awarded_on.year}", awarded_on),
        NoticeType.UK7: (f"012347-{signed_on.year}", signed_on),
    }
    for notice in published.values():
        assert ocds.release_errors(notice.data) == [], notice.notice_type
    # The award notice announced the standstill the award page gave, after the summaries were sent.
    (awarded,) = published[NoticeType.UK6].data["awards"]
    assert awarded["standstillPeriod"]["endDate"].startswith(ends.isoformat())
    assert awarded["assessmentSummariesDateSent"].startswith(awarded_on.isoformat())
    details = published[NoticeType.UK7].data
    assert details["awards"][0]["suppliers"][0]["id"] == "GB-PPON-PABC-1234-WXYZ"
    assert published[NoticeType.UK7].due_on == signed_on + datetime.timedelta(days=30)
