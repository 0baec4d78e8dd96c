"""The council's forward plan of key decisions: entries published by officers, withdrawn with a reason,
and the award of a key-decision opportunity added as soon as the opportunity is published."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissioning.award import selectors
from commissioning.models import (
    Commission,
    DecisionMaker,
    ForwardPlanEntry,
    Opportunity,
    State,
)
from commissioning.sourcing.services.opportunities import opportunity_value
from councils import workflow
from councils.formatting import money
from councils.models import User
from councils.permissions import COMMISSIONERS, has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step

# ---- The forward plan -------------------------------------------------------------------------------


KEY_DECISION_MAKERS = (DecisionMaker.PORTFOLIO_HOLDER, DecisionMaker.CABINET)


def _next_forward_plan_reference(council, year: int) -> str:
    prefix = f"FP/{council.short_code}/{year}/"
    numbers = [
        int(reference.removeprefix(prefix))
        for reference in ForwardPlanEntry.objects.filter(reference__startswith=prefix).values_list(
            "reference", flat=True
        )
        if reference.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _add_forward_plan_entry(
    *, by: User, commission: Commission, matter: str, decision_maker: str, expected_on: date, opportunity=None
) -> ForwardPlanEntry:
    council = commission.council
    today = timezone.localdate()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                entry = ForwardPlanEntry.objects.create(
                    council=council,
                    commission=commission,
                    opportunity=opportunity,
                    reference=_next_forward_plan_reference(council, today.year),
                    matter=matter,
                    decision_maker=decision_maker,
                    portfolio=commission.portfolio,
                    expected_on=expected_on,
                    published_on=today,
                    published_by=by,
                )
                audit_record(
                    council=council,
                    actor=by,
                    event_type="forward_plan.published",
                    obj=commission,
                    extra={
                        "entry": entry.pk,
                        "reference": entry.reference,
                        "expected_on": expected_on.isoformat(),
                        "opportunity": getattr(opportunity, "pk", None),
                    },
                )
                return entry
        except IntegrityError:
            continue  # another entry took the number a moment ago
    raise ValidationError("Could not allocate a forward plan reference; try again.")


def forward_plan_publish(
    *,
    by: User,
    commission: Commission,
    matter: str,
    decision_maker: str,
    expected_on: date | None,
    opportunity: Opportunity | None = None,
) -> ForwardPlanEntry:
    """A commissioner puts a key decision on the council's forward plan, published today: what will be
    decided, by whom, and when — at least `forward_plan_days` clear days ahead."""
    council = commission.council
    if not has_any_role(by, council, COMMISSIONERS):
        raise PermissionDenied
    errors = {}
    if not matter.strip():
        errors["matter"] = "Describe the decision to be taken."
    if decision_maker not in KEY_DECISION_MAKERS:
        errors["decision_maker"] = "A key decision is taken by cabinet or a portfolio holder."
    earliest = timezone.localdate() + timedelta(days=council.forward_plan_days + 1)
    if expected_on is None:
        errors["expected_on"] = "Enter when the decision is expected."
    elif expected_on < earliest:
        errors["expected_on"] = (
            f"A key decision must be on the forward plan for {council.forward_plan_days} clear days: "
            f"it can be expected on {selectors.day(earliest)} at the earliest."
        )
    if opportunity is not None and opportunity.commission_id != commission.pk:
        errors["opportunity"] = "Choose an opportunity of this commission."
    if commission.state in (State.DECOMMISSIONED, State.CANCELLED):
        errors["commission"] = "Choose an open commission."
    if errors:
        raise ValidationError(errors)
    return _add_forward_plan_entry(
        by=by,
        commission=commission,
        matter=matter.strip(),
        decision_maker=decision_maker,
        expected_on=expected_on,
        opportunity=opportunity,
    )


@transaction.atomic
def forward_plan_withdraw(*, by: User, entry: ForwardPlanEntry, reason: str) -> ForwardPlanEntry:
    """Take a key decision off the forward plan (it will not be taken as published), with why."""
    entry = ForwardPlanEntry.objects.select_for_update().select_related("council", "commission").get(pk=entry.pk)
    if not has_any_role(by, entry.council, COMMISSIONERS):
        raise PermissionDenied
    if not entry.is_current:
        raise ValidationError(f"{entry.reference} has already been decided or withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason it is withdrawn: it is published with the entry."})
    entry.withdrawn_on, entry.withdrawn_reason = timezone.localdate(), reason.strip()
    entry.save(update_fields=["withdrawn_on", "withdrawn_reason"])
    audit_record(
        council=entry.council,
        actor=by,
        event_type="forward_plan.withdrawn",
        obj=entry.commission,
        reason=entry.withdrawn_reason,
        extra={"entry": entry.pk, "reference": entry.reference},
    )
    return entry


def forward_plan_for_opportunity(*, by: User, opportunity: Opportunity) -> ForwardPlanEntry | None:
    """When an opportunity at or above the key-decision threshold is published, its award goes on the
    forward plan at once (expected on the opportunity's award date, or once the notice allows)."""
    commission = opportunity.commission
    council = commission.council
    value = opportunity_value(commission, opportunity.budget_envelope)
    if value < council.key_decision_threshold:
        return None
    existing = selectors.current_forward_plan_entries(commission, opportunity).first()
    if existing is not None:
        return existing
    earliest = timezone.localdate() + timedelta(days=council.forward_plan_days + 1)
    return _add_forward_plan_entry(
        by=by,
        commission=commission,
        opportunity=opportunity,
        matter=(
            f"Award of {opportunity.reference} {opportunity.title}, worth up to {money(value)}, to the "
            "provider(s) ranked highest by the evaluation."
        ),
        decision_maker=DecisionMaker.PORTFOLIO_HOLDER if commission.portfolio_id else DecisionMaker.CABINET,
        expected_on=max(opportunity.expected_award_on, earliest),
    )


def _forward_plan(step: Step) -> dict:
    # A key decision's award goes on the forward plan as soon as the market is told of it.
    forward_plan_for_opportunity(by=step.by, opportunity=step.obj)
    return {}


workflow.effect(Opportunity, "forward_plan", Effect(follow=_forward_plan))
