"""Hand-offs: telling the next person when a step makes it their turn.

A transition names what it tells in its ``custom``: ``"tells": ("decision_to_take",)``. Each area
registers, for its own model, what a hand-off means there (`register`): which kind of notification it
is, who is told (the people whose turn it now is), the words, and the page it links to. The engine
records them (`record_step`) in the same transaction as the step, so a step that rolls back tells
nobody, and a step that commits has told everyone it names.

What is recorded is the reminders' outbox: one `SentReminder` row per person (unique per subject,
kind, person and occurrence, the occurrence being the step's audit event) with its in-app
`Notification`. Emails follow from the outbox's delivery, as reminders' do: the delivery is queued
after the commit (by whatever app registered with `on_commit_deliver`; the every-minute run is the
safety net), and each person's preferences say whether this kind is emailed.

Anything else that must tell people outside a transition (a panel appointment, a partner asked to
confirm a joint bid) calls `tell()` with the same guarantees.

Nobody is sent to a page they cannot open: each hand-off names `may_open(user, obj)`, the same rule
the linked page's view applies, and people failing it are left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from councils import page_cache
from councils.models import Council, Notification, SentReminder, User

Words = Callable[[Any], str]


@dataclass(frozen=True)
class Handoff:
    """What one hand-off means for one model. Every callable gets the `workflow.Step` (its ``obj`` is
    the object after the step), except `may_open`, which gets the person and the object."""

    kind: str
    recipients: Callable[[Any], Iterable[User]]
    title: Words
    body: Words
    path: Words
    may_open: Callable[[User, models.Model], bool]


HANDOFFS: dict[tuple[type[models.Model], str], Handoff] = {}
# Called after the commit of anything told, to email it promptly (monitoring queues its delivery task).
DELIVERERS: list[Callable[[], None]] = []


def register(model: type[models.Model], name: str, **parts) -> Handoff:
    """Say what the transitions of `model` naming `name` in their ``tells`` mean: ``kind``,
    ``recipients(step)``, ``title(step)``, ``body(step)``, ``path(step)`` and ``may_open(user, obj)``."""
    HANDOFFS[(model, name)] = Handoff(**parts)
    return HANDOFFS[(model, name)]


def on_commit_deliver(callback: Callable[[], None]) -> Callable[[], None]:
    """Register what sends the outbox's emails soon after something was told (registered once)."""
    if callback not in DELIVERERS:
        DELIVERERS.append(callback)
    return callback


def _deliver() -> None:
    for callback in DELIVERERS:
        callback()


def council_people(council: Council, roles: Iterable[str]) -> list[User]:
    """The active people holding any of `roles` in `council`."""
    return list(
        User.objects.filter(memberships__council=council, memberships__role__in=list(roles), is_active=True).distinct()
    )


def able_to_take(obj: models.Model, name: str, people: Iterable[User]) -> list[User]:
    """Those of `people` the transition `name` allows to take it from where `obj` is now: whose turn it is."""
    meta = getattr(obj, name)._django_fsm
    return [user for user in people if meta.has_transition_perm(obj, obj.state, user)]


def handoffs_of(obj: models.Model, custom: dict) -> list[Handoff]:
    try:
        return [HANDOFFS[(type(obj), name)] for name in custom.get("tells", ())]
    except KeyError as exc:
        raise LookupError(f"{type(obj).__name__} declares the hand-off {exc} but no area registered it") from None


def record_step(step, *, occurrence: str) -> list[Notification]:
    """Record every hand-off the step's transition names; run by the engine inside the step's transaction."""
    told = []
    for handoff in handoffs_of(step.obj, step.custom):
        people = [user for user in handoff.recipients(step) if user != step.by]
        told += tell(
            about=step.obj,
            kind=handoff.kind,
            users=people,
            title=handoff.title(step),
            body=handoff.body(step),
            path=handoff.path(step),
            occurrence=occurrence,
            may_open=handoff.may_open,
        )
    return told


@transaction.atomic
def tell(
    *,
    about: models.Model,
    kind: str,
    users: Iterable[User],
    title: str,
    body: str,
    path: str = "",
    occurrence: str | None = None,
    may_open: Callable[[User, models.Model], bool] | None = None,
) -> list[Notification]:
    """Tell each of `users` (active, and able to open `path` when `may_open` is given) one thing about
    `about`: an outbox row and its in-app notification each, written in the caller's transaction, the
    email following after the commit. `occurrence` makes it once only: telling the same person the
    same kind about the same thing with the same occurrence again adds nothing (without one, every
    call is a new occasion). Returns the notifications that were new."""
    return tell_each(
        about=about,
        kind=kind,
        messages=dict.fromkeys(users, (title, body)),
        path=path,
        occurrence=occurrence,
        may_open=may_open,
    )


@transaction.atomic
def tell_each(
    *,
    about: models.Model,
    kind: str,
    messages: dict[User, tuple[str, str]],
    path: str = "",
    occurrence: str | None = None,
    may_open: Callable[[User, models.Model], bool] | None = None,
) -> list[Notification]:
    """`tell`, with words of its own for each person (`messages`: person -> title and body), in the
    same few queries however many people are told: an opportunity alert says why it reached each."""
    occurrence = occurrence or uuid.uuid4().hex
    people = {
        user.pk: words
        for user, words in messages.items()
        if user.is_active and (may_open is None or may_open(user, about))
    }
    if not people:
        return []
    content_type = ContentType.objects.get_for_model(about)
    SentReminder.objects.bulk_create(
        [
            SentReminder(
                recipient_id=pk, kind=kind, content_type=content_type, object_id=about.pk, occurrence=occurrence
            )
            for pk in people
        ],
        ignore_conflicts=True,
    )
    # The rows without a notification are the ones this call added (a repeat finds them notified).
    new = SentReminder.objects.filter(
        content_type=content_type,
        object_id=about.pk,
        kind=kind,
        occurrence=occurrence,
        recipient_id__in=people,
        notification__isnull=True,
    ).values_list("pk", "recipient_id")
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                kind=kind,
                title=people[user_id][0][:200],
                body=people[user_id][1],
                url=path,
                reminder_id=pk,
            )
            for pk, user_id in new
        ]
    )
    if notifications:
        # bulk_create sends no signal: the recipients' headers count unread notifications.
        page_cache.bump(*{f"user:{n.user_id}" for n in notifications})
        transaction.on_commit(_deliver, robust=True)
    return notifications
