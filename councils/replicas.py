"""Reads from PostgreSQL streaming replicas, for the pages that may be a few seconds behind.

``DATABASE_REPLICA_URLS`` (config/settings.py) adds the aliases ``replica_1`` .. ``replica_N``. Then:

- :data:`READ_ONLY_PAGES` is the one list of pages whose reads may come from a replica: public lists
  and open data (anyone may be a few seconds behind a council's publication), the dashboards
  (figures), and the list exports. :class:`ReplicaMiddleware` looks up the resolved URL name and,
  for those pages only, lets :class:`ReplicaRouter` send reads to a replica for the rest of the
  request. Every other page, every write, every read inside a transaction, and everything outside a
  request (Celery tasks, management commands) uses the primary.
- Read your own writes: a person's non-safe request (a POST, ...) gives their browser a short-lived
  signed cookie, and while it lasts their reads stay on the primary, so the page after a change
  never shows a replica's lag. A cookie rather than the session: it works for people who are not
  signed in, costs no session write, ends by itself (its signature carries the time it was set), and
  a forged one could only send its holder to the primary.
- A replica that cannot be reached (it is stopped, or does not answer within its short
  ``connect_timeout``) is marked down in this process for ``COMMISSIONER_REPLICA_RETRY_SECONDS`` and
  the primary answers instead; the page is still served. The mark is per process, not in the cache:
  each process finds out from its own refused connection, at no cost to the others.
- Sessions (``cached_db``), login throttling and the beat schedule are read from the primary always.

With no replicas configured nothing here is installed (settings add the router and middleware only
then), and each part is a no-op anyway.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections

REPLICA_PREFIX = "replica_"

# The pages that may read from a replica: "namespace:name", or "namespace:*" for a whole namespace.
# Only pages where a few seconds' staleness is acceptable, and that write nothing the person would
# expect to read back at once (an export that becomes a background job writes on the primary anyway).
READ_ONLY_PAGES = frozenset(
    {
        # Public lists: opportunities (and their feed), the forward plan, the contract register.
        "opportunities:list",
        "opportunities:feed",
        "opportunities:forward_plan",
        "monitoring:register",
        # Open data: every council's pages and files, awards and grants included.
        "open_data:*",
        # Dashboards: the council's and the provider's.
        "monitoring:dashboard",
        "monitoring:provider_dashboard",
        # List exports (CSV, XLSX).
        "monitoring:export",
    }
)

# Apps whose rows are read from the primary whatever the page: a session just written, a lock-out
# just recorded or a schedule just changed must never be read stale.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_celery_beat", "otp_totp", "otp_static"})

PIN_COOKIE = "commissioner_primary"
_PIN_SALT = "councils.replicas.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The replica this request's reads go to, or None for the primary.
_replica: contextvars.ContextVar[str | None] = contextvars.ContextVar("commissioner_replica", default=None)

_down_until: dict[str, float] = {}
_down_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def pin_seconds() -> int:
    return int(getattr(settings, "COMMISSIONER_REPLICA_PIN_SECONDS", 10))


def retry_seconds() -> int:
    return int(getattr(settings, "COMMISSIONER_REPLICA_RETRY_SECONDS", 30))


def is_read_only_page(url_name: str | None) -> bool:
    """Whether the page with this resolved ``namespace:name`` is declared in READ_ONLY_PAGES."""
    if not url_name:
        return False
    namespace = url_name.rpartition(":")[0]
    return url_name in READ_ONLY_PAGES or (bool(namespace) and f"{namespace}:*" in READ_ONLY_PAGES)


def mark_down(alias: str) -> None:
    with _down_lock:
        _down_until[alias] = time.monotonic() + retry_seconds()


def is_down(alias: str) -> bool:
    until = _down_until.get(alias)
    if until is None:
        return False
    if time.monotonic() >= until:
        with _down_lock:
            _down_until.pop(alias, None)
        return False
    return True


def _reachable(alias: str) -> bool:
    """Connect to the replica now (or check the kept connection), so a stopped one is found before
    the view reads anything, not half-way through the page."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError:
        connection.close()
        mark_down(alias)
        return False
    return True


def choose_replica() -> str | None:
    """A random replica that answers, or None (the primary) if none does."""
    candidates = [alias for alias in replica_aliases() if not is_down(alias)]
    random.shuffle(candidates)
    for alias in candidates:
        if _reachable(alias):
            return alias
    return None


def current_replica() -> str | None:
    return _replica.get()


def use_replica(alias: str | None) -> contextvars.Token:
    """Send this context's reads to ``alias`` (None: the primary); for the middleware and tests."""
    return _replica.set(alias)


def pinned_to_primary(request) -> bool:
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=pin_seconds())
    except (KeyError, signing.BadSignature):
        return False
    return True


class ReplicaRouter:
    """Reads go to the replica the middleware chose for this request, if any; all else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        if connections["default"].in_atomic_block:
            # Inside a transaction the primary has rows the replica cannot have yet.
            return "default"
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica follows the primary's WAL; it is never migrated itself.
        return not db.startswith(REPLICA_PREFIX)


class ReplicaMiddleware:
    """Choose, per request, whether its reads may come from a replica (see the module docstring).

    Adds ``X-Commissioner-Database`` to every response: the alias the page read from ("default" for
    the primary), so a proxy log or `make bench-cluster` can show which pages the replicas serve."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        _replica.set(None)
        response = self.get_response(request)
        response["X-Commissioner-Database"] = _replica.get() or "default"
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=pin_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if response.streaming:
            # A streamed export reads while it is sent, after this returns: keep the choice until then.
            response._resource_closers.append(_clear)
        else:
            _clear()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method in SAFE_METHODS
            and is_read_only_page(request.resolver_match.view_name if request.resolver_match else None)
            and not pinned_to_primary(request)
        ):
            _replica.set(choose_replica())
        return None


def _clear() -> None:
    _replica.set(None)
