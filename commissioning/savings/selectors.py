"""Reads for a commission's savings: each financial year's saving identified beside what its
agreements realised (asked of the agreements' app through `commissioning.ports.savings`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import get_object_or_404

from commissioning import ports
from commissioning.models import Commission, SavingsIdentified
from councils.financial_year import financial_year_label

ZERO = Decimal("0")


@dataclass
class SavingsYear:
    year: int
    identified: SavingsIdentified | None
    realised: Decimal
    awaiting_confirmation: Decimal

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def identified_amount(self) -> Decimal:
        return self.identified.amount if self.identified else ZERO


def commission_savings(commission: Commission) -> dict:
    """Every financial year with a saving identified or realised, earliest first, and the totals."""
    identified = {
        saving.target_year: saving
        for saving in SavingsIdentified.objects.filter(commission=commission).select_related("recorded_by")
    }
    realised = ports.savings.realised_by_year(commission)
    years = [
        SavingsYear(
            year=year,
            identified=identified.get(year),
            realised=realised[year].confirmed if year in realised else ZERO,
            awaiting_confirmation=realised[year].awaiting_confirmation if year in realised else ZERO,
        )
        for year in sorted(set(identified) | set(realised))
    ]
    return {
        "years": years,
        "identified_total": sum((row.identified_amount for row in years), ZERO),
        "realised_total": sum((row.realised for row in years), ZERO),
        "awaiting_total": sum((row.awaiting_confirmation for row in years), ZERO),
    }


def saving_of(commission: Commission, pk: int) -> SavingsIdentified:
    return get_object_or_404(SavingsIdentified.objects.filter(commission=commission), pk=pk)
