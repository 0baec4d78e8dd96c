"""A subject access export (UK GDPR art. 15): one person's personal data as a ZIP of JSON and CSV.

Each app registers the sections it holds (`register_section(name, rows)`, where `rows(user)` returns a
list of flat dicts) from its `AppConfig.ready()`; `councils` imports no other app. The ZIP has, per
section, ``<name>.json`` and ``<name>.csv``, and a ``README.txt`` saying what each is. What a person
wrote *for an organisation* (a bid's answers, a return's figures) belongs to the organisation: the
export names those records and when the person wrote or submitted them, not their business content.

Making the export is recorded as an export of personal data (`councils.reading`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from axes.models import AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from councils.audit_types import EXPORT_RUN, READING_EVENT_TYPES
from councils.models import AuditEvent, Membership, Notification, User
from councils.reading import record_read


@dataclass(frozen=True)
class Section:
    name: str
    about: str
    rows: Callable[[User], list[dict]]


_SECTIONS: dict[str, Section] = {}


def register_section(name: str, about: str, rows: Callable[[User], list[dict]]) -> None:
    _SECTIONS[name] = Section(name=name, about=about, rows=rows)


def _event_row(event: AuditEvent) -> dict:
    return {
        "when": event.created_at,
        "what": event.event_type,
        "council": str(event.council) if event.council_id else "",
        "record": event.object_repr,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "details": event.extra,
    }


def _account(user: User) -> list[dict]:
    return [
        {
            "email": user.email,
            "full_name": user.full_name,
            "job_title": user.job_title,
            "active": user.is_active,
            "joined": user.date_joined,
            "last_signed_in": user.last_login,
        }
    ]


def _memberships(user: User) -> list[dict]:
    return [
        {"council": str(m.council), "role": m.get_role_display(), "since": m.created_at}
        for m in Membership.objects.filter(user=user).select_related("council")
    ]


def _notifications(user: User) -> list[dict]:
    return [
        {"when": n.created_at, "title": n.title, "body": n.body, "read": n.read_at}
        for n in Notification.objects.filter(user=user)
    ]


def _events_by(user: User) -> list[dict]:
    events = AuditEvent.objects.filter(actor=user).exclude(event_type__in=READING_EVENT_TYPES)
    return [_event_row(e) for e in events.select_related("council")]


def _events_about(user: User) -> list[dict]:
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)) | Q(extra__user=user.email)
    events = AuditEvent.objects.filter(about).exclude(actor=user)
    # Who else acted on the person's account is part of their data; other people's reasons are not.
    return [{**_event_row(e), "reason": ""} for e in events.select_related("council")]


def _reading(user: User) -> list[dict]:
    events = AuditEvent.objects.filter(actor=user, event_type__in=READING_EVENT_TYPES)
    return [_event_row(e) for e in events.select_related("council")]


def _sign_ins(user: User) -> list[dict]:
    rows = [
        {"when": r.attempt_time, "ip_address": r.ip_address, "browser": r.user_agent, "failed": False}
        for r in AccessLog.objects.filter(username__iexact=user.email)
    ]
    rows += [
        {"when": r.attempt_time, "ip_address": r.ip_address, "browser": r.user_agent, "failed": True}
        for r in AccessFailureLog.objects.filter(username__iexact=user.email)
    ]
    return sorted(rows, key=lambda row: row["when"])


register_section("account", "Your account: name, email, job title, when you joined and last signed in.", _account)
register_section("sign_ins", "When you signed in (or tried to), from which IP address and browser.", _sign_ins)
register_section("council_roles", "Your roles in councils.", _memberships)
register_section("notifications", "The notifications sent to you in the service.", _notifications)
register_section("audit_events_by_you", "What you did in the service, from the audit trail.", _events_by)
register_section("audit_events_about_you", "What others did to your account, from the audit trail.", _events_about)
register_section("reading_records", "When you read opened bids, downloaded their documents or ran exports.", _reading)


def _plain(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            cells = {}
            for key, value in row.items():
                value = _plain(value)
                text = json.dumps(value) if isinstance(value, dict | list) else "" if value is None else str(value)
                # A cell a spreadsheet would run as a formula is written as text.
                cells[key] = "'" + text if text[:1] in ("=", "+", "-", "@") else text
            writer.writerow(cells)
    return out.getvalue()


def build_zip(user: User) -> bytes:
    """The person's data from every registered section, as ZIP bytes."""
    buffer = io.BytesIO()
    readme = [
        f"Personal data held about {user.email}, exported on {timezone.localtime():%d/%m/%Y %H:%M}.",
        "Each section is here twice: as JSON (exact) and as CSV (for a spreadsheet).",
        "",
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in _SECTIONS.values():
            rows = section.rows(user)
            archive.writestr(f"{section.name}.json", json.dumps(_plain(rows), indent=2, ensure_ascii=False))
            archive.writestr(f"{section.name}.csv", _csv(rows))
            readme.append(f"{section.name}: {section.about} ({len(rows)} rows)")
        archive.writestr("README.txt", "\n".join(readme) + "\n")
    return buffer.getvalue()


def subject_access_export(*, user: User, by: User | None = None) -> bytes:
    """The export for `user`, recorded as an export of personal data (by the person or the DPO)."""
    data = build_zip(user)
    record_read(
        by=by,
        council=None,
        event_type=EXPORT_RUN,
        obj=user,
        extra={"export": "subject access", "format": "zip"},
    )
    return data
