"""Reads for a commission's or a review's savings: each financial year's saving identified beside what
the agreements realised (asked of the agreements' app through `commissioning.ports.savings`): a
commission's own agreements; for a review, the agreements it covers and those of the commission it
recommissioned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import get_object_or_404

from commissioning import ports
from commissioning.models import Commission, Review, SavingsIdentified
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


def _field(holder: Commission | Review) -> str:
    return "review" if isinstance(holder, Review) else "commission"


def holder_savings(holder: Commission | Review) -> dict:
    """Every financial year with a saving identified or realised, earliest first, and the totals."""
    identified = {
        saving.target_year: saving
        for saving in SavingsIdentified.objects.filter(**{_field(holder): holder}).select_related("recorded_by")
    }
    realised = ports.savings.realised_by_year(holder)
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


def saving_of(holder: Commission | Review, pk: int) -> SavingsIdentified:
    return get_object_or_404(SavingsIdentified.objects.filter(**{_field(holder): holder}), pk=pk)
