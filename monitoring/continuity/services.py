"""Writes for provider risk, failure and continuity, each in one transaction under row locks, audited.

- A continuity plan marks an agreement as a vital service and says how the service continues if the
  provider fails; a vital agreement goes live only with it complete (the go-live gate asks).
- A flag ("at risk" or "failed", with a reason) on an agreement or on a provider organisation (all its
  signed and live agreements with the council) tells the lead commissioners and the holders of the
  commissions' portfolios (`ReminderKind.AGREEMENT_FLAGGED`, through the outbox in the same
  transaction, once per flag) and opens an intervention unless one is open already. Flagging a subject
  flagged at the other level clears the old flag ("now failed"), so the flags are the history.
- An intervention has actions (what, owner, due date, done date) and the alternative provision chosen,
  and is closed with an outcome once every action is done.
- An agreement terminated for the provider's failure leads into the commission's next step:
  recommission (the commission's review, recommending a recommission, then its next cycle, through
  the workflow engine) or bring the service in-house (a draft agreement with the council's own team).

Flags and interventions are plain records, not state machines: their only moves are open and close.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle.services import commission_transition, stage_record_save
from commissioning.models import Commission, Recommendation, ReviewReport, State
from councils import handoffs, page_cache
from councils.models import Council, ReminderKind, Role, User
from councils.permissions import CONTINUITY_MANAGERS, FAILURE_DECIDERS, OFFICER, has_any_role
from councils.services import audit_record
from monitoring.agreements.services import agreement_create
from monitoring.models import (
    Agreement,
    AgreementState,
    AgreementType,
    AlternativeProvision,
    ContinuityPlan,
    FlagLevel,
    Intervention,
    InterventionAction,
    RiskFlag,
    TerminationGround,
)
from providers.models import Organisation

# A flag is about delivery the council relies on now: agreements signed or live.
FLAGGABLE_STATES = frozenset({AgreementState.SIGNED, AgreementState.LIVE})


def _require(user: User, council: Council, roles) -> None:
    if not has_any_role(user, council, roles):
        raise PermissionDenied


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _audit(by: User, council: Council, event: str, obj, **extra) -> None:
    audit_record(council=council, actor=by, event_type=f"continuity.{event}", obj=obj, extra=extra)
    page_cache.bump_council(council.pk, page_cache.family_of(type(obj)))


def _officer_of(user: User | None, council: Council, field: str, what: str) -> None:
    if user is not None and not has_any_role(user, council, OFFICER):
        raise ValidationError({field: f"The {what} must be an officer of this council."})


# ---- Continuity plans ------------------------------------------------------------------------------


@transaction.atomic
def plan_save(
    *,
    by: User,
    agreement: Agreement,
    vital: bool,
    why_vital: str = "",
    if_provider_fails: str = "",
    fallback: str = "",
    fallback_detail: str = "",
    responsible: User | None = None,
    last_tested_on: date | None = None,
) -> ContinuityPlan:
    """Mark the agreement vital (or not) and record its continuity plan."""
    _require(by, agreement.council, CONTINUITY_MANAGERS)
    Agreement.objects.select_for_update().get(pk=agreement.pk)
    if fallback and fallback not in AlternativeProvision.values:
        raise ValidationError({"fallback": "Choose one of the fallbacks offered."})
    _officer_of(responsible, agreement.council, "responsible", "officer responsible")
    if last_tested_on is not None and last_tested_on > timezone.localdate():
        raise ValidationError({"last_tested_on": "The date the plan was last tested cannot be in the future."})
    if vital and not (why_vital or "").strip():
        raise ValidationError({"why_vital": "Say why the service is vital."})
    plan = ContinuityPlan.objects.filter(agreement=agreement).first() or ContinuityPlan(agreement=agreement)
    created = plan.pk is None
    plan.vital = vital
    plan.why_vital = (why_vital or "").strip()
    plan.if_provider_fails = (if_provider_fails or "").strip()
    plan.fallback = fallback or ""
    plan.fallback_detail = (fallback_detail or "").strip()
    plan.responsible = responsible
    plan.last_tested_on = last_tested_on
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.full_clean()
    plan.save()
    _audit(
        by,
        agreement.council,
        "plan_added" if created else "plan_changed",
        agreement,
        vital=vital,
        complete=plan.is_complete,
    )
    return plan


# ---- Flags -------------------------------------------------------------------------------------------


def flagged_agreements(flag: RiskFlag) -> list[Agreement]:
    """The agreements a flag covers: its agreement, or the provider's signed and live ones with the council."""
    if flag.agreement_id:
        return [flag.agreement]
    return list(
        Agreement.objects.filter(council=flag.council, provider=flag.provider, state__in=FLAGGABLE_STATES)
        .select_related("commission__portfolio")
        .order_by("reference")
    )


def _open_flag(council: Council, agreement: Agreement | None, provider: Organisation | None) -> RiskFlag | None:
    flags = RiskFlag.objects.select_for_update().filter(cleared_at__isnull=True)
    if agreement is not None:
        return flags.filter(agreement=agreement).first()
    return flags.filter(council=council, provider=provider).first()


def _open_intervention(council: Council, agreement: Agreement | None, provider: Organisation | None):
    interventions = Intervention.objects.select_for_update().filter(closed_at__isnull=True)
    if agreement is not None:
        return interventions.filter(agreement=agreement).first()
    return interventions.filter(council=council, provider=provider).first()


def intervention_url(intervention: Intervention) -> str:
    return reverse("monitoring:intervention", args=[intervention.council.slug, intervention.pk])


def _who_is_told(flag: RiskFlag) -> list[User]:
    """The lead commissioners and the holders of the flagged agreements' commissions' portfolios."""
    people = handoffs.council_people(flag.council, (Role.LEAD_COMMISSIONER,))
    for agreement in flagged_agreements(flag):
        portfolio = agreement.commission.portfolio
        if portfolio is not None and portfolio.holder is not None and portfolio.holder not in people:
            people.append(portfolio.holder)
    return people


def _may_open(intervention: Intervention):
    def may_open(user: User, flag: RiskFlag) -> bool:
        if not user.has_perm("monitoring.read_continuity", intervention):
            return False
        return intervention.agreement_id is None or user.has_perm("monitoring.read_agreement", intervention.agreement)

    return may_open


def _tell(flag: RiskFlag, intervention: Intervention, by: User) -> None:
    level = flag.get_level_display().lower()
    handoffs.tell(
        about=flag,
        kind=ReminderKind.AGREEMENT_FLAGGED,
        users=[user for user in _who_is_told(flag) if user != by],
        title=f"Flagged {level}: {flag.subject_name}"[:200],
        body=(
            f"{by} flagged {flag.subject_name} as {level}: {flag.reason} "
            "An intervention is open: see its actions and the alternative provision."
        ),
        path=intervention_url(intervention),
        occurrence=f"flag:{flag.pk}",
        may_open=_may_open(intervention),
    )


@transaction.atomic
def flag_raise(
    *,
    by: User,
    council: Council,
    level: str,
    reason: str,
    agreement: Agreement | None = None,
    provider: Organisation | None = None,
) -> RiskFlag:
    """Flag an agreement, or a provider with all its signed and live agreements with the council, as at
    risk or failed. Tells the lead commissioners and portfolio holders and opens an intervention."""
    _require(by, council, CONTINUITY_MANAGERS)
    if (agreement is None) == (provider is None):
        raise ValidationError("Flag either an agreement or a provider.")
    reason = _text(reason, "reason", "Give the reason for the flag: what puts the service at risk.")
    if level not in FlagLevel.values:
        raise ValidationError({"level": "Choose ‘at risk’ or ‘failed’."})
    if agreement is not None:
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.council_id != council.pk:
            raise PermissionDenied
        if agreement.state not in FLAGGABLE_STATES:
            raise ValidationError(
                f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: only a signed or "
                "live agreement can be flagged."
            )
    else:
        provider = Organisation.objects.select_for_update().get(pk=provider.pk)
        if not Agreement.objects.filter(council=council, provider=provider, state__in=FLAGGABLE_STATES).exists():
            raise ValidationError({"provider": f"{provider} has no signed or live agreement with the council to flag."})
    now = timezone.now()
    previous = _open_flag(council, agreement, provider)
    if previous is not None:
        if previous.level == level:
            raise ValidationError(
                f"{previous.subject_name} is already flagged {previous.get_level_display().lower()} "
                f"(since {timezone.localtime(previous.raised_at):%d/%m/%Y}): clear that flag first."
            )
        previous.cleared_by, previous.cleared_at = by, now
        previous.clear_reason = f"Now flagged {FlagLevel(level).label.lower()}: {reason}"
        previous.save(update_fields=["cleared_by", "cleared_at", "clear_reason"])
    flag = RiskFlag.objects.create(
        council=council, agreement=agreement, provider=provider, level=level, reason=reason, raised_by=by, raised_at=now
    )
    intervention = _open_intervention(council, agreement, provider)
    opened = intervention is None
    if opened:
        intervention = Intervention.objects.create(
            council=council, flag=flag, agreement=agreement, provider=provider, opened_at=now
        )
    _audit(
        by,
        council,
        "flag_raised",
        flag,
        level=level,
        subject=flag.subject_name,
        intervention=intervention.pk,
        intervention_opened=opened,
        replaces=previous.pk if previous else None,
    )
    _tell(flag, intervention, by)
    return flag


@transaction.atomic
def flag_clear(*, by: User, flag: RiskFlag, reason: str) -> RiskFlag:
    """The risk has passed (or been dealt with): the flag is kept, cleared, with why."""
    _require(by, flag.council, CONTINUITY_MANAGERS)
    reason = _text(reason, "reason", "Give the reason for clearing the flag.")
    flag = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    if not flag.is_open:
        raise ValidationError(f"This flag was cleared on {timezone.localtime(flag.cleared_at):%d/%m/%Y}.")
    flag.cleared_by, flag.cleared_at, flag.clear_reason = by, timezone.now(), reason
    flag.save(update_fields=["cleared_by", "cleared_at", "clear_reason"])
    _audit(by, flag.council, "flag_cleared", flag, subject=flag.subject_name)
    return flag


# ---- Interventions ---------------------------------------------------------------------------------


def _locked_open(intervention: Intervention) -> Intervention:
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not locked.is_open:
        raise ValidationError(f"This intervention was closed on {timezone.localtime(locked.closed_at):%d/%m/%Y}.")
    return locked


@transaction.atomic
def action_add(*, by: User, intervention: Intervention, what: str, owner: User, due_on: date) -> InterventionAction:
    _require(by, intervention.council, CONTINUITY_MANAGERS)
    intervention = _locked_open(intervention)
    what = _text(what, "what", "Say what is to be done.")
    if owner is None:
        raise ValidationError({"owner": "Choose who owns the action."})
    _officer_of(owner, intervention.council, "owner", "action's owner")
    if due_on is None:
        raise ValidationError({"due_on": "Enter the date the action is due."})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past."})
    action = InterventionAction.objects.create(
        intervention=intervention, what=what, owner=owner, due_on=due_on, added_by=by
    )
    _audit(by, intervention.council, "action_added", intervention, action=what, owner=str(owner), due_on=str(due_on))
    return action


@transaction.atomic
def action_done(*, by: User, action: InterventionAction, done_on: date) -> InterventionAction:
    _require(by, action.intervention.council, CONTINUITY_MANAGERS)
    _locked_open(action.intervention)
    action = InterventionAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        raise ValidationError(f"This action was done on {action.done_on:%d/%m/%Y}.")
    if done_on is None:
        raise ValidationError({"done_on": "Enter the date the action was done."})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date it was done cannot be in the future."})
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    _audit(
        by, action.intervention.council, "action_done", action.intervention, action=action.what, done_on=str(done_on)
    )
    return action


@transaction.atomic
def alternative_choose(*, by: User, intervention: Intervention, alternative: str, detail: str) -> Intervention:
    """The alternative provision chosen: step-in by another provider, in-house, an emergency direct award…"""
    _require(by, intervention.council, CONTINUITY_MANAGERS)
    intervention = _locked_open(intervention)
    if alternative not in AlternativeProvision.values:
        raise ValidationError({"alternative": "Choose the alternative provision."})
    detail = _text(detail, "detail", "Say who provides the service instead, from when, and on what terms.")
    intervention.alternative, intervention.alternative_detail, intervention.alternative_by = alternative, detail, by
    intervention.save(update_fields=["alternative", "alternative_detail", "alternative_by"])
    _audit(by, intervention.council, "alternative_chosen", intervention, alternative=alternative)
    return intervention


@transaction.atomic
def intervention_close(*, by: User, intervention: Intervention, outcome: str) -> Intervention:
    """Close the intervention with its outcome, once every action is done."""
    _require(by, intervention.council, CONTINUITY_MANAGERS)
    intervention = _locked_open(intervention)
    outcome = _text(outcome, "outcome", "Say how the intervention ended.")
    still_open = list(intervention.actions.filter(done_on__isnull=True).values_list("what", flat=True))
    if still_open:
        count = len(still_open)
        raise ValidationError(
            f"Finish its actions first: {count} still open ({'; '.join(still_open)}). Mark each done when it is."
        )
    intervention.outcome, intervention.closed_by, intervention.closed_at = outcome, by, timezone.now()
    intervention.save(update_fields=["outcome", "closed_by", "closed_at"])
    _audit(by, intervention.council, "intervention_closed", intervention)
    return intervention


# ---- After a failure: the commission's next step ----------------------------------------------------


def after_failure_refusal(agreement: Agreement) -> str:
    """Why the commission's next step after a failure cannot be taken from this agreement ("" when it can)."""
    if agreement.state != AgreementState.TERMINATED or agreement.termination_ground != TerminationGround.FAILURE:
        return (
            f"Agreement {agreement.reference} was not terminated for the provider's failure: the commission's next "
            "step is taken from its own page."
        )
    if agreement.commission.state not in (State.DELIVERING, State.REVIEWING):
        return (
            f"The commission is ‘{agreement.commission.get_state_display().lower()}’: its next step has been "
            "taken already."
        )
    return ""


def _require_after_failure(by: User, agreement: Agreement) -> Commission:
    _require(by, agreement.council, FAILURE_DECIDERS)
    agreement.commission = Commission.objects.select_for_update().get(pk=agreement.commission_id)
    refusal = after_failure_refusal(agreement)
    if refusal:
        raise ValidationError(refusal)
    return agreement.commission


@transaction.atomic
def recommission_after_failure(*, by: User, agreement: Agreement, reason: str) -> Commission:
    """Start the commission's next cycle: its review (recommending a recommission, on the failure) and
    then the next cycle, each through the workflow engine. A review already recorded for the cycle
    must recommend recommissioning or redesign (the engine's gate says so otherwise)."""
    commission = _require_after_failure(by, agreement)
    reason = _text(reason, "reason", "Say why the service is recommissioned.")
    if commission.state == State.DELIVERING:
        commission_transition(by=by, commission=commission, name="start_review", reason=reason)
    if not ReviewReport.objects.filter(commission=commission, cycle=commission.cycle).exists():
        stage_record_save(
            by=by,
            commission=commission,
            instance=ReviewReport(
                commission=commission,
                outcomes_achieved=f"Agreement {agreement.reference} was terminated on "
                f"{agreement.ended_on:%d/%m/%Y} because the provider failed: {agreement.termination_reason}",
                value_for_money="Not assessed: the provider failed before the agreement ran its term.",
                lessons_learned=reason,
                recommendation=Recommendation.RECOMMISSION,
                rationale=f"The provider of {agreement.reference} failed. {reason}",
            ),
        )
    commission_transition(by=by, commission=commission, name="begin_next_cycle", reason=reason)
    _audit(by, agreement.council, "recommissioned", agreement, commission=commission.reference, cycle=commission.cycle)
    return commission


@transaction.atomic
def bring_in_house_after_failure(
    *, by: User, agreement: Agreement, team_name: str, starts_on: date, ends_on: date, value
) -> Agreement:
    """The council's own team takes the service on: a draft service level agreement for the rest of the
    term, with the commission's KPIs, for the officer to complete, sign and put live."""
    commission = _require_after_failure(by, agreement)
    team_name = _text(team_name, "team_name", "Name the council's team that takes the service on.")
    errors = {}
    if starts_on is None:
        errors["starts_on"] = "Enter the date the council's team takes the service on."
    elif starts_on <= agreement.ended_on:
        errors["starts_on"] = f"Start after {agreement.ended_on:%d/%m/%Y}, the failed agreement's last day."
    if ends_on is None:
        errors["ends_on"] = "Enter the date the in-house agreement ends."
    if value is None:
        errors["value"] = "Enter the value of the in-house agreement."
    if errors:
        raise ValidationError(errors)
    in_house = agreement_create(
        by=by,
        commission=commission,
        title=f"{agreement.title} (in-house)"[:200],
        internal_team_name=team_name,
        agreement_type=AgreementType.SERVICE_LEVEL_AGREEMENT,
        value=value,
        starts_on=starts_on,
        ends_on=ends_on,
        monitoring_frequency=agreement.monitoring_frequency,
        description=f"The service of {agreement.reference}, brought in-house after the provider failed.",
        funding_pot=agreement.funding_pot,
    )
    _audit(by, agreement.council, "brought_in_house", agreement, agreement=in_house.reference)
    return in_house
