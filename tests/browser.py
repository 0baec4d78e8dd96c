"""Browser tests: Playwright driving Debian's Chromium (no browser download) against a live server.

The `browser` and `page` fixtures are registered once, in the root conftest.py, so every journey in
every app shares one Playwright instance per test process (a second sync Playwright in one process fails).
"""

from __future__ import annotations

import json
import os

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


def sign_in(page, email: str, password: str, *, code: bool = True) -> None:
    """Sign in; where two-factor sign-in is required (the demo councils), enter the code the person's
    app shows now, unless `code` is False (the journey then stays on the page that asks for it)."""
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
