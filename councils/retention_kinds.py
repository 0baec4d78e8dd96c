"""The kinds of record in the retention schedule that belong to `councils`: audit events and accounts."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import Q, QuerySet

from councils import erasure, retention
from councils.models import AuditEvent, User
from councils.tombstone import tombstone, tombstone_text, untombstoned

# Django marks an unusable password with this prefix (`make_password(None)`): an account never given one.
UNUSABLE = {"password__startswith": "!"}


def audit_due(today: dt.date) -> QuerySet[AuditEvent]:
    past = AuditEvent.objects.filter(created_at__lt=retention.cutoff_moment("audit_personal_data", today))
    return untombstoned(past.exclude(retention.kept("audit_personal_data", today)))


def audit_apply(events: QuerySet[AuditEvent], today: dt.date) -> int:
    return tombstone(events, text=tombstone_text(today))


def sign_ins_due(today: dt.date) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(attempt_time__lt=retention.cutoff_moment("sign_in_records", today))


def sign_ins_apply(records: QuerySet[AccessLog], today: dt.date) -> int:
    """The sign-ins, and the failed attempts of the same age (counted with them)."""
    before = retention.cutoff_moment("sign_in_records", today)
    AccessFailureLog.objects.filter(attempt_time__lt=before).delete()
    AccessAttempt.objects.filter(attempt_time__lt=before).delete()
    count = records.count()
    records.delete()
    return count


def _not_erased() -> QuerySet[User]:
    return User.objects.exclude(email__endswith=f"@{erasure.ERASED_DOMAIN}")


def _erasable(users: QuerySet[User], today: dt.date) -> QuerySet[User]:
    """Only the people no record must keep: the rest are kept, and looked at again next run."""
    return User.objects.filter(pk__in=[user.pk for user in users if not erasure.reasons_to_keep(user, today)])


def inactive_due(today: dt.date) -> QuerySet[User]:
    since = retention.cutoff_moment("inactive_accounts", today)
    # Kept apart from the two kinds below (never signed in, and without a password or not confirmed).
    never_signed_in = Q(last_login__isnull=True, date_joined__lt=since, is_active=True) & ~Q(**UNUSABLE)
    users = _not_erased().filter(Q(last_login__lt=since) | never_signed_in, is_superuser=False)
    return _erasable(users, today)


def invitations_due(today: dt.date) -> QuerySet[User]:
    # An invited person has an account without a password until they accept.
    since = retention.cutoff_moment("unaccepted_invitations", today)
    users = _not_erased().filter(last_login__isnull=True, date_joined__lt=since, **UNUSABLE)
    return _erasable(users, today)


def registrations_due(today: dt.date) -> QuerySet[User]:
    # A registration waits, inactive, with the password chosen, for the emailed link.
    since = retention.cutoff_moment("unverified_registrations", today)
    users = _not_erased().filter(last_login__isnull=True, date_joined__lt=since, is_active=False).exclude(**UNUSABLE)
    return _erasable(users, today)


def erase_all(users: QuerySet[User], today: dt.date) -> int:
    for user in list(users):
        erasure.erase(user=user, today=today, why="Past retention")
    return len(users)


def register() -> None:
    retention.register("audit_personal_data", due=audit_due, apply=audit_apply)
    retention.register("sign_in_records", due=sign_ins_due, apply=sign_ins_apply)
    retention.register("inactive_accounts", due=inactive_due, apply=erase_all)
    retention.register("unaccepted_invitations", due=invitations_due, apply=erase_all)
    retention.register("unverified_registrations", due=registrations_due, apply=erase_all)
