"""A provider finds an opportunity, asks a question, drafts a bid (watching the word count),
submits, withdraws and re-submits it, and keeps the receipt with its digest. A second journey
checks that answers typed when the session ends are kept in the browser and put back after
signing in again."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commissioning.models import Bid, BidState, FormType
from commissioning.tests.bid_factories import open_opportunity, start_bid
from councils.tests.factories import PASSWORD

from .browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opportunity(council, people):
    return open_opportunity(
        council, form_type=FormType.SHORT_GRANT, questions=2, word_limit=30, title="Holiday clubs in the rural wards"
    )


def test_a_provider_bids_withdraws_and_bids_again(page, opportunity, people):
    provider = people["provider_admin"]
    sign_in(page, provider.email, PASSWORD)

    # Find the opportunity and ask a clarification question.
    page.goto("/opportunities/")
    page.get_by_role("link", name="Holiday clubs in the rural wards").click()
    page.get_by_role("heading", name="Holiday clubs in the rural wards", level=1).wait_for()
    page.get_by_role("link", name="Ask a clarification question").click()
    page.get_by_label("Your question").fill("Can the clubs run in church halls?")
    page.get_by_role("button", name="Send your question").click()
    page.get_by_text("Your question has been sent.").wait_for()

    # Start a bid (the opportunity page links here once it offers a bid link; until then, go direct).
    page.goto(reverse("bids:start", kwargs={"reference": opportunity.reference}))
    page.get_by_role("button", name="Start your bid").click()
    page.get_by_role("heading", name=re.compile("Your bid: Holiday clubs")).wait_for()
    bid = Bid.objects.get(opportunity=opportunity)

    # Draft the answers, watching GOV.UK Frontend count the words.
    page.get_by_role("link", name="Answer the questions").click()
    first, second = opportunity.questions.order_by("position")
    answer = page.get_by_label(re.compile(r"1\. Question 1"))
    answer.fill("We run clubs in four village halls with volunteers from each parish.")
    page.get_by_text("You have 18 words remaining").first.wait_for()
    answer.fill(" ".join(["word"] * 33))
    page.get_by_text("You have 3 words too many").first.wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    # Kept, but refused on the server until it is shorter.
    page.get_by_text("Your answer to question 1 must be 30 words or fewer. It has 33 words.").first.wait_for()
    assert bid.answers.get(question=first).text == " ".join(["word"] * 33)
    answer.fill("We run clubs in four village halls with volunteers from each parish.")
    page.get_by_label(re.compile(r"2\. Question 2")).fill("Meals come from the school kitchens.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Your answers have been saved.").wait_for()

    # The simple budget, an outcome and the declarations.
    assert_accessible(page)  # the task list
    page.get_by_role("link", name="Budget").click()
    page.get_by_label("Description").fill("Sessional youth workers")
    page.get_by_label("Amount").fill("£12,500")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Outcomes").click()
    page.get_by_label("Outcome", exact=True).fill("Children eat well and stay active in the holidays")
    page.get_by_label("Success measure").fill("Children attending at least five days")
    page.get_by_label("Target").fill("120")
    page.get_by_label("Unit").fill("children")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Declarations").click()
    page.get_by_label("There are no conflicts of interest to declare").check()
    page.get_by_label("I confirm that the information in this bid is accurate and complete").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Your bid is ready to check and submit").wait_for()

    # Check, with the organisation's registered details reused, and submit.
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_text("Moorside Youth Trust").first.wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Submit your bid").click()
    page.get_by_role("heading", name="Bid submitted").wait_for()
    bid.refresh_from_db()
    first_receipt = bid.receipts.get()
    expect(page.locator("[data-digest]")).to_have_text(first_receipt.digest, use_inner_text=True)
    expect(page.locator(".govuk-panel__body")).to_contain_text(first_receipt.reference, use_inner_text=True)
    assert_accessible(page)

    # Withdraw, change and submit again: a new receipt, a new digest.
    page.get_by_role("link", name="Return to your bid").click()
    page.get_by_role("link", name="Withdraw your bid").click()
    page.get_by_role("button", name="Withdraw your bid").click()
    page.get_by_text("Your bid has been withdrawn.").wait_for()
    page.get_by_role("link", name="Answer the questions").click()
    page.get_by_label(re.compile(r"2\. Question 2")).fill("Meals come from the school kitchens and a local farm.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_role("button", name="Submit your bid").click()
    page.get_by_role("heading", name="Bid submitted").wait_for()
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    latest = bid.receipts.order_by("-id").first()
    assert latest.reference.endswith("-2")
    assert latest.digest != first_receipt.digest
    expect(page.locator("[data-digest]")).to_have_text(latest.digest, use_inner_text=True)
    expect(page.locator("body")).to_contain_text(first_receipt.reference)  # earlier submissions are listed

    # The provider portal lists the bid with its last receipt.
    page.goto("/bids/")
    page.get_by_role("link", name=latest.reference).wait_for()


def test_answers_typed_when_the_session_ends_are_kept_and_put_back(page, opportunity, people):
    provider = people["provider_admin"]
    bid = start_bid(opportunity, provider)
    sign_in(page, provider.email, PASSWORD)
    page.goto(reverse("bids:section", kwargs={"pk": bid.pk, "section": "questions"}))
    typed = "Typed just before the session ended."
    page.get_by_label(re.compile(r"1\. Question 1")).fill(typed)

    # The session ends (its cookie expires); the page is hidden, so the autosave runs now.
    page.context.clear_cookies(name="sessionid")
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    banner = page.get_by_text("Your session has ended — sign in again; your answers are kept in this browser")
    banner.wait_for()
    assert_accessible(page)
    assert not bid.answers.filter(text=typed).exists()

    # Sign in again: the answer comes back from this browser into the empty field.
    page.get_by_role("link", name="sign in again").click()
    page.get_by_label("Email address").fill(provider.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    field = page.get_by_label(re.compile(r"1\. Question 1"))
    field.wait_for()
    page.get_by_text("We have put back answers that were kept in this browser").wait_for()
    expect(field).to_have_value(typed)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Your answers have been saved.").wait_for()
    assert bid.answers.filter(text=typed).exists()
    # Saved on the server: the browser's copy is gone.
    kept = page.evaluate(f"() => window.localStorage.getItem('commissioner:bid:{bid.pk}:answers')")
    assert kept is None
