from decimal import Decimal

import pytest
from django import forms

from councils.fields import MoneyField


@pytest.mark.parametrize(
    ("typed", "value"),
    [("20000", Decimal("20000")), ("£20,000", Decimal("20000")), (" 1,250.50 ", Decimal("1250.50"))],
)
def test_money_field_accepts_amounts_as_people_type_them(typed, value):
    assert MoneyField().clean(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("twenty", "Enter an amount in pounds"),
        ("10.001", "no more than 2 decimal places"),
        ("-5", "£0 or more"),
    ],
)
def test_money_field_explains_bad_amounts(typed, message):
    with pytest.raises(forms.ValidationError) as error:
        MoneyField().clean(typed)
    assert message in str(error.value)
