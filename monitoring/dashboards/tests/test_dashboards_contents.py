"""Each long dashboard starts with a contents list, and the list and the page's section headings agree:
every section heading is listed, in page order, with its text, and every link lands on a heading."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from councils.models import Role
from monitoring.dashboards.contents import CONTENTS
from monitoring.dashboards.tests.test_dashboards_world import build_world

pytestmark = pytest.mark.django_db

SECTION_HEADING = re.compile(r'<h2 class="govuk-heading-l" id="([^"]+)">(.*?)</h2>', re.DOTALL)
CONTENTS_LINK = re.compile(r'<li class="app-contents__item"><a class="govuk-link" href="#([^"]+)">(.*?)</a></li>')
ROLES = {
    "lead": Role.LEAD_COMMISSIONER,
    "portfolio": Role.PORTFOLIO_HOLDER,
    "scrutiny": Role.SCRUTINY_MEMBER,
    "officer": Role.COMMISSIONING_OFFICER,
    "groups": Role.COUNCILLOR,
}


@pytest.mark.parametrize("view", sorted(CONTENTS))
def test_the_contents_list_links_to_every_section_heading_in_page_order(client_for, council, people, view):
    build_world(council, people)
    url = reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})
    body = client_for(people[ROLES[view]]).get(url, {"view": view}).content.decode()
    headings = [(id, html.unescape(text.strip())) for id, text in SECTION_HEADING.findall(body)]
    links = [(id, html.unescape(text)) for id, text in CONTENTS_LINK.findall(body)]
    assert links == headings == CONTENTS[view]
    assert body.index('id="dashboard-contents"') < body.index(f'id="{CONTENTS[view][0][0]}"')
