"""Template helpers for council conventions: money as £20,000, permissions in templates."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from councils.formatting import plain_number

register = template.Library()


@register.filter
def money(value) -> str:
    """Pounds with thousands separators; pence only when there are any (£20,000 / £1,250.50)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


register.filter("number", plain_number)


@register.simple_tag(takes_context=True)
def has_perm(context, perm: str, obj=None) -> bool:
    user = context.get("user") or context["request"].user
    return user.has_perm(perm, obj)


@register.filter
def error_target(bound_field, field_id: str) -> str:
    """Radios and checkboxes have no element with the field's own id: point at the first option."""
    from django.forms import CheckboxSelectMultiple, RadioSelect

    if isinstance(bound_field.field.widget, RadioSelect | CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    return field_id
