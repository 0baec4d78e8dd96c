"""What the procurement record is made of: its entries, and the sources that give them.

An area adds to the record from its `AppConfig.ready()`:

    from commissioning.procurement_record import registry

    registry.register(
        "notices",
        entries=notice_entries,  # (Procurement) -> iterable of Entry, in a fixed number of queries
        subjects=[registry.Subject(Notice, "commission")],  # records whose audit events are the procurement's
    )

`entries` reads through `procurement.events(...)` (the audit events of this procurement, already
without those sealed until the bids are opened) or its own models, scoped to `procurement.commission`,
and links only to pages `procurement.user` may open. `subjects` say which audit events belong to the
procurement: the retention schedule keeps those (and the people who acted in them) for 3 years after
the contract is entered into, whether or not a source lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from councils import sealing
from councils.audit_types import READING_EVENT_TYPES
from councils.models import AuditEvent, User


class Category(models.TextChoices):
    DECISION = "decision", "Decision"
    COMMUNICATION = "communication", "Communication with suppliers"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One line of the record. `bid_id` marks an entry about one bid: a panellist who declared a
    conflict of interest with that bid does not see it (as everywhere else)."""

    at: datetime
    category: str
    who: str
    what: str
    reason: str = ""
    reference: str = ""  # the opportunity, agreement or notice it is about
    link: str = ""
    link_label: str = ""  # what the link opens, e.g. "the award"
    bid_id: int | None = None

    @property
    def category_label(self) -> str:
        return Category(self.category).label


@dataclasses.dataclass(frozen=True)
class Subject:
    """A kind of record whose audit events belong to a commission's procurement. `to_commission` is
    the lookup from it to its commission ("pk" for the commission itself, "opportunity__commission"...)."""

    model: type[models.Model]
    to_commission: str

    def of(self, commissions) -> QuerySet:
        """Its records in these commissions (a queryset or a list of them, or of their keys)."""
        return self.model.objects.filter(**{f"{self.to_commission}__in": commissions})

    def events_q(self, commissions) -> Q:
        # AuditEvent.object_id is text: compare it with the primary keys as text.
        keys = self.of(commissions).annotate(key=Cast("pk", CharField())).values("key")
        return Q(content_type=ContentType.objects.get_for_model(self.model), object_id__in=keys)


@dataclasses.dataclass
class Procurement:
    """What a source is asked about: one commission's procurement, as one person reads it."""

    commission: models.Model
    user: User

    def events(self, *subjects: Subject) -> list[AuditEvent]:
        """The audit events of these subjects of this procurement, oldest first: never those sealed until
        the bids are opened (`councils.sealing`), nor records of reading."""
        condition = Q(pk__in=[])
        for subject in subjects:
            condition |= subject.events_q([self.commission.pk])
        events = AuditEvent.objects.filter(condition).exclude(event_type__in=READING_EVENT_TYPES)
        return list(sealing.unsealed(events).select_related("actor").order_by("created_at", "pk"))


Build = Callable[[Procurement], Iterable[Entry]]


@dataclasses.dataclass(frozen=True)
class Source:
    slug: str
    entries: Build | None
    subjects: tuple[Subject, ...]


_SOURCES: dict[str, Source] = {}


def register(slug: str, *, entries: Build | None = None, subjects: Iterable[Subject] = ()) -> None:
    """Add (or, under the same slug, replace) a source of the record."""
    _SOURCES[slug] = Source(slug=slug, entries=entries, subjects=tuple(subjects))


def sources() -> list[Source]:
    return list(_SOURCES.values())


def subjects() -> list[Subject]:
    found: list[Subject] = []
    for source in _SOURCES.values():
        found.extend(subject for subject in source.subjects if subject not in found)
    return found


def events_q(commissions) -> Q:
    """The audit events of these commissions' procurements: every registered subject's."""
    condition = Q(pk__in=[])
    for subject in subjects():
        condition |= subject.events_q(commissions)
    return condition


def commissions_of(event_type: ContentType, object_ids: Iterable[str]) -> set[int]:
    """The commissions whose procurements the audit events about these records belong to."""
    found: set[int] = set()
    for subject in subjects():
        if ContentType.objects.get_for_model(subject.model) != event_type:
            continue
        keys = subject.model.objects.filter(pk__in=list(object_ids)).values_list(subject.to_commission, flat=True)
        found.update(keys)
    return found
