"""An officer of a council that requires two-factor sign-in sets it up at their first sign-in, then
signs in with a code from their app or, once each, with a recovery code."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from demo.councils import DEMO_PASSWORD

from .accounts import app_code
from .browser import assert_accessible, sign_in_by_hand, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER = "officer@kirkby-moor.example"
DASHBOARD = "**/council/kirkby-moor/dashboard/"


def enter_code(page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_an_officer_sets_up_two_factor_sign_in_and_uses_a_recovery_code_once(demo_data, page, settings):
    # Wrong codes make the next try wait (tested in councils/tests/test_two_factor.py); here the
    # journey goes straight on.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    # A new officer: no authenticator app yet (the demo enrols its staff on the demo key).
    TOTPDevice.objects.filter(user__email=OFFICER).delete()

    sign_in_by_hand(page, OFFICER, DEMO_PASSWORD, code=False)
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    expect(page.get_by_role("img", name="QR code for adding Commissioner")).to_be_visible()
    assert_accessible(page)
    # Going elsewhere first is not possible.
    page.goto("/council/kirkby-moor/dashboard/")
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()

    # The key typed into an app from the page, not from the database: what is shown works.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = TOTP(b32decode(secret))
    app.time += 10 * 30  # a code from the wrong time
    page.get_by_label("Enter the 6-digit code from your app").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)

    page.get_by_label("Enter the 6-digit code from your app").fill(f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Recovery codes").wait_for()
    codes = page.get_by_role("list", name="Your recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept my recovery codes").click()
    page.wait_for_url(DASHBOARD)
    sign_out(page)

    # Without the phone: a recovery code, once.
    sign_in_by_hand(page, OFFICER, DEMO_PASSWORD, code=False)
    page.get_by_role("heading", name="Enter the code from your authenticator app").wait_for()
    assert_accessible(page)
    enter_code(page, codes[0])
    page.wait_for_url(DASHBOARD)
    sign_out(page)

    sign_in_by_hand(page, OFFICER, DEMO_PASSWORD, code=False)
    enter_code(page, codes[0])
    expect(page.locator(".govuk-error-summary")).to_contain_text("already been used")
    enter_code(page, app_code(TOTPDevice.objects.get(user__email=OFFICER, confirmed=True)))
    page.wait_for_url(DASHBOARD)
    expect(page.locator(".app-header__name")).to_have_text("Kirkby Moor City Council")
