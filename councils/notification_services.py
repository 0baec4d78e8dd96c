"""Writes for notifications: a council's reminder rules, and each person's own notifications and preference.

Changing a council's reminder rules is audited like any other council setting. Reading one's own
notifications is not: it is nobody else's business and would bury the council's trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from councils import page_cache
from councils.models import RULE_KINDS, Council, Notification, NotificationPreference, ReminderRule, User
from councils.notification_selectors import ReminderSettings, may_edit_reminder_rules
from councils.permissions import council_of
from councils.services import audit_record

logger = logging.getLogger(__name__)


@rules.predicate
def can_edit_reminder_rules(user, obj=None) -> bool:
    return may_edit_reminder_rules(user, council_of(obj))


# Registered with the services that enforce it, so it exists wherever they can be called.
rules.set_perm("councils.edit_reminder_rules", can_edit_reminder_rules)


@transaction.atomic
def reminder_rule_save(*, by: User, council: Council, kind: str, **values) -> ReminderRule:
    """A council administrator (or the lead commissioner) changes one kind of reminder for the council.

    `values` are the rule's settings (enabled, days_before, repeat_every_days, escalate_after_days,
    working_days); any not given keep their current value, or the default."""
    if not by.has_perm("councils.edit_reminder_rules", council):
        raise PermissionDenied
    if kind not in RULE_KINDS:
        raise ValidationError("This kind of reminder cannot be changed by a council.")
    rule = ReminderRule.objects.select_for_update().filter(council=council, kind=kind).first()
    before = ReminderSettings.of(rule).as_dict() if rule else ReminderSettings.default(kind).as_dict()
    if rule is None:
        rule = ReminderRule(council=council, kind=kind, **before)
    allowed = set(before)
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"Unknown reminder settings: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    after = ReminderSettings.of(rule).as_dict()
    audit_record(
        council=council,
        actor=by,
        event_type="reminder_rule.updated",
        obj=rule,
        extra={"kind": kind, "before": before, "after": after},
    )
    return rule


@transaction.atomic
def notification_preference_save(*, by: User, daily_digest: bool) -> NotificationPreference:
    """A person chooses individual reminder emails or one daily digest. Only ever their own."""
    if not by.is_authenticated:
        raise PermissionDenied
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=by)
    if preference.daily_digest != daily_digest:
        preference.daily_digest = daily_digest
        preference.save(update_fields=["daily_digest"])
        audit_record(
            council=None,
            actor=by,
            event_type="notification_preference.updated",
            obj=preference,
            extra={"daily_digest": daily_digest},
        )
    return preference


def notification_mark_read(*, by: User, notification: Notification) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied
    if notification.read_at is None:
        # Conditional, so two tabs marking it at once keep the first time it was read.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        page_cache.bump(f"user:{by.pk}")  # the unread count in the header
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    if not by.is_authenticated:
        raise PermissionDenied
    marked = Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())
    page_cache.bump(f"user:{by.pk}")
    return marked


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str,
    path: str = "",
    build_url: Callable[[str], str] | None = None,
) -> list[Notification]:
    """A one-off notice (not a swept reminder): an in-app notification for each person and the same
    words by email, one message per person, sent once the transaction has committed. A failure to
    send is logged: the notification is there either way."""
    people = {user.pk: user for user in users if user.is_active}.values()
    notifications = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, title=title[:200], body=body, url=path) for user in people]
    )
    # Absolute links: the request's address, else the site's configured one (as reminder emails do).
    base = getattr(settings, "COMMISSIONER_SITE_URL", "").rstrip("/")
    link = (build_url(path) if build_url else f"{base}{path}") if path else ""
    text = f"{body}\n\n{link}\n" if link else f"{body}\n"
    messages = tuple((title, f"Dear {user.full_name},\n\n{text}", None, [user.email]) for user in people)
    for user in people:
        page_cache.bump(f"user:{user.pk}")  # the unread count in the header

    def send() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # the notice stands in the app; say so in the logs rather than fail the page
            logger.exception("Could not send %s notice email(s): %s", len(messages), title)

    if messages:
        transaction.on_commit(send)
    return notifications
