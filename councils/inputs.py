"""Bounds for every number and date a person types, applied to every field of every project form.

Django's own fields accept values that later break the page or the database: "1e999" or forty 9s in
a decimal or whole-number box (an overflow when it is quantized or saved), 31/12/9999 in a date box
(an OverflowError as soon as anything adds a day to it). `bound_field` gives each numeric and date
field a range it can hold and a message saying so; `BoundedInputsMixin` applies it to all of a form's
fields when the form is cleaned, so fields added in `__init__` (one per KPI, say) are covered too.
One-line text boxes refuse line breaks.
`tests/test_form_inputs.py` checks that every form in the project has the mixin.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils.deconstruct import deconstructible

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100
# PostgreSQL's integer column: the widest whole number most of the models hold.
INTEGER_LIMIT = 2_147_483_647
# A decimal with no max_digits of its own gets the project's usual column: 14 digits, 2 after the point.
DECIMAL_DIGITS = 14
DECIMAL_PLACES = 2
FLOAT_LIMIT = 10**12


def _label(field: forms.Field) -> str:
    return str(field.label or "The value")


@deconstructible
class NumberRangeValidator:
    """A finite number whose size fits the column it goes into, with at most `places` decimal places."""

    def __init__(self, label: str, limit: int, places: int | None):
        self.label, self.limit, self.places = label, limit, places

    def __call__(self, value) -> None:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not number.is_finite():
            raise ValidationError(f"{self.label} must be a number, like 12 or 3.5.", code="invalid")
        if abs(number) >= self.limit:
            raise ValidationError(f"{self.label} must be smaller than {self.limit:,}.", code="max_value")
        if self.places is not None and number.as_tuple().exponent < -self.places:
            if self.places == 0:
                raise ValidationError(f"{self.label} must be a whole number.", code="max_decimal_places")
            raise ValidationError(
                f"{self.label} must have no more than {self.places} decimal places.", code="max_decimal_places"
            )

    def __eq__(self, other):
        return isinstance(other, NumberRangeValidator) and (self.limit, self.places) == (other.limit, other.places)


@deconstructible
class YearWindowValidator:
    """A date (or date-time) between the field's earliest and latest years, inclusive."""

    def __init__(self, label: str, earliest: int, latest: int):
        self.label, self.earliest, self.latest = label, earliest, latest

    def __call__(self, value) -> None:
        if not self.earliest <= value.year <= self.latest:
            raise ValidationError(
                f"{self.label} must be a date between {self.earliest} and {self.latest}.", code="year_window"
            )

    def __eq__(self, other):
        return isinstance(other, YearWindowValidator) and (self.earliest, self.latest) == (other.earliest, other.latest)


def one_line(value) -> None:
    """A one-line box holds one line: a line break sent anyway (a crafted request) would otherwise reach
    an email subject, where Django refuses it with a server error, or split a CSV row."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        raise ValidationError("Enter this on one line.", code="one_line")


def bound_field(field: forms.Field) -> forms.Field:
    """Give a numeric or date field its bounds (once; other fields are left alone).

    A field that needs a wider window of years says so with `earliest_year` / `latest_year`
    attributes; a decimal field's `max_digits` and `decimal_places` set its range, as on the model.
    """
    if getattr(field, "bounded_inputs", False):
        return field
    field.bounded_inputs = True
    label = _label(field)
    if isinstance(field, forms.DateField | forms.DateTimeField):
        earliest = getattr(field, "earliest_year", EARLIEST_YEAR)
        latest = getattr(field, "latest_year", LATEST_YEAR)
        field.validators.append(YearWindowValidator(label, earliest, latest))
    elif isinstance(field, forms.DecimalField):
        digits = field.max_digits or DECIMAL_DIGITS
        places = field.decimal_places if field.decimal_places is not None else DECIMAL_PLACES
        # One clear message instead of Django's "no more than N digits in total".
        field.validators[:] = [v for v in field.validators if not isinstance(v, DecimalValidator)]
        field.validators.insert(0, NumberRangeValidator(label, 10 ** (digits - places), places))
        _clearer_invalid(field, f"{label} must be a number, like 12 or 3.5.")
    elif isinstance(field, forms.IntegerField):
        if field.min_value is None or field.max_value is None:
            field.validators.insert(0, NumberRangeValidator(label, INTEGER_LIMIT + 1, 0))
        _clearer_invalid(field, f"{label} must be a whole number, like 12.")
    elif isinstance(field, forms.FloatField):
        field.validators.insert(0, NumberRangeValidator(label, FLOAT_LIMIT, None))
        _clearer_invalid(field, f"{label} must be a number, like 12 or 3.5.")
    elif isinstance(field, forms.CharField) and isinstance(field.widget, forms.TextInput):
        field.validators.append(one_line)
    return field


def _clearer_invalid(field: forms.Field, message: str) -> None:
    if field.error_messages.get("invalid") == type(field).default_error_messages.get("invalid"):
        field.error_messages["invalid"] = message


class BoundedInputsMixin:
    """Every project form has this (directly or through `GovukFormMixin`): bounds on numbers and dates."""

    def full_clean(self):
        for field in self.fields.values():
            bound_field(field)
        super().full_clean()
