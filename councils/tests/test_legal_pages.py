"""The accessibility statement and the privacy notice: public pages, per council (its contacts and
dates are council settings an administrator edits) and for the pages outside any council, linked from
every page's footer."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import AuditEvent, Council, Role
from councils.retention import SCHEDULE
from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db


def council_page(name, council):
    return reverse(f"councils:{name}", kwargs={"council_slug": council.slug})


def test_a_councils_accessibility_statement_is_public_with_a_contact_and_dates(council):
    council.accessibility_email = "access@testshire.example"
    council.accessibility_prepared_on, council.accessibility_reviewed_on = date(2026, 9, 1), date(2026, 11, 20)
    council.save()
    response = Client().get(council_page("accessibility", council))
    assert response.status_code == 200
    page = response.content.decode()
    assert "mailto:access@testshire.example" in page
    assert "This statement was prepared on 1 September 2026. It was last reviewed on 20 November 2026." in page
    for words in (
        "partially compliant",
        "Equality and Human Rights Commission",
        "Equality Commission for Northern Ireland",
        "PDF",
    ):
        assert words in page, words


def test_a_councils_privacy_notice_is_public_with_the_dpo_retention_and_the_ico(council):
    council.contact_email, council.dpo_email = "hello@testshire.example", "dpo@testshire.example"
    council.privacy_updated_on = date(2026, 10, 5)
    council.save()
    page = Client().get(council_page("privacy", council)).content.decode()
    assert "Testshire County Council is the data controller" in page
    assert "mailto:dpo@testshire.example" in page
    assert "Public task" in page
    assert "Contract" in page
    assert SCHEDULE["sign_in_records"].keep in page
    assert "ico.org.uk" in page
    assert "This notice was last updated on 5 October 2026." in page


def test_without_its_own_addresses_the_council_is_written_to_at_its_contact_email(council):
    council.contact_email, council.accessibility_email, council.dpo_email = "hello@testshire.example", "", ""
    council.save()
    for name in ("accessibility", "privacy"):
        assert "mailto:hello@testshire.example" in Client().get(council_page(name, council)).content.decode()


def test_the_service_wide_pages_are_public(settings):
    settings.COMMISSIONER_CONTACT_EMAIL = "service@commissioner.example"
    for name in ("accessibility", "privacy"):
        response = Client().get(reverse(name))
        assert response.status_code == 200
        assert "mailto:service@commissioner.example" in response.content.decode()


def test_an_unknown_council_has_no_pages():
    assert Client().get("/councils/nowhere/accessibility/").status_code == 404


def test_the_footer_links_to_the_pages(council, people, client_for):
    home = Client().get(reverse("login")).content.decode()
    footer = home[home.index("<footer") :]
    assert f'href="{reverse("accessibility")}"' in footer
    assert f'href="{reverse("privacy")}"' in footer
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    page = officer.get(reverse("councils:detail", kwargs={"council_slug": council.slug})).content.decode()
    footer = page[page.index("<footer") :]
    assert f'href="{council_page("accessibility", council)}"' in footer
    assert f'href="{council_page("privacy", council)}"' in footer


# ---- The settings -------------------------------------------------------------------------------------


def settings_data(client, council, **changes):
    page = client.get(reverse("councils:settings", kwargs={"council_slug": council.slug}))
    data = {key: value for key, value in page.context["form"].initial.items() if value is not None}
    data.update(website="", **changes)
    return {key: value for key, value in data.items() if value is not False}


def test_an_administrator_sets_the_call_in_threshold_and_the_legal_pages_contacts(council, people, client_for):
    admin = client_for(people[Role.COUNCIL_ADMIN])
    url = reverse("councils:settings", kwargs={"council_slug": council.slug})
    data = settings_data(
        admin,
        council,
        call_in_threshold="3",
        dpo_email="dpo@testshire.example",
        accessibility_prepared_on="1/9/2026",
        accessibility_reviewed_on="20/11/2026",
    )
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    council = Council.objects.get(pk=council.pk)
    assert council.call_in_threshold == 3
    assert council.dpo_email == "dpo@testshire.example"
    assert council.accessibility_reviewed_on == date(2026, 11, 20)
    event = AuditEvent.objects.filter(event_type="council.updated").latest("id")
    assert {"call_in_threshold", "dpo_email", "accessibility_reviewed_on"} <= set(event.extra["fields"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"call_in_threshold": "0"}, "call_in_threshold"),
        ({"call_in_threshold": "21"}, "call_in_threshold"),
        ({"call_in_threshold": "2.5"}, "call_in_threshold"),
        ({"dpo_email": "not an email"}, "dpo_email"),
        (
            {"accessibility_prepared_on": "20/11/2026", "accessibility_reviewed_on": "1/9/2026"},
            "accessibility_reviewed_on",
        ),
    ],
)
def test_the_settings_are_checked(council, people, client_for, changes, field):
    admin = client_for(people[Role.COUNCIL_ADMIN])
    url = reverse("councils:settings", kwargs={"council_slug": council.slug})
    response = admin.post(url, settings_data(admin, council, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Council.objects.get(pk=council.pk).call_in_threshold == 2


def test_only_an_administrator_changes_the_settings(council, people, client_for):
    url = reverse("councils:settings", kwargs={"council_slug": council.slug})
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    assert scrutiny.post(url, {"call_in_threshold": "1"}).status_code == 403
    assert Council.objects.get(pk=council.pk).call_in_threshold == 2


@pytest.mark.browser
def test_the_legal_pages_are_accessible(page, council):
    for url in (council_page("accessibility", council), council_page("privacy", council), reverse("privacy")):
        page.goto(url)
        page.get_by_role("heading", level=1).wait_for()
        assert_accessible(page)
