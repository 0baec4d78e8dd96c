"""Savings identified, recorded through the real service."""

from __future__ import annotations

from decimal import Decimal

from commissioning.savings.services import savings_identified_record
from commissioning.tests.factories import staff
from councils.models import Role


def identify(commission, year: int, amount, basis: str = "A lower unit cost from the new contract", by=None):
    return savings_identified_record(
        by=by or staff(commission.council, Role.COMMISSIONING_OFFICER),
        commission=commission,
        target_year=year,
        amount=Decimal(str(amount)),
        basis=basis,
    )


def matrix_saving_kwargs(world) -> dict:
    """For the access matrix: a saving identified on the matrix's commission, made on first use."""
    if "saving_identified" not in world:
        world["saving_identified"] = identify(world["commission"], 2027, 25000)
    commission = world["commission"]
    return {"council_slug": world["council"].slug, "pk": commission.pk, "saving_pk": world["saving_identified"].pk}
