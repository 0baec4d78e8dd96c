"""What each notice is, when the law requires it, and how it is built: one `NoticeKind` per notice type,
registered once by the module that knows its records (`procurement.py` for the procurement's own
notices, `contract.py` for the contract's, `council.py` for the council's periodic ones).

A kind answers, for one commission (or one council), the `Occurrence`s it requires today: each with
its subject, title, due day, the rule that sets that day, and a function that builds its OCDS release.
The services turn occurrences into `Notice` rows; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from commissioning.models import Commission
from councils.models import Council


@dataclass(frozen=True)
class Occurrence:
    """One notice a kind requires: built lazily, so a published notice is never rebuilt."""

    subject: str
    title: str
    due_rule: str
    build: Callable[[], dict]
    due_on: date | None = None
    optional: bool = False
    # The record the notice is about (an award, an agreement, a variation), for the kind's hooks.
    source: object = None


@dataclass(frozen=True)
class NoticeKind:
    notice_type: str
    # What the notice does, in a sentence, for the notices page and the README table.
    purpose: str
    # The occurrences this kind requires for one commission, or for one council and day.
    for_commission: Callable[[Commission], Iterable[Occurrence]] | None = None
    for_council: Callable[[Council, date], Iterable[Occurrence]] | None = None
    # What still stops it being marked ready, or recorded as published, beyond a valid release.
    missing_to_publish: Callable[[object], list[str]] | None = None
    # Run in the transaction that records it as published (e.g. the award notice starts standstill).
    on_published: Callable[[object, object], None] | None = None
    # Run when it is marked ready, on the release just rebuilt, with who marked it (the payments
    # compliance notice states who approved it).
    on_ready: Callable[[object, object], None] | None = None
    extra: dict = field(default_factory=dict)


KINDS: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> NoticeKind:
    KINDS[kind.notice_type] = kind
    return kind


def kind_of(notice_type: str) -> NoticeKind:
    try:
        return KINDS[notice_type]
    except KeyError:
        raise LookupError(f"No notice kind {notice_type} is registered") from None
