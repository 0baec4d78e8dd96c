"""Erasing a person where the law allows it (UK GDPR art. 17), and refusing with reasons where not.

Each app says why a person's records must still be kept (`register_hold`: a function of the person
and today's date returning reasons in words) and removes what it holds about them once erasure goes
ahead (`register_eraser`). `councils` imports no other app; the apps register from `ready()`.

Erasure anonymises the account rather than deleting it: other records (bids, returns, decisions)
point at it and must keep pointing at *someone*. It removes the person's roles, notifications and
reminders, tombstones the personal data in audit events by or about them, and records the erasure
(without the person's details) in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from councils.models import (
    AuditEvent,
    EmailOptOut,
    Membership,
    Notification,
    NotificationPreference,
    SentReminder,
    User,
)
from councils.permissions import forget_roles
from councils.services import audit_record
from councils.tombstone import tombstone

ERASED_NAME = "Erased person"
ERASED_DOMAIN = "erased.invalid"

Hold = Callable[[User, dt.date], list[str]]
Eraser = Callable[[User], None]
_HOLDS: list[Hold] = []
_ERASERS: list[Eraser] = []


class ErasureRefused(Exception):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def register_hold(hold: Hold) -> None:
    if hold not in _HOLDS:
        _HOLDS.append(hold)


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _ERASERS:
        _ERASERS.append(eraser)


def is_erased(user: User) -> bool:
    return user.email.endswith(f"@{ERASED_DOMAIN}")


def _council_holds(user: User, today: dt.date) -> list[str]:
    reasons = []
    if Membership.objects.filter(user=user, role="council_admin").exists():
        for membership in Membership.objects.filter(user=user, role="council_admin").select_related("council"):
            others = Membership.objects.filter(council=membership.council, role="council_admin").exclude(user=user)
            if not others.exists():
                reasons.append(
                    f"They are the only council administrator of {membership.council}: appoint another first."
                )
    return reasons


register_hold(_council_holds)


def reasons_to_keep(user: User, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    if is_erased(user):
        return ["This person has already been erased."]
    return [reason for hold in _HOLDS for reason in hold(user, today)]


def events_by_or_about(user: User) -> QuerySet[AuditEvent]:
    """Audit events the person took, or that are about their account (the user record, or their email)."""
    about_account = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    return AuditEvent.objects.filter(Q(actor=user) | about_account | Q(extra__user=user.email))


@transaction.atomic
def erase(*, user: User, by: User | None = None, today: dt.date | None = None, why: str = "") -> User:
    """Anonymise the person, or raise `ErasureRefused` with every reason their records must stay."""
    today = today or timezone.localdate()
    user = User.objects.select_for_update().get(pk=user.pk)
    reasons = reasons_to_keep(user, today)
    if reasons:
        raise ErasureRefused(reasons)
    for eraser in _ERASERS:
        eraser(user)
    tombstone(events_by_or_about(user), text=f"Erased on {today:%d/%m/%Y}")
    for record in (AccessAttempt, AccessFailureLog, AccessLog):  # sign-in records: email, IP, browser
        record.objects.filter(username__iexact=user.email).delete()
    Membership.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    SentReminder.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    EmailOptOut.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@{ERASED_DOMAIN}"
    user.full_name = ERASED_NAME
    user.job_title = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.user_permissions.clear()
    user.groups.clear()
    forget_roles(user)
    audit_record(
        council=None,
        actor=by if by is not None and by.pk != user.pk else None,
        event_type="account.erased",
        obj=user,
        reason=why,
    )
    return user
