"""Writes for evaluation: setting it up, the panel, declarations, compliance checks, scores,
moderation and the steps from one stage to the next.

Each write checks who is acting and the evaluation's state on a locked copy of the evaluation, runs
in one transaction and writes an audit event. Audit events record who did what to which bid, never
scores or bid contents (council officers outside the panel read the audit trail); score sheets and
moderation carry a SHA-256 of what was recorded instead. Once signed off, everything is refused.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import handoffs
from commissioning.conflicts import services as conflicts
from commissioning.evaluation import gates, selectors
from commissioning.evaluation import summary as results
from commissioning.models import (
    BIDS_READABLE_STATES,
    PANEL_CHANGE_STATES,
    Bid,
    ComplianceResult,
    Declaration,
    Evaluation,
    EvaluationCriterion,
    EvaluationState,
    ModeratedScore,
    Opportunity,
    OpportunityState,
    PanelMember,
    PriceMethod,
    Score,
    ScoreSheet,
    ScoringScale,
)
from commissioning.sourcing.selectors.bids import is_walled_off
from councils import workflow
from councils.models import Council, Role, User
from councils.permissions import OFFICER, has_any_role, roles_in
from councils.services import audit_record
from councils.workflow import Effect, Step

SET_UP_STATES = (OpportunityState.PUBLISHED, OpportunityState.CLOSED, *BIDS_READABLE_STATES)


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def _state_words(evaluation: Evaluation) -> str:
    return evaluation.get_state_display().lower()


def _require_lead(by: User, council: Council) -> None:
    if not has_any_role(by, council, (Role.LEAD_COMMISSIONER,)):
        raise PermissionDenied


def _locked(evaluation: Evaluation, states=None, what: str = "This") -> Evaluation:
    """The evaluation's row locked for this transaction, refused unless in one of `states`."""
    locked = Evaluation.objects.select_for_update().select_related("opportunity__council").get(pk=evaluation.pk)
    if locked.state == EvaluationState.SIGNED_OFF:
        _refuse("The evaluation has been signed off: nothing in it can change.")
    if states is not None and locked.state not in states:
        _refuse(f"{what} cannot be done while the evaluation is at ‘{_state_words(locked)}’.")
    return locked


def _audit(evaluation: Evaluation, by: User, event: str, **extra) -> None:
    audit_record(council=evaluation.council, actor=by, event_type=f"evaluation.{event}", obj=evaluation, extra=extra)


def _digest(values) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


# ---- Setting up ---------------------------------------------------------------------------------


def _clean_checks(checks) -> list[str]:
    cleaned = []
    for check in checks:
        check = " ".join(str(check).split())
        if check and check not in cleaned:
            cleaned.append(check[:300])
    if not cleaned:
        _refuse("Enter at least one compliance check.", "compliance_checks")
    return cleaned


def _validate_price(opportunity: Opportunity, price_method: str, price_criterion: EvaluationCriterion | None):
    if price_method not in PriceMethod.values:
        _refuse("Choose how price is scored.", "price_method")
    if price_method == PriceMethod.QUALITY_ONLY:
        return None
    if price_criterion is None:
        _refuse("Choose the criterion that price is scored against.", "price_criterion")
    if price_criterion.commission_id != opportunity.commission_id or price_criterion.cycle != opportunity.cycle:
        _refuse("Choose one of this commission's evaluation criteria.", "price_criterion")
    if price_criterion.weight <= 0:
        _refuse("The price criterion must have a weight above 0%.", "price_criterion")
    return price_criterion


@transaction.atomic
def evaluation_set_up(
    *,
    by: User,
    opportunity: Opportunity,
    price_method: str,
    price_criterion: EvaluationCriterion | None = None,
    compliance_checks=None,
) -> Evaluation:
    """The lead commissioner sets up (or, before anyone declares, changes) how the bids are judged:
    quality only, or a price criterion scored by formula, and the compliance checks. The council's
    scoring scale is copied in (0–5 unless the council has its own)."""
    _require_lead(by, opportunity.council)
    if opportunity.state not in SET_UP_STATES:
        _refuse("An evaluation can be set up once the opportunity is published, and not after it is cancelled.")
    price_criterion = _validate_price(opportunity, price_method, price_criterion)
    checks = _clean_checks(compliance_checks if compliance_checks is not None else [])
    evaluation = Evaluation.objects.select_for_update().filter(opportunity=opportunity).first()
    if evaluation is None:
        scale = ScoringScale.objects.filter(council=opportunity.council).first()
        evaluation = Evaluation(opportunity=opportunity, created_by=by)
        if scale is not None:
            evaluation.scale = list(scale.descriptors)
        event = "set_up"
    else:
        if evaluation.state != EvaluationState.DECLARATIONS:
            _refuse(f"The set-up is fixed once the evaluation is at ‘{_state_words(evaluation)}’.")
        if Declaration.objects.filter(evaluation=evaluation).exists():
            _refuse("The set-up is fixed once a panellist has declared their interests.")
        event = "set_up_changed"
    evaluation.price_method = price_method
    evaluation.price_criterion = price_criterion
    evaluation.compliance_checks = checks
    evaluation.full_clean(exclude=["state", "opportunity"] if evaluation.pk else ["state"])
    evaluation.save()
    _audit(
        evaluation,
        by,
        event,
        price_method=price_method,
        price_criterion=getattr(price_criterion, "pk", None),
        compliance_checks=len(checks),
        scale_max=evaluation.max_score,
    )
    return evaluation


# ---- The panel ----------------------------------------------------------------------------------


def _check_candidate(evaluation: Evaluation, user: User, *, independent: bool, questions) -> list:
    council = evaluation.council
    if evaluation.members.filter(user=user, ended_at__isnull=True).exists():
        _refuse(f"{user} is already on the panel.", "user")
    if is_walled_off(user, evaluation.opportunity):
        _refuse(f"{user} acts for an organisation that bid for this opportunity, so cannot be on the panel.", "user")
    if independent:
        if roles_in(user, council):
            _refuse("An independent member must not hold a role in the council: appoint them as an officer.", "user")
        questions = list(questions)
        if not questions:
            _refuse("Choose the questions the independent member will see and score.", "questions")
        if any(q.opportunity_id != evaluation.opportunity_id for q in questions):
            _refuse("Choose questions of this opportunity.", "questions")
        return questions
    if not has_any_role(user, council, OFFICER):
        _refuse("Choose an officer of the council.", "user")
    return []


def _new_member(evaluation, by, user, *, independent, chair, questions) -> PanelMember:
    if chair:
        evaluation.members.filter(is_chair=True, ended_at__isnull=True).update(is_chair=False)
    member = PanelMember.objects.create(
        evaluation=evaluation, user=user, is_chair=chair, is_independent=independent, appointed_by=by
    )
    if questions:
        member.questions.set(questions)
    return member


@transaction.atomic
def panel_appoint(
    *, by: User, evaluation: Evaluation, user: User, independent: bool = False, chair: bool = False, questions=()
) -> PanelMember:
    """The lead commissioner appoints an officer (optionally as chair) or an independent or
    service-user representative (no council role) who sees only the questions assigned to them."""
    evaluation = _locked(evaluation, PANEL_CHANGE_STATES, "Appointing to the panel")
    _require_lead(by, evaluation.council)
    if independent and chair:
        _refuse("The chair must be an officer of the council.", "chair")
    questions = _check_candidate(evaluation, user, independent=independent, questions=questions)
    member = _new_member(evaluation, by, user, independent=independent, chair=chair, questions=questions)
    _audit(
        evaluation,
        by,
        "panel.appointed",
        member=member.pk,
        user=user.pk,
        chair=chair,
        independent=independent,
        questions=[q.pk for q in questions],
    )
    conflicts.assessment_revise(opportunity=evaluation.opportunity, reason=f"{user} joined the evaluation panel")
    handoffs.tell_appointed(member)
    return member


@transaction.atomic
def panel_name_chair(*, by: User, evaluation: Evaluation, member: PanelMember) -> PanelMember:
    """The lead commissioner names one of the officers on the panel as its chair (until sign-off)."""
    evaluation = _locked(evaluation, None, "Naming the chair")
    _require_lead(by, evaluation.council)
    member = PanelMember.objects.select_for_update().get(pk=member.pk, evaluation=evaluation)
    if member.ended_at is not None or member.is_independent:
        _refuse("Choose an officer who is on the panel now.")
    previous = evaluation.members.filter(is_chair=True, ended_at__isnull=True).exclude(pk=member.pk).first()
    if previous is not None:
        previous.is_chair = False
        previous.save(update_fields=["is_chair"])
    member.is_chair = True
    member.save(update_fields=["is_chair"])
    _audit(evaluation, by, "panel.chair_named", member=member.pk, previous=getattr(previous, "pk", None))
    return member


@transaction.atomic
def panel_replace(*, by: User, evaluation: Evaluation, member: PanelMember, user: User, reason: str) -> PanelMember:
    """The lead commissioner replaces a panellist (for a conflict, absence...): the old membership is
    ended with the reason and kept; the new member takes the same place (chair, or the same questions)
    and must declare and score afresh."""
    evaluation = _locked(evaluation, PANEL_CHANGE_STATES, "Replacing a panellist")
    _require_lead(by, evaluation.council)
    reason = reason.strip()
    if not reason:
        _refuse("Give the reason for the replacement: it is kept on the record.", "reason")
    member = PanelMember.objects.select_for_update().get(pk=member.pk, evaluation=evaluation)
    if member.ended_at is not None:
        _refuse("That person has already left the panel.")
    questions = _check_candidate(
        evaluation, user, independent=member.is_independent, questions=list(member.questions.all())
    )
    was_chair = member.is_chair
    member.ended_at, member.ended_by, member.end_reason, member.is_chair = timezone.now(), by, reason, False
    member.save(update_fields=["ended_at", "ended_by", "end_reason", "is_chair"])
    new = _new_member(evaluation, by, user, independent=member.is_independent, chair=was_chair, questions=questions)
    member.replaced_by = new
    member.save(update_fields=["replaced_by"])
    audit_record(
        council=evaluation.council,
        actor=by,
        event_type="evaluation.panel.replaced",
        obj=evaluation,
        reason=reason,
        extra={"member": member.pk, "replacement": new.pk, "user": user.pk, "chair": was_chair},
    )
    conflicts.assessment_revise(
        opportunity=evaluation.opportunity, reason=f"{user} joined the evaluation panel in place of {member.user}"
    )
    handoffs.tell_appointed(new)
    return new


# ---- Declarations -------------------------------------------------------------------------------


@transaction.atomic
def declarations_record(*, by: User, evaluation: Evaluation, answers: dict[int, tuple[bool, str]]) -> None:
    """A panellist declares, against every bid (its organisation and partners), a conflict of
    interest with its nature, or none. A conflict can be added later but never withdrawn: the lead
    commissioner replaces the panellist instead."""
    evaluation = _locked(evaluation, None, "Declaring")
    member = selectors.current_member(by, evaluation)
    if member is None:
        raise PermissionDenied
    if evaluation.opportunity.state not in BIDS_READABLE_STATES:
        _refuse("You can declare once the bids have been opened.")
    bids = list(selectors.unsealed_bids(by, evaluation.opportunity).select_related("organisation"))
    existing = {d.bid_id: d for d in Declaration.objects.filter(member=member)}
    errors = {}
    for bid in bids:
        if bid.pk not in answers and bid.pk not in existing:
            errors[f"conflict_{bid.pk}"] = f"Say whether you have a conflict of interest with {bid.organisation}"
            continue
        if bid.pk not in answers:
            continue  # declared before and not asked again (a declared conflict stands)
        has_conflict, nature = answers[bid.pk]
        if has_conflict and not nature.strip():
            errors[f"nature_{bid.pk}"] = f"Describe the nature of your conflict of interest with {bid.organisation}"
        previous = existing.get(bid.pk)
        if previous is not None and previous.has_conflict and not has_conflict:
            errors[f"conflict_{bid.pk}"] = (
                "A declared conflict cannot be withdrawn: ask the lead commissioner, who can replace you on the panel"
            )
    if errors:
        raise ValidationError(errors)
    declared_conflict = False
    for bid in bids:
        if bid.pk not in answers:
            continue
        has_conflict, nature = answers[bid.pk]
        nature = nature.strip() if has_conflict else ""
        previous = existing.get(bid.pk)
        if previous is not None and (previous.has_conflict, previous.nature) == (has_conflict, nature):
            continue
        if previous is None:
            Declaration.objects.create(
                evaluation=evaluation,
                member=member,
                bid=bid,
                organisations=selectors.bidders(bid),
                has_conflict=has_conflict,
                nature=nature,
            )
            event = "declaration.made"
        else:
            previous.has_conflict, previous.nature = has_conflict, nature
            previous.organisations = selectors.bidders(bid)
            previous.save(update_fields=["has_conflict", "nature", "organisations", "updated_at"])
            event = "declaration.changed"
        _audit(evaluation, by, event, member=member.pk, bid=bid.pk, conflict=has_conflict)
        declared_conflict = declared_conflict or has_conflict
    if declared_conflict:
        conflicts.assessment_revise(
            opportunity=evaluation.opportunity, reason=f"{by} declared a conflict of interest on the panel"
        )
    handoffs.tell_chair_if_ready(evaluation, by=by)


# ---- Stage 1: compliance ------------------------------------------------------------------------


def _require_panel_officer(by: User, evaluation: Evaluation, bid: Bid) -> PanelMember:
    member = selectors.current_member(by, evaluation)
    if member is None or member.is_independent:
        raise PermissionDenied
    if not selectors.can_read_bid(by, bid):
        raise PermissionDenied  # walled off, undeclared or not this opportunity's bid
    return member


@transaction.atomic
def compliance_record(*, by: User, evaluation: Evaluation, bid: Bid, results: dict[str, tuple[bool, str]]) -> None:
    """An officer on the panel (the chair included) records each compliance check of a bid as
    passed or failed, with the reason; a bid that fails any check is excluded from scoring."""
    evaluation = _locked(evaluation, (EvaluationState.COMPLIANCE,), "Recording compliance checks")
    _require_panel_officer(by, evaluation, bid)
    errors = {}
    for position, check in enumerate(evaluation.compliance_checks):
        if check not in results:
            errors[f"passed_{position}"] = f"Say whether the bid passes: {check}"
            continue
        passed, reason = results[check]
        if not passed and not reason.strip():
            errors[f"reason_{position}"] = f"Give the reason the bid fails: {check}"
    if errors:
        raise ValidationError(errors)
    existing = selectors.compliance_results(evaluation, bid)
    for position, check in enumerate(evaluation.compliance_checks):
        passed, reason = results[check]
        row = existing.get(check) or ComplianceResult(evaluation=evaluation, bid=bid, check_name=check)
        if row.pk and (row.passed, row.reason) == (passed, reason.strip()):
            continue
        row.position, row.passed, row.reason, row.recorded_by = position, passed, reason.strip(), by
        row.save()
    failed = [check for check in evaluation.compliance_checks if not results[check][0]]
    _audit(evaluation, by, "compliance.recorded", bid=bid.pk, passed=not failed, failed_checks=len(failed))


# ---- Stage 2: scoring ---------------------------------------------------------------------------


@transaction.atomic
def score_sheet_save(
    *, by: User, evaluation: Evaluation, bid: Bid, scores: dict[int, tuple[int | None, str]], submit: bool = False
) -> ScoreSheet:
    """A panellist scores a bid on their own, criterion by criterion, each score with a written
    justification. A draft may be partial; submitting needs every score and justification and
    makes the sheet final (then, and only then, they see the other panellists' scores)."""
    evaluation = _locked(evaluation, (EvaluationState.SCORING,), "Scoring")
    member = selectors.current_member(by, evaluation)
    if member is None or not selectors.can_score_bid(by, bid):
        raise PermissionDenied
    criteria = selectors.member_criteria(evaluation, member)
    if not criteria:
        _refuse("There is nothing for you to score on this bid.")
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
        evaluation=evaluation, member=member, bid=bid
    )
    if sheet.is_submitted:
        _refuse("You have submitted your scores for this bid: they cannot change.")
    errors = {}
    for criterion in criteria:
        score, justification = scores.get(criterion.pk, (None, ""))
        if score is not None and not 0 <= score <= evaluation.max_score:
            errors[f"score_{criterion.pk}"] = f"Choose a score from 0 to {evaluation.max_score}"
        if submit and score is None:
            errors[f"score_{criterion.pk}"] = f"Choose a score for {criterion.title}"
        if submit and not justification.strip():
            errors[f"justification_{criterion.pk}"] = f"Write the justification for your score on {criterion.title}"
    if errors:
        raise ValidationError(errors)
    existing = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    for criterion in criteria:
        score, justification = scores.get(criterion.pk, (None, ""))
        row = existing.get(criterion.pk) or Score(sheet=sheet, criterion=criterion)
        if row.pk and (row.score, row.justification) == (score, justification.strip()):
            continue
        row.score, row.justification = score, justification.strip()
        row.save()
    recorded = {c.pk: list(scores.get(c.pk, (None, ""))) for c in criteria}
    if submit:
        sheet.submitted_at = timezone.now()
    sheet.save()
    _audit(
        evaluation,
        by,
        "scores.submitted" if submit else "scores.saved",
        member=member.pk,
        bid=bid.pk,
        digest=_digest(recorded),
    )
    if submit:
        handoffs.tell_chair_if_ready(evaluation, by=by)
    return sheet


# ---- Moderation ---------------------------------------------------------------------------------


@transaction.atomic
def moderation_record(
    *, by: User, evaluation: Evaluation, bid: Bid, scores: dict[int, tuple[int | None, str]]
) -> list[ModeratedScore]:
    """The chair records the moderated score and its rationale for every quality criterion of a bid."""
    evaluation = _locked(evaluation, (EvaluationState.MODERATION,), "Moderating")
    member = selectors.current_member(by, evaluation)
    if member is None or not member.is_chair or not selectors.can_score_bid(by, bid):
        raise PermissionDenied
    criteria = selectors.quality_criteria(evaluation)
    errors = {}
    for criterion in criteria:
        score, rationale = scores.get(criterion.pk, (None, ""))
        if score is None or not 0 <= score <= evaluation.max_score:
            errors[f"score_{criterion.pk}"] = f"Choose the moderated score for {criterion.title}"
        if not rationale.strip():
            errors[f"rationale_{criterion.pk}"] = f"Give the rationale for the moderated score on {criterion.title}"
    if errors:
        raise ValidationError(errors)
    existing = {m.criterion_id: m for m in ModeratedScore.objects.filter(evaluation=evaluation, bid=bid)}
    saved = []
    for criterion in criteria:
        score, rationale = scores[criterion.pk]
        row = existing.get(criterion.pk) or ModeratedScore(evaluation=evaluation, bid=bid, criterion=criterion)
        row.score, row.rationale, row.recorded_by = score, rationale.strip(), by
        row.save()
        saved.append(row)
    recorded = {c.pk: list(scores[c.pk]) for c in criteria}
    _audit(evaluation, by, "moderation.recorded", bid=bid.pk, digest=_digest(recorded))
    return saved


# ---- Steps from stage to stage ------------------------------------------------------------------


def available_steps(evaluation: Evaluation, user: User) -> list[dict]:
    """The next step, if this person may take it, with what is still missing (empty when ready)."""
    return workflow.available(evaluation, user)


def evaluation_transition(
    *, by: User, evaluation: Evaluation, name: str, reason: str = "", seen_state: str | None = None
) -> Evaluation:
    """Move the evaluation to its next stage through the workflow engine, all or nothing, audited.
    Signing off stores the ranking and its digest, after which nothing can change."""
    return workflow.run(by=by, obj=evaluation, name=name, reason=reason, seen_state=seen_state)


def _sign_off(step: Step) -> None:
    evaluation, by = step.obj, step.by
    evaluation.signed_off_by, evaluation.signed_off_at = by, timezone.now()
    summary = results.compute_summary(evaluation)
    data = results.summary_to_json(summary)
    data.update(state=evaluation.state, signed_off_at=evaluation.signed_off_at.isoformat())
    data["signed_off_by"] = str(by)
    evaluation.result, evaluation.result_digest = data, results.summary_digest(data)
    step.extra.update(digest=evaluation.result_digest, ranked=len(summary.ranked))


workflow.machine(Evaluation, noun="evaluation", gates=gates)
workflow.effect(Evaluation, "sign_off", Effect(prepare=_sign_off))
