"""A review's whole cycle in a browser, by clicking only: the lead commissioner opens a review of a
service on the provision map; a commissioning officer puts it forward in the year's programme, scores
it against the council's criteria and sends the programme to cabinet; the portfolio holder, told,
approves it and names a councillor to the review's working group; the councillor, told, comments on a
working document; the lead reads the comment in the review's log, adds evidence, concludes
"recommission" and lands on the commission the review started. Every new kind of page passes axe-core.

The world is small and built through the real services and factories (not the demo data)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.groups.selectors import group_url
from commissioning.models import Programme, Review
from commissioning.programme.selectors import financial_year_of, year_label
from commissioning.programme.tests.factories import set_criteria
from commissioning.tests.review_factories import provision
from councils.models import Role
from councils.tests.factories import PASSWORD, PortfolioFactory

from .browser import assert_accessible
from .journeys import Journey, open_notification, pass_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCORES = {"Prevention": ("4", "Fewer hospital admissions"), "Return on investment": ("3", "Shared vehicles")}


def test_a_review_is_prioritised_discussed_by_councillors_and_recommissioned(page, council, people):
    lead, officer = people[Role.LEAD_COMMISSIONER], people[Role.COMMISSIONING_OFFICER]
    holder, councillor = people[Role.PORTFOLIO_HOLDER], people[Role.COUNCILLOR]
    provision(council, service_name="Dial-a-ride", provider_name="Moorside Community Transport")
    PortfolioFactory(council=council, holder=holder, name="Adults and health")
    set_criteria(council, (("Prevention", 3), ("Return on investment", 2)))
    this_year = year_label(financial_year_of(timezone.localdate()))
    journey = Journey("review cycle")

    # The lead commissioner opens the review, in the portfolio holder's portfolio, and starts it.
    pass_to(page, lead.email, PASSWORD)
    page.get_by_role("link", name="Commissions", exact=True).first.click()
    page.get_by_role("link", name="Reviews of existing services").click()
    page.get_by_role("link", name="Open a review").click()
    page.get_by_label("Title").fill("Community transport")
    page.get_by_label("Scope").fill("Dial-a-ride and the voluntary car schemes.")
    page.get_by_label("Portfolio (optional)").select_option(label="Adults and health")
    page.get_by_label("Start date").fill("01/04/2026")
    page.get_by_label("Planned conclusion date").fill("30/09/2026")
    page.get_by_label(re.compile("Dial-a-ride, run by Moorside Community Transport")).check()
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_role("heading", name="Community transport", level=1)).to_be_visible()
    page.locator("[data-step-link=start]").click()
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_text("Under way").first).to_be_visible()
    review = Review.objects.get(title="Community transport")
    journey.told(holder.email, review.get_absolute_url())  # the review is in their portfolio

    # A commissioning officer starts this year's programme, puts the review forward and scores it.
    pass_to(page, officer.email, PASSWORD)
    page.get_by_role("link", name="Programme", exact=True).first.click()
    page.get_by_role("heading", name="Prioritised programme").wait_for()
    page.get_by_label(this_year).check()
    page.get_by_role("button", name="Start the programme").click()
    page.get_by_role("link", name="Put a review or a commission forward").click()
    page.get_by_role("heading", name=re.compile("^Put a review or a commission forward")).wait_for()
    assert_accessible(page)
    page.get_by_label("Review or commission").select_option(label=f"{review.reference} Community transport")
    page.get_by_role("button", name="Put it forward").click()
    page.get_by_role("heading", name=re.compile(f"^Score {review.reference}")).wait_for()
    assert_accessible(page)
    for criterion, (score, reason) in SCORES.items():
        page.get_by_role("group", name=f"{criterion}: score").get_by_label(score, exact=True).check()
        page.get_by_label(f"{criterion}: why").fill(reason)
    page.get_by_role("button", name="Save the scores").click()
    expect(page.locator("[data-ranking]")).to_contain_text("3.60")  # (4 × 3 + 3 × 2) / 5
    assert_accessible(page)
    page.get_by_role("link", name="Send the programme to cabinet").click()
    page.get_by_role("button", name="Send the programme to cabinet").click()
    expect(page.locator(".govuk-tag")).to_have_text("Awaiting cabinet approval")
    programme_url = Programme.objects.get(council=council).get_absolute_url()

    # The portfolio holder, told, records cabinet's approval and names a councillor to the group.
    pass_to(page, holder.email, PASSWORD)
    open_notification(page, journey.told(holder.email, programme_url))
    page.get_by_role("link", name="Approve the programme").click()
    page.get_by_label("Cabinet decision").check()
    page.get_by_label("Decision reference").fill("CAB/2026/090")
    page.get_by_label("Link to the published decision or minutes").fill("https://example.org/cabinet/90")
    page.get_by_role("button", name="Approve the programme").click()
    expect(page.locator(".govuk-tag")).to_have_text("Approved by cabinet")
    page.locator("[data-ranking]").get_by_role("link", name=review.reference).click()
    page.get_by_role("heading", name="Community transport", level=1).wait_for()
    page.get_by_role("link", name=re.compile("^The member working group")).click()
    page.get_by_role("heading", name="Member working group", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Name a councillor to the working group").click()
    page.get_by_label("Councillor").select_option(value=str(councillor.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Name to the working group").click()
    expect(page.locator(f"[data-member='{councillor.pk}']")).to_contain_text(councillor.full_name)

    # The councillor, told, opens the group and comments on the evidence.
    pass_to(page, councillor.email, PASSWORD)
    open_notification(page, journey.told(councillor.email, group_url(review)))
    expect(page.get_by_role("heading", name="Evidence")).to_be_visible()
    page.get_by_role("button", name="Comment on the working documents").click()
    page.get_by_label("Evidence", exact=True).check()
    page.get_by_label("Your comment").fill("Ask the parish councils how the car schemes are used.")
    assert_accessible(page)
    page.get_by_role("button", name="Add your comment").click()
    expect(page.locator("[data-comment]")).to_contain_text("parish councils")

    # The lead, told of cabinet's approval, reads the comment in the review's log, adds evidence,
    # concludes and recommissions.
    journey.told(lead.email, programme_url)
    pass_to(page, lead.email, PASSWORD)
    page.get_by_role("link", name="Commissions", exact=True).first.click()
    page.get_by_role("link", name="Reviews of existing services").click()
    page.get_by_role("link", name="Community transport").click()
    page.get_by_role("link", name=re.compile("^The member working group")).click()
    expect(page.locator("[data-comment]")).to_contain_text(councillor.full_name)
    expect(page.locator("[data-comment]")).to_contain_text("parish councils")
    page.get_by_role("link", name="Open the review").click()
    page.get_by_role("link", name="Add evidence").first.click()
    page.get_by_label("Title").fill("Parish council survey")
    page.get_by_label("Note (optional if you add a document)").fill("Car schemes run in four of eleven parishes.")
    page.get_by_role("button", name="Add the evidence").click()
    page.locator("[data-step-link=conclude]").click()
    page.get_by_label("What the review found").fill("The schemes no longer reach the rural wards.")
    page.get_by_label("Recommission", exact=True).check()
    page.get_by_label("Reasons for the conclusion").fill("A district-wide service with online booking is needed.")
    page.get_by_role("button", name="Record the conclusion").click()

    review.refresh_from_db()
    page.wait_for_url(f"**{review.commission.get_absolute_url()}")
    expect(page.locator("[data-from-review]")).to_contain_text(review.reference)
    assert_accessible(page)
    journey.print()
