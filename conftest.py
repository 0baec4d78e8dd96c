"""Shared fixtures: one council with a person in every role, a second council, and an outsider.

Modelled on healthchecks' alice/bob/charlie: tests ask for `people["scrutiny_member"]` and assert
what that person can and cannot do.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from councils.models import Role
from councils.tests.factories import CouncilFactory, MembershipFactory, OutcomeFactory, UserFactory
from providers.tests.factories import OrganisationMemberFactory
from tests.browser import browser, page  # noqa: F401 (fixtures for every app's browser journeys)

REQUIRE_SERVICES = os.environ.get("COMMISSIONER_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session", autouse=True)
def _required_services(django_db_setup, django_db_blocker):
    """Under `make test` and CI the suite must run on PostgreSQL with Redis and Chromium: never skip."""
    if not REQUIRE_SERVICES:
        return
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", "make test must run on PostgreSQL (DATABASE_URL unset?)"
    assert settings.REDIS_URL, "make test must run with Redis (REDIS_URL unset?)"
    import redis

    assert redis.Redis.from_url(settings.REDIS_URL).ping(), "Redis did not answer"
    assert shutil.which("chromium") or os.path.exists("/usr/bin/chromium"), "Chromium is not installed"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages and generations must not outlive the test whose data they came from."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def council(db):
    return CouncilFactory(name="Testshire County Council", slug="testshire", short_code="TCC")


@pytest.fixture
def other_council(db):
    return CouncilFactory(name="Otherton Borough Council", slug="otherton", short_code="OBC")


@pytest.fixture
def people(council, other_council):
    """A person for every role in `council`, plus outsiders: another council's officer, nobody, and
    the administrators of two provider organisations."""
    result = {}
    for role in Role.values:
        result[role] = MembershipFactory(council=council, role=role, user__email=f"{role}@testshire.example").user
    result["other_council_officer"] = MembershipFactory(
        council=other_council, role=Role.LEAD_COMMISSIONER, user__email="lead@otherton.example"
    ).user
    result["no_role"] = UserFactory(email="nobody@example.org")
    result["provider_admin"] = OrganisationMemberFactory(
        organisation__legal_name="Moorside Youth Trust", user__email="admin@moorside.example"
    ).user
    result["other_provider_admin"] = OrganisationMemberFactory(
        organisation__legal_name="Brightwork Training Ltd", user__email="admin@brightwork.example"
    ).user
    return result


@pytest.fixture
def outcome(council):
    return OutcomeFactory(priority__plan__council=council)


@pytest.fixture
def client_for(client):
    """Log a test client in as someone (force_login: axes needs a request to authenticate)."""

    def login(user):
        client.force_login(user)
        return client

    return login
