"""Writes for commissions: creating them, the work of each stage, and moving them round the cycle.

Every transition goes through the workflow engine (`councils.workflow.run`); this module registers
what the commission's transitions do beyond changing state: the approval decision, carrying the last
cycle's learning forward, and the funding pots approval locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone

from commissioning import cpv
from commissioning.cycle import gates
from commissioning.models import (
    STAGE_OF_STATE,
    ApprovalDecision,
    Commission,
    DecisionMaker,
    DecommissioningRecord,
    DeliveryOption,
    EngagementActivity,
    EngagementKind,
    EvaluationCriterion,
    Evidence,
    ExistingProvision,
    FundingCommitment,
    FundingPot,
    FundingRound,
    GapAnalysis,
    NeedsAssessment,
    OutcomeSought,
    ReviewReport,
    Risk,
    State,
    SuccessMeasure,
)
from commissioning.permissions import COMMISSIONERS, is_commissioning_officer
from councils import workflow
from councils.formatting import money
from councils.models import Council, User
from councils.permissions import FUNDING_MANAGERS, has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step

# Lancaster City Council's core criteria (Commissioning Framework 2012–15), with default weights.
DEFAULT_CRITERIA = [
    ("Links to corporate priorities and other approved strategies", 15),
    ("Deliverability", 15),
    ("Quality assurance", 15),
    ("Value for money", 15),
    ("Added value / additionality", 10),
    ("Sustainability", 10),
    ("Collaboration", 10),
    ("Service-specific criteria", 10),
]

UNDERSTAND_RECORDS = (NeedsAssessment, Evidence, ExistingProvision, GapAnalysis)
PLAN_RECORDS = (DeliveryOption, OutcomeSought, SuccessMeasure, EvaluationCriterion, FundingCommitment)
REVIEW_RECORDS = (ReviewReport, DecommissioningRecord)
LIVE_RECORDS = (EngagementActivity, Risk)
OPEN_STATES = [s for s in State.values if s not in (State.DECOMMISSIONED, State.CANCELLED)]
# Plan details are fixed once submitted: a decision-maker approves what they saw.
EDITABLE_IN = {
    **{model: [State.UNDERSTANDING] for model in UNDERSTAND_RECORDS},
    **{model: [State.UNDERSTANDING, State.PLANNING] for model in PLAN_RECORDS},
    **{model: [State.REVIEWING] for model in REVIEW_RECORDS},
    **dict.fromkeys(LIVE_RECORDS, OPEN_STATES),
    Commission: [State.UNDERSTANDING, State.PLANNING],
}
# Each cycle starts from what the last one learned: these are copied into the new cycle.
CARRIED_FORWARD = (ExistingProvision, OutcomeSought, EvaluationCriterion, Risk)


def can_edit(model: type[models.Model], commission: Commission, user: User) -> bool:
    return commission.state in EDITABLE_IN[model] and is_commissioning_officer(commission, user)


def _require_edit(model: type[models.Model], commission: Commission, user: User) -> None:
    if not is_commissioning_officer(commission, user):
        raise PermissionDenied
    if commission.state not in EDITABLE_IN[model]:
        raise ValidationError(
            f"{model._meta.verbose_name.capitalize()} cannot be changed while the commission is "
            f"‘{commission.get_state_display().lower()}’."
        )


def _refuse_working_group_comment(instance: models.Model) -> None:
    """A working group member's comment stays as they wrote it: officers neither record one in their
    name nor change or remove it (commissioning.groups writes them)."""
    if isinstance(instance, EngagementActivity) and (
        instance.author_id is not None or instance.kind == EngagementKind.WORKING_GROUP
    ):
        raise ValidationError("A member working group's comment cannot be recorded, changed or removed here.")


def _next_reference(council: Council, year: int) -> str:
    prefix = f"{council.short_code}-{year}-"
    last = (
        Commission.objects.filter(council=council, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def commission_create(
    *,
    by: User,
    council: Council,
    title: str,
    lead_officer: User,
    summary: str = "",
    portfolio=None,
    outcomes=(),
) -> Commission:
    """An officer starts a commission; it begins in Understand, cycle 1, with a unique reference."""

    if not has_any_role(by, council, COMMISSIONERS):
        raise PermissionDenied
    if not has_any_role(lead_officer, council, COMMISSIONERS):
        raise ValidationError({"lead_officer": "The lead officer must be a commissioner in this council."})
    if portfolio is not None and portfolio.council_id != council.pk:
        raise ValidationError({"portfolio": "Choose one of this council's portfolios."})
    if any(o.priority.plan.council_id != council.pk for o in outcomes):
        raise ValidationError({"outcomes": "Choose this council's outcomes."})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                commission = Commission(
                    council=council,
                    reference=_next_reference(council, timezone.localdate().year),
                    title=title,
                    summary=summary,
                    lead_officer=lead_officer,
                    portfolio=portfolio,
                )
                commission.full_clean(exclude=["reference", "state"])
                commission.save()
                commission.outcomes.set(outcomes)
                audit_record(
                    council=council,
                    actor=by,
                    event_type="commission.created",
                    obj=commission,
                    to_state=commission.state,
                )
                return commission
        except IntegrityError:
            # Two officers created a commission in the same instant; take the next number.
            continue
    raise ValidationError("Could not allocate a reference; try again.")


@transaction.atomic
def commission_update(
    *, by: User, commission: Commission, changed: list[str] | None = None, outcomes=None
) -> Commission:
    """Change the commission's own details (route, budget, dates, portfolio, outcomes) while they are open."""
    _require_edit(Commission, commission, by)
    if commission.portfolio_id and commission.portfolio.council_id != commission.council_id:
        raise ValidationError({"portfolio": "Choose one of this council's portfolios."})
    if outcomes is not None and any(o.priority.plan.council_id != commission.council_id for o in outcomes):
        raise ValidationError({"outcomes": "Choose this council's outcomes."})
    commission.full_clean(exclude=["state"])  # the state is the FSM's alone
    commission.save()
    if outcomes is not None:
        commission.outcomes.set(outcomes)
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.updated",
        obj=commission,
        extra={"fields": sorted(changed or [])},
    )
    return commission


@transaction.atomic
def commission_set_cpv_code(*, by: User, commission: Commission, code: str) -> Commission:
    """Set the commission's main CPV code, chosen from the CPV 2008 list."""
    _require_edit(Commission, commission, by)
    entry = cpv.lookup(code)
    if entry is None:
        raise ValidationError({"code": "Choose a code from the CPV 2008 list."})
    previous = commission.cpv_code
    commission.cpv_code = entry.code
    commission.save(update_fields=["cpv_code", "updated_at"])
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.cpv_code_set",
        obj=commission,
        extra={"from": previous, "to": entry.code},
    )
    return commission


def _owning_commission(instance: models.Model) -> Commission:
    if isinstance(instance, SuccessMeasure):
        return instance.outcome_sought.commission
    return instance.commission


@transaction.atomic
def stage_record_save(
    *, by: User, commission: Commission, instance: models.Model, changed: list[str] | None = None
) -> models.Model:
    """Add or change a piece of stage work (evidence, an option, a success measure...) for this cycle."""
    model = type(instance)
    _require_edit(model, commission, by)
    if _owning_commission(instance).pk != commission.pk:
        raise PermissionDenied
    _refuse_working_group_comment(instance)
    if hasattr(instance, "cycle") and instance.pk is None:
        instance.cycle = commission.cycle
    if (
        isinstance(instance, OutcomeSought)
        and instance.council_outcome.priority.plan.council_id != commission.council_id
    ):
        raise ValidationError({"council_outcome": "Choose one of this council's outcomes."})
    if isinstance(instance, FundingCommitment) and instance.pot.council_id != commission.council_id:
        raise ValidationError({"pot": "Choose one of this council's funding pots."})
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit_record(
        council=commission.council,
        actor=by,
        event_type=f"commission.{model._meta.model_name}.{'added' if created else 'changed'}",
        obj=commission,
        extra={"record": str(instance)[:200], "fields": sorted(changed or [])},
    )
    return instance


@transaction.atomic
def stage_record_delete(*, by: User, commission: Commission, instance: models.Model) -> None:
    model = type(instance)
    _require_edit(model, commission, by)
    if _owning_commission(instance).pk != commission.pk:
        raise PermissionDenied
    _refuse_working_group_comment(instance)
    audit_record(
        council=commission.council,
        actor=by,
        event_type=f"commission.{model._meta.model_name}.removed",
        obj=commission,
        extra={"record": str(instance)[:200]},
    )
    instance.delete()


@transaction.atomic
def criteria_apply_default_template(*, by: User, commission: Commission) -> list[EvaluationCriterion]:
    """Start the evaluation criteria from Lancaster's eight core criteria (weights total 100%)."""
    _require_edit(EvaluationCriterion, commission, by)
    if commission.criteria.filter(cycle=commission.cycle).exists():
        raise ValidationError("This commission already has evaluation criteria.")
    criteria = EvaluationCriterion.objects.bulk_create(
        EvaluationCriterion(commission=commission, cycle=commission.cycle, title=title, weight=weight, position=i)
        for i, (title, weight) in enumerate(DEFAULT_CRITERIA, start=1)
    )
    audit_record(
        council=commission.council, actor=by, event_type="commission.criteria.template_applied", obj=commission
    )
    return criteria


@transaction.atomic
def funding_pot_save(*, by: User, council: Council, pot: FundingPot) -> FundingPot:
    if not has_any_role(by, council, FUNDING_MANAGERS):
        raise PermissionDenied
    if pot.council_id != council.pk:
        raise PermissionDenied
    created = pot.pk is None
    pot.full_clean()
    pot.save()
    audit_record(council=council, actor=by, event_type=f"funding_pot.{'created' if created else 'changed'}", obj=pot)
    return pot


@transaction.atomic
def funding_round_save(*, by: User, council: Council, funding_round: FundingRound) -> FundingRound:
    """A round of allocation from a pot: inside the pot's period, and rounds never allocate more than the pot."""

    pot = FundingPot.objects.select_for_update().get(pk=funding_round.pot_id)
    if pot.council_id != council.pk:
        raise PermissionDenied
    if not has_any_role(by, council, FUNDING_MANAGERS):
        raise PermissionDenied
    errors = {}
    if funding_round.opens_on and funding_round.closes_on:
        if funding_round.closes_on < funding_round.opens_on:
            errors["closes_on"] = "The closing date must be on or after the opening date."
        elif funding_round.opens_on < pot.starts_on or funding_round.closes_on > pot.ends_on:
            errors["opens_on"] = (
                f"The round must fall within the pot's period, {pot.starts_on:%d/%m/%Y} to {pot.ends_on:%d/%m/%Y}."
            )
    others = pot.rounds.exclude(pk=funding_round.pk).aggregate(total=Sum("allocation"))["total"] or 0
    if funding_round.allocation is not None and others + funding_round.allocation > pot.amount:
        errors["allocation"] = f"Rounds would allocate more than the pot holds ({money(pot.amount)})."
    if errors:
        raise ValidationError(errors)
    created = funding_round.pk is None
    funding_round.full_clean()
    funding_round.save()
    audit_record(
        council=council,
        actor=by,
        event_type=f"funding_round.{'created' if created else 'changed'}",
        obj=funding_round,
        extra={"pot": pot.name},
    )
    return funding_round


@dataclass(frozen=True)
class Decision:
    """What the decision-maker records when approving: the key-decision paperwork above the threshold."""

    decision_maker: str = DecisionMaker.DELEGATED_OFFICER
    reference: str = ""
    decided_on: date | None = None
    minute_url: str = ""


def _validate_decision(commission: Commission, decision: Decision | None) -> Decision:
    return validate_decision(decision, key_decision=commission.is_key_decision)


def validate_decision(decision: Decision | None, *, key_decision: bool) -> Decision:
    """The decision paperwork for the route the thresholds set: a cabinet or portfolio holder decision
    with its reference and published minutes for a key decision, a delegated officer decision below."""
    decision = decision or Decision()
    errors = {}
    if key_decision:
        if decision.decision_maker not in (DecisionMaker.PORTFOLIO_HOLDER, DecisionMaker.CABINET):
            errors["decision_maker"] = "This is a key decision: record the cabinet or portfolio holder decision."
        if not decision.reference.strip():
            errors["reference"] = "Enter the decision reference, for example CAB/2026/041."
        if not decision.minute_url.strip():
            errors["minute_url"] = "Enter the link to the published decision or minutes."
    elif decision.decision_maker != DecisionMaker.DELEGATED_OFFICER:
        errors["decision_maker"] = "Below the key-decision threshold this is a delegated officer decision."
    if decision.decided_on is None:
        errors["decided_on"] = "Enter the date of the decision."
    elif decision.decided_on > timezone.localdate():
        errors["decided_on"] = "The decision date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    return decision


def _carry_forward(commission: Commission, previous_cycle: int, review: ReviewReport | None) -> None:
    for model in CARRIED_FORWARD:
        for record in model.objects.filter(commission=commission, cycle=previous_cycle):
            measures = list(record.success_measures.all()) if isinstance(record, OutcomeSought) else []
            record.pk = None
            record._state.adding = True
            record.cycle = commission.cycle
            record.save()
            for measure in measures:
                measure.pk = None
                measure._state.adding = True
                measure.outcome_sought = record
                measure.save()
    if review is not None:
        commission.lessons_carried_over = review.lessons_learned


def available_transitions(commission: Commission, user: User) -> list[dict]:
    """The next steps this user may take from here, each with what is still missing (empty when ready)."""
    return workflow.available(commission, user)


def commission_transition(
    *,
    by: User,
    commission: Commission,
    name: str,
    reason: str = "",
    decision: Decision | None = None,
    seen_state: str | None = None,
    build_url=None,
) -> Commission:
    """Take one step round the cycle through the workflow engine: all or nothing, audited."""
    return workflow.run(
        by=by, obj=commission, name=name, reason=reason, seen_state=seen_state, decision=decision, build_url=build_url
    )


def _validate_approval(step: Step) -> None:
    step.scratch["decision"] = _validate_decision(step.obj, step.payload.get("decision"))


def _record_approval(step: Step) -> dict:
    commission, decision = step.obj, step.scratch["decision"]
    approval = ApprovalDecision.objects.create(
        commission=commission,
        cycle=commission.cycle,
        decision_maker=decision.decision_maker,
        decided_by=step.by,
        reference=decision.reference.strip(),
        decided_on=decision.decided_on,
        minute_url=decision.minute_url.strip(),
        value_at_decision=commission.budget,
        threshold_at_decision=commission.council.key_decision_threshold,
        comments=step.reason,
    )
    return {
        "decision": {
            "id": approval.pk,
            "maker": approval.decision_maker,
            "reference": approval.reference,
            "decided_on": approval.decided_on.isoformat(),
            "value": str(approval.value_at_decision),
            "threshold": str(approval.threshold_at_decision),
        }
    }


def _next_cycle(step: Step) -> None:
    commission = step.obj
    step.scratch["previous_cycle"] = previous = commission.cycle
    step.scratch["review"] = commission.reviews.filter(cycle=previous).first()
    commission.cycle = previous + 1


def _carry_forward_step(step: Step) -> None:
    commission = step.obj
    _carry_forward(commission, step.scratch["previous_cycle"], step.scratch["review"])
    commission.save(update_fields=["lessons_carried_over", "updated_at"])


def _stages(step: Step) -> dict:
    commission = step.obj
    return {"stage_from": STAGE_OF_STATE[step.source], "stage_to": commission.stage, "cycle": commission.cycle}


workflow.machine(
    Commission,
    noun="commission",
    gates=gates,
    details=_stages,
    lockers={"funding_pots": gates.lock_funding_pots},
)
workflow.effect(Commission, "decision", Effect(validate=_validate_approval, follow=_record_approval))
workflow.effect(Commission, "next_cycle", Effect(prepare=_next_cycle, follow=_carry_forward_step))
