"""Reads for notices, scoped to who may see them and fetched in a fixed number of queries: the
council's notices page, one notice in words with its history, the commission page's section, and
what the dashboards count as due.

Notices are read by NOTICE_READERS (officers, scrutiny, the council administrator); anyone else,
providers and other councils' people included, gets an empty list or a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning.models import Commission
from councils.formatting import money
from councils.models import AuditEvent, Council, User
from councils.permissions import NOTICE_OFFICERS, NOTICE_READERS, has_any_role, roles_in
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.models.notices import APPROVERS
from monitoring.notices.kinds import KINDS

OPEN_STATES = (NoticeState.DRAFT, NoticeState.READY)
# The dashboards show the notices due within this many days, and those overdue.
DUE_WITHIN_DAYS = 30
# What the notices page's "state" filter offers beyond the states themselves.
DUE, OVERDUE = "due", "overdue"


def may_read_notices(user: User, council: Council | None) -> bool:
    return has_any_role(user, council, NOTICE_READERS)


def is_overdue(notice: Notice, today: date) -> bool:
    return notice.is_open and not notice.optional and notice.due_on is not None and notice.due_on < today


def due_q() -> Q:
    """Still to publish, and required (an optional notice, such as the UK3, is never due)."""
    return Q(state__in=OPEN_STATES, optional=False)


def overdue_q(today: date) -> Q:
    return due_q() & Q(due_on__lt=today)


def preparable_types(user: User, council: Council) -> list[str]:
    """The notice types this person prepares (the notice officers most; the UK17 its approvers)."""
    roles = roles_in(user, council)
    return [kind for kind in NoticeType.values if not roles.isdisjoint(APPROVERS.get(kind, NOTICE_OFFICERS))]


# ---- The council's notices page ------------------------------------------------------------------


def notices_visible_to(user: User, council: Council) -> QuerySet[Notice]:
    if not may_read_notices(user, council):
        return Notice.objects.none()
    return Notice.objects.filter(council=council)


def notice_list(user: User, council: Council, filters: dict | None = None, today: date | None = None):
    """Open notices first, the earliest due first (overdue ones lead), then the published and set aside,
    the latest first. Filters: notice_type; state (a state, "due" for draft or ready and required,
    "overdue")."""
    filters = filters or {}
    today = today or timezone.localdate()
    notices = notices_visible_to(user, council).select_related("commission")
    if filters.get("notice_type"):
        notices = notices.filter(notice_type=filters["notice_type"])
    state = filters.get("state")
    if state == DUE:
        notices = notices.filter(due_q())
    elif state == OVERDUE:
        notices = notices.filter(overdue_q(today))
    elif state:
        notices = notices.filter(state=state)
    return notices.annotate(
        open_first=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()),
        is_overdue=Case(When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()),
    ).order_by(
        "open_first",
        F("due_on").asc(nulls_last=True),
        F("published_on").desc(nulls_last=True),
        "id",
    )


def notice_counts(user: User, council: Council, today: date | None = None) -> dict[str, int]:
    """How many notices are due (draft or ready, and required), overdue, optional (and not yet
    published), published and set aside, in one query."""
    today = today or timezone.localdate()
    return notices_visible_to(user, council).aggregate(
        due=Count("id", filter=due_q()),
        may_publish=Count("id", filter=Q(state__in=OPEN_STATES, optional=True)),
        overdue=Count("id", filter=overdue_q(today)),
        published=Count("id", filter=Q(state=NoticeState.PUBLISHED)),
        not_needed=Count("id", filter=Q(state=NoticeState.NOT_NEEDED)),
    )


# ---- One notice ----------------------------------------------------------------------------------


def notice_for_user(user: User, council: Council, pk: int) -> Notice:
    """One notice of this council that the person may read, or 404 (never a hint that it exists)."""
    notice = get_object_or_404(Notice.objects.select_related("commission", "published_by"), council=council, pk=pk)
    if not may_read_notices(user, council):
        raise Http404
    notice.council = council
    if notice.commission is not None:
        notice.commission.council = council
    return notice


EVENT_WORDS = {
    "notice.required": "The records called for it",
    "notice.withdrawn": "Withdrawn: its rule no longer applies",
    "notice.submitted": "Sent to Find a Tender",
    "notice.submission_refused": "Find a Tender refused the submission",
}


def _notice_type() -> ContentType:
    return ContentType.objects.get_for_model(Notice)


def notice_events(notice: Notice) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(content_type=_notice_type(), object_id=str(notice.pk))


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    what: str
    reason: str
    details: str


def notice_history(notice: Notice) -> list[HistoryEntry]:
    """The audit events for the notice, newest first, in words."""
    labels = {t.name: t.custom.get("label", t.name) for t in notice.get_all_state_transitions()}
    entries = []
    for event in notice_events(notice).select_related("actor").order_by("-created_at", "-id"):
        step = event.event_type.removeprefix("notice.")
        what = EVENT_WORDS.get(event.event_type) or labels.get(step) or step.replace("_", " ").capitalize()
        extra = event.extra or {}
        details = []
        if extra.get("fat_identifier"):
            details.append(f"Find a Tender identifier {extra['fat_identifier']}")
        if extra.get("submission_id"):
            details.append(f"submission {extra['submission_id']}")
        if extra.get("due_on"):
            details.append(f"due {date.fromisoformat(extra['due_on']):%-d %B %Y}")
        entries.append(
            HistoryEntry(
                when=event.created_at,
                who=str(event.actor) if event.actor else "Commissioner",
                what=what,
                reason=event.reason,
                details=", ".join(details),
            )
        )
    return entries


def pending_submission(notice: Notice) -> str:
    """The submission Find a Tender received for this notice and has neither published nor refused."""
    latest = (
        notice_events(notice)
        .filter(event_type__in=("notice.submitted", "notice.submission_refused", "notice.publish"))
        .order_by("-created_at", "-id")
        .values_list("event_type", "extra")
        .first()
    )
    if latest is None or latest[0] != "notice.submitted":
        return ""
    return str((latest[1] or {}).get("submission_id") or "")


def _amount(value: dict | None) -> str:
    if not isinstance(value, dict) or value.get("amount") is None:
        return ""
    try:
        amount = money(Decimal(str(value["amount"])))
    except (InvalidOperation, ValueError):
        return ""
    currency = value.get("currency", "GBP")
    return amount if currency == "GBP" else f"{value['amount']} {currency}"


def _day(value) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%-d %B %Y}"


def release_in_words(release: dict) -> list[tuple[str, str]]:
    """What the notice's OCDS release says, in words, whatever its kind: who buys, what, for how much,
    by when, to whom."""
    rows = [("Identifier (ocid)", release.get("ocid", ""))]
    parties = {party.get("id"): party.get("name", "") for party in release.get("parties", [])}
    buyer = release.get("buyer") or {}
    if buyer:
        rows.append(("Buyer", buyer.get("name") or parties.get(buyer.get("id"), "")))
    tender = release.get("tender") or {}
    if tender:
        rows += [
            ("Title", tender.get("title", "")),
            ("Procedure", tender.get("procurementMethodDetails", "")),
            ("Estimated value", _amount(tender.get("value"))),
            ("Bids close", _day((tender.get("tenderPeriod") or {}).get("endDate"))),
        ]
    for award in release.get("awards", []):
        suppliers = ", ".join(s.get("name") or parties.get(s.get("id"), "") for s in award.get("suppliers", []))
        rows.append(("Award", " – ".join(part for part in (award.get("title", ""), suppliers) if part)))
        rows.append(("Award value", _amount(award.get("value"))))
    for contract in release.get("contracts", []):
        period = contract.get("period") or {}
        rows.append(("Contract", contract.get("title", "")))
        rows.append(("Contract value", _amount(contract.get("value"))))
        if period:
            rows.append(("Contract period", f"{_day(period.get('startDate'))} to {_day(period.get('endDate'))}"))
    return [(label, value) for label, value in rows if value]


def notice_summary(notice: Notice, today: date | None = None) -> dict:
    """The notice in words for its page."""
    today = today or timezone.localdate()
    kind = KINDS.get(notice.notice_type)
    return {
        "purpose": kind.purpose if kind else "",
        "overdue": is_overdue(notice, today),
        "release": release_in_words(notice.data or {}),
        "pending_submission": pending_submission(notice) if notice.state == NoticeState.READY else "",
    }


# ---- The commission page and the dashboards -----------------------------------------------------------


def commission_notices_section(commission: Commission, user: User) -> dict:
    """The commission page's notices section: the commission's notices, overdue ones marked."""
    if not may_read_notices(user, commission.council):
        return {"notices": [], "may_read": False}
    today = timezone.localdate()
    notices = list(
        Notice.objects.filter(commission=commission).order_by(F("due_on").asc(nulls_last=True), "notice_type", "id")
    )
    for notice in notices:
        notice.council = commission.council
        notice.is_overdue = is_overdue(notice, today)
    return {
        "notices": notices,
        "may_read": True,
        "open": sum(1 for notice in notices if notice.is_open and not notice.optional),
        "overdue": sum(1 for notice in notices if notice.is_overdue),
    }


def notices_due(
    council: Council, today: date, *, types: list[str] | None = None, ready_to_publish: bool = False
) -> QuerySet[Notice]:
    """Draft or ready required notices due within DUE_WITHIN_DAYS days or overdue, the earliest due
    first (for the dashboards, which cut the list and count it in the same query). With `types`, the
    drafts of those types (to prepare) and, with `ready_to_publish`, every notice ready to publish: a
    notice officer publishes the UK17 too, once the section 151 officer has marked it ready."""
    notices = Notice.objects.filter(due_q(), council=council, due_on__lte=today + timedelta(days=DUE_WITHIN_DAYS))
    if types is not None:
        waiting = Q(state=NoticeState.DRAFT, notice_type__in=types)
        if ready_to_publish:
            waiting |= Q(state=NoticeState.READY)
        notices = notices.filter(waiting)
    return (
        notices.select_related("commission")
        .annotate(is_overdue=Case(When(due_on__lt=today, then=Value(True)), default=Value(False)))
        .order_by("due_on", "id")
    )
