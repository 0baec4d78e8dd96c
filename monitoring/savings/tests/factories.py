"""Savings realised, recorded through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from commissioning.tests.factories import staff
from councils.financial_year import financial_year_of
from councils.models import Role
from monitoring.savings.services import savings_realised_record
from monitoring.tests.factories import agreeing_commission, draft_agreement, go_live, sign
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


def live_since_last_year(council, **kwargs):
    """A live agreement that went live at the start of last financial year, so savings can be realised in
    two years (last year and this): recent_live_agreement's may have gone live this year."""
    this_year = financial_year_of(timezone.localdate())
    starts_on = date(this_year - 1, 4, 1)
    draft = draft_agreement(council, starts_on=starts_on, ends_on=date(this_year + 1, 3, 31), **kwargs)
    return go_live(sign(draft, signed_on=starts_on - timedelta(days=10)), live_on=starts_on)
