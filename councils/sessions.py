"""Sign-in sessions: who a session belongs to, how long it lasts, and when it must change.

What a request needs to know about its session is kept *in* the session, worked out when the person
signs in and again whenever their roles or sign-in rules change, so that no request pays a query for
it: whether they are council staff (shorter time-outs) and whether they must use two-factor sign-in.
A change is noticed through `User.access_changed_at` (the user row is read on every request anyway):
the session then gets a new key (without signing the person out) and the facts are worked out again.

Time-outs: a session ends after `idle` seconds without a request and `absolute` seconds after signing
in, whichever comes first. The idle stamp is written at most once a minute, so most requests do not
save the session.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from councils.models import Council, Membership, User

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
ACCESS_SEEN = "_access_seen"
IS_STAFF = "_is_staff"
TWO_FACTOR_REQUIRED = "_two_factor_required"
# Why the last session ended, read once by the sign-in page.
ENDED_BECAUSE = "_ended_because"
IDLE_STAMP_EVERY = 60

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not done anything for a while. Sign in again to carry on.",
    "absolute": "You were signed out because you had been signed in for a long time. Sign in again to carry on.",
    "everywhere": "You have been signed out on every device and browser. Sign in again to carry on.",
}


def axes_username(request, credentials) -> str:
    """The account a sign-in attempt is for, however its email was typed: one lock per account."""
    data = credentials if credentials else getattr(request, "POST", {})
    return (data.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().casefold()


def client_address(request) -> str | None:
    """The visitor's address, for the lock on an address. Behind the reverse proxy that terminates TLS
    every request comes from the proxy, so the address is the one the proxy added to X-Forwarded-For:
    the last (a visitor can write anything before it)."""
    if settings.COMMISSIONER_TRUST_X_FORWARDED_FOR:
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


@dataclass(frozen=True)
class Limits:
    idle: int
    absolute: int


def limits(is_staff: bool) -> Limits:
    if is_staff:
        return Limits(settings.SESSION_STAFF_IDLE_SECONDS, settings.SESSION_STAFF_ABSOLUTE_SECONDS)
    return Limits(settings.SESSION_IDLE_SECONDS, settings.SESSION_ABSOLUTE_SECONDS)


def is_council_staff(user: User) -> bool:
    return user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists()


def two_factor_required(user: User) -> bool:
    """Required for superusers (the admin opens everything the walls allow a system administrator), for
    anyone with a role in a council that requires it, and for anyone who turned it on."""
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Q(is_superuser=True)
            | Q(memberships__council__require_two_factor=True)
            | Q(totpdevice__confirmed=True)
            | Q(staticdevice__confirmed=True)
        )
        .exists()
    )


def _stamp(value) -> str:
    return value.isoformat() if value else ""


def refresh_access(session, user: User) -> None:
    """Work out again, and keep in the session, what it needs to know about the person."""
    # From the database: the user object in hand may predate the change (as at sign-in, or in tests).
    changed_at = User.objects.filter(pk=user.pk).values_list("access_changed_at", flat=True).first()
    session[IS_STAFF] = is_council_staff(user)
    session[TWO_FACTOR_REQUIRED] = two_factor_required(user)
    session[ACCESS_SEEN] = _stamp(changed_at)


def start(session, user: User) -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    refresh_access(session, user)


def _on_login(sender, request, user, **kwargs):
    start(request.session, user)


def expired(session, now: int) -> str:
    """'idle' or 'absolute' when the session has run out, otherwise ''."""
    limit = limits(bool(session.get(IS_STAFF)))
    if now - session.get(SIGNED_IN_AT, now) >= limit.absolute:
        return "absolute"
    if now - session.get(SEEN_AT, now) >= limit.idle:
        return "idle"
    return ""


def touch(session, now: int) -> None:
    if now - session.get(SEEN_AT, 0) >= IDLE_STAMP_EVERY:
        session[SEEN_AT] = now


def access_changed(session, user: User) -> bool:
    return session.get(ACCESS_SEEN) != _stamp(user.access_changed_at)


def mark_access_changed(user_ids: Iterable[int]) -> None:
    """The people's roles or sign-in rules changed: each of their sessions gets a new key on its next
    request and works out again what applies. `update()`: no page of the service shows this stamp."""
    User.objects.filter(pk__in=list(user_ids)).update(access_changed_at=timezone.now())


def mark_council_staff_changed(council: Council) -> None:
    mark_access_changed(Membership.objects.filter(council=council).values_list("user_id", flat=True))


def _on_membership_change(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_access_changed([instance.user_id])


def watch_roles(model) -> None:
    """Rows of `model` (with a `user`) give people their roles: a row saved or deleted rotates that
    person's sessions. Apps register their own role models (providers: organisation members)."""
    label = model._meta.label_lower
    post_save.connect(_on_membership_change, sender=model, dispatch_uid=f"sessions_roles_saved_{label}")
    post_delete.connect(_on_membership_change, sender=model, dispatch_uid=f"sessions_roles_deleted_{label}")


def _on_council_saving(sender, instance, raw=False, **kwargs):
    """A council turning two-factor sign-in on (or off), by its settings page or the admin site:
    its staff already signed in are held to the new rule from their next page."""
    if raw or instance.pk is None:
        return
    before = Council.objects.filter(pk=instance.pk).values_list("require_two_factor", flat=True).first()
    if before is not None and before != instance.require_two_factor:
        mark_council_staff_changed(instance)


def connect_signals() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="sessions_start")
    watch_roles(Membership)
    pre_save.connect(_on_council_saving, sender=Council, dispatch_uid="sessions_council_saving")
