"""Units of measure: whether a success measure or KPI counts things (people, sessions, visits), whose
targets are whole numbers, or measures something that has fractions (a percentage, money, hours,
hectares, a score or a rate), which keeps two decimal places.

Counted unless the unit says otherwise: a unit is what people type ("young people", "sessions",
"%"), so the words that make a unit continuous are listed here, once."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

WHOLE = Decimal("1")
PENNY = Decimal("0.01")

# Percentages and money, quantities with fractions, and ratios or scores.
_CONTINUOUS = re.compile(
    r"%|£|\$|€|\bper\b|percent|per cent|pound|\bgbp\b|\bpence\b|\bcost|\bspend|"
    r"hour|\bhrs?\b|minute|hectare|\bha\b|acre|\bkm\b|kilomet|mile|metre|meter|\bm2\b|\bm²|"
    r"\bkg\b|kilogram|tonne|\btons?\b|litre|liter|kwh|\bco2|carbon|"
    r"score|rate\b|ratio|average|\bmean\b|index|proportion|share|points?\b",
    re.IGNORECASE,
)


def is_counted(unit: str) -> bool:
    """Whether the unit counts things, so its targets are whole numbers."""
    unit = (unit or "").strip()
    return bool(unit) and not _CONTINUOUS.search(unit)


def quantum(unit: str) -> Decimal:
    """The step a target in this unit is given to: 1 for counted things, a hundredth otherwise."""
    return WHOLE if is_counted(unit) else PENNY


def rounded(value: Decimal, unit: str) -> Decimal:
    """A worked-out target (a share of a total, say) in the unit's step, rounded half up."""
    return value.quantize(quantum(unit), rounding=ROUND_HALF_UP)


def whole_number_problem(value: Decimal | None, unit: str) -> str:
    """Why `value` cannot be a target in `unit` (empty when it can): counted things are whole."""
    if value is None or not is_counted(unit) or value == value.to_integral_value():
        return ""
    example = rounded(value, unit)
    return f"{unit.strip().capitalize()} are counted in whole numbers: enter a whole number (for example {example:f})."


def validate_whole_for_unit(value: Decimal | None, unit: str, field: str = "target") -> None:
    problem = whole_number_problem(value, unit)
    if problem:
        raise ValidationError({field: problem})


class TargetInUnits:
    """For a model with a target and a baseline in a unit (a success measure, a KPI): a counted unit
    takes whole numbers for both."""

    def clean(self):
        validate_whole_for_unit(self.target, self.unit)
        validate_whole_for_unit(self.baseline, self.unit, "baseline")
