"""Writes for the prioritised programme: the council's criteria and weights, starting a year's
programme, putting candidates forward and scoring them, and the programme's steps (sent to cabinet,
referred back, approved, reopened for changes) through the workflow engine.

A programme can be changed only while it is being prepared: every write to its candidates and scores
locks the programme row and checks its state, so nothing slips in while it is sent or approved.
Sending it copies the ranking into the programme; cabinet decides on exactly that copy.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissioning.cycle.services import Decision, validate_decision
from commissioning.models import (
    MAX_PRIORITY_SCORE,
    MAX_WEIGHT,
    CandidateScore,
    Commission,
    PrioritisationCriterion,
    Programme,
    ProgrammeCandidate,
    ProgrammeState,
    Review,
)
from commissioning.programme import gates, selectors
from councils import workflow
from councils.models import Council, User
from councils.permissions import PRIORITISATION_SETTERS, PROGRAMME_SCORERS, has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step


def _require(by: User, council: Council, roles) -> None:
    if not has_any_role(by, council, roles):
        raise PermissionDenied


def _audit(council: Council, by: User, event: str, obj, **extra) -> None:
    audit_record(council=council, actor=by, event_type=event, obj=obj, extra=extra or None)


# ---- The council's criteria and weights ---------------------------------------------------------


def criterion_save(
    *, by: User, council: Council, name: str, weight: int, description: str = "", criterion=None
) -> PrioritisationCriterion:
    """Add a criterion, or change one's name, description or weight. Programmes already sent to cabinet
    keep the weights they were ranked with."""
    _require(by, council, PRIORITISATION_SETTERS)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the criterion's name."})
    if not 1 <= weight <= MAX_WEIGHT:
        raise ValidationError({"weight": f"Enter a weight from 1 to {MAX_WEIGHT}."})
    if criterion is not None and criterion.council_id != council.pk:
        raise PermissionDenied
    with transaction.atomic():
        taken = PrioritisationCriterion.objects.filter(council=council, name__iexact=name)
        if criterion is not None:
            taken = taken.exclude(pk=criterion.pk)
        if taken.exists():
            raise ValidationError({"name": f"The council already has a criterion called ‘{name}’."})
        if criterion is None:
            last = PrioritisationCriterion.objects.filter(council=council).order_by("-position").first()
            criterion = PrioritisationCriterion(council=council, position=(last.position + 1) if last else 1)
            event = "programme.criterion_added"
        else:
            event = "programme.criterion_changed"
        criterion.name, criterion.description, criterion.weight = name, description.strip(), weight
        criterion.full_clean()
        criterion.save()
        _audit(council, by, event, criterion, name=criterion.name, weight=criterion.weight)
    return criterion


def criterion_remove(*, by: User, criterion: PrioritisationCriterion) -> None:
    """Remove a criterion and the scores given against it in programmes still being prepared; the
    programmes sent or approved keep their fixed copy."""
    council = criterion.council
    _require(by, council, PRIORITISATION_SETTERS)
    with transaction.atomic():
        scores = CandidateScore.objects.filter(criterion=criterion)
        removed = scores.count()
        _audit(council, by, "programme.criterion_removed", criterion, name=criterion.name, scores_removed=removed)
        criterion.delete()


# ---- A year's programme and its candidates --------------------------------------------------------


def programme_start(*, by: User, council: Council, financial_year: int) -> Programme:
    _require(by, council, PROGRAMME_SCORERS)
    this_year = selectors.financial_year_of(timezone.localdate())
    if not this_year - 1 <= financial_year <= this_year + 5:
        raise ValidationError({"financial_year": f"Choose a financial year from {this_year - 1} to {this_year + 5}."})
    try:
        with transaction.atomic():
            programme = Programme.objects.create(council=council, financial_year=financial_year, created_by=by)
            _audit(council, by, "programme.started", programme, financial_year=financial_year)
    except IntegrityError:
        raise ValidationError(
            {"financial_year": f"There is already a programme for {selectors.year_label(financial_year)}."}
        ) from None
    return programme


def _lock_draft(by: User, programme: Programme) -> Programme:
    """The programme's row, locked, refusing anything once it has been sent to cabinet."""
    _require(by, programme.council, PROGRAMME_SCORERS)
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.state != ProgrammeState.DRAFT:
        raise ValidationError(
            f"The programme for {locked.year_label} is {locked.get_state_display().lower()}: it is fixed. "
            "To change it, it must be referred back or reopened, and then approved again."
        )
    return locked


@transaction.atomic
def candidate_add(
    *, by: User, programme: Programme, commission: Commission | None = None, review: Review | None = None
) -> ProgrammeCandidate:
    """Put a review of existing services (while it runs) or a commission (until it ends) forward."""
    programme = _lock_draft(by, programme)
    if (commission is None) == (review is None):
        raise ValidationError({"subject": "Choose one review or one commission to put forward."})
    subject = commission or review
    if subject.council_id != programme.council_id:
        raise PermissionDenied
    choices = selectors.commission_choices(programme) if commission else selectors.review_choices(programme)
    if not choices.filter(pk=subject.pk).exists():
        raise ValidationError({"subject": f"{subject.reference} cannot be put forward: it has ended or is already in."})
    candidate = ProgrammeCandidate.objects.create(
        programme=programme, commission=commission, review=review, added_by=by
    )
    _audit(programme.council, by, "programme.candidate_added", programme, candidate=subject.reference)
    return candidate


@transaction.atomic
def candidate_remove(*, by: User, candidate: ProgrammeCandidate) -> None:
    programme = _lock_draft(by, candidate.programme)
    _audit(programme.council, by, "programme.candidate_removed", programme, candidate=candidate.reference)
    candidate.delete()


@transaction.atomic
def candidate_score(*, by: User, candidate: ProgrammeCandidate, scores: dict[int, tuple[int, str]]) -> None:
    """Score one candidate against the council's criteria: `scores` maps a criterion's id to its score
    (0 to 5) and a short reason. Every criterion given needs both."""
    programme = _lock_draft(by, candidate.programme)
    criteria = {c.pk: c for c in selectors.criteria(programme.council)}
    errors = {}
    for pk, (score, reason) in scores.items():
        if pk not in criteria:
            raise ValidationError("That criterion is not one of the council's.")
        if score is None or not 0 <= score <= MAX_PRIORITY_SCORE:
            errors[f"score_{pk}"] = f"Give ‘{criteria[pk].name}’ a score from 0 to {MAX_PRIORITY_SCORE}."
        if not (reason or "").strip():
            errors[f"reason_{pk}"] = f"Say briefly why it scores this against ‘{criteria[pk].name}’."
    if errors:
        raise ValidationError(errors)
    for pk, (score, reason) in scores.items():
        CandidateScore.objects.update_or_create(
            candidate=candidate,
            criterion=criteria[pk],
            defaults={"score": score, "reason": reason.strip(), "scored_by": by},
        )
    _audit(
        programme.council,
        by,
        "programme.candidate_scored",
        programme,
        candidate=candidate.reference,
        scores={criteria[pk].name: score for pk, (score, _reason) in scores.items()},
    )


# ---- Steps: send to cabinet, refer back, approve, reopen -----------------------------------------------


def available_steps(programme: Programme, user: User) -> list[dict]:
    return workflow.available(programme, user)


def programme_transition(
    *,
    by: User,
    programme: Programme,
    name: str,
    reason: str = "",
    decision: Decision | None = None,
    seen_state: str | None = None,
) -> Programme:
    """Send the programme to cabinet (its ranking is fixed), refer it back, approve it with cabinet's
    decision (who, when, the reference and the published minutes), or reopen an approved programme for
    changes (it then needs a new approval) — through the workflow engine, all or nothing, audited."""
    return workflow.run(by=by, obj=programme, name=name, reason=reason, seen_state=seen_state, decision=decision)


def _fix_ranking(step: Step) -> None:
    programme = step.obj
    programme.ranking = selectors.ranking_snapshot(programme)
    programme.submitted_by, programme.submitted_at = step.by, timezone.now()


def _after_fixing(step: Step) -> dict:
    return {"candidates": [row["reference"] for row in step.obj.ranking["rows"]]}


def _unfix_ranking(step: Step) -> None:
    step.obj.ranking = {}


def _validate_decision(step: Step) -> None:
    programme = step.obj
    checked = validate_decision(step.payload.get("decision"), key_decision=True)
    sent_on = timezone.localdate(programme.submitted_at) if programme.submitted_at else None
    if sent_on and checked.decided_on < sent_on:
        raise ValidationError(
            {"decided_on": f"The decision cannot come before the programme was sent, on {sent_on:%-d %B %Y}."}
        )
    step.scratch["decision"] = checked


def _record_decision(step: Step) -> None:
    programme, checked = step.obj, step.scratch["decision"]
    programme.decision_maker = checked.decision_maker
    programme.decided_by, programme.decided_on = step.by, checked.decided_on
    programme.decision_reference, programme.minute_url = checked.reference.strip(), checked.minute_url.strip()
    programme.decision_comments = step.reason
    programme.approved_at = timezone.now()


def _decision_kept(programme: Programme) -> dict:
    return {
        "maker": programme.decision_maker,
        "reference": programme.decision_reference,
        "decided_on": programme.decided_on.isoformat() if programme.decided_on else None,
        "minute_url": programme.minute_url,
    }


def _after_decision(step: Step) -> dict:
    return {"decision": _decision_kept(step.obj), "financial_year": step.obj.financial_year}


def _reopen(step: Step) -> None:
    programme = step.obj
    # The audit event keeps the decision being set aside; the programme needs a new one.
    step.scratch["previous"] = _decision_kept(programme)
    programme.ranking = {}
    for name in ("decision_maker", "decision_reference", "minute_url", "decision_comments"):
        setattr(programme, name, "")
    for name in ("decided_by", "decided_on", "approved_at", "submitted_by", "submitted_at"):
        setattr(programme, name, None)


def _after_reopen(step: Step) -> dict:
    return {"previous_decision": step.scratch["previous"]}


workflow.machine(Programme, noun="programme", gates=gates)
workflow.effect(Programme, "fix_ranking", Effect(prepare=_fix_ranking, follow=_after_fixing))
workflow.effect(Programme, "unfix_ranking", Effect(prepare=_unfix_ranking))
workflow.effect(
    Programme, "decision", Effect(validate=_validate_decision, prepare=_record_decision, follow=_after_decision)
)
workflow.effect(Programme, "reopen", Effect(prepare=_reopen, follow=_after_reopen))
