"""Writes for scrutiny: a note on a commission, flagging a commission for the committee's agenda, and
recording that the committee has dealt with a flag.

Scrutiny holds decision-makers to account and never decides, so these are refused to everyone but a
scrutiny member of the commission's council (officers and cabinet members included). Calling in a key
decision is the award's (`commissioning.award_services`). Every write is atomic and audited.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissioning.models import Commission
from councils.models import User
from councils.services import audit_record
from monitoring.models import AgendaFlag, ScrutinyNote, is_scrutiny_member

NOTE_MAX_LENGTH = 5000


def _require_scrutiny_member(user: User, commission: Commission) -> None:
    if not is_scrutiny_member(user, commission):
        raise PermissionDenied


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > NOTE_MAX_LENGTH:
        raise ValidationError({field: f"Keep it to {NOTE_MAX_LENGTH:,} characters or fewer."})
    return value


@transaction.atomic
def scrutiny_note_add(*, by: User, commission: Commission, text: str) -> ScrutinyNote:
    """A scrutiny member records a note on one of their council's commissions."""
    _require_scrutiny_member(by, commission)
    text = _required_text(text, "text", "Enter the note.")
    note = ScrutinyNote.objects.create(commission=commission, author=by, text=text)
    audit_record(
        council=commission.council,
        actor=by,
        event_type="scrutiny.note_added",
        obj=commission,
        extra={"note": note.pk},
    )
    return note


@transaction.atomic
def agenda_flag_add(*, by: User, commission: Commission, reason: str, meeting_on: date | None = None) -> AgendaFlag:
    """A scrutiny member asks for a commission to go on the committee's agenda (once while it is open)."""
    _require_scrutiny_member(by, commission)
    reason = _required_text(reason, "reason", "Say why the committee should look at this commission.")
    if meeting_on is not None and meeting_on < timezone.localdate():
        raise ValidationError({"meeting_on": "The meeting date must be today or in the future."})
    if AgendaFlag.objects.filter(commission=commission, resolved_at__isnull=True).exists():
        raise ValidationError("This commission is already flagged for the committee's agenda.")
    try:
        with transaction.atomic():
            flag = AgendaFlag.objects.create(commission=commission, flagged_by=by, reason=reason, meeting_on=meeting_on)
    except IntegrityError as exc:
        # Another member flagged it in the same instant.
        raise ValidationError("This commission is already flagged for the committee's agenda.") from exc
    audit_record(
        council=commission.council,
        actor=by,
        event_type="scrutiny.agenda_flagged",
        obj=commission,
        reason=reason,
        extra={"flag": flag.pk, "meeting_on": meeting_on.isoformat() if meeting_on else None},
    )
    return flag


@transaction.atomic
def agenda_flag_resolve(*, by: User, flag: AgendaFlag, resolution: str) -> AgendaFlag:
    """A scrutiny member records what the committee did about a flagged commission."""
    flag = AgendaFlag.objects.select_for_update().select_related("commission__council").get(pk=flag.pk)
    _require_scrutiny_member(by, flag.commission)
    if not flag.is_open:
        raise ValidationError("The committee has already dealt with this flag.")
    flag.resolution = _required_text(resolution, "resolution", "Say what the committee did about it.")
    flag.resolved_at = timezone.now()
    flag.resolved_by = by
    flag.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    audit_record(
        council=flag.commission.council,
        actor=by,
        event_type="scrutiny.agenda_flag_resolved",
        obj=flag.commission,
        reason=flag.resolution,
        extra={"flag": flag.pk},
    )
    return flag
