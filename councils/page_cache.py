"""Per-person page caching, kept correct by data generations.

A cached page is stored under a key made of who is asking, the URL, and the current *generation* of
every scope the page reads from. A generation is a token in the cache that changes whenever data in
its scope is written, so a write makes every page that read that data miss from then on; nothing
has to know which pages exist. The scopes are:

- ``council:<id>``: anything belonging to one council (commissions, opportunities, bids, agreements,
  returns, memberships, ...). Council pages depend on their council and on ``shared``.
- ``shared``: data without a council of its own (organisations, people, partnerships).
- ``listing``: what the public opportunities list shows (opportunities, their commissions and
  outcomes, council names), so bids and returns being written all day do not keep emptying it.
- ``all``: every write anywhere; a page that crosses councils and says nothing narrower depends on it.
  The pages about the organisations a person acts for (the provider portal and dashboard) say which
  councils they read (`organisation_scopes`): the councils of those organisations' bids, followed
  opportunities, questions and agreements, and those their alerts and outcomes of interest name. A
  council the organisations have nothing to do with can change all day without emptying them, and
  a part of such a page that names its families (`fragment`) depends on those families of each of
  those councils only.
- ``user:<id>``: one person's own things (their notifications, which the header counts).
- ``council:<id>:<family>``: one *family* of a council's data, the module its model lives in
  (``commissioning.sourcing``: opportunities, their questions and openings; ``commissioning.bids``:
  bids and what a provider writes in them; ``monitoring.returns``: monitoring returns;
  ``councils``; ``providers``; ...). Fragments of a page (:func:`fragment`) depend on the families
  they show, so a bid being saved re-renders the dashboard's sourcing panels, not its returns. A
  bump that does not say which families it wrote changes ``council:<id>:*``, on which every fragment
  depends.

Every committed ``save()`` and ``delete()`` of the project's models changes the generations (once at
once, so the writing request sees its own change, and again after commit, so a page read by someone
else between the write and the commit is not kept). Services that write with ``queryset.update()``
or ``bulk_create()`` (no signals) call :func:`bump` themselves. A page is never kept longer than
``COMMISSIONER_PAGE_CACHE_SECONDS`` (a bound on anything that changes with the clock, such as a
deadline passing); 0 turns page caching off.

Only successful GETs of HTML are kept. A page is not kept, nor served from the cache, while the
person has a message waiting to be shown ("Your bid has been submitted"), and pages that carry a
CSRF token are kept per CSRF cookie, so every form on a cached page still posts.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

from councils import local_kept, replicas
from councils.audit_types import READING_EVENT_TYPES
from councils.compiled import Statement
from councils.models import Council

APPS = frozenset({"councils", "commissioning", "providers", "monitoring"})
# Rows that no cached page shows: writing them must not throw every page away.
IGNORED = frozenset({"councils.sentreminder", "monitoring.exportjob", "councils.notificationpreference"})
# How to reach the council from a row that has no council of its own, nearest first.
COUNCIL_VIA = (
    "commission",
    "opportunity",
    "agreement",
    "evaluation",
    "award",
    "bid",
    "monitoring_return",
    "kpi",
    "sheet",
    "outcome_sought",
    "pot",
    "plan",
    "priority",
)
# Rows the public opportunities list (and its filters) shows.
LISTING = frozenset(
    {
        "commissioning.opportunity",
        "commissioning.commission",
        "councils.council",
        "councils.outcome",
        "councils.priority",
        "councils.corporateplan",
    }
)
_GENERATION = "gen:"
# How long a shared filter form's markup is kept when its data does not change (`shared_fragment`).
FORM_SECONDS = 15 * 60
# The generations one request has read (`reading`): its page, its shell and its kept parts share scopes,
# so each is asked of the cache once. Emptied by every bump, so a request never keys by what it changed.
_READ: ContextVar[dict[str, int] | None] = ContextVar("page_cache_read", default=None)


def timeout(longest: int | None = None) -> int:
    """How long to keep something: the page cache's bound, or `longest` for what no clock changes (0
    while page caching is off, either way)."""
    seconds = int(getattr(settings, "COMMISSIONER_PAGE_CACHE_SECONDS", 0))
    if replicas.current_replica() is not None:
        # A page read from a replica may miss a write whose generation is already current: keep it
        # no longer than the lag a replica-served page is allowed anyway.
        return min(seconds, replicas.pin_seconds())
    return longest if seconds and longest is not None else seconds


def council_scopes(council_id: int) -> list[str]:
    return [f"council:{council_id}", "shared"]


# Who knows which councils an organisation's records lie in: the app holding bids and agreements
# registers it from its AppConfig.ready() (`organisation_councils_from`).
_organisation_council_ids: Callable[[object], Iterable[int]] | None = None


def organisation_councils_from(find: Callable[[object], Iterable[int]]) -> None:
    """Register `find(user)`: the ids of every council whose data a page about the organisations
    `user` acts for may show."""
    global _organisation_council_ids
    _organisation_council_ids = find


def organisation_councils(user) -> list[int] | None:
    """The ids of the councils the organisations a person acts for have records in (None without a
    registered finder: any council). Worked out on every request, so a record in a council new to
    them changes the keys of the pages about them at once."""
    if _organisation_council_ids is None:
        return None
    return sorted(_organisation_council_ids(user))


def organisation_scopes(council_ids: list[int] | None) -> list[str]:
    """The scopes of a page about the organisations a person acts for: the councils their records lie
    in (`organisation_councils`), and the data shared between councils (the organisations and people
    themselves). Without a registered finder, every write anywhere (``all``)."""
    if council_ids is None:
        return ["all"]
    return ["shared", *(f"council:{council_id}" for council_id in council_ids)]


def bump(*scopes: str) -> None:
    """New generations for these scopes (and ``all``), now and again when the transaction commits."""
    keys = {f"{_GENERATION}{scope}" for scope in (*scopes, "all")}

    def new_generation() -> None:
        token = time.time_ns()
        cache.set_many(dict.fromkeys(keys, token), timeout=None)
        read = _READ.get()
        if read is not None:
            read.clear()

    new_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(new_generation)


def bump_council(council_id: int | None, *families: str) -> None:
    """After writes that send no signal: the council's generation and those of the `families` written
    (every family's, through ``council:<id>:*``, when none is named)."""
    if not council_id:
        bump("shared")
        return
    bump(f"council:{council_id}", *(f"council:{council_id}:{family}" for family in families or ("*",)))


def family_of(model) -> str:
    """The family a model's rows belong to: its app, and the module of ``<app>/models/`` it lives in
    (or the model's own ``page_cache_family``)."""
    if family := getattr(model, "page_cache_family", None):
        return family
    module = model.__module__.split(".")
    return f"{module[0]}.{module[2]}" if len(module) > 2 and module[1] == "models" else module[0]


def council_id_of(instance, depth: int = 0) -> int | None:
    """The council a row belongs to, following its foreign keys (None when it belongs to none)."""

    if isinstance(instance, Council):
        return instance.pk
    council_id = getattr(instance, "council_id", None)
    if council_id or depth > 4:
        return council_id
    field_names = {field.name for field in instance._meta.concrete_fields if field.is_relation}
    for name in COUNCIL_VIA:
        if name in field_names and getattr(instance, f"{name}_id", None):
            try:
                related = getattr(instance, name)
            except ObjectDoesNotExist:  # deleted in the same cascade
                return None
            return council_id_of(related, depth + 1)
    return None


def scopes_written_by(instance, update_fields=None) -> list[str]:
    meta = instance._meta
    label = meta.label_lower
    if meta.app_label not in APPS or label in IGNORED:
        return []
    if label == "councils.auditevent" and instance.event_type in READING_EVENT_TYPES:
        # A recorded read (councils.reading) changes no cached page: the pages that list reads are not cached.
        return []
    if label == "councils.notification":
        return [f"user:{instance.user_id}"]
    if label == "councils.user":
        # Signing in stamps last_login: that must not empty every council's cache on a Monday morning.
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return []
        return ["shared", f"user:{instance.pk}"]
    council_id = council_id_of(instance)
    if council_id:
        scopes = [f"council:{council_id}", f"council:{council_id}:{family_of(type(instance))}"]
    else:
        scopes = ["shared"]
    if label in LISTING:
        scopes.append("listing")
    return scopes


def _on_save(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    scopes = scopes_written_by(instance, update_fields)
    if scopes:
        bump(*scopes)


def _on_delete(sender, instance, **kwargs):
    scopes = scopes_written_by(instance)
    if scopes:
        bump(*scopes)


def _on_m2m(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _on_delete(sender, instance)


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="page_cache_save")
    post_delete.connect(_on_delete, dispatch_uid="page_cache_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="page_cache_m2m")


def generations(scopes: Iterable[str]) -> dict[str, int]:
    """The current generation of each scope (0 when none is recorded, as in the page keys): something
    built from these scopes' data is still current while they are unchanged."""
    scopes = sorted(set(scopes))
    read = _READ.get()
    if read is None:
        found = cache.get_many([f"{_GENERATION}{scope}" for scope in scopes])
        return {scope: found.get(f"{_GENERATION}{scope}", 0) for scope in scopes}
    if missing := [scope for scope in scopes if scope not in read]:
        found = cache.get_many([f"{_GENERATION}{scope}" for scope in missing])
        read.update({scope: found.get(f"{_GENERATION}{scope}", 0) for scope in missing})
    return {scope: read[scope] for scope in scopes}


@contextmanager
def reading():
    """While a GET is answered, each scope's generation is read from the cache once (`generations`):
    entered for every GET by `CurrentCouncilMiddleware`, before the council's lookup."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def council_named(request, slug: str) -> Council | None:
    """The council whose address `slug` is, or None. Every council page asks before anything else, so
    this process keeps the row (`local_kept`) while the council's own family and the data shared
    between councils (its partnership) are unchanged. Checking that is one round trip to the cache,
    which also brings the generations the page and its shell read next. The generations are read
    before the row, so a row is never kept under generations newer than itself; a council not yet
    kept is read from the database twice before it is (once to learn its id)."""
    seconds = timeout()
    if not seconds:
        return _council_row(slug)
    kept = local_kept.get(f"council-named:{slug}")
    if kept is None:
        council = _council_row(slug)
        if council is not None:
            local_kept.put(f"council-named:{slug}", (council.pk, None, None), time.time() + seconds)
        return council
    council_id, kept_generations, row = kept
    scopes = _council_row_scopes(council_id)
    personal = [f"user:{request.user.pk}"] if request.user.is_authenticated else []
    current = generations([*scopes, f"council:{council_id}", *personal])
    now = {scope: current[scope] for scope in scopes}
    if row is not None and now == kept_generations:
        return copy.copy(row)
    council = _council_row(slug)
    if council is not None and council.pk == council_id:
        local_kept.put(f"council-named:{slug}", (council_id, now, copy.copy(council)), time.time() + seconds)
    return council


# The address is unique: one row or none, so no order or limit to compile.
_COUNCIL_NAMED = Statement(
    lambda slug: Council.objects.select_related("partnership").filter(slug=slug), name="council by its address"
)


def _council_row(slug: str) -> Council | None:
    return _COUNCIL_NAMED.one(slug=slug)


def _council_row_scopes(council_id: int) -> list[str]:
    # The council's own family (its name, contacts, settings) and `shared` (its partnership).
    return family_scopes(council_id, [family_of(Council)])


def _has_pending_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    # `_loaded_messages` reads the waiting messages without marking them shown.
    return storage is not None and bool(getattr(storage, "_loaded_messages", None) or storage._queued_messages)


def _key(prefix: str, parts: Iterable[str], scopes: Iterable[str]) -> str:
    """A cache key of `parts` and the current generation of each of `scopes`."""
    versioned = [*parts, *(f"{scope}={generation}" for scope, generation in generations(scopes).items())]
    return prefix + hashlib.sha256("|".join(versioned).encode()).hexdigest()


def page_key(request, scopes: Iterable[str]) -> str:
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    parts = [
        request.get_full_path(),
        str(request.user.pk or "anonymous"),
        hashlib.sha256(csrf_cookie.encode()).hexdigest()[:16] if csrf_cookie else "",
    ]
    user_scope = [f"user:{request.user.pk}"] if request.user.is_authenticated else []
    # The shell's generations come in the same round trip: a miss renders it next.
    generations([*scopes, *user_scope, *_shell_scopes(request)])
    return _key("page:", parts, [*scopes, *user_scope])


def shared_fragment(
    parts: Iterable[str], scopes: Iterable[str], render: Callable[[], str], seconds: int | None = None
) -> str:
    """HTML that is the same for everyone who asks with the same `parts` (a filter form: its choices
    and the filters chosen), rendered once and kept until data in `scopes` changes. Nothing personal
    may go in: the fragment is shared between people. `seconds` keeps HTML that nothing but its data
    changes (no deadline, no date) longer than the page cache's bound."""
    seconds = timeout(seconds)
    if not seconds:
        return render()
    return _kept(_key("fragment:", parts, scopes), seconds, render)


def shared_value(parts: Iterable[str], scopes: Iterable[str], compute: Callable[[], object]):
    """What `compute()` returns (a form's choices, say), the same for everyone asking with the same
    `parts`, kept until data in `scopes` changes: the rows, not their markup, for a form that must
    check what was chosen against them on every request. The value is shared between the requests
    of a process (`local_kept`): whoever reads it must not change it."""
    seconds = timeout()
    if not seconds:
        return compute()
    return _kept_value(_key("value:", parts, scopes), seconds, compute)


def family_scopes(council_id: int, families: Iterable[str]) -> list[str]:
    """The scopes of a council's data in these families: what something showing only them depends on."""
    return [*(f"council:{council_id}:{family}" for family in families), f"council:{council_id}:*", "shared"]


def fragment(request, name: str, families: Iterable[str], vary: Iterable[str], render: Callable[[], str]) -> str:
    """Part of one person's page, kept until data in its `families` of the request's council (or data
    shared between councils, or that person's own) changes: after a change elsewhere in the council,
    the page renders again around it. Kept per person and per CSRF cookie, as pages are; `vary` is
    whatever else the part's content depends on (the filters chosen)."""
    seconds = timeout()
    if not seconds or not request.user.is_authenticated:
        return render()
    return _personal(request, name, _part_scopes(request, families), vary, seconds, render)


def _part_scopes(request, families: Iterable[str]) -> list[str]:
    """What a part of the request's page showing `families` depends on."""
    council = getattr(request, "council", None)
    council_ids = getattr(request, "page_cache_councils", None)
    if council is not None:
        return family_scopes(council.pk, families)
    if families and council_ids is not None:
        # A page about the person's organisations: the families it shows, in each council they deal with.
        return sorted({scope for council_id in council_ids for scope in family_scopes(council_id, families)})
    # A page across councils: its part reads what the page reads (`CachedPageMixin`).
    return getattr(request, "page_cache_scopes", None) or ["all"]


def personal_value(request, name: str, families: Iterable[str], vary: Iterable[str], compute: Callable[[], object]):
    """What `compute()` returns for one signed-in person's page (a dashboard list and its counts), kept
    as a kept part is (`fragment`) until data in its `families` of the request's council (or of the
    councils a page about their organisations reads), or data shared between councils, changes. A
    page whose headline figures add up several lists keeps each list by its own families: after a
    change, only the lists showing it are worked out again. The process's copy is shared between its
    requests (`local_kept`): whoever reads the value must not change it."""
    seconds = timeout()
    if not seconds or not request.user.is_authenticated:
        return compute()
    parts = ["value", name, str(request.user.pk), *vary]
    return _kept_value(_key("part:", parts, _part_scopes(request, families)), seconds, compute)


def shell(request, render: Callable[[], str]) -> str:
    """The page's shell: the header (the person's name, their unread notifications, the sign-out form)
    and the service menu (what their roles open, where they are). It shows only their own things, data
    shared between councils (the organisations they act for) and the current council's own family
    (its name, and the roles that open its menu), and varies with the path, never with the query: kept
    per person, or shared between everyone signed out, it is a lookup on every other page they open."""
    seconds = timeout()
    if not seconds:
        return render()
    council = getattr(request, "council", None)
    vary = [request.path, str(council.pk if council is not None else "")]
    if not request.user.is_authenticated:
        # Signed out, the shell has no form and nothing personal: one rendering serves everyone.
        return shared_fragment(["shell", *vary], _shell_scopes(request), render)
    return _personal(request, "shell", _shell_scopes(request), vary, seconds, render)


def _shell_scopes(request) -> list[str]:
    council = getattr(request, "council", None)
    scopes = _council_row_scopes(council.pk) if council is not None else ["shared"]
    return [*scopes, f"user:{request.user.pk}"] if request.user.is_authenticated else scopes


def _personal(request, name: str, scopes: list[str], vary: Iterable[str], seconds: int, render) -> str:
    """A part of one signed-in person's page, kept per person and per CSRF cookie (it may carry a form)."""
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    parts = [name, str(request.user.pk), hashlib.sha256(csrf_cookie.encode()).hexdigest()[:16], *vary]
    return _kept(_key("part:", parts, scopes), seconds, render)


def _kept(key: str, seconds: int, render: Callable[[], str]) -> str:
    """The HTML kept under `key`, or `render()`'s, kept there for `seconds`."""
    return _kept_value(key, seconds, lambda: str(render()))


def _kept_value(key: str, seconds: int, compute: Callable[[], object]):
    """What is kept under `key`, or what `compute()` returns, kept there for `seconds`. The process's
    own copy (`local_kept`) is asked first: it saves a round trip to Redis on most parts of most pages.
    Redis holds each value with the moment it lapses, so a copy taken from it lapses with it."""
    value = local_kept.get(key)
    if value is not None:
        return value
    found = cache.get(f"kept:{key}")
    if found is None:
        value, lapses_at = compute(), time.time() + seconds
        if local_kept.may_be_uncommitted():
            # Read inside a transaction of the request's own: its writes bumped the generations in
            # `key` already, and a rollback would leave them current with this value under them.
            return value
        cache.set(f"kept:{key}", (lapses_at, value), seconds)
    else:
        lapses_at, value = found
    local_kept.put(key, value, lapses_at)
    return value


class CachedPageMixin:
    """Serve a GET from the page cache when nothing it shows has changed since it was rendered.

    Put it after the permission mixins, so the permission checks still run on every request; the
    view says what it reads from with `page_cache_scopes()`. HTML pages are kept; a view that serves
    downloads names their content types in `page_cache_types` (the headers in `KEPT_HEADERS` are kept
    with them)."""

    page_cache_types: tuple[str, ...] = ("text/html",)
    KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")
    # A page outside any council about the organisations the person acts for: it reads the councils
    # their records lie in (`organisation_scopes`), not every write anywhere.
    about_own_organisations = False

    def page_cache_scopes(self) -> list[str]:
        council = getattr(self.request, "council", None)
        if council is not None:
            return council_scopes(council.pk)
        if self.about_own_organisations and self.request.user.is_authenticated:
            # Its parts ({% fragment %}) read the families they show in the same councils.
            self.request.page_cache_councils = organisation_councils(self.request.user)
            return organisation_scopes(self.request.page_cache_councils)
        return ["all"]

    def get(self, request, *args, **kwargs):
        seconds = timeout()
        if not seconds or _has_pending_messages(request):
            return super().get(request, *args, **kwargs)
        return self._cached_get(request, seconds, *args, **kwargs)

    def _cached_get(self, request, seconds: int, *args, **kwargs):
        scopes = self.page_cache_scopes()
        # The page's parts (`fragment`) outside a council read the same scopes.
        request.page_cache_scopes = scopes
        key = page_key(request, scopes)
        cached = cache.get(key)
        if cached is not None:
            body, headers = cached
            response = HttpResponse(body, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = super().get(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        csrf_only_in_page = request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request.COOKIES.get(
            settings.CSRF_COOKIE_NAME
        )
        if (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith(self.page_cache_types)
            and not csrf_only_in_page
            and not _has_pending_messages(request)
            and not local_kept.may_be_uncommitted()
        ):
            headers = {name: response[name] for name in self.KEPT_HEADERS if response.has_header(name)}
            cache.set(key, (response.content, headers), seconds)
        response["X-Page-Cache"] = "miss"
        return response
