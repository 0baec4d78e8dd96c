"""What an agreement needs before each of its steps, in words an officer can act on."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from commissioning.award.standstill_selectors import signing_blockers
from commissioning.models import COMPETITIVE_ROUTES, KPI_DUTY_OVER
from councils.formatting import money
from monitoring.models import PROVIDER_VISIBLE_STATES, kpi_duty_applies

# Section 52 of the Procurement Act 2023: the KPIs a contract under the KPI duty carries when it is entered into.
KPI_DUTY_MINIMUM = 3


def payments_total(agreement) -> Decimal:
    # Added up in Python: SQLite's SUM of decimals goes through floating point.
    return sum(agreement.payments.values_list("amount", flat=True), Decimal("0"))


def award_allows_signing(agreement) -> list[str]:
    """What the award still stops, for a grant or contract: the reasons it cannot be signed yet
    (decision not taken or not yet in effect, call-in, assessment summaries not sent, the contract award
    notice not published, standstill running)."""
    return signing_blockers(agreement)


def missing_before_signing(agreement) -> list[str]:
    """What must be settled before the signed copy can be recorded (the signing page asks for the copy)."""
    missing = []
    kpis = [kpi for kpi in agreement.kpis.all() if kpi.retired_on is None]
    if not kpis:
        missing.append("Add at least one KPI")
    if len(kpis) < KPI_DUTY_MINIMUM and kpi_duty_applies(agreement):
        missing.append(
            f"Add at least {KPI_DUTY_MINIMUM} KPIs: an above-threshold contract worth more than "
            f"{money(KPI_DUTY_OVER)} needs them before it is entered into (Procurement Act 2023, section 52)"
        )
    periods = len(agreement.periods())
    for kpi in kpis:
        if kpi.targets.count() != periods:
            missing.append(f"Set a target for every reporting period for the KPI ‘{kpi.description}’")
    total = payments_total(agreement)
    if total != agreement.value:
        missing.append(
            f"Make the payment schedule add up to the agreement's value: it adds up to {money(total)}, "
            f"the value is {money(agreement.value)}"
        )
    if agreement.commission.delivery_route in COMPETITIVE_ROUTES:
        missing.extend(award_allows_signing(agreement))
    return missing


def missing_to_sign(agreement) -> list[str]:
    """Everything that stops the agreement being signed, in words an officer can act on."""
    missing = [] if agreement.signed_document else ["Upload the signed agreement"]
    return missing + missing_before_signing(agreement)


def missing_to_end(agreement) -> list[str]:
    if agreement.ends_on >= timezone.localdate():
        return [f"The agreement runs until {agreement.ends_on:%d/%m/%Y}"]
    return []


def missing_to_go_live(agreement) -> list[str]:
    """A vital service goes live only with a complete continuity plan (what happens if the provider fails)."""
    plan = getattr(agreement, "continuity_plan", None)
    if plan is None or not plan.vital:
        return []
    return [f"Complete the continuity plan of this vital service: {item.lower()}" for item in plan.missing()]


def unsigned_refusal(agreement, recorded: str) -> str:
    """Why nothing can be recorded under the agreement yet ("" once it can): invoices, remedies and the
    like (`recorded`, e.g. "invoices are") belong to an agreement once it has been signed."""
    if agreement.state not in PROVIDER_VISIBLE_STATES:
        return (
            f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: {recorded} recorded "
            "once it has been signed."
        )
    return ""
