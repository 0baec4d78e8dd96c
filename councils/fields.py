"""Form fields shared by every app, shaped by GOV.UK guidance (no type=number inputs)."""

from decimal import Decimal, InvalidOperation

from django import forms


class MoneyField(forms.CharField):
    """Accepts amounts as people type them (£20,000 or 20000.50) and returns a Decimal in pounds."""

    def __init__(self, *, min_value: Decimal | None = Decimal("0"), **kwargs):
        self.min_value = min_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".removesuffix(".00")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        cleaned = value.replace("£", "").replace(",", "").replace(" ", "")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise forms.ValidationError("Enter an amount in pounds, like 20000 or £20,000.50") from exc
        # Size first: quantize raises InvalidOperation on Infinity, NaN and 1e999.
        if not amount.is_finite():
            raise forms.ValidationError("Enter an amount in pounds, like 20000 or £20,000.50")
        if abs(amount) >= Decimal("1e12"):
            raise forms.ValidationError("Enter an amount smaller than £1,000,000,000,000.")
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError("Enter an amount with no more than 2 decimal places (pence).")
        if self.min_value is not None and amount < self.min_value:
            raise forms.ValidationError(f"The amount must be £{self.min_value:,.0f} or more.")
        return amount


class WholeNumberField(forms.IntegerField):
    """A whole number typed in a text box with a numeric keyboard, as GOV.UK recommends."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
