"""Read replicas (councils.replicas): only the declared read-only pages read from a replica; writes,
transactions, non-safe requests and a browser that has just changed something read from the primary;
a replica that cannot be reached leaves the page served from the primary; with no replica configured
nothing changes.

The "replica" here is the test database under a second alias (as TEST["MIRROR"] makes it in the suite),
added for the test. Tests that read through it commit their data (transaction=True): the replica's own
connection cannot see another connection's uncommitted rows, exactly as in production.
"""

from __future__ import annotations

import datetime
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils import local_kept, page_cache, replicas
from councils.models import Council

# The tests add a database alias to settings.DATABASES, which Django warns may surprise: that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")

ALIAS = "replica_1"
HEADER = "X-Commissioner-Database"


@pytest.fixture(scope="module", autouse=True)
def replica_connection(django_db_setup):
    """The alias replica_1 in the connection handler, set up before the tests' database access is
    (so that a test may name it); a mirror of the test database, as TEST["MIRROR"] makes it."""
    connections.settings[ALIAS] = mirror_of_default()
    yield
    forget_connection()
    del connections.settings[ALIAS]


def mirror_of_default(**overrides) -> dict:
    default = connections["default"].settings_dict
    return {**default, **overrides, "TEST": {**default["TEST"], "MIRROR": "default"}}


def forget_connection() -> None:
    connections[ALIAS].close()
    del connections[ALIAS]


@pytest.fixture
def replica(settings):
    """Turn replica_1 on as DATABASE_REPLICA_URLS does (settings, router, middleware), pointing at the
    test database or wherever ``overrides`` say."""

    def add(**overrides):
        if overrides:
            forget_connection()
            connections.settings[ALIAS] = mirror_of_default(**overrides)
        settings.DATABASES = {**settings.DATABASES, ALIAS: connections.settings[ALIAS]}
        settings.DATABASE_ROUTERS = ["councils.replicas.ReplicaRouter"]
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(
            middleware.index("councils.middleware.SessionTimeoutMiddleware"), "councils.replicas.ReplicaMiddleware"
        )
        settings.MIDDLEWARE = middleware
        return ALIAS

    yield add
    forget_connection()
    connections.settings[ALIAS] = mirror_of_default()
    replicas._down_until.clear()
    replicas.use_replica(None)


def read_from(client, url: str):
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        response = client.get(url)
    return response, len(on_replica.captured_queries)


@pytest.mark.parametrize(
    "name",
    [
        "opportunities:list",
        "opportunities:feed",
        "monitoring:register",
        "open_data:home",
        "open_data:ocds",
        "open_data:transparency",
        "monitoring:dashboard",
        "monitoring:provider_dashboard",
        "monitoring:export",
    ],
)
def test_the_declared_read_only_pages(name):
    assert replicas.is_read_only_page(name)


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "home",
        "login",
        "opportunities:detail",
        "opportunities:interest",
        "commissioning:list",
        "monitoring:export_job",
        "monitoring:agreement_detail",
        "councils:notifications",
        "dashboard",
    ],
)
def test_every_other_page_reads_from_the_primary(name):
    assert not replicas.is_read_only_page(name)


@pytest.mark.django_db(transaction=True, databases=["default", ALIAS])
def test_a_read_only_page_reads_from_the_replica(replica, client):
    replica()
    Council.objects.create(name="Kirkby Moor Council", slug="kirkby-moor", short_code="KMC")
    response, replica_queries = read_from(client, reverse("opportunities:list"))
    assert response.status_code == 200
    assert response[HEADER] == ALIAS
    assert replica_queries > 0
    # Nothing of the choice outlives the request.
    assert replicas.current_replica() is None


@pytest.mark.django_db(transaction=True, databases=["default", ALIAS])
def test_other_pages_read_from_the_primary(replica, client):
    replica()
    response, replica_queries = read_from(client, reverse("privacy"))
    assert response.status_code == 200
    assert response[HEADER] == "default"
    assert replica_queries == 0


@pytest.mark.django_db(transaction=True, databases=["default", ALIAS])
def test_a_non_safe_request_reads_from_the_primary_and_pins_the_browser(replica, client):
    replica()
    url = reverse("opportunities:list")
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        posted = client.post(url, {})
    assert posted[HEADER] == "default"
    assert not on_replica.captured_queries
    assert replicas.PIN_COOKIE in posted.cookies
    assert posted.cookies[replicas.PIN_COOKIE]["max-age"] == settings.COMMISSIONER_REPLICA_PIN_SECONDS
    assert posted.cookies[replicas.PIN_COOKIE]["httponly"]

    # Just after the change: the person reads their own write from the primary.
    response, replica_queries = read_from(client, url)
    assert response[HEADER] == "default"
    assert replica_queries == 0

    # A few seconds later (the cookie's signed time has passed): the replica again (rendered afresh,
    # not the page the primary rendered a moment ago, which the page cache kept).
    cache.clear()
    local_kept.clear()
    later = timezone.now() + datetime.timedelta(seconds=settings.COMMISSIONER_REPLICA_PIN_SECONDS + 1)
    with time_machine.travel(later):
        response, replica_queries = read_from(client, url)
    assert response[HEADER] == ALIAS
    assert replica_queries > 0


@pytest.mark.django_db(transaction=True, databases=["default", ALIAS])
def test_a_forged_pin_cookie_is_ignored(replica, client):
    replica()
    client.cookies[replicas.PIN_COOKIE] = "1"
    response, _ = read_from(client, reverse("opportunities:list"))
    assert response[HEADER] == ALIAS


@pytest.mark.django_db(transaction=True, databases=["default", ALIAS])
def test_a_replica_that_cannot_be_reached_leaves_the_page_to_the_primary(replica, client, tmp_path, monkeypatch):
    if connections["default"].vendor == "postgresql":
        # Nothing listens on port 1: the connection is refused at once.
        replica(PORT="1", HOST="127.0.0.1")
    else:
        replica(NAME=str(tmp_path / "missing-folder" / "replica.sqlite3"))
    url = reverse("opportunities:list")
    response = client.get(url)
    assert response.status_code == 200
    assert response[HEADER] == "default"
    assert replicas.is_down(ALIAS)
    # Marked down: the next request does not try it again until the retry time has passed.
    with monkeypatch.context() as patch:
        patch.setattr(replicas, "_reachable", lambda alias: pytest.fail(f"{alias} was tried while marked down"))
        assert client.get(url)[HEADER] == "default"
    replicas._down_until[ALIAS] = time.monotonic() - 1
    assert not replicas.is_down(ALIAS)


@pytest.mark.django_db
def test_inside_a_transaction_reads_come_from_the_primary(replica):
    replica()
    router = replicas.ReplicaRouter()
    replicas.use_replica(ALIAS)
    with transaction.atomic():
        assert router.db_for_read(Council) == "default"


def test_outside_a_transaction_reads_follow_the_request(replica):
    replica()
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Council) == "default"
    replicas.use_replica(ALIAS)
    assert router.db_for_read(Council) == ALIAS
    # Sessions (cached_db) and the like are read from the primary on every page.
    assert router.db_for_read(Session) == "default"
    # Writes always go to the primary, and a replica is never migrated.
    assert router.db_for_write(Council) == "default"
    assert router.db_for_write(Session) == "default"
    assert not router.allow_migrate(ALIAS, "councils")
    assert router.allow_migrate("default", "councils")


@pytest.mark.django_db(transaction=True, databases=["default", ALIAS])
def test_a_session_written_on_a_replica_page_goes_to_the_primary(replica, client, people):
    replica()
    client.force_login(people["provider_admin"])
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        assert client.get(reverse("opportunities:list"))[HEADER] == ALIAS
    assert not any("django_session" in query["sql"] for query in on_replica.captured_queries)


def test_a_replica_served_page_is_cached_only_briefly(settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 120
    assert page_cache.timeout() == 120
    replicas.use_replica(ALIAS)
    try:
        assert page_cache.timeout() == settings.COMMISSIONER_REPLICA_PIN_SECONDS
    finally:
        replicas.use_replica(None)
