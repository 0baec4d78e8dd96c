"""The provider portal and dashboard are kept until a council the person's organisations deal with
changes (`councils.page_cache.organisation_scopes`), not until anything changes anywhere: what goes on
in a council they have nothing to do with leaves their pages in the cache, and what changes in one of
theirs shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import open_opportunity, start_bid
from commissioning.tests.factories import create_commission
from councils import page_cache
from councils.models import Role
from councils.page_cache import organisation_councils, organisation_scopes
from councils.tests.factories import OutcomeFactory
from monitoring.dashboards.selectors.provider import organisation_council_ids
from providers.models import Organisation

pytestmark = pytest.mark.django_db

PAGES = ("providers:portal", "monitoring:provider_dashboard")


@pytest.fixture
def provider(council, people):
    """The provider administrator, whose organisation has started a bid in `council` only."""
    user = people["provider_admin"]
    start_bid(open_opportunity(council, title="Youth work in the rural wards"), user)
    return user


def looks(client, name: str):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("name", PAGES)
def test_a_change_in_a_council_the_organisation_has_nothing_to_do_with_keeps_the_page(
    client_for, provider, other_council, name
):
    create_commission(other_council, title="Street cleaning")  # its officer is made here, not below
    client = client_for(provider)
    looks(client, name)  # the CSRF cookie: pages are kept per cookie, so this look is not kept
    assert looks(client, name)["X-Page-Cache"] == "miss"
    assert looks(client, name)["X-Page-Cache"] == "hit"
    create_commission(other_council, title="Grounds maintenance")
    assert looks(client, name)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("name", PAGES)
def test_a_change_in_the_organisations_own_council_shows_at_once(client_for, provider, name):
    client = client_for(provider)
    looks(client, name)
    bid = provider.organisation_memberships.get().organisation.bids.get()
    bid.opportunity.commission.title = "Youth work in the market towns"
    bid.opportunity.commission.save(update_fields=["title"])
    bid.opportunity.title = "Youth work in the market towns"
    bid.opportunity.save(update_fields=["title"])
    response = looks(client, name)
    assert response["X-Page-Cache"] == "miss"
    assert "Youth work in the market towns" in response.content.decode()


def test_following_an_opportunity_in_a_council_new_to_the_organisation_shows_at_once(
    client_for, provider, other_council, people
):
    client = client_for(provider)
    looks(client, "monitoring:provider_dashboard")
    elsewhere = open_opportunity(other_council, title="Holiday activities and food programme")
    organisation = Organisation.objects.get(members__user=provider)
    opportunity_services.interest_register(by=provider, opportunity=elsewhere, organisation=organisation)
    response = looks(client, "monitoring:provider_dashboard")
    assert response["X-Page-Cache"] == "miss"
    assert "Holiday activities and food programme" in response.content.decode()


def test_an_outcome_of_interest_renamed_by_its_council_shows_on_the_portal(client_for, provider, other_council):
    organisation = Organisation.objects.get(members__user=provider)
    outcome = OutcomeFactory(priority__plan__council=other_council, title="Fewer children in poverty")
    organisation.outcomes_of_interest.add(outcome)
    client = client_for(provider)
    assert "Fewer children in poverty" in looks(client, "providers:portal").content.decode()
    outcome.title = "No child in poverty"
    outcome.save(update_fields=["title"])
    assert "No child in poverty" in looks(client, "providers:portal").content.decode()


def test_the_councils_are_those_of_every_record_the_pages_show(council, other_council, people, provider):
    organisation = Organisation.objects.get(members__user=provider)
    assert organisation_council_ids(provider) == {council.pk}
    create_commission(other_council, title="Not theirs")
    assert organisation_council_ids(provider) == {council.pk}
    organisation.alert_councils.add(other_council)
    assert organisation_council_ids(provider) == {council.pk, other_council.pk}
    # Someone acting for no organisation reads no council's data on these pages.
    assert organisation_scopes(organisation_councils(people[Role.SCRUTINY_MEMBER])) == ["shared"]
    assert organisation_scopes(organisation_councils(provider)) == [
        "shared",
        f"council:{council.pk}",
        f"council:{other_council.pk}",
    ]


def test_a_return_sent_in_the_organisations_council_renders_the_portal_around_its_kept_body(
    client_for, provider, council
):
    """The portal shows no returns: after one is sent in a council the organisation deals with, the
    page is rendered again but its body, kept by the families it shows in each of those councils, is not."""
    client = client_for(provider)
    looks(client, "providers:portal")
    assert looks(client, "providers:portal")["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as kept:
        assert looks(client, "providers:portal")["X-Page-Cache"] == "hit"
    page_cache.bump_council(council.pk, "monitoring.returns")
    with CaptureQueriesContext(connection) as queries:
        assert looks(client, "providers:portal")["X-Page-Cache"] == "miss"
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "commissioning_bid" not in read
    assert len(queries) <= len(kept) + 2
    page_cache.bump_council(council.pk, "commissioning.sourcing")
    with CaptureQueriesContext(connection) as queries:
        assert looks(client, "providers:portal")["X-Page-Cache"] == "miss"
    assert "commissioning_bid" in " ".join(query["sql"] for query in queries.captured_queries)


def test_a_return_sent_works_out_only_the_provider_dashboards_returns_again(client_for, provider, council):
    """The dashboard's figures add up its lists: each is kept by the families it reads, so a return sent
    in the organisation's council reads the returns again, not the bids."""
    client = client_for(provider)
    looks(client, "monitoring:provider_dashboard")
    looks(client, "monitoring:provider_dashboard")
    page_cache.bump_council(council.pk, "monitoring.returns")
    with CaptureQueriesContext(connection) as queries:
        assert looks(client, "monitoring:provider_dashboard")["X-Page-Cache"] == "miss"
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "monitoring_monitoringreturn" in read
    assert "commissioning_bid" not in read
