"""Writes for notices: bringing a commission's (or a council's) notices up to date with its records,
and the officer's steps through the workflow engine (ready, published on Find a Tender, not needed).

A draft follows its records: each refresh rebuilds its release. Marking it ready rebuilds it once more
and then freezes it; a published notice is never rebuilt. A draft whose rule no longer applies (the
regime changed, the procurement was cancelled before its tender notice) is withdrawn.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.models import Commission
from councils import workflow
from councils.models import Council, User
from councils.services import audit_record
from monitoring.models import Notice, NoticeState
from monitoring.models.notices import is_notice_officer
from monitoring.notices import gates
from monitoring.notices.kinds import KINDS, Occurrence, kind_of
from monitoring.notices.selectors import pending_submission
from monitoring.notices.sender import NoticeSender, SendingFailed, Submission, sender_for

logger = logging.getLogger(__name__)

# Find a Tender numbers Procurement Act notices as six digits and the year: "012345-2026".
FAT_IDENTIFIER = re.compile(r"^\d{6}-\d{4}$")

workflow.machine(Notice, noun="notice", gates=gates)


def _occurrences_for_commission(commission: Commission) -> dict[tuple[str, str], Occurrence]:
    found = {}
    for kind in KINDS.values():
        if kind.for_commission is None:
            continue
        for occurrence in kind.for_commission(commission):
            found[(kind.notice_type, occurrence.subject)] = occurrence
    return found


def _occurrences_for_council(council: Council, today: date) -> dict[tuple[str, str], Occurrence]:
    found = {}
    for kind in KINDS.values():
        if kind.for_council is None:
            continue
        for occurrence in kind.for_council(council, today):
            found[(kind.notice_type, occurrence.subject)] = occurrence
    return found


def occurrence_of(notice: Notice) -> Occurrence | None:
    """What the notice's kind requires for it today (None when it no longer requires it)."""
    if notice.commission_id is not None:
        found = _occurrences_for_commission(notice.commission)
    else:
        found = _occurrences_for_council(notice.council, timezone.localdate())
    return found.get((notice.notice_type, notice.subject))


def _apply(council: Council, commission: Commission | None, wanted: dict, existing: list[Notice]) -> list[Notice]:
    now = timezone.now()
    by_key = {(notice.notice_type, notice.subject): notice for notice in existing}
    kept = []
    for key, occurrence in wanted.items():
        notice = by_key.pop(key, None)
        if notice is None:
            notice = Notice(
                council=council,
                commission=commission,
                notice_type=key[0],
                subject=occurrence.subject,
            )
        if notice.pk is not None and not notice.is_open:
            kept.append(notice)
            continue
        notice.title = occurrence.title
        notice.due_on = occurrence.due_on
        notice.due_rule = occurrence.due_rule
        notice.optional = occurrence.optional
        created = notice.pk is None
        if notice.state == NoticeState.DRAFT:
            notice.data = occurrence.build()
            notice.generated_at = now
        notice.save()
        if created:
            audit_record(
                council=council,
                actor=None,
                event_type="notice.required",
                obj=notice,
                to_state=notice.state,
                extra={"due_on": notice.due_on.isoformat() if notice.due_on else None, "rule": notice.due_rule},
            )
        kept.append(notice)
    for notice in by_key.values():
        if notice.state == NoticeState.DRAFT:
            audit_record(
                council=council,
                actor=None,
                event_type="notice.withdrawn",
                obj=notice,
                from_state=notice.state,
                reason="Its rule no longer applies to the records.",
            )
            notice.delete()
        else:
            kept.append(notice)
    return kept


@transaction.atomic
def notices_refresh(commission: Commission) -> list[Notice]:
    """Bring one commission's notices up to date with its records (idempotent)."""
    commission = Commission.objects.select_for_update().select_related("council").get(pk=commission.pk)
    existing = list(Notice.objects.select_for_update().filter(commission=commission))
    return _apply(commission.council, commission, _occurrences_for_commission(commission), existing)


@transaction.atomic
def council_notices_refresh(council: Council, today: date | None = None) -> list[Notice]:
    """Bring a council's own periodic notices (payments, pipeline) up to date."""
    today = today or timezone.localdate()
    existing = list(Notice.objects.select_for_update().filter(council=council, commission__isnull=True))
    return _apply(council, None, _occurrences_for_council(council, today), existing)


def notices_refresh_all(today: date | None = None) -> int:
    """Every council's notices, every night: due days move with the records and the calendar. One
    commission whose records cannot be turned into a notice is logged and skipped: it must not stop
    every other council's notices being chased."""
    count = 0
    for council in Council.objects.all():
        count += _refreshed(council_notices_refresh, council, today)
        for commission in Commission.objects.filter(council=council).exclude(procurement_regime=None):
            count += _refreshed(notices_refresh, commission)
    return count


def _refreshed(refresh, *args) -> int:
    try:
        return len(refresh(*args))
    except Exception:
        logger.exception("Could not bring the notices of %s up to date", args[0])
        return 0


# ---- The officer's steps --------------------------------------------------------------------------


def _rebuild(step: workflow.Step) -> None:
    occurrence = occurrence_of(step.obj)
    if occurrence is None:
        raise workflow.TransitionRefused(["The records no longer call for this notice: record that it is not needed"])
    step.obj.data = occurrence.build()
    step.obj.generated_at = timezone.now()
    hook = kind_of(step.obj.notice_type).on_ready
    if hook is not None:
        hook(step.obj, step.by)


def _stage_publication(step: workflow.Step) -> None:
    notice = step.obj
    identifier = (step.payload.get("fat_identifier") or "").strip()
    published_on = step.payload.get("published_on")
    errors = {}
    if not FAT_IDENTIFIER.match(identifier):
        errors["fat_identifier"] = "Enter the identifier as Find a Tender shows it, for example 012345-2026"
    if published_on is None:
        errors["published_on"] = "Enter the day Find a Tender published it"
    elif published_on > timezone.localdate():
        errors["published_on"] = "The day it was published cannot be in the future"
    if errors:
        raise ValidationError(errors)
    notice.fat_identifier = identifier
    notice.published_on = published_on
    notice.published_by = step.by


def _published_hooks(step: workflow.Step) -> dict:
    hook = kind_of(step.obj.notice_type).on_published
    if hook is not None:
        hook(step.obj, step.by)
    return {"fat_identifier": step.obj.fat_identifier, "published_on": step.obj.published_on.isoformat()}


def _not_needed(step: workflow.Step) -> None:
    step.obj.not_needed_reason = step.reason


def _needed(step: workflow.Step) -> None:
    step.obj.not_needed_reason = ""


workflow.effect(Notice, "refresh", workflow.Effect(stage=_rebuild))
workflow.effect(Notice, "publication", workflow.Effect(stage=_stage_publication))
workflow.effect(Notice, "published_hooks", workflow.Effect(follow=_published_hooks))
workflow.effect(Notice, "not_needed", workflow.Effect(prepare=_not_needed))
workflow.effect(Notice, "needed", workflow.Effect(prepare=_needed))


def notice_step(*, by: User, notice: Notice, name: str, reason: str = "", seen_state: str | None = None) -> Notice:
    """Any step of a notice but publication: ready, reopen, not needed, needed after all."""
    return workflow.run(by=by, obj=notice, name=name, reason=reason, seen_state=seen_state)


def notice_publish(
    *, by: User, notice: Notice, fat_identifier: str, published_on: date, seen_state: str | None = None
) -> Notice:
    """Record that Find a Tender published the notice, with the identifier and day it gave."""
    return workflow.run(
        by=by,
        obj=notice,
        name="publish",
        internal=True,
        seen_state=seen_state,
        fat_identifier=fat_identifier,
        published_on=published_on,
    )


# ---- Sending to Find a Tender ---------------------------------------------------------------------

SENDING_LOCK_SECONDS = 120


def _sendable(by: User, notice: Notice) -> None:
    """What the engine would refuse anyway, checked before Find a Tender is called, not after."""
    workflow.reload(notice)
    if notice.state != NoticeState.READY:
        raise workflow.TransitionRefused(
            [f"Only a notice that is ready to publish can be sent: this one is ‘{workflow.state_words(notice)}’"]
        )
    if not is_notice_officer(notice, by):
        raise PermissionDenied
    missing = gates.missing_to_send(notice)
    if missing:
        raise workflow.TransitionRefused(missing)


def notice_send(*, by: User, notice: Notice, sender: NoticeSender | None = None) -> Submission:
    """Send a ready notice to Find a Tender through the council's sender and, once Find a Tender has
    published it, record it as published with the identifier and day it gave (the engine's publish
    step). A submission Find a Tender has received but not yet published is kept in the audit trail and
    checked, not sent again, the next time. Raises `SendingFailed` (nothing recorded) when Find a Tender
    does not take it, and what the engine raises when the step cannot be taken."""
    sender = sender or sender_for(notice.council)
    if not sender.sends_itself:
        raise SendingFailed("This council publishes its notices on Find a Tender itself: record the identifier.")
    _sendable(by, notice)
    lock = f"notice-sending:{notice.pk}"
    if not cache.add(lock, by.pk, SENDING_LOCK_SECONDS):
        raise SendingFailed("Someone is sending this notice to Find a Tender at this moment: reload the page shortly.")
    try:
        pending = pending_submission(notice)
        try:
            submission = sender.check(pending) if pending else sender.submit(notice)
        except SendingFailed as failed:
            if pending and failed.refused:
                # Find a Tender will not publish that submission: the next send submits the notice again.
                audit_record(
                    council=notice.council,
                    actor=by,
                    event_type="notice.submission_refused",
                    obj=notice,
                    reason=str(failed),
                    extra={"submission_id": pending},
                )
            raise
        if not submission.published:
            if submission.submission_id != pending:
                audit_record(
                    council=notice.council,
                    actor=by,
                    event_type="notice.submitted",
                    obj=notice,
                    extra={"submission_id": submission.submission_id, "status": submission.status},
                )
            return submission
        try:
            notice_publish(
                by=by,
                notice=notice,
                fat_identifier=submission.fat_identifier,
                published_on=submission.published_on,
                seen_state=NoticeState.READY,
            )
        except (ValidationError, workflow.TransitionRefused, workflow.TransitionConflict) as error:
            raise SendingFailed(
                f"Find a Tender published it as {submission.fat_identifier} on {submission.published_on:%d/%m/%Y}, "
                f"but it could not be recorded here ({_words(error)}): record it with the publish form."
            ) from error
        return submission
    finally:
        cache.delete(lock)


def _words(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    if isinstance(error, workflow.TransitionRefused):
        return "; ".join(error.missing)
    return str(error)
