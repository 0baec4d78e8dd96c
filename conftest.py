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

from councils.sessions import two_factor_required
from demo.tests.snapshot import demo_data, demo_seed  # noqa: F401 (the demo data, seeded once)
from tests.accounts import sign_in_verified
from tests.browser import browser, page  # noqa: F401 (fixtures for every app's browser journeys)
from tests.template_db import django_db_modify_db_settings  # noqa: F401 (xdist workers: migrate once)
from tests.worlds import make_council, make_other_council, make_outcome, make_people

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

    from councils import local_kept

    cache.clear()
    local_kept.clear()


@pytest.fixture
def council(db):
    return make_council()


@pytest.fixture
def other_council(db):
    return make_other_council()


@pytest.fixture
def people(council, other_council):
    """A person for every role in `council`, plus outsiders: another council's officer, nobody, and
    the administrators of two provider organisations."""
    return make_people(council, other_council)


@pytest.fixture
def outcome(council):
    return make_outcome(council)


@pytest.fixture
def client_for(client):
    """Log a test client in as someone who has done all signing in asks of them (force_login: axes
    needs a request to authenticate), a code from their app included where they need one."""

    def login(user):
        if two_factor_required(user):
            return sign_in_verified(client, user)
        client.force_login(user)
        return client

    return login
