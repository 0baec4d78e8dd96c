"""Writes for reviews of existing services: opening one, what it covers, its evidence, and its steps.

Every step goes through the workflow engine (`councils.workflow.run`). The conclusion is staged on the
locked row by its own effect, so the gate reads it; a recommission starts its commission through
`commission_create`, carrying the review's findings, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissioning import ports
from commissioning.cycle.services import commission_create
from commissioning.models import (
    Commission,
    Conclusion,
    Evidence,
    EvidenceKind,
    ExistingProvision,
    Review,
    ReviewEvidence,
    ReviewMeasure,
    ReviewState,
)
from commissioning.permissions import COMMISSIONERS, is_commissioning_officer
from commissioning.reviews import gates
from councils import workflow
from councils.models import Council, Role, User
from councils.permissions import has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step

# Who opens a review: the papers give it to the lead commissioner.
OPENERS = (Role.LEAD_COMMISSIONER,)


@dataclass(frozen=True)
class NewMeasure:
    """One success measure of a new outcomes framework, as the conclusion form gives it."""

    outcome: str
    measure: str
    council_outcome: object = None


def _next_reference(council: Council, year: int) -> str:
    prefix = f"{council.short_code}-REV-{year}-"
    last = (
        Review.objects.filter(council=council, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _check_belongs(council: Council, *, portfolio=None, outcomes=(), provisions=()) -> None:
    if portfolio is not None and portfolio.council_id != council.pk:
        raise ValidationError({"portfolio": "Choose one of this council's portfolios."})
    if any(o.priority.plan.council_id != council.pk for o in outcomes):
        raise ValidationError({"outcomes": "Choose this council's outcomes."})
    if any(p.commission.council_id != council.pk for p in provisions):
        raise ValidationError({"provisions": "Choose services from this council's provision map."})


def _cover_agreements(review: Review, agreement_ids) -> None:
    if agreement_ids is None:
        return
    allowed = {pk for pk, _label in ports.reviewed_agreements.choices(review.council)}
    if not set(agreement_ids) <= allowed:
        raise ValidationError({"agreements": "Choose agreements of this council."})
    ports.reviewed_agreements.cover(review, list(agreement_ids))


def review_open(
    *,
    by: User,
    council: Council,
    title: str,
    scope: str,
    lead_officer: User,
    starts_on: date,
    concludes_by: date,
    portfolio=None,
    outcomes=(),
    provisions=(),
    agreement_ids=(),
) -> Review:
    """A lead commissioner opens a review of one or more existing services or agreements."""
    if not has_any_role(by, council, OPENERS):
        raise PermissionDenied
    if not has_any_role(lead_officer, council, COMMISSIONERS):
        raise ValidationError({"lead_officer": "The lead officer must be a commissioner in this council."})
    outcomes, provisions = list(outcomes), list(provisions)
    _check_belongs(council, portfolio=portfolio, outcomes=outcomes, provisions=provisions)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                review = Review(
                    council=council,
                    reference=_next_reference(council, starts_on.year),
                    title=title,
                    scope=scope,
                    lead_officer=lead_officer,
                    portfolio=portfolio,
                    starts_on=starts_on,
                    concludes_by=concludes_by,
                )
                review.full_clean(exclude=["reference", "state"])
                review.save()
                review.outcomes.set(outcomes)
                review.provisions.set(provisions)
                _cover_agreements(review, agreement_ids)
                audit_record(
                    council=council,
                    actor=by,
                    event_type="review.opened",
                    obj=review,
                    to_state=review.state,
                    extra={"provisions": [p.pk for p in provisions], "agreements": sorted(agreement_ids)},
                )
                return review
        except IntegrityError:
            # Two reviews opened in the same instant; take the next number.
            continue
    raise ValidationError("Could not allocate a reference; try again.")


def can_edit_review(review: Review, user: User) -> bool:
    return review.is_open and is_commissioning_officer(review, user)


def _require_edit(review: Review, user: User) -> None:
    if not is_commissioning_officer(review, user):
        raise PermissionDenied
    if not review.is_open:
        raise ValidationError(f"The review cannot be changed once it is ‘{review.get_state_display().lower()}’.")


@transaction.atomic
def review_update(
    *,
    by: User,
    review: Review,
    changed: list[str] | None = None,
    outcomes=None,
    provisions=None,
    agreement_ids=None,
) -> Review:
    """Change the review's scope, timetable, lead, findings and what it covers while it is open."""
    _require_edit(review, by)
    if not has_any_role(review.lead_officer, review.council, COMMISSIONERS):
        raise ValidationError({"lead_officer": "The lead officer must be a commissioner in this council."})
    outcomes = list(outcomes) if outcomes is not None else None
    provisions = list(provisions) if provisions is not None else None
    _check_belongs(review.council, portfolio=review.portfolio, outcomes=outcomes or (), provisions=provisions or ())
    review.full_clean(exclude=["state"])  # the state is the workflow engine's alone
    review.save()
    if outcomes is not None:
        review.outcomes.set(outcomes)
    if provisions is not None:
        review.provisions.set(provisions)
    _cover_agreements(review, agreement_ids)
    audit_record(
        council=review.council,
        actor=by,
        event_type="review.updated",
        obj=review,
        extra={"fields": sorted(changed or [])},
    )
    return review


@transaction.atomic
def review_add_evidence(*, by: User, review: Review, title: str, note: str = "", document=None) -> ReviewEvidence:
    """Add a note or a document (checked by `councils.uploads` on its way in) to the review's evidence."""
    _require_edit(review, by)
    evidence = ReviewEvidence(review=review, title=title, note=note, added_by=by)
    if document is not None:
        evidence.document = document
    evidence.full_clean()
    evidence.save()
    audit_record(
        council=review.council,
        actor=by,
        event_type="review.evidence_added",
        obj=review,
        extra={"evidence": evidence.pk, "title": title[:200], "document": bool(evidence.document)},
    )
    return evidence


@transaction.atomic
def review_remove_evidence(*, by: User, review: Review, evidence: ReviewEvidence) -> None:
    _require_edit(review, by)
    if evidence.review_id != review.pk:
        raise PermissionDenied
    audit_record(
        council=review.council,
        actor=by,
        event_type="review.evidence_removed",
        obj=review,
        extra={"evidence": evidence.pk, "title": evidence.title[:200]},
    )
    if evidence.document:
        evidence.document.delete(save=False)
    evidence.delete()


def available_transitions(review: Review, user: User) -> list[dict]:
    """The steps this person may take from here, each with what is still missing (empty when ready)."""
    return workflow.available(review, user)


def review_transition(
    *, by: User, review: Review, name: str, reason: str = "", seen_state: str | None = None
) -> Review:
    """Take one step of the review (start, withdraw) through the workflow engine."""
    return workflow.run(by=by, obj=review, name=name, reason=reason, seen_state=seen_state)


def review_conclude(
    *,
    by: User,
    review: Review,
    conclusion: str,
    reasons: str,
    findings: str | None = None,
    measures: list[NewMeasure] = (),
    seen_state: str | None = None,
) -> Review:
    """Record the review's conclusion with its reasons. Keeping the service records its new outcomes
    framework; recommissioning starts a commission carrying the findings, linked both ways."""
    return workflow.run(
        by=by,
        obj=review,
        name="conclude",
        internal=True,
        seen_state=seen_state,
        conclusion=conclusion,
        reasons=reasons,
        findings=findings,
        measures=list(measures),
    )


# --- What concluding does --------------------------------------------------------------------------
def _stage_conclusion(step: Step) -> None:
    review, payload = step.obj, step.payload
    if payload["conclusion"] not in Conclusion.values:
        raise ValidationError({"conclusion": "Choose one of the conclusions."})
    review.conclusion = payload["conclusion"]
    review.conclusion_reasons = (payload["reasons"] or "").strip()
    if payload.get("findings") is not None:
        review.findings = payload["findings"].strip()


def _validate_conclusion(step: Step) -> None:
    review = step.obj
    measures = [m for m in step.payload["measures"] if m.outcome.strip() and m.measure.strip()]
    missing = gates.missing_new_measures(review.conclusion, measures)
    if missing:
        raise workflow.TransitionRefused(missing)
    if any(
        m.council_outcome is not None and m.council_outcome.priority.plan.council_id != review.council_id
        for m in measures
    ):
        raise ValidationError({"measures": "Choose this council's outcomes."})
    step.scratch["measures"] = measures


def _findings_for_commission(review: Review) -> str:
    parts = [
        f"Started from the review {review.reference}: {review.title}.",
        f"Scope of the review:\n{review.scope}",
        f"What the review found:\n{review.findings}",
        f"Why it concluded to recommission:\n{review.conclusion_reasons}",
    ]
    return "\n\n".join(parts)


def _recommission(review: Review, by: User) -> Commission:
    """Start the commission through the one service that creates commissions, then carry the review's
    services and evidence into its Understand stage."""
    commission = commission_create(
        by=by,
        council=review.council,
        title=review.title,
        lead_officer=review.lead_officer,
        summary=_findings_for_commission(review),
        portfolio=review.portfolio,
        outcomes=list(review.outcomes.all()),
    )
    for provision in review.provisions.all():
        ExistingProvision.objects.create(
            commission=commission,
            service_name=provision.service_name,
            provider_name=provision.provider_name,
            funding_source=provision.funding_source,
            annual_funding=provision.annual_funding,
            quality=provision.quality,
            notes=provision.notes,
        )
    for agreement in ports.reviewed_agreements.of_review(review):
        ExistingProvision.objects.create(
            commission=commission,
            service_name=agreement.title[:200],
            provider_name=agreement.provider[:200],
            notes=f"Under the agreement {agreement.reference}, ending {agreement.ends_on}.",
        )
    for evidence in review.evidence.all():
        Evidence.objects.create(
            commission=commission,
            kind=EvidenceKind.DOCUMENT if evidence.document else EvidenceKind.RESEARCH,
            title=evidence.title,
            source=f"Review {review.reference}",
            summary=evidence.note,
        )
    return commission


def _prepare_conclusion(step: Step) -> None:
    review = step.obj
    review.concluded_on = timezone.localdate()
    if review.conclusion == Conclusion.RECOMMISSION:
        review.commission = _recommission(review, step.by)


def _record_conclusion(step: Step) -> dict:
    review = step.obj
    ReviewMeasure.objects.bulk_create(
        ReviewMeasure(
            review=review,
            outcome=m.outcome.strip(),
            measure=m.measure.strip(),
            council_outcome=m.council_outcome,
            position=position,
        )
        for position, m in enumerate(step.scratch["measures"])
    )
    extra = {"conclusion": review.conclusion, "measures": len(step.scratch["measures"])}
    if review.commission_id:
        extra["commission"] = review.commission.reference
    return extra


workflow.machine(Review, noun="review", gates=gates)
workflow.effect(
    Review,
    "conclusion",
    Effect(
        stage=_stage_conclusion, validate=_validate_conclusion, prepare=_prepare_conclusion, follow=_record_conclusion
    ),
)

__all__ = [
    "NewMeasure",
    "available_transitions",
    "ReviewState",
    "can_edit_review",
    "review_add_evidence",
    "review_conclude",
    "review_open",
    "review_remove_evidence",
    "review_transition",
    "review_update",
]
