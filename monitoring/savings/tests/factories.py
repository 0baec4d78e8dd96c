"""Savings realised, recorded through the real services."""

from __future__ import annotations

from decimal import Decimal

from commissioning.tests.factories import staff
from councils.financial_year import financial_year_of
from councils.models import Role
from monitoring.savings.services import savings_realised_record
from monitoring.tests.factories import agreeing_commission
from monitoring.tests.returns_factories import recent_live_agreement


def realise(agreement, year: int, amount, how: str = "Budget monitoring, month 8", role=Role.FINANCE_OFFICER):
    """A finance officer's figure is confirmed as it is recorded; a commissioner's waits."""
    return savings_realised_record(
        by=staff(agreement.council, role),
        agreement=agreement,
        financial_year=year,
        amount=Decimal(str(amount)),
        how=how,
    )


def matrix_live_savings(world) -> dict:
    """For the access matrix, built on first use: a live agreement (in nobody's portfolio) with a saving
    a commissioner recorded, awaiting a finance officer's confirmation."""
    if "live_savings" not in world:
        council = world["council"]
        agreement = recent_live_agreement(council, commission=agreeing_commission(council, title="Meals at home"))
        world["live_savings"] = {
            "agreement": agreement,
            "saving": realise(agreement, financial_year_of(agreement.live_on), 5000, role=Role.COMMISSIONING_OFFICER),
        }
    return world["live_savings"]


def matrix_live_kwargs(*, saving: bool = False):
    def build(world) -> dict:
        objects = matrix_live_savings(world)
        kwargs = {"council_slug": world["council"].slug, "pk": objects["agreement"].pk}
        if saving:
            kwargs["saving_pk"] = objects["saving"].pk
        return kwargs

    return build
