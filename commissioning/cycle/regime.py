"""Which regime a commission is procured under: proposed from its value, main CPV code and delivery
route against the threshold in force on the day, then confirmed (or overridden, with a reason) by an
officer. Nothing here writes a workflow state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import cpv
from commissioning.models import (
    DIRECT_ROUTES,
    NOTIFIABLE_BELOW_THRESHOLD_FROM,
    PUBLIC_CONTRACT_REGIMES,
    SUBSIDY_DATABASE_FROM,
    Commission,
    DeliveryRoute,
    Procedure,
    ProcurementRegime,
    PsrKeyCriterion,
    Regime,
    State,
)
from councils import workflow
from councils.formatting import money
from councils.models import ThresholdKind, User
from councils.permissions import SOURCING_OFFICERS, has_any_role
from councils.selectors import threshold_for
from councils.services import audit_record

# The regime is settled before the opportunity is published, and may be corrected until then.
REGIME_OPEN_IN = (State.UNDERSTANDING, State.PLANNING, State.AWAITING_APPROVAL, State.SOURCING)
# Works contracts are the CPV construction division (Regulations 2024, Schedule 3).
WORKS_DIVISION = "45"


@dataclass
class RegimeProposal:
    regime: str
    value: Decimal
    threshold_kind: str
    threshold_amount: Decimal | None
    threshold_on: date
    reasons: list[str] = field(default_factory=list)
    subsidy_database: bool = False

    @property
    def label(self) -> str:
        return Regime(self.regime).label


def threshold_kind_for(cpv_code: str) -> str:
    if cpv.is_light_touch(cpv_code):
        return ThresholdKind.LIGHT_TOUCH
    if cpv_code.startswith(WORKS_DIVISION):
        return ThresholdKind.WORKS
    return ThresholdKind.SUB_CENTRAL


def procurement_starts_on(commission: Commission) -> date:
    """The day the procurement started (its opportunity's publication), or today while it has not."""
    published = (
        commission.opportunities.filter(published_at__isnull=False).order_by("published_at").first()
        if commission.pk
        else None
    )
    return timezone.localdate(published.published_at) if published else timezone.localdate()


def propose_regime(commission: Commission, on_date: date | None = None) -> RegimeProposal:
    """The regime the law points to. The Provider Selection Regime is never proposed: its scope is a
    matter of the health service bought, which the officer judges and records on confirming."""
    on_date = on_date or procurement_starts_on(commission)
    value = commission.budget or Decimal("0")
    kind = threshold_kind_for(commission.cpv_code)
    row = threshold_for(kind, on_date, commission.council)
    amount = row.amount if row is not None else None
    proposal = RegimeProposal(
        regime=Regime.BELOW_THRESHOLD, value=value, threshold_kind=kind, threshold_amount=amount, threshold_on=on_date
    )
    if commission.delivery_route == DeliveryRoute.GRANT:
        proposal.regime = Regime.GRANT
        proposal.reasons.append("A grant is not procurement: the Procurement Act does not apply.")
        if value >= SUBSIDY_DATABASE_FROM:
            proposal.subsidy_database = True
            proposal.reasons.append(
                f"At {money(value)} it is a subsidy of {money(SUBSIDY_DATABASE_FROM)} or more: "
                "record it on the subsidy database."
            )
        return proposal
    if commission.delivery_route in DIRECT_ROUTES:
        proposal.regime = Regime.EXEMPT
        proposal.reasons.append(
            f"It is delivered by {commission.get_delivery_route_display().lower()}: nothing is procured, so no "
            "procurement regime applies. Check the arrangement meets the Act's exemptions."
        )
        return proposal
    if not commission.cpv_code:
        proposal.reasons.append("No main CPV code is chosen yet: it is measured as goods or services.")
    label = ThresholdKind(kind).label.lower()
    if amount is not None and value >= amount:
        proposal.regime = Regime.LIGHT_TOUCH if kind == ThresholdKind.LIGHT_TOUCH else Regime.ABOVE_THRESHOLD
        proposal.reasons.append(
            f"The value, {money(value)}, is at or above the {label} threshold of {money(amount)} "
            f"in force on {on_date:%-d %B %Y}."
        )
    else:
        shown = money(amount) if amount is not None else "(no threshold recorded)"
        proposal.reasons.append(
            f"The value, {money(value)}, is below the {label} threshold of {shown} in force on {on_date:%-d %B %Y}."
        )
        if value >= NOTIFIABLE_BELOW_THRESHOLD_FROM:
            proposal.reasons.append(
                f"At {money(NOTIFIABLE_BELOW_THRESHOLD_FROM)} or more the contract needs a contract details notice."
            )
    return proposal


def can_confirm_regime(commission: Commission, user: User) -> bool:
    return has_any_role(user, commission.council, SOURCING_OFFICERS) and commission.state in REGIME_OPEN_IN


@transaction.atomic
def regime_confirm(
    *,
    by: User,
    commission: Commission,
    regime: str,
    reason: str = "",
    procedure: str = "",
    direct_award_ground: str = "",
    reserved_to_mutuals: bool = False,
    psr_route: str = "",
    psr_decision: str = "",
    psr_key_criteria: list[str] | None = None,
) -> ProcurementRegime:
    """An officer confirms the proposed regime or chooses another, saying why, with the procedure or
    Provider Selection Regime route the regime asks for."""
    if not has_any_role(by, commission.council, SOURCING_OFFICERS):
        raise PermissionDenied
    if commission.state not in REGIME_OPEN_IN:
        raise ValidationError(
            f"The regime cannot be changed while the commission is ‘{commission.get_state_display().lower()}’."
        )
    proposal = propose_regime(commission)
    psr_key_criteria = list(psr_key_criteria or [])
    errors: dict[str, str] = {}
    if regime not in Regime.values:
        errors["regime"] = "Choose a regime."
    if regime != proposal.regime and not reason.strip():
        errors["reason"] = f"Say why the commission is not procured as proposed ({proposal.label})."
    if regime == Regime.ABOVE_THRESHOLD and procedure not in Procedure.values:
        errors["procedure"] = "Choose the procedure."
    direct = regime in PUBLIC_CONTRACT_REGIMES and procedure == Procedure.DIRECT_AWARD
    if direct and not direct_award_ground.strip():
        errors["direct_award_ground"] = "Give the ground for the direct award, for example user choice."
    if regime == Regime.PROVIDER_SELECTION:
        if not psr_route:
            errors["psr_route"] = "Choose the Provider Selection Regime process."
        if not psr_decision.strip():
            errors["psr_decision"] = "Record the decision and how it was reached."
        if not psr_key_criteria or not set(psr_key_criteria) <= set(PsrKeyCriterion.values):
            errors["psr_key_criteria"] = "Choose the key criteria the decision was made against."
    if reserved_to_mutuals and regime != Regime.LIGHT_TOUCH:
        errors["reserved_to_mutuals"] = "Only light-touch contracts can be reserved to public service mutuals."
    if errors:
        raise ValidationError(errors)
    act = regime in (*PUBLIC_CONTRACT_REGIMES, Regime.BELOW_THRESHOLD)
    record, _ = ProcurementRegime.objects.update_or_create(
        commission=commission,
        defaults={
            "regime": regime,
            "proposed_regime": proposal.regime,
            "reason": reason.strip() if regime != proposal.regime else "",
            "procedure": procedure if act else "",
            "direct_award_ground": direct_award_ground.strip() if procedure == Procedure.DIRECT_AWARD else "",
            "reserved_to_mutuals": reserved_to_mutuals,
            "psr_route": psr_route if regime == Regime.PROVIDER_SELECTION else "",
            "psr_decision": psr_decision.strip() if regime == Regime.PROVIDER_SELECTION else "",
            "psr_key_criteria": psr_key_criteria if regime == Regime.PROVIDER_SELECTION else [],
            "subsidy_database": regime == Regime.GRANT and proposal.value >= SUBSIDY_DATABASE_FROM,
            "value": proposal.value,
            "cpv_code": commission.cpv_code,
            "threshold_kind": proposal.threshold_kind,
            "threshold_amount": proposal.threshold_amount,
            "threshold_on": proposal.threshold_on,
            "confirmed_by": by,
        },
    )
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.regime_confirmed",
        obj=commission,
        reason=record.reason,
        extra={"regime": regime, "proposed": proposal.regime, "procedure": record.procedure},
    )
    # Not a step of a machine, but what follows the records (the notices it calls for) hears of it.
    workflow.announce(obj=commission, name="regime_confirmed", by=by, reason=record.reason)
    return record


def planned_notice_recorded(*, by: User, commission: Commission, published_on: date) -> ProcurementRegime:
    """The planned procurement notice (UK3) is on Find a Tender: from 40 days to a year later, the open
    procedure may give bidders 10 days instead of 25. Called when the notice is recorded as published,
    inside that step's transaction."""
    record = ProcurementRegime.objects.select_for_update().get(commission=commission)
    record.planned_notice_published_on = published_on
    record.save(update_fields=["planned_notice_published_on"])
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.planned_notice_recorded",
        obj=commission,
        extra={"published_on": published_on.isoformat()},
    )
    return record
