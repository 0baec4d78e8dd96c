"""Browser tests: Playwright driving Debian's Chromium (no browser download) against a live server.

The `browser` and `page` fixtures are registered once, in the root conftest.py, so every journey in
every app shares one Playwright instance per test process (a second sync Playwright in one process fails).
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from tests.accounts import app_code

# Sync Playwright runs an event loop in this thread; Django's ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("COMMISSIONER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed for browser tests and is not at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe-core against the page for WCAG 2.2 A and AA rules and fail on any violation."""
    # Served from our own origin: the strict CSP (rightly) refuses an inline copy. Journeys wait for
    # the page they check before calling this; should a document still be replaced while the script
    # loads, the failure comes once the new one has started, and the next turn waits for it to load.
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    # Only the violations come back: axe skips working out what passed, and nothing else is sent over.
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
            resultTypes: ['violations'],
        })).violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target)}))"""
    )
    assert violations == [], json.dumps(violations, indent=2)


# The hidden CSRF field of a rendered form.
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(page, email: str, password: str) -> None:
    """Sign in; where two-factor sign-in is required (the demo councils), with the code the person's
    app shows now. Only the page the person lands on is opened in the browser: the sign-in and code
    forms are sent from the browser's own context (its cookies, the real views, the real checks), as
    the browser would send them, without rendering them on the way. A journey that is about the
    sign-in pages themselves uses `sign_in_by_hand`."""
    request = page.context.request
    landing = _send_form(request, request.get("/sign-in/"), {"username": email, "password": password})
    assert landing, f"{email} could not sign in"
    # Where two-factor sign-in is required, the first page asked for sends the person to the code page.
    onward = request.get(landing, max_redirects=0).headers.get("location", "")
    if "/account/two-factor/code/" in onward:
        device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
        landing = _send_form(request, request.get(onward), {"code": app_code(device)})
        assert landing, f"{email}'s sign-in code was refused"
    page.goto(landing)
    page.get_by_role("button", name="Sign out").first.wait_for()


def _send_form(request, form_page, fields: dict) -> str:
    """POST `fields` to the page `form_page` (a response) shows, with its CSRF token; where the answer
    sends the browser on to, or "" if it answers with the form again (refused)."""
    token = CSRF_FIELD.search(form_page.text())
    assert token, f"no form on {form_page.url}"
    answer = request.post(form_page.url, form={"csrfmiddlewaretoken": token.group(1), **fields}, max_redirects=0)
    return answer.headers.get("location", "")


def sign_in_by_hand(page, email: str, password: str, *, code: bool = True) -> None:
    """Sign in as the person would, typing into the sign-in page (and the code page, unless `code`
    is False: the journey then stays on the page that asks for it)."""
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Wait for the signed-in page: navigating on at once would abandon the sign-in.
    page.get_by_role("button", name="Sign out").first.wait_for()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    if code and "/account/two-factor/code/" in page.url:
        device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
        page.get_by_label("Code").fill(app_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/account/two-factor/" not in url)
        page.get_by_role("button", name="Sign out").first.wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.get_by_role("link", name="Sign in", exact=True).first.wait_for()


def end_session(page) -> None:
    """Sign out as the header's Sign out button does (a POST with the CSRF token, from the browser's
    context), without opening the page it lands on: for a journey passing from one person to the next."""
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    answer = page.context.request.post("/sign-out/", form={"csrfmiddlewaretoken": token}, max_redirects=0)
    assert answer.status in (200, 302), f"signing out answered {answer.status}"
