"""Contracts procured under the Procurement Act 2023, and their invoices, made through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine

from commissioning.cycle import regime as regimes
from commissioning.models import DeliveryRoute, Procedure, Regime, State
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role
from demo import procurement
from monitoring.invoices import services
from monitoring.models import Agreement, Invoice

# Procured the day after s.70 applied: the contract is signed on 17 April 2026 (after standstill) and
# delivery starts on 1 July 2026.
PROCURED = datetime.datetime(2026, 4, 2, 10, tzinfo=datetime.UTC)


def contract(
    council, *, regime=Regime.ABOVE_THRESHOLD, budget=Decimal(240000), procured=PROCURED, title="Street cleansing"
) -> Agreement:
    """A live contract from a real procurement (open procedure) under the regime the officer confirmed."""
    with time_machine.travel(procured, tick=False):
        commission = commission_in_state(
            council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=budget, title=title
        )
        regimes.regime_confirm(
            by=staff(council, Role.PROCUREMENT_OFFICER),
            commission=commission,
            regime=regime,
            procedure=Procedure.OPEN if regime == Regime.ABOVE_THRESHOLD else "",
            reason="Confirmed for the test",
        )
        procurement.award_approved(commission)
        procurement.agreements_live(commission)
    return Agreement.objects.select_related("council", "commission", "provider").get(commission=commission)


def invoice(agreement, number, received_on, amount, paid_on=None, **kwargs) -> Invoice:
    return services.invoice_record(
        by=staff(agreement.council, Role.FINANCE_OFFICER),
        agreement=agreement,
        supplier_reference=number,
        received_on=received_on,
        amount=Decimal(amount),
        paid_on=paid_on,
        **kwargs,
    )


def matrix_invoice_kwargs(world) -> dict:
    """For the access matrix: an unpaid invoice on the matrix's signed agreement, made on first use."""
    from monitoring.tests.factories import matrix_agreements

    objects = matrix_agreements(world)
    if "invoice" not in objects:
        objects["invoice"] = invoice(objects["signed"], "MATRIX-1", datetime.date(2026, 4, 1), "1000")
    return {"council_slug": world["council"].slug, "pk": objects["signed"].pk, "invoice_pk": objects["invoice"].pk}
