"""A provider registers its organisation, confirms its email address from the link it is sent, signs in,
sees its organisation and invites a colleague, who creates an account and accepts; an officer verifies
and approves an organisation; a provider sees its compliance documents' expiry. Every page is checked
with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from demo.councils import DEMO_PASSWORD, seed_councils
from demo.providers import seed_providers

from .browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "harbour-lantern-meadow-42"


def test_a_provider_registers_confirms_its_email_and_invites_a_colleague_who_accepts(page, mailoutbox):
    seed_councils()

    page.goto("/providers/register/")
    page.get_by_role("button", name="Register organisation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter legal name", use_inner_text=True)
    assert_accessible(page)

    page.get_by_label("Legal name").fill("Harbour Lights Community Trust")
    page.get_by_role("group", name="Type of organisation").get_by_label("Registered charity", exact=True).check()
    page.get_by_label("Charity number").fill("1187001")
    page.get_by_label("Registered address").fill("1 Quay Street\nKirkby Moor")
    page.get_by_label("Postcode").fill("la1 1aa")
    page.get_by_role("group", name="Sector").get_by_label("Voluntary, community and faith").check()
    page.get_by_role("group", name="Annual income").get_by_label("£10,000 to £100,000").check()
    page.get_by_label("Fewer older people isolated and lonely (Kirkby Moor City Council)").check()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@harbour-lights.example")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Register organisation").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    [message] = mailoutbox
    assert message.to == ["ada@harbour-lights.example"]
    link = re.search(r"https?://\S+/providers/verify/\S+", message.body).group(0)
    page.goto(link)
    page.get_by_text("Your email address is confirmed").wait_for()

    # Signing in again with the password chosen at registration works too.
    end_session(page)
    sign_in(page, "ada@harbour-lights.example", PASSWORD)
    page.get_by_role("link", name="Your organisation").click()
    page.get_by_role("heading", name="Harbour Lights Community Trust").wait_for()
    expect(page.locator("main")).to_contain_text("LA1 1AA", use_inner_text=True)
    page.get_by_role("heading", name="Your bids").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email address").fill("grace@harbour-lights.example")
    page.get_by_role("group", name="Role").get_by_label("Bid writer").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to grace@harbour-lights.example").wait_for()
    # Invited, not a member: listed among the invitations waiting for an answer.
    page.get_by_role("heading", name="Invitations waiting for an answer").wait_for()
    page.get_by_role("cell", name="grace@harbour-lights.example", exact=True).wait_for()
    assert mailoutbox[-1].to == ["grace@harbour-lights.example"]
    invitation = re.search(r"https?://\S+/providers/invitations/\S+", mailoutbox[-1].body).group(0)

    # The colleague follows the link, creates the account for that address, then accepts.
    end_session(page)
    page.goto(invitation)
    page.get_by_role("heading", name="Create your account").wait_for()
    assert_accessible(page)
    expect(page.get_by_label("Full name")).to_have_value("Grace Hopper")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Now answer the invitation").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether to accept or decline", use_inner_text=True
    )
    page.get_by_label("Yes, accept the invitation").check()
    page.get_by_role("button", name="Send answer").click()
    page.get_by_text("You now act for Harbour Lights Community Trust as bid writer").wait_for()
    page.get_by_role("heading", name="Harbour Lights Community Trust").wait_for()


def test_an_officer_verifies_an_organisation_and_approves_it_as_a_supplier(page):
    seed_councils()
    seed_providers()

    sign_in(page, "procurement@kirkby-moor.example", DEMO_PASSWORD)
    page.goto("/councils/kirkby-moor/")
    page.get_by_role("link", name="Providers").click()
    page.get_by_role("heading", name="Provider directory").wait_for()
    assert_accessible(page)
    page.get_by_label("Search by name").fill("Riverside")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riverside Residents Association").click()
    page.get_by_role("link", name="Verify organisation").click()
    expect(page.get_by_role("button", name="Mark as verified")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as verified").click()
    page.get_by_text("Riverside Residents Association is verified").wait_for()

    page.get_by_role("link", name="Add to approved suppliers").click()
    page.get_by_role("button", name="Add to approved suppliers").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Why is this organisation being approved?").fill("References checked.")
    page.get_by_role("button", name="Add to approved suppliers").click()
    page.get_by_text("is on the approved suppliers list").wait_for()
    assert_accessible(page)
    page.goto("/providers/council/kirkby-moor/approved-suppliers/")
    page.get_by_role("cell", name="References checked.").wait_for()


def test_a_provider_sees_compliance_documents_and_upload_errors(page):
    seed_councils()
    seed_providers()

    sign_in(page, "admin@kirkby-moor-age-concern.example", DEMO_PASSWORD)
    page.goto("/providers/")
    page.get_by_text("Expires soon").wait_for()
    page.get_by_text("Expired", exact=True).wait_for()
    page.get_by_role("link", name="Upload a document").click()
    page.get_by_role("button", name="Upload document").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a file", use_inner_text=True)
    assert_accessible(page)
