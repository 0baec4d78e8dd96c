"""Steps in an agreement's life (sign, go live, end, cancel) through the workflow engine, and what
commissioning asks of agreements through its port (`commissioning.ports`).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.award.selectors import award_items
from commissioning.models import (
    Commission,
    State,
)
from commissioning.ports import CycleAgreements
from councils import workflow
from councils.models import User
from councils.workflow import Effect, Step, TransitionRefused
from monitoring.agreements import gates
from monitoring.agreements.gates import missing_to_sign
from monitoring.agreements.services import agreement_create_from_award
from monitoring.models import (
    PENDING_STATES,
    Agreement,
    AgreementState,
    TerminationGround,
)
from monitoring.returns.services import schedule_returns

# ---- Signing, going live, ending --------------------------------------------------------------------


def available_actions(agreement: Agreement, user: User) -> list[dict]:
    """The state changes this user may take from here, each with what is still missing (signing) —
    an agreement is ended only once its end date has passed."""
    return workflow.available(agreement, user)


def _transition(*, by: User, agreement: Agreement, name: str, reason: str = "", **payload) -> Agreement:
    return workflow.run(by=by, obj=agreement, name=name, reason=reason, **payload)


def _not_future(day: date | None, field: str, label: str) -> None:
    if day is None:
        raise ValidationError({field: f"Enter the date {label}."})
    if day > timezone.localdate():
        raise ValidationError({field: f"The date {label} cannot be in the future."})


def agreement_sign(*, by: User, agreement: Agreement, document, signed_on: date, reason: str = "") -> Agreement:
    """Record the agreement signed by both parties, with the signed copy (a PDF or document)."""
    _not_future(signed_on, "signed_on", "it was signed")
    return _transition(by=by, agreement=agreement, name="sign", reason=reason, document=document, signed_on=signed_on)


def agreement_go_live(*, by: User, agreement: Agreement, live_on: date | None = None, reason: str = "") -> Agreement:
    """Delivery has started. The last agreement of the cycle to go live moves the commission to delivery."""
    live_on = live_on or timezone.localdate()
    _not_future(live_on, "live_on", "delivery started")
    return _transition(by=by, agreement=agreement, name="go_live", reason=reason, live_on=live_on)


def agreement_end(*, by: User, agreement: Agreement, reason: str = "") -> Agreement:
    """The agreement has run its term (its end date has passed)."""
    return _transition(by=by, agreement=agreement, name="end", reason=reason)


def agreement_cancel(*, by: User, agreement: Agreement, reason: str) -> Agreement:
    """A draft that will not be signed; it is kept, with why."""
    return _transition(by=by, agreement=agreement, name="cancel", reason=reason)


def _stage_signed_copy(step: Step) -> None:
    agreement = step.obj
    agreement.signed_document = step.payload.get("document")
    agreement.signed_on = step.payload["signed_on"]
    agreement.signed_by = step.by
    if not agreement.signed_document:
        # The page offers the step before the copy is chosen; the step itself needs it.
        raise TransitionRefused(missing_to_sign(agreement))
    agreement.full_clean(exclude=["state"])
    step.extra["signed_on"] = str(agreement.signed_on)


def _stage_live_on(step: Step) -> None:
    step.obj.live_on = step.payload["live_on"]
    step.extra["live_on"] = str(step.obj.live_on)


def _stage_ended_on(step: Step) -> None:
    step.obj.ended_on = step.payload["terminated_on"]
    step.obj.termination_ground = step.payload.get("ground", TerminationGround.OTHER)
    step.extra["terminated_on"] = step.obj.ended_on.isoformat()
    step.extra["ground"] = step.obj.termination_ground


def _schedule_returns(step: Step) -> None:
    schedule_returns(step.obj, by=step.by)


def _settle_commission(step: Step) -> dict:
    """When nothing in the commission's cycle is left to go live and at least one agreement is live,
    the commission moves to delivery: the agreement whose step settles the last pending one moves it."""
    agreement = step.obj
    commission = Commission.objects.select_for_update().get(pk=agreement.commission_id)
    agreement.commission = commission
    if commission.state != State.AGREEING:
        return {}
    live = cycle_agreements(commission).live
    try:
        workflow.run(
            by=step.by,
            obj=commission,
            name="start_delivery",
            reason=f"Agreements live: {', '.join(live)}",
            internal=True,
        )
    except TransitionRefused:
        return {}  # something of the cycle is still to be signed or go live, or nothing is live yet
    return {"commission_delivering": True}


def _agreement_details(step: Step) -> dict:
    return {"commission": step.obj.commission.reference}


workflow.machine(Agreement, noun="agreement", gates=gates, details=_agreement_details)
workflow.effect(Agreement, "signed_copy", Effect(stage=_stage_signed_copy))
workflow.effect(Agreement, "live_on", Effect(stage=_stage_live_on))
workflow.effect(Agreement, "ended_on", Effect(stage=_stage_ended_on))
workflow.effect(Agreement, "schedule_returns", Effect(follow=_schedule_returns))
workflow.effect(Agreement, "settle_commission", Effect(follow=_settle_commission))


# ---- What commissioning asks of agreements (registered as its port in MonitoringConfig.ready) ----------


def cycle_agreements(commission: Commission) -> CycleAgreements:
    rows = Agreement.objects.filter(commission=commission, cycle=commission.cycle).order_by("reference")
    live, pending = [], []
    for reference, state in rows.values_list("reference", "state"):
        if state == AgreementState.LIVE:
            live.append(reference)
        elif state in PENDING_STATES:
            pending.append(reference)
    return CycleAgreements(live=live, pending=pending)


def agreements_of_award(award, bid_ids) -> list[Agreement]:
    return list(
        Agreement.objects.filter(commission_id=award.commission_id, cycle=award.cycle, bid_id__in=bid_ids).order_by(
            "reference"
        )
    )


def draft_agreements_for_award(*, award, by: User) -> list[Agreement]:
    """The award's winning bids, each drafted as an agreement in the name of `by`."""
    commission = Commission.objects.select_for_update().get(pk=award.commission_id)
    return [
        agreement_create_from_award(
            by=by, commission=commission, bid=item.bid, value=item.value, lot=item.lot, description=item.note
        )
        for item in award_items(award)
    ]


def cancel_draft_agreements_for_award(*, award, by: User, reason: str) -> list[str]:
    drafts = Agreement.objects.filter(
        commission=award.commission,
        cycle=award.cycle,
        bid_id__in=award.items.values("bid_id"),
        state=AgreementState.DRAFT,
    ).order_by("reference")
    cancelled = []
    for agreement in drafts:
        agreement_cancel(by=by, agreement=agreement, reason=reason)
        cancelled.append(agreement.reference)
    return cancelled
