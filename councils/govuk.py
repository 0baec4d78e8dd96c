"""GOV.UK Design System patterns for Django form fields, shared by every app's forms."""

from __future__ import annotations

from django import forms

DATE_HINT = "For example, 24/11/2026."


def _required_message(field: forms.Field) -> str:
    label = str(field.label or "a value")
    verb = "Choose" if isinstance(field, forms.ChoiceField) else "Enter"
    return f"{verb} {label[:1].lower()}{label[1:]}"


def govuk_input(field: forms.Field) -> None:
    """Swap Django's default widget for the GOV.UK pattern (text boxes, never type=number)."""
    if isinstance(field, forms.DateField):
        # A text input (crispy-forms-gds styles and flags errors on TextInput only), shown as
        # dd/mm/yyyy.
        field.widget = forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        )
        field.widget.is_localized = True
        field.help_text = f"{field.help_text} {DATE_HINT}".strip()
        field.error_messages["invalid"] = f"{field.label} must be a real date, like 24/11/2026."
    elif isinstance(field, forms.IntegerField | forms.DecimalField):
        mode = "numeric" if isinstance(field, forms.IntegerField) else "decimal"
        field.widget = forms.TextInput(attrs={"inputmode": mode, "spellcheck": "false"})
    field.widget.is_required = field.required
    # CheckboxSelectMultiple is a RadioSelect subclass in Django; only single-choice radios lose the blank.
    is_radio = isinstance(field.widget, forms.RadioSelect) and not isinstance(
        field.widget, forms.CheckboxSelectMultiple
    )
    if is_radio and isinstance(field, forms.ChoiceField):
        if field.required:
            field.choices = [c for c in field.choices if c[0] != ""]
        else:
            field.choices = [(v, "Not decided yet" if v == "" else label) for v, label in field.choices]
    if field.required:
        field.error_messages["required"] = _required_message(field)


class QuantityField(forms.DecimalField):
    """A number as people type it, thousands separators and all (1,200 sessions; 2.5 hectares).

    Sized like the KPI columns it is saved in (14 digits, 2 after the point) unless told otherwise."""

    def __init__(self, *, max_digits=14, decimal_places=2, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace(" ", "")
        return super().to_python(value)
