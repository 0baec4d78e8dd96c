"""Writes for the award: the recommendation (which bids win, for which lot, for how much), the decision
and its call-in, the contract award notice's publication (which starts any standstill) and the
officer's choice of a voluntary standstill. The forward plan is in `forward_plan.py`; the assessment
summaries in `summary_services.py`.

The recommendation goes to the decision-maker the council's thresholds name (`selectors.decision_route`).
Approving it records the decision, drafts one agreement per award item through the agreements port
(`commissioning.ports`) and moves the commission to "putting agreements in place", all in one
transaction; a call-in holds the commission at "awaiting the award decision". Every step goes through
the workflow engine (permission, the gate in words, the reason, one transaction, optimistic locking, an
audit event); every other write checks who is acting and the award's state on a locked row.
Audit events name bids and carry totals, never scores or what a bid says.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from commissioning import ports
from commissioning.award import gates, selectors
from commissioning.award import standstill_selectors as standstill
from commissioning.cycle.services import Decision, validate_decision
from commissioning.evaluation.summary import EvaluationSummary
from commissioning.models import (
    Award,
    AwardItem,
    AwardState,
    Bid,
    CallIn,
    CallInResolution,
    Commission,
    ForwardPlanEntry,
    Opportunity,
    State,
)
from commissioning.sourcing import gates as sourcing_gates
from commissioning.sourcing.selectors.bids import is_walled_off
from councils import workflow
from councils.calendar import add_working_days
from councils.formatting import money
from councils.models import User
from councils.permissions import COMMISSIONERS, SOURCING_OFFICERS, has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step

ZERO = Decimal("0")


def require_award_officer(by: User, opportunity: Opportunity) -> None:
    """A lead commissioner or commissioning officer of the council, not walled off from the bids."""
    if not has_any_role(by, opportunity.council, COMMISSIONERS) or is_walled_off(by, opportunity):
        raise PermissionDenied


def _audit(award: Award, by: User | None, event: str, **kwargs) -> None:
    audit_record(council=award.council, actor=by, event_type=f"award.{event}", obj=award, **kwargs)


def lock_award(award: Award) -> Award:
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related("opportunity__council", "commission__council", "commission__portfolio")
        .get(pk=award.pk)
    )


# ---- Starting the award and the recommendation ----------------------------------------------------


def _proposed_items(opportunity: Opportunity, summary: EvaluationSummary) -> list[AwardItem]:
    """Per lot (or for the whole opportunity) the top-ranked eligible bid covering it, for its price —
    or, with no price, the lot's budget (the budget envelope without lots)."""
    order = [row.bid_id for row in summary.ranked]
    bids = {bid.pk: bid for bid in Bid.objects.filter(pk__in=order).prefetch_related("price_lines", "lots")}
    ranked = [bids[pk] for pk in order if pk in bids]
    lots = selectors.lots_of(opportunity)
    if not lots:
        if not ranked:
            return []
        price = selectors.bid_price(ranked[0], None)
        return [AwardItem(bid=ranked[0], lot=None, value=price if price > 0 else opportunity.budget_envelope)]
    items = []
    for lot in lots:
        bid = next((b for b in ranked if any(own.pk == lot.pk for own in b.lots.all())), None)
        if bid is None:
            continue
        price = selectors.bid_price(bid, lot)
        items.append(AwardItem(bid=bid, lot=lot, value=price if price > 0 else (lot.budget or ZERO)))
    return items


def _default_recommendation(summary: EvaluationSummary, items: list[AwardItem]) -> str:
    rows = {row.bid_id: row for row in summary.ranked}
    lines = [
        f"The evaluation panel signed off its ranking of {len(summary.ranked)} eligible "
        f"bid{'s' if len(summary.ranked) != 1 else ''} on {selectors.day(timezone.localdate(summary.signed_off_at))}"
        + (f"; {len(summary.excluded)} excluded at the compliance checks." if summary.excluded else ".")
    ]
    for item in items:
        row = rows[item.bid_id]
        what = selectors.lot_name(item.lot) or "the contract"
        lines.append(
            f"Recommended: award {what} to {item.bid.organisation} for {money(item.value)} "
            f"(ranked {row.rank} with {row.total} points out of 100)."
        )
    return "\n".join(lines)


def award_start(*, by: User, opportunity: Opportunity) -> Award:
    """A lead commissioner or commissioning officer starts the award once the evaluation is signed off
    (idempotent: the existing award is returned). The recommendation starts from the ranking: per lot,
    or for the whole opportunity, the top-ranked eligible bid covering it, for its price."""
    require_award_officer(by, opportunity)
    existing = Award.objects.filter(opportunity=opportunity).first()
    if existing is not None:
        return existing
    evaluation = selectors.signed_off_evaluation(opportunity)
    if evaluation is None:
        raise ValidationError("The award can be started once the evaluation has been signed off.")
    commission = opportunity.commission
    if commission.state != State.SOURCING:
        raise ValidationError(
            f"The award is made while the commission is sourcing providers; it is "
            f"‘{commission.get_state_display().lower()}’."
        )
    summary = selectors.signed_off_summary(opportunity, evaluation)
    items = _proposed_items(opportunity, summary)
    try:
        with transaction.atomic():
            award = Award.objects.create(
                opportunity=opportunity,
                commission=commission,
                cycle=opportunity.cycle,
                created_by=by,
                recommendation=_default_recommendation(summary, items),
            )
            for item in items:
                item.award = award
            AwardItem.objects.bulk_create(items)
            _audit(
                award,
                by,
                "started",
                to_state=award.state,
                extra={
                    "evaluation_digest": evaluation.result_digest,
                    "items": [{"bid": i.bid_id, "lot": i.lot_id, "value": str(i.value)} for i in items],
                },
            )
    except IntegrityError:
        # Two officers started it at the same moment: the other one's award stands.
        return Award.objects.get(opportunity=opportunity)
    return award


@transaction.atomic
def award_items_save(*, by: User, award: Award, items: list[dict], recommendation: str) -> Award:
    """Replace the recommendation's items (each `bid`, `lot` or None, `value`, `note`) and its text,
    while it is being prepared. A split award has several items: lots to different providers, or
    shared delivery of one lot (say who does what in the note)."""
    award = lock_award(award)
    require_award_officer(by, award.opportunity)
    if award.state != AwardState.DRAFT:
        raise ValidationError(
            f"The recommendation is fixed while it is ‘{award.get_state_display().lower()}’: "
            "refer it back to change it."
        )
    rows = [
        AwardItem(
            award=award,
            bid=item["bid"],
            lot=item.get("lot"),
            value=item.get("value"),
            note=(item.get("note") or "").strip(),
        )
        for item in items
    ]
    problems = selectors.item_problems(award.opportunity, rows, selectors.signed_off_summary(award.opportunity))
    if problems:
        raise ValidationError(problems)
    award.items.all().delete()
    AwardItem.objects.bulk_create(rows)
    award.recommendation = recommendation.strip()
    award.save(update_fields=["recommendation", "updated_at"])
    _audit(
        award,
        by,
        "items_saved",
        extra={
            "items": [{"bid": i.bid_id, "lot": i.lot_id, "value": str(i.value)} for i in rows],
            "total": str(selectors.items_total(rows)),
        },
    )
    return award


# ---- Steps: submit, refer back, approve, call in, confirm or withdraw ------------------------------


def available_steps(award: Award, user: User) -> list[dict]:
    """The steps this person may take from here, each with what is still missing (empty when ready)."""
    return workflow.available(award, user)


def _drafting_officer(award: Award, by: User) -> User:
    """Who the agreements are drafted by. Drafting agreements is a commissioner's job; when a portfolio
    holder takes the decision, the drafts are made in the name of the officer who sent the
    recommendation (or the commission's lead officer), as the decision instructs them to."""
    for candidate in (by, award.submitted_by, award.commission.lead_officer):
        if candidate is not None and has_any_role(candidate, award.council, COMMISSIONERS):
            return candidate
    raise ValidationError("No commissioning officer of the council is left to draft the agreements.")


def _resolve_call_in(award: Award, by: User, resolution: str, note: str) -> CallIn | None:
    call_in = CallIn.objects.select_for_update().filter(award=award, resolution="").first()
    if call_in is None:
        return None
    call_in.resolution, call_in.resolved_by, call_in.resolved_at = resolution, by, timezone.now()
    call_in.resolution_note = note
    call_in.save(update_fields=["resolution", "resolved_by", "resolved_at", "resolution_note"])
    return call_in


def _move_commission(step: Step, name: str, reason: str) -> None:
    """The award's step moves the commission in the same transaction, through the same engine."""
    commission = Commission.objects.select_for_update().get(pk=step.obj.commission_id)
    workflow.run(by=step.by, obj=commission, name=name, reason=reason, internal=True)
    step.obj.commission = commission


def award_transition(
    *,
    by: User,
    award: Award,
    name: str,
    reason: str = "",
    decision: Decision | None = None,
    seen_state: str | None = None,
) -> Award:
    """Submit the recommendation, refer it back, approve it (with the decision's paperwork), call the
    decision in, or confirm or withdraw it after a call-in — through the workflow engine, all or
    nothing, audited.

    Submitting fixes whether this is a key decision (the total against the council's threshold), the
    value and threshold, and the evaluation's digest. Approving checks the decision (a key decision on
    the forward plan long enough before its date), starts the call-in period for a key decision (or
    gives an officer decision effect at once), drafts the agreements and moves the commission on to
    putting agreements in place. A call-in holds the commission at "awaiting the award decision"
    until the decision is confirmed (back to agreements) or withdrawn (back to sourcing).
    """
    return workflow.run(by=by, obj=award, name=name, reason=reason, seen_state=seen_state, decision=decision)


def _record_submission(step: Step) -> None:
    award = step.obj
    council = award.council
    total = selectors.award_total(award)
    evaluation = selectors.signed_off_evaluation(award.opportunity)
    award.is_key_decision = total >= council.key_decision_threshold
    award.threshold_at_submission = council.key_decision_threshold
    award.value_at_submission = total
    award.evaluation_digest = evaluation.result_digest
    award.submitted_by, award.submitted_at = step.by, timezone.now()


def _validate_approval(step: Step) -> None:
    award = step.obj
    checked = validate_decision(step.payload.get("decision"), key_decision=award.is_key_decision)
    errors = {}
    sent_on = timezone.localdate(award.submitted_at) if award.submitted_at else None
    if sent_on and checked.decided_on < sent_on:
        errors["decided_on"] = (
            f"The decision cannot come before the recommendation was sent, on {selectors.day(sent_on)}."
        )
    elif award.is_key_decision:
        problem = selectors.forward_plan_problem(award, checked.decided_on)
        if problem:
            errors["decided_on"] = problem
    if errors:
        raise ValidationError(errors)
    step.scratch["decision"] = checked
    step.scratch["entry"] = selectors.forward_plan_entry_for(award) if award.is_key_decision else None


def _record_decision(step: Step) -> None:
    award, checked = step.obj, step.scratch["decision"]
    award.decision_maker = checked.decision_maker
    award.decided_by, award.decided_on = step.by, checked.decided_on
    award.decision_reference, award.minute_url = checked.reference.strip(), checked.minute_url.strip()
    award.decision_comments = step.reason
    award.approved_at = timezone.now()
    if award.is_key_decision:
        award.call_in_ends_on = add_working_days(checked.decided_on, award.council.call_in_working_days)
        award.effective_on = None
    else:
        award.call_in_ends_on = None
        award.effective_on = checked.decided_on


def _after_approval(step: Step) -> dict:
    award, entry = step.obj, step.scratch["entry"]
    if entry is not None:
        ForwardPlanEntry.objects.filter(pk=entry.pk).update(decided_on=award.decided_on)
    agreements = ports.agreements.draft_for_award(award=award, by=_drafting_officer(award, step.by))
    if award.commission.state == State.SOURCING:
        _move_commission(
            step,
            "record_award",
            f"Award of {award.opportunity.reference} approved"
            + (f" ({award.decision_reference})" if award.decision_reference else "")
            + f": agreements {', '.join(a.reference for a in agreements)} drafted.",
        )
    return {
        "decision": {
            "maker": award.decision_maker,
            "reference": award.decision_reference,
            "decided_on": award.decided_on.isoformat(),
            "value": str(award.value_at_submission),
            "threshold": str(award.threshold_at_submission),
            "key_decision": award.is_key_decision,
        },
        "forward_plan": entry.reference if entry else "",
        "call_in_ends_on": award.call_in_ends_on.isoformat() if award.call_in_ends_on else None,
        "effective_on": award.effective_on.isoformat() if award.effective_on else None,
        "agreements": [a.reference for a in agreements],
    }


def _after_call_in(step: Step) -> dict:
    award = step.obj
    call_in = CallIn.objects.create(award=award, called_in_by=step.by, reason=step.reason)
    if award.commission.state == State.AGREEING:
        _move_commission(step, "award_called_in", f"Award of {award.opportunity.reference} called in: {step.reason}")
    return {"call_in": call_in.pk, "call_in_ends_on": award.call_in_ends_on.isoformat()}


def _confirm(step: Step) -> None:
    step.obj.effective_on = timezone.localdate()


def _after_confirm(step: Step) -> dict:
    award = step.obj
    call_in = _resolve_call_in(award, step.by, CallInResolution.CONFIRMED, step.reason)
    if award.commission.state == State.AWARD_CALLED_IN:
        _move_commission(step, "award_confirmed", f"Award of {award.opportunity.reference} confirmed after call-in")
    return {"call_in": getattr(call_in, "pk", None), "effective_on": award.effective_on.isoformat()}


def _withdraw(step: Step) -> None:
    award = step.obj
    step.scratch["decided_on"] = award.decided_on
    for field in ("decision_maker", "decision_reference", "minute_url", "decision_comments"):
        setattr(award, field, "")
    for field in ("decided_by", "decided_on", "approved_at", "call_in_ends_on", "effective_on"):
        setattr(award, field, None)


def _after_withdraw(step: Step) -> dict:
    award = step.obj
    call_in = _resolve_call_in(award, step.by, CallInResolution.WITHDRAWN, step.reason)
    cancelled = ports.agreements.cancel_drafts_for_award(
        award=award,
        by=_drafting_officer(award, step.by),
        reason=f"Award decision withdrawn after call-in: {step.reason}",
    )
    # The key decision was not taken after all: its forward plan entry stands for the next one.
    reopened = ForwardPlanEntry.objects.filter(
        commission=award.commission, decided_on=step.scratch["decided_on"], withdrawn_on__isnull=True
    ).filter(models.Q(opportunity__isnull=True) | models.Q(opportunity=award.opportunity))
    reopened.update(decided_on=None)
    if award.commission.state == State.AWARD_CALLED_IN:
        _move_commission(
            step, "award_withdrawn", f"Award of {award.opportunity.reference} withdrawn after call-in: {step.reason}"
        )
    return {"call_in": getattr(call_in, "pk", None), "agreements_cancelled": cancelled}


workflow.machine(Award, noun="award", gates=gates, lockers={"opportunity": sourcing_gates.lock_opportunity})
workflow.effect(Award, "record_submission", Effect(prepare=_record_submission))
workflow.effect(
    Award, "decision", Effect(validate=_validate_approval, prepare=_record_decision, follow=_after_approval)
)
workflow.effect(Award, "call_in", Effect(follow=_after_call_in))
workflow.effect(Award, "confirm", Effect(prepare=_confirm, follow=_after_confirm))
workflow.effect(Award, "withdraw", Effect(prepare=_withdraw, follow=_after_withdraw))


# ---- The contract award notice and the standstill ---------------------------------------------------


def _london_day(published_on: date | datetime) -> date:
    """The day in England of a publication: an aware datetime in London time (a naive one is taken to be
    London time already), so a notice recorded late at night is counted from the day it was there."""
    if isinstance(published_on, datetime):
        if timezone.is_naive(published_on):
            published_on = timezone.make_aware(published_on)
        return timezone.localdate(published_on)
    return published_on


def record_award_notice_published(*, award: Award, published_on: date | datetime, by: User) -> Award:
    """A procurement, commissioning or lead officer records that the contract award notice (UK6) — under
    the Provider Selection Regime, the notice of the intention to award — was published on Find a Tender
    on `published_on` (a date, or the moment of publication, counted by its day in London).

    Refused unless the regime publishes such a notice and `gates.missing_before_award_notice` is clear
    on that day (the decision has effect; the assessment summaries sent where reg 31 requires them).
    Where a standstill applies (mandatory, or chosen for light touch or a direct award) it ends
    `standstill_working_days` (at least 8) working days after that day, over England and Wales bank
    holidays; the contract may be entered into only after its last day. Recording the same day again
    changes nothing; another day is refused."""
    published = _london_day(published_on)
    with transaction.atomic():
        award = lock_award(award)
        if not has_any_role(by, award.council, SOURCING_OFFICERS) or is_walled_off(by, award.opportunity):
            raise PermissionDenied
        if award.award_notice_published_on == published:
            return award
        if published > timezone.localdate():
            raise ValidationError({"published_on": "The notice cannot have been published after today."})
        missing = gates.missing_before_award_notice(award, on=published)
        if missing:
            raise ValidationError(missing)
        rule = standstill.standstill_rule(award)
        award.award_notice_published_on = published
        award.standstill_applies = standstill.standstill_will_apply(award, rule)
        award.standstill_ends_on = standstill.standstill_end(award, published) if award.standstill_applies else None
        award.save(
            update_fields=["award_notice_published_on", "standstill_applies", "standstill_ends_on", "updated_at"]
        )
        _audit(
            award,
            by,
            "award_notice_published",
            extra={
                "notice": rule.notice,
                "published_on": published.isoformat(),
                "regime": rule.regime.regime,
                "standstill": rule.standstill,
                "standstill_applies": award.standstill_applies,
                "standstill_ends_on": award.standstill_ends_on.isoformat() if award.standstill_ends_on else None,
            },
        )
    return award


def voluntary_standstill_choose(*, by: User, award: Award, chosen: bool) -> Award:
    """For a light-touch contract or a direct award, the officer chooses, before the contract award notice
    is published, whether to observe a standstill all the same (s.51 makes it voluntary there)."""
    with transaction.atomic():
        award = lock_award(award)
        require_award_officer(by, award.opportunity)
        rule = standstill.standstill_rule(award)
        if rule.standstill != standstill.VOLUNTARY:
            raise ValidationError(f"There is no voluntary standstill to choose. {rule.why}")
        if award.award_notice_published_on is not None:
            raise ValidationError(
                f"The {rule.notice} was published on {selectors.day(award.award_notice_published_on)}: the "
                "standstill was settled then."
            )
        if award.voluntary_standstill == chosen:
            return award
        award.voluntary_standstill = chosen
        award.save(update_fields=["voluntary_standstill", "updated_at"])
        _audit(award, by, "voluntary_standstill_chosen", extra={"voluntary_standstill": chosen})
    return award
