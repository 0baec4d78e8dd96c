"""Template helpers for council conventions: money as £20,000, permissions in templates."""

from crispy_forms.utils import render_crispy_form
from django import template
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.utils.safestring import SafeString

from councils import page_cache
from councils.formatting import money, plain_number, quantity_in

register = template.Library()


register.filter("money", money)
register.filter("number", plain_number)
# {{ kpi.target|in_unit:kpi.unit }}: whole numbers for counted things.
register.filter("in_unit", quantity_in)


@register.simple_tag(takes_context=True)
def has_perm(context, perm: str, obj=None) -> bool:
    user = context.get("user") or context["request"].user
    return user.has_perm(perm, obj)


@register.filter
def error_target(bound_field, field_id: str) -> str:
    """Radios and checkboxes have no element with the field's own id: point at the first option."""

    if isinstance(bound_field.field.widget, RadioSelect | CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    return field_id


@register.simple_tag
def shared_crispy(form):
    """`{% crispy form %}` for a GET filter form whose HTML depends only on the filters chosen and on
    data in the form's `shared_scopes` (its choices): one rendering serves everyone asking the same.
    A filter form's markup costs about a millisecond a field, and its choices a query each."""
    parts = [type(form).__module__, type(form).__qualname__, str(form.is_bound), repr(_chosen(form))]
    # What is kept is the template pack's own output, escaped when it was rendered.
    return SafeString(page_cache.shared_fragment(parts, form.shared_scopes, lambda: render_crispy_form(form)))


def _chosen(form) -> list[tuple[str, str]]:
    """The filters chosen, in a fixed order: everything a bound filter form's markup varies with."""
    data = form.data
    values = data.getlist if hasattr(data, "getlist") else lambda key: [data.get(key)]
    return sorted(
        (name, value) for name in form.fields for value in values(form.add_prefix(name)) if value not in (None, "")
    )
