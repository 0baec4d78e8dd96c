"""Writes for early engagement on drafts: opening drafts for comment, comments, and answers.

Each write runs in one transaction and is audited on the commission. Opening a consultation takes a
snapshot of the drafts (later edits do not change what people commented on) and adds its row to the
commission's engagement log, which every comment and answer keeps up to date (counts only: the
comments themselves stay on the consultation's pages). A comment tells the commission's officers
(`ReminderKind.ENGAGEMENT_COMMENTED`) at most once per consultation per day each, through the outbox
in the same transaction. Comments are refused outside the consultation's period, whatever the page
showed."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.engagement import selectors
from commissioning.models import (
    STAGE_OF_STATE,
    Commission,
    Consultation,
    ConsultationAudience,
    ConsultationComment,
    DraftPart,
    EngagementActivity,
    EngagementKind,
)
from councils import handoffs
from councils.models import ReminderKind, User
from councils.services import audit_record
from providers.models import Organisation

TEXT_MAX_LENGTH = 5000
LONGEST_PERIOD = dt.timedelta(days=366)


def _require(user: User, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _audit(actor: User | None, commission: Commission, event: str, **extra) -> None:
    audit_record(
        council=commission.council,
        actor=actor,
        event_type=f"commission.consultation.{event}",
        obj=commission,
        extra=extra,
    )


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError({field: f"This must be {TEXT_MAX_LENGTH:,} characters or fewer."})
    return value


def _period_text(consultation: Consultation) -> str:
    return f"{consultation.opens_on:%-d %B %Y} to {consultation.closes_on:%-d %B %Y}"


def _log_summary(consultation: Consultation) -> tuple[str, int]:
    comments = consultation.comments.all()
    total = comments.count()
    answered = comments.exclude(answer="").count()
    providers = comments.exclude(organisation=None).values("organisation").distinct().count()
    public = comments.filter(organisation=None).count()
    heard = (
        f"{consultation.title}, open to {consultation.get_audience_display().lower()} from "
        f"{_period_text(consultation)}: {total} comment{'s' if total != 1 else ''}, {answered} answered. "
        "The comments and answers are on the consultation's page."
    )
    return heard, providers + public


def _refresh_log(consultation: Consultation) -> None:
    if consultation.engagement_id is None:
        return
    heard, participants = _log_summary(consultation)
    EngagementActivity.objects.filter(pk=consultation.engagement_id).update(
        what_we_heard=heard, number_of_participants=participants
    )


@transaction.atomic
def consultation_open(
    *,
    by: User,
    commission: Commission,
    parts: list[str],
    audience: str,
    opens_on: dt.date,
    closes_on: dt.date,
    introduction: str = "",
) -> Consultation:
    """Open the commission's draft outcomes and/or draft specification for comment, for a set period."""
    _require(by, "commissioning.run_consultation", commission)
    Commission.objects.select_for_update().filter(pk=commission.pk).first()
    if not selectors.may_open_for_comment(commission):
        raise ValidationError(
            "Drafts can be opened for comment only before the decision to commission: this commission is "
            f"{commission.get_state_display().lower()}."
        )
    parts = [DraftPart(part) for part in dict.fromkeys(parts or [])]
    if not parts:
        raise ValidationError({"parts": "Choose what to open for comment."})
    if audience not in ConsultationAudience.values:
        raise ValidationError({"audience": "Choose who may comment."})
    today = timezone.localdate()
    if closes_on < today:
        raise ValidationError({"closes_on": "The closing date must be today or in the future."})
    if opens_on < today:
        raise ValidationError({"opens_on": "The opening date must be today or in the future."})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The closing date must be on or after the opening date."})
    if closes_on - opens_on > LONGEST_PERIOD:
        raise ValidationError({"closes_on": "A consultation can be open for a year at most."})
    sections = []
    for part in parts:
        drafted = selectors.draft_sections(commission, part)
        if not drafted:
            missing = (
                "The draft outcomes are empty: add the outcomes sought first."
                if part == DraftPart.OUTCOMES
                else "The draft specification is empty: describe the service in the commission's summary first."
            )
            raise ValidationError({"parts": missing})
        sections.extend(drafted)
    title = "Consultation on the " + " and ".join(DraftPart(part).label.lower() for part in parts)
    consultation = Consultation(
        commission=commission,
        cycle=commission.cycle,
        title=f"{title}: {commission.title}"[:200],
        introduction=(introduction or "").strip()[:TEXT_MAX_LENGTH],
        parts=[str(part) for part in parts],
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        sections=sections,
        opened_by=by,
    )
    consultation.full_clean()
    consultation.save()
    heard, _ = _log_summary(consultation)
    consultation.engagement = EngagementActivity.objects.create(
        commission=commission,
        cycle=commission.cycle,
        stage=STAGE_OF_STATE[commission.state],
        kind=EngagementKind.CONSULTATION,
        held_on=opens_on,
        participants=consultation.get_audience_display(),
        number_of_participants=0,
        what_we_heard=heard,
        author=by,
        about="Early engagement on drafts",
    )
    consultation.save(update_fields=["engagement"])
    _audit(
        by,
        commission,
        "opened",
        consultation=consultation.pk,
        parts=consultation.parts,
        audience=audience,
        opens_on=opens_on.isoformat(),
        closes_on=closes_on.isoformat(),
    )
    return consultation


def _commenter(consultation: Consultation, by: User | None, organisation: Organisation | None, name: str, email: str):
    """Who the comment is from: one of the person's provider organisations, or (on a public
    consultation) a member of the public with their name and email."""
    if organisation is not None:
        if by is None or not selectors.provider_organisations(by).filter(pk=organisation.pk).exists():
            raise PermissionDenied
        return {"organisation": organisation, "author": by}
    if not consultation.is_public:
        raise ValidationError("Only registered providers may comment on this consultation: sign in to comment.")
    name = (name or "").strip()
    email = (email or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > 200:
        errors["name"] = "Your name must be 200 characters or fewer."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.com."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email, "author": by if by is not None and by.is_authenticated else None}


@transaction.atomic
def consultation_comment(
    *,
    consultation: Consultation,
    section: str,
    text: str,
    by: User | None = None,
    organisation: Organisation | None = None,
    name: str = "",
    email: str = "",
) -> ConsultationComment:
    """A comment on one section of the published drafts, while the consultation is open."""
    consultation = (
        Consultation.objects.select_for_update().select_related("commission__council").get(pk=consultation.pk)
    )
    if not consultation.is_open:
        if consultation.has_closed:
            raise ValidationError("This consultation has closed: comments can no longer be made.")
        raise ValidationError("This consultation is not open for comments yet.")
    if section not in dict(selectors.section_choices(consultation)):
        raise ValidationError({"section": "Choose the part of the drafts your comment is about."})
    text = _text(text, "text", "Enter your comment.")
    comment = ConsultationComment.objects.create(
        consultation=consultation,
        section=section,
        text=text,
        **_commenter(consultation, by, organisation, name, email),
    )
    _refresh_log(consultation)
    commission = consultation.commission
    _audit(
        comment.author,
        commission,
        "commented",
        consultation=consultation.pk,
        comment=comment.pk,
        section=section,
        commenter=comment.public_name,
    )
    _tell_officers(consultation, comment)
    return comment


def consultation_url(consultation: Consultation) -> str:
    commission = consultation.commission
    return reverse(
        "commissioning:consultation",
        kwargs={"council_slug": commission.council.slug, "pk": commission.pk, "consultation_pk": consultation.pk},
    )


def _tell_officers(consultation: Consultation, comment: ConsultationComment) -> None:
    commission = consultation.commission
    handoffs.tell(
        about=consultation,
        kind=ReminderKind.ENGAGEMENT_COMMENTED,
        users=selectors.officers_to_tell(consultation),
        title=f"New comments on the drafts of {commission.reference}: {commission.title}",
        body=f"{comment.public_name} commented on the drafts opened for comment ({consultation.title}). "
        f"It closes on {consultation.closes_on:%-d %B %Y}: read the comments and answer each one.",
        path=consultation_url(consultation),
        # At most one a day per consultation for each officer, however many comments come in.
        occurrence=f"commented:{timezone.localdate().isoformat()}",
        may_open=lambda user, _consultation: user.has_perm("commissioning.run_consultation", commission),
    )


@transaction.atomic
def comment_answer(
    *, by: User, comment: ConsultationComment, answer: str, draft_changed_because: str = ""
) -> ConsultationComment:
    """The council's answer to a comment (published with it), and why the draft changed, if it did.
    An answer may be corrected; each version is audited."""
    consultation = comment.consultation
    _require(by, "commissioning.run_consultation", consultation.commission)
    comment = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
    comment.answer = _text(answer, "answer", "Enter your answer.")
    changed = (draft_changed_because or "").strip()
    if len(changed) > TEXT_MAX_LENGTH:
        raise ValidationError({"draft_changed_because": f"This must be {TEXT_MAX_LENGTH:,} characters or fewer."})
    comment.draft_changed_because = changed
    comment.answered_by = by
    comment.answered_at = timezone.now()
    comment.save(update_fields=["answer", "draft_changed_because", "answered_by", "answered_at"])
    comment.consultation = consultation
    _refresh_log(consultation)
    _audit(
        by,
        consultation.commission,
        "answered",
        consultation=consultation.pk,
        comment=comment.pk,
        answer=comment.answer,
        draft_changed=bool(changed),
    )
    return comment
