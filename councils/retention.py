"""The retention schedule: how long each kind of record is kept, and what happens to it after.

The schedule (`SCHEDULE`) is written once, here. Each app registers the mechanism for its own kinds
from its `AppConfig.ready()` with `register(slug, due=..., apply=...)`: `due(today)` is a queryset of
what is past retention and not yet dealt with, `apply(queryset, today)` deals with it and returns how
many. `councils` imports no other app, so it only knows the kinds by name.

`manage.py apply_retention` prints what would happen (a dry run) unless given `--apply`; the Celery
task `councils.tasks.apply_retention` runs it when `COMMISSIONER_RETENTION_ENABLED` is on (off by
default). Records are anonymised or emptied rather than deleted wherever other records point at
them, and the audit trail keeps every event, with the personal data replaced by a tombstone
(`councils.tombstone`).

A hold keeps records longer than their kind's period for a reason the kind does not know (`HOLDS`,
such as a procurement's record, kept 3 years after its contract): the app that knows registers
`register_keep(kind, keep)`, and the kind's `due` leaves out `kept(kind, today)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class Period:
    slug: str
    label: str
    keep: str  # how long, in words, from when
    basis: str
    then: str  # what happens after
    years: int = 0
    days: int = 0

    def cutoff(self, today: dt.date) -> dt.date:
        """Records whose clock started before this date are past retention."""
        try:
            moved = today.replace(year=today.year - self.years)
        except ValueError:  # 29 February
            moved = today.replace(year=today.year - self.years, day=28)
        return moved - dt.timedelta(days=self.days)


SCHEDULE: dict[str, Period] = {
    period.slug: period
    for period in (
        Period(
            "unsuccessful_bids",
            "Unsuccessful bids",
            "3 years after the contract is entered into (or after the deadline for bids, if none was)",
            "Procurement Act 2023 s.98 (at least 3 years)",
            "Answers, documents and price descriptions removed; the bid's organisation, state and prices kept",
            years=3,
        ),
        Period(
            "successful_bids",
            "Successful bids",
            "6 years after the agreement ends",
            "Limitation Act 1980 s.5 (claims under a contract)",
            "Answers, documents and price descriptions removed; the agreement still records the award",
            years=6,
        ),
        Period(
            "agreements",
            "Agreements",
            "6 years after the agreement ends",
            "Limitation Act 1980 s.5",
            "Provider contact details, termination reason and signed copy removed; terms and values kept",
            years=6,
        ),
        Period(
            "returns",
            "Monitoring returns",
            "6 years after the end of the period reported on",
            "Limitation Act 1980 s.5; grant conditions",
            "Case study, narrative, risks, comments and evidence files removed; figures and ratings kept",
            years=6,
        ),
        Period(
            "audit_personal_data",
            "Personal data in audit events",
            "6 years after the event",
            "UK GDPR art. 5(1)(e) (storage limitation); accountability for decisions",
            "Who, their words and details replaced by a tombstone; the event itself kept",
            years=6,
        ),
        Period(
            "sign_in_records",
            "Sign-in records",
            "1 year after the sign-in or failed attempt",
            "UK GDPR art. 5(1)(e); long enough to investigate misuse",
            "Deleted (email, IP address and browser of each sign-in, from django-axes)",
            years=1,
        ),
        Period(
            "inactive_accounts",
            "Accounts not used",
            "3 years after the last sign-in",
            "UK GDPR art. 5(1)(e)",
            "Erased (anonymised, roles removed); people whose records must be kept are not counted, and wait",
            years=3,
        ),
        Period(
            "unaccepted_invitations",
            "Invitations never accepted",
            "30 days after the invitation",
            "UK GDPR art. 5(1)(e)",
            "Erased (anonymised, membership removed)",
            days=30,
        ),
        Period(
            "unverified_registrations",
            "Registrations never confirmed",
            "30 days after registering",
            "UK GDPR art. 5(1)(e)",
            "Erased (anonymised, membership removed)",
            days=30,
        ),
    )
}


# Records kept past their kind's period while something else needs them.
HOLDS: dict[str, Period] = {
    period.slug: period
    for period in (
        Period(
            "procurement_record",
            "Procurement records",
            "3 years after the contract is entered into (or after the procurement ended without one)",
            "Procurement Act 2023 s.98 (at least 3 years)",
            "The procurement's audit events and the people named in them are kept until then; "
            "afterwards the schedule applies",
            years=3,
        ),
    )
}


@dataclass(frozen=True)
class Mechanism:
    due: Callable[[dt.date], models.QuerySet]
    apply: Callable[[models.QuerySet, dt.date], int]


_MECHANISMS: dict[str, Mechanism] = {}


_KEEPS: dict[str, list[Callable[[dt.date], Q]]] = {}


def register_keep(kind: str, keep: Callable[[dt.date], Q]) -> None:
    """Register `keep(today)`: the `Q`, on the kind's model, of its records a hold keeps today."""
    if kind not in SCHEDULE:
        raise KeyError(f"‘{kind}’ is not in the retention schedule (councils.retention.SCHEDULE).")
    keeps = _KEEPS.setdefault(kind, [])
    if keep not in keeps:
        keeps.append(keep)


def kept(kind: str, today: dt.date) -> Q:
    """The records of `kind` some hold keeps today, whatever their own period says."""
    condition = Q(pk__in=[])
    for keep in _KEEPS.get(kind, ()):
        condition |= keep(today)
    return condition


def register(slug: str, *, due: Callable[[dt.date], models.QuerySet], apply: Callable) -> None:
    if slug not in SCHEDULE:
        raise KeyError(f"‘{slug}’ is not in the retention schedule (councils.retention.SCHEDULE).")
    _MECHANISMS[slug] = Mechanism(due=due, apply=apply)


@dataclass
class Outcome:
    period: Period
    due: int
    done: int | None  # None on a dry run


def run(*, apply: bool = False, today: dt.date | None = None) -> list[Outcome]:
    """What is past retention per kind, and with `apply` deal with it (each kind in its own transaction)."""
    today = today or timezone.localdate()
    missing = set(SCHEDULE) - set(_MECHANISMS)
    if missing:
        raise RuntimeError(f"No app registered retention for: {', '.join(sorted(missing))}.")
    outcomes = []
    for slug, period in SCHEDULE.items():
        mechanism = _MECHANISMS[slug]
        due = mechanism.due(today)
        count = due.count()
        done = None
        if apply and count:
            with transaction.atomic():
                done = mechanism.apply(due, today)
        elif apply:
            done = 0
        outcomes.append(Outcome(period=period, due=count, done=done))
    return outcomes


def cutoff(slug: str, today: dt.date) -> dt.date:
    return SCHEDULE[slug].cutoff(today)


def cutoff_moment(slug: str, today: dt.date) -> dt.datetime:
    day = cutoff(slug, today)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def delete_file_on_commit(field_file) -> None:
    """Remove a stored file once the transaction that forgot it commits (a rollback keeps both)."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))
