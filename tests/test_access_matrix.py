"""Walk every URL pattern of the project for every kind of visitor and check the answer."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commissioning import services
from commissioning.models import Risk, State
from commissioning.tests.factories import commission_in_state
from councils.models import Membership, Role

from .access_matrix import ROUTES, VISITORS

# Django's own admin has its own staff-only access control and is tested by Django.
EXCLUDED_NAMESPACES = {"admin"}


def named_patterns(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            child = pattern.namespace or ""
            if child in EXCLUDED_NAMESPACES:
                continue
            names |= named_patterns(pattern, f"{namespace}{child}:" if child else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_expectations():
    declared = {route.name for route in ROUTES}
    actual = named_patterns(get_resolver())
    assert actual - declared == set(), "add these URLs to tests/access_matrix.py"
    assert declared - actual == set(), "these rows name URLs that no longer exist"


@pytest.fixture
def world(council, people, outcome):
    commission = commission_in_state(council, State.PLANNING)
    risk = services.stage_record_save(
        by=people[Role.COMMISSIONING_OFFICER],
        commission=commission,
        instance=Risk(commission=commission, description="Provider market is thin", likelihood=3, impact=4),
    )
    return {
        "council": council,
        "people": people,
        "outcome": outcome,
        "membership": Membership.objects.get(council=council, role=Role.SCRUTINY_MEMBER),
        "commission": commission,
        "risk": risk,
    }


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_access_matrix(route, world, client):
    url = reverse(route.name, kwargs=route.kwargs(world))
    wrong = {}
    for visitor in VISITORS:
        client.logout()
        if visitor != "anonymous":
            client.force_login(world["people"][visitor])
        response = getattr(client, route.method)(url)
        if response.status_code != route.expected(visitor):
            wrong[visitor] = (response.status_code, route.expected(visitor))
    assert wrong == {}, f"{url}: visitor -> (got, expected)"
