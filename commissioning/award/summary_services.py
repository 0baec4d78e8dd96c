"""Writes for the assessment summaries (Procurement Regulations 2024, reg 31), which replaced the
outcome letters: prepare them as drafts, correct them, send them.

1. **Prepare** (once the decision is approved): one draft per submitted bid, built from the signed-off
   evaluation (`summaries.build_summaries`). Preparing again refreshes the drafts; corrections stay.
2. **Correct**: an officer rewrites a criterion's explanation or the reasons a bid did not win, and
   writes the free text (an opening and a closing paragraph, the council's feedback to this bidder).
   Each change is kept (`AssessmentSummaryCorrection`, with the text before and after) and audited;
   the draft is saved whole or not at all, and sending uses what was saved. The officers read the
   draft as the bidder will (`summary_views.AwardSummaryPreviewView`, and its PDF) before sending.
3. **Send** (once the decision has effect): the drafts are built one last time — dated today, signed
   by the sender, corrections laid over — and kept as sent. The provider sees its own on its bid page;
   each is emailed, with its PDF, to the bid's author and the organisation's administrators once the
   transaction commits. `Award.assessment_summaries_sent_at` records the day (the OCDS UK extension's
   `assessmentSummariesDateSent`). Sending starts no standstill: that runs from the contract award
   notice (`services.record_award_notice_published`).

Audit events name the summaries, bids and parts corrected, never a score or what an explanation says.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from commissioning.award import documents, selectors
from commissioning.award import standstill_selectors as standstill
from commissioning.award.services import lock_award, require_award_officer
from commissioning.award.summaries import (
    FREE_TEXT,
    REASONS,
    REASONS_LABEL,
    SUCCESSFUL,
    build_summaries,
    criterion_part,
)
from commissioning.evaluation.selectors import evaluated_bids
from commissioning.models import AssessmentSummary, AssessmentSummaryCorrection, Award, AwardState, Bid
from councils.models import User
from councils.services import audit_record
from providers.models import OrganisationMember, ProviderRole

logger = logging.getLogger(__name__)


def _audit(award: Award, by: User, event: str, **extra) -> None:
    audit_record(council=award.council, actor=by, event_type=f"award.{event}", obj=award, extra=extra)


def _latest_corrections(award: Award) -> dict[int, dict[str, str]]:
    """Bid id → part → the latest corrected text."""
    latest: dict[int, dict[str, str]] = {}
    rows = AssessmentSummaryCorrection.objects.filter(summary__award=award).order_by("corrected_at", "id")
    for bid_id, part, after in rows.values_list("summary__bid_id", "part", "after"):
        latest.setdefault(bid_id, {})[part] = after
    return latest


def _refuse_if_sent(award: Award) -> None:
    sent = award.assessment_summaries_sent_at
    if sent is not None:
        raise ValidationError(f"The assessment summaries were sent on {selectors.day(timezone.localdate(sent))}.")


def _write_drafts(award: Award, by: User) -> list[AssessmentSummary]:
    """Every submitted bid's summary built afresh today, the corrections laid over, saved as drafts."""
    bids = list(evaluated_bids(award.opportunity).select_related("organisation", "created_by"))
    existing = {s.bid_id: s for s in AssessmentSummary.objects.select_for_update().filter(award=award)}
    contents = build_summaries(
        award,
        bids,
        on=timezone.localdate(),
        signatory=by,
        rule=standstill.standstill_rule(award),
        corrections=_latest_corrections(award),
    )
    now = timezone.now()
    drafts = []
    for bid, content in contents:
        summary = existing.get(bid.pk) or AssessmentSummary(award=award, bid=bid)
        summary.successful = content["kind"] == SUCCESSFUL
        summary.content = content
        summary.prepared_by, summary.prepared_at = by, now
        summary.save()
        summary.bid = bid
        drafts.append(summary)
    return drafts


def assessment_summaries_prepare(*, by: User, award: Award) -> list[AssessmentSummary]:
    """A lead commissioner or commissioning officer prepares every bidder's summary as a draft, once the
    decision is approved (the call-in period may still be running). Preparing again rebuilds the drafts
    from the scores and keeps every correction."""
    with transaction.atomic():
        award = lock_award(award)
        require_award_officer(by, award.opportunity)
        if award.state != AwardState.APPROVED:
            raise ValidationError("The assessment summaries are prepared once the award decision has been approved.")
        _refuse_if_sent(award)
        drafts = _write_drafts(award, by)
        _audit(award, by, "assessment_summaries_prepared", summaries=len(drafts))
    return drafts


def assessment_summary_correct(
    *,
    by: User,
    summary: AssessmentSummary,
    explanations: dict[int, str],
    reasons: str | None = None,
    free_text: dict[str, str] | None = None,
) -> AssessmentSummary:
    """Correct a draft: `explanations` (criterion id → text), for a bid that did not win `reasons` (one
    per line), and `free_text` (part of `FREE_TEXT` → the officers' own words, which may be empty).
    Only what changed is recorded, each part as one correction with the text before and after; an
    explanation or the reasons cannot be left empty."""
    with transaction.atomic():
        award = lock_award(summary.award)
        require_award_officer(by, award.opportunity)
        _refuse_if_sent(award)
        summary = AssessmentSummary.objects.select_for_update().get(pk=summary.pk)
        content = summary.content
        errors, changes = {}, []
        for row in content["criteria"]:
            text = explanations.get(row["criterion_id"])
            if text is None:
                continue
            text = text.strip()
            if not text:
                errors[f"explanation_{row['criterion_id']}"] = (
                    f"Explain the score for {row['title']} by reference to the tender"
                )
            elif text != row["explanation"]:
                changes.append((criterion_part(row["criterion_id"]), row["title"], row["explanation"], text))
                row["explanation"], row["corrected"] = text, True
        if reasons is not None and not summary.successful:
            lines = [line.strip() for line in reasons.splitlines() if line.strip()]
            if not lines:
                errors["reasons"] = "Say why the bid was not successful"
            elif lines != content["reasons"]:
                changes.append((REASONS, REASONS_LABEL, "\n".join(content["reasons"]), "\n".join(lines)))
                content["reasons"], content["reasons_corrected"] = lines, True
        for part, text in (free_text or {}).items():
            if part not in FREE_TEXT:
                raise ValueError(f"Not a free-text part of a summary: {part}")
            text = "\n".join(line.rstrip() for line in text.strip().splitlines())
            if text != content.get(part, ""):
                changes.append((part, FREE_TEXT[part], content.get(part, ""), text))
                content[part] = text
        if errors:
            raise ValidationError(errors)
        if not changes:
            return summary
        AssessmentSummaryCorrection.objects.bulk_create(
            AssessmentSummaryCorrection(
                summary=summary, part=part, label=label, before=before, after=after, corrected_by=by
            )
            for part, label, before, after in changes
        )
        summary.content = content
        summary.save(update_fields=["content"])
        _audit(
            award,
            by,
            "assessment_summary_corrected",
            summary=summary.pk,
            bid=summary.bid_id,
            parts=[c[0] for c in changes],
        )
    return summary


def _recipients(bid: Bid) -> list[str]:
    """The bid's author and the organisation's administrators."""
    admins = OrganisationMember.objects.filter(
        organisation_id=bid.organisation_id, role=ProviderRole.ORGANISATION_ADMIN
    ).values_list("user__email", flat=True)
    return sorted({bid.created_by.email, *admins})


def _email(summary_pk: int) -> None:
    try:
        summary = AssessmentSummary.objects.get(pk=summary_pk)
        content = summary.content
        context = {"summary": summary, "content": content}
        message = EmailMultiAlternatives(
            subject=content["subject"],
            body=render_to_string("award/email/summary.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=summary.sent_to.split(),
        )
        message.attach_alternative(render_to_string("award/email/summary.html", context), "text/html")
        message.attach(documents.filename(summary), documents.summary_pdf(content), "application/pdf")
        message.send()
    except Exception:  # the summaries are recorded and downloadable; say so in the logs rather than fail
        logger.exception("Could not email assessment summary %s", summary_pk)


def assessment_summaries_send(*, by: User, award: Award) -> list[AssessmentSummary]:
    """Once the decision has effect, send the prepared summaries: each bidder's, built one last time and
    kept as sent, shown on its bid page and emailed with its PDF once saved."""
    with transaction.atomic():
        award = lock_award(award)
        require_award_officer(by, award.opportunity)
        today = timezone.localdate()
        if not award.has_effect(today):
            effective = award.effective_from()
            raise ValidationError(
                "The assessment summaries can be sent once the decision has effect"
                + (f", from {selectors.day(effective)}." if effective else ".")
            )
        _refuse_if_sent(award)
        if not AssessmentSummary.objects.filter(award=award).exists():
            raise ValidationError("Prepare the assessment summaries and check them before sending them.")
        summaries = _write_drafts(award, by)
        now = timezone.now()
        for summary in summaries:
            summary.sent_at, summary.sent_to = now, "\n".join(_recipients(summary.bid))
            summary.save(update_fields=["sent_at", "sent_to"])
        award.assessment_summaries_sent_at = now
        award.save(update_fields=["assessment_summaries_sent_at", "updated_at"])
        _audit(
            award,
            by,
            "assessment_summaries_sent",
            summaries=len(summaries),
            successful=sum(1 for summary in summaries if summary.successful),
            required=bool(summaries and summaries[0].content["statutory"]),
        )
        for summary in summaries:
            transaction.on_commit(lambda pk=summary.pk: _email(pk))
    return summaries
