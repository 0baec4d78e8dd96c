"""The service navigation marks where you are, as the GOV.UK component does: the link of the page itself
with aria-current="page", the link of the section a page belongs to with aria-current="true", each with
the active style and a bold fallback; every other link unmarked."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from commissioning.models import State
from commissioning.tests.factories import commission_in_state
from councils.models import Role

pytestmark = pytest.mark.django_db

ACTIVE = re.compile(
    r'<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
    r'<a class="govuk-service-navigation__link" href="([^"]+)" aria-current="(page|true)">'
    r'<strong class="govuk-service-navigation__active-fallback">([^<]+)</strong></a></li>'
)


def marked(response) -> list[tuple[str, str, str]]:
    """(link, aria-current, words) of every link the navigation marks."""
    assert response.status_code == 200
    navigation = response.content.decode().split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    return ACTIVE.findall(navigation)


def test_the_page_and_its_section_are_marked(client_for, council, people):
    browser = client_for(people[Role.LEAD_COMMISSIONER])
    commissions = reverse("commissioning:list", args=[council.slug])
    assert marked(browser.get(commissions)) == [(commissions, "page", "Commissions")]
    # A commission is within the commissions: its section is marked, not as the page itself.
    commission = commission_in_state(council, State.PLANNING)
    assert marked(browser.get(commission.get_absolute_url())) == [(commissions, "true", "Commissions")]
    # The council's overview is marked only on itself: every council page is under its address.
    overview = council.get_absolute_url()
    assert marked(browser.get(overview)) == [(overview, "page", "Overview")]
    people_page = reverse("councils:people", args=[council.slug])
    assert marked(browser.get(people_page)) == [(people_page, "page", "People and roles")]
    assert marked(browser.get(reverse("councils:notifications"))) == []


def test_the_public_pages_are_marked_for_everyone(client):
    opportunities = reverse("opportunities:list")
    assert marked(client.get(opportunities)) == [(opportunities, "page", "Opportunities")]
    assert marked(client.get(reverse("open_data:home"))) == [(reverse("open_data:home"), "page", "Open data")]
    assert marked(client.get("/")) == []  # "Your councils" is for people signed in
