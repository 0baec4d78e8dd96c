"""The notices' part of the procurement record (`commissioning.procurement_record`): each notice
recorded as published on Find a Tender (a communication with suppliers and the market), recorded as
not needed (a decision, with its reason), or needed after all. Registered from `MonitoringConfig.ready()`."""

from __future__ import annotations

from commissioning.procurement_record.registry import Category, Entry, Procurement, Subject, register
from commissioning.procurement_record.sources import who
from monitoring.models import Notice

NOTICE = Subject(Notice, "commission")


def _what(name: str, notice: Notice, extra: dict) -> tuple[str, str] | None:
    if name == "publish":
        identifier = extra.get("fat_identifier") or notice.fat_identifier
        return Category.COMMUNICATION, f"{notice.get_notice_type_display()} published on Find a Tender ({identifier})"
    if name == "set_aside":
        return Category.DECISION, f"{notice.get_notice_type_display()} recorded as not needed"
    if name == "restore":
        return Category.DECISION, f"{notice.get_notice_type_display()} needed after all"
    return None


def notice_entries(procurement: Procurement) -> list[Entry]:
    events = procurement.events(NOTICE)
    if not events:
        return []
    by_key = {str(notice.pk): notice for notice in Notice.objects.filter(commission=procurement.commission)}
    readable = procurement.user.has_perm("monitoring.list_notices", procurement.commission.council)
    entries = []
    for event in events:
        notice = by_key.get(event.object_id)
        found = _what(event.event_type.removeprefix("notice."), notice, event.extra) if notice else None
        if found is None:
            continue
        category, what = found
        entries.append(
            Entry(
                at=event.created_at,
                category=category,
                who=who(event),
                what=what,
                reason=event.reason,
                reference=notice.title,
                link=notice.get_absolute_url() if readable else "",
                link_label="the notice",
            )
        )
    return entries


def register_source() -> None:
    register("notices", entries=notice_entries, subjects=[NOTICE])
