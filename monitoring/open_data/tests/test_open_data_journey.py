"""A member of the public, not signed in, finds a council's open data from the site's navigation, reads
its awards and grants, and downloads a file; every page passes the accessibility checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitoring.open_data.tests.test_open_data_factories import awarded, charity, delivering_grants, live_grant
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_reads_awards_and_grants_and_downloads_them(page, council):
    awarded(council)
    live_grant(council, delivering_grants(council, title="Community chest"), charity("Hillside Lunch Club"))

    page.goto("/opportunities/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Open data").click()
    page.get_by_role("heading", name="Open data", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Testshire County Council").click()
    page.get_by_role("heading", name="Open data", level=1).wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Awards", exact=True).click()
    page.get_by_role("heading", name="Awards", level=1).wait_for()
    page.get_by_role("cell", name="Moorside Youth Trust").wait_for()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="every contracting process (OCDS JSON)").click()
    package = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert {release["tag"][-1] for release in package["releases"]} >= {"planning", "tender", "award"}

    # A download leaves the visitor on the awards page.
    page.get_by_role("link", name="More open data from Testshire County Council").click()
    page.get_by_role("link", name="Grants awarded", exact=True).click()
    page.get_by_role("cell", name="Hillside Lunch Club").wait_for()
    assert_accessible(page)
