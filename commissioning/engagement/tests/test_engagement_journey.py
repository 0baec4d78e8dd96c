"""Comments on a draft specification are collected and answered, in the browser: an officer opens the
draft specification for comment; a provider and a member of the public comment; the officer answers;
the answer shows on the public page (no email) and the engagement log lists the consultation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.engagement.tests.factories import drafted_commission
from councils.models import Role
from councils.tests.factories import PASSWORD
from tests.browser import assert_accessible, sign_in, sign_out
from tests.worlds import make_council, make_other_council, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_SAYS = "Please allow phone befriending as well as visits."
PUBLIC_SAYS = "Weekend visits would help my mother."
ANSWER = "We have added phone befriending to the specification."


def test_comments_on_a_draft_specification_are_collected_and_answered(page):
    council = make_council()
    people = make_people(council, make_other_council())
    commission = drafted_commission(council)
    officer = people[Role.COMMISSIONING_OFFICER]
    today = timezone.localdate()

    sign_in(page, officer.email, PASSWORD)
    page.goto(commission.get_absolute_url())
    page.get_by_role("link", name="Early engagement on drafts").click()
    page.get_by_role("link", name="Open drafts for comment").click()
    page.get_by_label("Draft specification").check()
    page.get_by_label("Registered providers and the public").check()
    page.get_by_label("Opens on").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Closes on").fill((today + timedelta(days=14)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Open for comment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consultation on the draft specification")
    officer_page = page.url
    sign_out(page)

    sign_in(page, people["provider_admin"].email, PASSWORD)
    page.goto("/opportunities/consultations/")
    page.get_by_role("link", name="Consultation on the draft specification").click()
    page.get_by_role("link", name="Comment on the drafts").click()
    page.get_by_label("The service").check()
    page.get_by_label("Your comment").fill(PROVIDER_SAYS)
    page.get_by_role("button", name="Send your comment").click()
    expect(page.get_by_text("your comment has been sent")).to_be_visible()
    public_page = page.url
    sign_out(page)

    page.goto(public_page)
    page.get_by_role("link", name="Comment on the drafts").click()
    page.get_by_label("The drafts as a whole").check()
    page.get_by_label("Your comment").fill(PUBLIC_SAYS)
    page.get_by_label("Your name").fill("Ann Smith")
    page.get_by_label("Your email address").fill("ann.smith@example.org")
    page.get_by_label("I agree that the council keeps").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send your comment").click()
    expect(page.get_by_text(PUBLIC_SAYS)).to_be_visible()

    sign_in(page, officer.email, PASSWORD)
    page.goto(officer_page)
    expect(page.get_by_text("ann.smith@example.org")).to_be_visible()
    page.get_by_role("link", name="Answer this comment from Moorside Youth Trust").click()
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    page.goto(commission.get_absolute_url())
    expect(page.get_by_role("link", name="Read the consultation")).to_be_visible()
    sign_out(page)

    page.goto(public_page)
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.get_by_text(PROVIDER_SAYS)).to_be_visible()
    expect(page.get_by_text("A member of the public", exact=True)).to_be_visible()
    assert "ann.smith@example.org" not in page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
