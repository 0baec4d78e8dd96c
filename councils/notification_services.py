"""Writes for notifications: a council's reminder rules, and each person's own notifications and preference.

Changing a council's reminder rules is audited like any other council setting. Reading one's own
notifications is not: it is nobody else's business and would bury the council's trail.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from councils import handoffs, page_cache
from councils.models import (
    RULE_KINDS,
    Council,
    EmailOptOut,
    Notification,
    NotificationPreference,
    ReminderKind,
    ReminderRule,
    User,
)
from councils.notification_selectors import ReminderSettings, may_edit_reminder_rules
from councils.permissions import council_of
from councils.services import audit_record


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
def notification_preference_save(
    *, by: User, daily_digest: bool, not_emailed: Iterable[str] | None = None
) -> NotificationPreference:
    """A person chooses individual emails or one daily digest and, when `not_emailed` is given, the
    kinds of notification they do not want emailed (in-app notices stay). Only ever their own."""
    if not by.is_authenticated:
        raise PermissionDenied
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=by)
    changes: dict = {}
    if preference.daily_digest != daily_digest:
        preference.daily_digest = daily_digest
        preference.save(update_fields=["daily_digest"])
        changes["daily_digest"] = daily_digest
    if not_emailed is not None:
        wanted_off = set(not_emailed)
        unknown = wanted_off - set(ReminderKind.values)
        if unknown:
            raise ValidationError(f"Unknown kinds of notification: {', '.join(sorted(unknown))}.")
        before = set(EmailOptOut.objects.filter(user=by).values_list("kind", flat=True))
        if before != wanted_off:
            EmailOptOut.objects.filter(user=by).exclude(kind__in=wanted_off).delete()
            EmailOptOut.objects.bulk_create(
                [EmailOptOut(user=by, kind=kind) for kind in wanted_off - before], ignore_conflicts=True
            )
            changes["not_emailed"] = sorted(wanted_off)
    if changes:
        audit_record(
            council=None, actor=by, event_type="notification_preference.updated", obj=preference, extra=changes
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
    about: models.Model,
    kind: str,
    title: str,
    body: str,
    path: str = "",
) -> list[Notification]:
    """A one-off notice (not a swept reminder): through the outbox like every other notice, so it is
    written with the caller's transaction, emailed once after the commit (as the person's preferences
    say) and kept in the app either way. See `councils.handoffs.tell`."""
    return handoffs.tell(about=about, kind=kind, users=users, title=title, body=body, path=path)
