"""The public open data pages: no sign-in, only what has been published, links from the register and the
opportunities, and a fixed number of queries however many rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.models import DeliveryRoute
from councils.tests.factories import CouncilFactory
from monitoring.open_data.tests.test_open_data_factories import (
    TODAY,
    at,
    awarded,
    called_in,
    charity,
    delivering_grants,
    live_grant,
    sealed_bids,
)
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def page(client, name: str, council=None, **query):
    kwargs = {"council_slug": council.slug} if council is not None else {}
    with at(TODAY):
        response = client.get(reverse(f"open_data:{name}", kwargs=kwargs), query)
    assert response.status_code == 200
    return response.content.decode()


def test_pages_need_no_sign_in_and_link_the_downloads(client, council):
    home = page(client, "home")
    assert reverse("open_data:council", kwargs={"council_slug": council.slug}) in home
    index = page(client, "council", council)
    for name in ("awards", "grants", "ocds", "360giving_json", "360giving_csv"):
        assert reverse(f"open_data:{name}", kwargs={"council_slug": council.slug}) in index
    contracts = reverse("open_data:transparency", kwargs={"council_slug": council.slug, "kind": "contracts"})
    assert f"{contracts}?year=2026&amp;quarter=3" in index
    assert f"{contracts}?year=2025&amp;quarter=1" in index
    assert "from=2026-04-01&amp;to=2027-03-31" in index
    assert "commissioning@testshire.example" in index
    assert page(client, "awards", council)
    assert page(client, "grants", council)


def test_unknown_council_is_not_found(client):
    with at(TODAY):
        assert client.get("/open-data/nowhere/").status_code == 404
        assert client.get("/open-data/nowhere/ocds.json").status_code == 404


def test_awards_page_shows_awards_in_effect_only(client, council, other_council):
    world = awarded(council)
    held = called_in(other_council, winner="Held Decision Trust", runner_up="Other Bidder Ltd")
    sealed = sealed_bids(council)
    body = page(client, "awards", council)
    assert world.opportunity.title in body
    assert "Moorside Youth Trust" in body
    assert "£48,000" in body
    assert "2 March 2026" in body
    assert "Delegated officer decision" in body
    assert "Brightwork Training Ltd" not in body  # bid, did not win
    assert sealed.reference not in body
    ocds = reverse(
        "open_data:ocds_commission",
        kwargs={"council_slug": council.slug, "key": world.opportunity.commission.reference},
    )
    assert ocds in body
    elsewhere = page(client, "awards", other_council)
    assert held.opportunity.reference not in elsewhere
    assert "No awards have been published yet." in elsewhere


def test_grants_page_lists_grants_awarded(client, council):
    commission = delivering_grants(council, title="Community chest")
    live_grant(council, commission, charity("Hillside Lunch Club"), value=Decimal("12500"))
    body = page(client, "grants", council)
    assert "Hillside Lunch Club" in body
    assert "£12,500" in body
    assert "5 October 2026" in body
    assert "Community chest" in body
    assert "from=2026-04-01&amp;to=2027-03-31" in body


def test_register_and_opportunities_link_to_open_data(client):
    home = reverse("open_data:home")
    with at(TODAY):
        assert home in client.get(reverse("monitoring:register")).content.decode()
        assert home in client.get(reverse("opportunities:list")).content.decode()


def url_of(name: str, council=None) -> str:
    return reverse(f"open_data:{name}", kwargs={"council_slug": council.slug} if council is not None else {})


def test_home_page_queries_do_not_grow_with_councils(client, council):
    _, response = assert_same_queries(
        client, url_of("home"), lambda count: CouncilFactory.create_batch(count), around=lambda: at(TODAY)
    )
    assert response.body.decode().count('href="/open-data/') >= 25


def test_grants_page_queries_do_not_grow_with_rows(client, council):
    commission = delivering_grants(council)
    live_grant(council, commission, charity("Grantee 0"))

    def add_rows(count):
        for number in range(1, count + 1):
            live_grant(council, commission, charity(f"Grantee {number}"))

    _, response = assert_same_queries(client, url_of("grants", council), add_rows, around=lambda: at(TODAY))
    assert response.body.decode().count("Lunch club for older people") == 25


def test_awards_page_queries_do_not_grow_with_rows(client, council):
    # A row is a winning bid for a lot: one award without lots, then one with 24 lots, each won by the
    # first bidder (whole competitions are slow to build, lots are not).
    awarded(council, winner="First Winner Trust", runner_up="First Runner-up")

    def add_rows(count):
        awarded(
            council,
            route=DeliveryRoute.CONTRACT,
            winner="Second Winner Ltd",
            runner_up="Second Runner-up",
            lots=[Decimal(2000)] * count,
            lot_prices={0: dict.fromkeys(range(count), 1000), 1: dict.fromkeys(range(count), 1200)},
        )

    _, response = assert_same_queries(client, url_of("awards", council), add_rows, around=lambda: at(TODAY))
    body = response.body.decode()
    assert body.count("First Winner Trust") == 1
    assert body.count("Second Winner Ltd") == 24
