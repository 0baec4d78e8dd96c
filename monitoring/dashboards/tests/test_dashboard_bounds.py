"""Dashboards at council scale: no list shows more than LIST_LIMIT rows, the worst or most urgent first;
each says how many there are in all (and links to the full list where there is one); the stat tiles
count everything; and the number of queries does not grow with the rows."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from commissioning.models import DeliveryRoute, State
from commissioning.tests.factories import commission_in_state, create_commission
from councils.models import Role
from councils.tests.factories import PortfolioFactory
from monitoring.dashboards.selectors.rows import LIST_LIMIT
from monitoring.dashboards.tests.test_dashboards_views import MAX_QUERIES, count_queries, dashboard_url
from monitoring.dashboards.tests.test_dashboards_world import build_world
from monitoring.tests.factories import agreeing_commission
from monitoring.tests.returns_factories import recent_live_agreement
from tests.query_counts import count_queries as measured

pytestmark = pytest.mark.django_db

MANY = LIST_LIMIT + 5


@pytest.fixture
def world(council, people):
    return build_world(council, people)


@pytest.fixture
def mine(council, people):
    return PortfolioFactory(council=council, name="Health and Wellbeing", holder=people[Role.PORTFOLIO_HOLDER])


def add_live_agreements(council, portfolio, count: int) -> list:
    """`count` live agreements of one partnership in the portfolio, all with returns overdue (they
    started seven months ago and nothing has been sent)."""
    commission = agreeing_commission(council, title="Community support partnership", portfolio=portfolio)
    first = commission.agreements.count()
    return [
        recent_live_agreement(council, commission=commission, title=f"Support agreement {n:02}")
        for n in range(first, first + count)
    ]


def get_counting(client, url):
    """The page, rendered whole (nothing of it from the cache), and the queries it took."""
    queries, response = measured(client, url)
    assert response.context is not None, "served from the page cache"
    return response, queries


def table_rows(body: str, caption: str) -> int:
    """How many rows the body of the table with this caption has."""
    start = body.index(f">{caption}</caption>")
    table = body[start : body.index("</table>", start)]
    return table.split('<tbody class="govuk-table__body">')[1].count('<tr class="govuk-table__row">')


def stat(body: str, label: str) -> int:
    """The figure on the stat tile with this label."""
    match = re.search(
        r'<p class="app-stat__value">(\d+)</p>\s*<p class="app-stat__label"><a class="app-stat__link" '
        rf'href="#[\w-]+">{re.escape(escape(label))}</a>',
        body,
    )
    assert match, label
    return int(match[1])


# ---- Live agreements ------------------------------------------------------------------------------


def test_the_portfolio_dashboard_shows_25_of_30_live_agreements(client_for, council, people, mine):
    add_live_agreements(council, mine, MANY)
    response = client_for(people[Role.PORTFOLIO_HOLDER]).get(dashboard_url(council))
    context, body = response.context, response.content.decode()
    assert len(context["performance"]) == LIST_LIMIT
    assert context["performance"].total == MANY
    assert table_rows(body, "Live agreements, their latest rating and overdue returns") == LIST_LIMIT
    assert f"Showing {LIST_LIMIT} of {MANY} live agreements" in body
    assert f'href="{reverse("monitoring:agreement_list", args=[council.slug])}?state=live"' in body
    assert stat(body, "live agreements") == MANY


def test_scrutiny_sees_25_of_30_live_agreements_and_of_the_concerns(client_for, council, people, mine):
    add_live_agreements(council, mine, MANY)
    response = client_for(people[Role.SCRUTINY_MEMBER]).get(dashboard_url(council))
    context, body = response.context, response.content.decode()
    # Every one has returns overdue, so every one gives concern.
    assert (len(context["concerns"]), context["concerns"].total) == (LIST_LIMIT, MANY)
    assert table_rows(body, "Agreements with overdue returns or rated red") == LIST_LIMIT
    assert f"Showing the first {LIST_LIMIT} of {MANY} agreements with overdue returns or rated red" in body
    assert stat(body, "agreements overdue or rated red") == MANY
    # The table of every live agreement no longer claims to be every one.
    assert "Every live agreement" not in body
    assert table_rows(body, "Live agreements, overdue or rated red first, then amber") == LIST_LIMIT
    assert f"Showing {LIST_LIMIT} of {MANY} live agreements" in body


def test_agreements_giving_concern_come_first(client_for, world):
    """The rated agreement (every return accepted) was made first and ends on the same day as the one
    with returns overdue: the overdue one still leads."""
    response = client_for(world.people[Role.SCRUTINY_MEMBER]).get(world.dashboard())
    context, body = response.context, response.content.decode()
    assert [a.pk for a in context["performance"]] == [world.overdue.pk, world.rated.pk]
    assert [a.pk for a in context["concerns"]] == [world.overdue.pk]
    assert (context["performance"].total, context["concerns"].total) == (2, 1)
    assert "Every live agreement" in body  # all of them fit
    assert "Showing" not in body


def test_the_queries_do_not_grow_with_the_live_agreements(client_for, council, people, mine):
    add_live_agreements(council, mine, 1)
    pages = {
        "lead": people[Role.LEAD_COMMISSIONER],
        "portfolio": people[Role.PORTFOLIO_HOLDER],
        "scrutiny": people[Role.SCRUTINY_MEMBER],
        "officer": people[Role.COMMISSIONING_OFFICER],
    }
    one = {name: count_queries(client_for(user), dashboard_url(council)) for name, user in pages.items()}
    add_live_agreements(council, mine, MANY - 1)
    many = {name: count_queries(client_for(user), dashboard_url(council)) for name, user in pages.items()}
    assert many == one
    assert max(many.values()) <= MAX_QUERIES, many


# ---- Commissions ------------------------------------------------------------------------------------


def test_the_portfolio_dashboard_shows_25_commissions_those_awaiting_a_key_decision_first(
    client_for, council, people, mine
):
    holder = client_for(people[Role.PORTFOLIO_HOLDER])
    key_decision = commission_in_state(
        council,
        State.AWAITING_APPROVAL,
        route=DeliveryRoute.CONTRACT,
        budget=Decimal("300000"),
        title="Zebra crossings review",  # last by title, first as it waits for the holder
        portfolio=mine,
    )
    before = count_queries(holder, dashboard_url(council, portfolio=mine.pk))
    for n in range(MANY - 1):
        create_commission(council, title=f"Commission {n:02}", portfolio=mine)
    response, queries = get_counting(holder, dashboard_url(council, portfolio=mine.pk))
    assert queries == before
    context, body = response.context, response.content.decode()
    assert len(context["commissions"]) == LIST_LIMIT
    assert context["commissions"][0].pk == key_decision.pk
    assert [c.pk for c in context["key_decisions"]] == [key_decision.pk]
    assert context["decisions_waiting"] == 1
    assert table_rows(body, "Commissions in your portfolios") == LIST_LIMIT
    assert f"Showing {LIST_LIMIT} of {MANY} commissions" in body
    assert f'href="{reverse("commissioning:list", args=[council.slug])}?portfolio={mine.pk}"' in body
    assert stat(body, "commissions in your portfolios") == MANY


def test_the_officers_work_queue_counts_every_stage_gate_but_lists_25(client_for, council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    for n in range(MANY):
        create_commission(council, title=f"Commission {n:02}", officer=officer)
    response = client_for(officer).get(dashboard_url(council))
    context, body = response.context, response.content.decode()
    assert (len(context["stage_work"]), context["stage_work"].total) == (LIST_LIMIT, MANY)
    assert table_rows(body, "Commissions you lead that are still in Understand or Plan") == LIST_LIMIT
    assert f"Showing the first {LIST_LIMIT} of {MANY} commissions with a stage gate to complete" in body
    assert stat(body, "things waiting for you") == MANY
    assert stat(body, "commissions you lead") == MANY
