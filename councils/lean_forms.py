"""A crispy form helper that writes a filter form's plain fields in Python.

crispy-forms renders every field through the template pack's `field.html` and its includes (the
label, the hint, the errors), each a template render over the whole page's context: about a
millisecond a field, most of a filter form's cost, on every list page that renders one. For the
fields a filter form has (text, dates, selects and a checkbox) `LeanFormHelper` writes the same
markup in Python; the widget itself is still rendered by crispy-forms-gds's own field node (its
classes, `aria-describedby` and error state) and Django's widget. Everything else — other kinds of
field, layout objects, the form tag, the buttons, the error summary — goes through crispy as before.

The markup is crispy's own, byte for byte, after crispy's `specialspaceless` (which every form gets):
`tests/test_lean_forms.py` renders each filter form both ways, bound and unbound, with and
without errors, and compares them.
"""

from __future__ import annotations

from crispy_forms.utils import render_field
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from crispy_forms_gds.templatetags.crispy_forms_gds import CrispyGDSFieldNode
from django import forms
from django.template import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

# Context that changes how field.html writes a field, beyond what is written here: left to crispy.
_LEFT_TO_CRISPY = ("max_characters", "max_words", "label_tag", "tag", "threshold", "html5_required")
_WIDGET = CrispyGDSFieldNode("field", {})


def filters_helper(form) -> LeanFormHelper:
    """The helper of a GET form of list filters: small labels and one "Apply filters" button."""
    helper = LeanFormHelper(form)
    helper.form_method = "get"
    helper.label_size = "s"
    helper.layout.append(Button.secondary("", "Apply filters"))
    return helper


class LeanFormHelper(FormHelper):
    """crispy-forms-gds's `FormHelper`, with the layout's plain fields written in Python."""

    def render_layout(self, form, context, template_pack="gds"):
        if (
            template_pack != "gds"
            or self.field_template
            or self.render_unmentioned_fields
            or self.render_hidden_fields
            or self.render_required_fields
            or any(context.get(name) for name in _LEFT_TO_CRISPY)
        ):
            return super().render_layout(form, context, template_pack=template_pack)
        # As crispy-forms-gds's own helper does before rendering the layout.
        form.use_required_attribute = False
        if self.label_size:
            context["label_size"] = Size.for_label(self.label_size)
        form.rendered_fields = set()
        form.crispy_field_template = None
        parts = []
        for item in self.layout.fields:
            if isinstance(item, str) and _lean(form[item]):
                form.rendered_fields.add(item)
                parts.append(_field(form[item], context))
            else:
                parts.append(render_field(item, form, context, template_pack=template_pack))
        return SafeString("".join(parts))


def _lean(bound_field) -> bool:
    # Radios, checkbox lists and multi-widgets are none of these (nor subclasses of them): crispy's.
    widget = bound_field.field.widget
    return isinstance(
        widget, forms.TextInput | forms.Select | forms.CheckboxInput | forms.HiddenInput
    ) and "govuk-js-character-count" not in widget.attrs.get("class", "")


def _field(field, context) -> str:
    """gds/field.html (this project's) for one plain field, with its help text and errors."""
    if field.is_hidden:
        return f"\n  {field}\n"
    errors = context.get("form_show_errors") and field.errors
    classes = "govuk-form-group"
    if errors:
        classes += " govuk-form-group--error"
    if context.get("wrapper_class"):
        classes += f" {context['wrapper_class']}"
    if css_classes := field.css_classes():
        classes += f" {css_classes}"
    parts = [f'\n  <div id="div_{field.auto_id}" class="{classes}">\n']
    checkbox = isinstance(field.field.widget, forms.CheckboxInput)
    show_labels = context.get("form_show_labels")
    label = conditional_escape(field.label)
    if field.label and not checkbox and show_labels:
        size = f" {context['label_size']}" if context.get("label_size") else ""
        parts.append(
            f'        <label for="{field.id_for_label}" class="govuk-label{size}">\n'
            f"          {label}\n        </label>\n"
        )
    parts.append(_help_text_and_errors(field, context, errors))
    widget = _WIDGET.render(Context({"field": field}))
    if checkbox and show_labels:
        small = " govuk-checkboxes--small" if context.get("checkboxes_small") else ""
        parts.append(
            f'        <div class="govuk-checkboxes{small}">\n          <div class="govuk-checkboxes__item">\n'
            f"            {widget}\n"
            f'            <label class="govuk-label govuk-checkboxes__label" for="{field.id_for_label}">\n'
            f"              {label}\n            </label>\n          </div>\n        </div>\n"
        )
    else:
        parts.append(f"        {widget}\n")
    parts.append("  </div>\n  \n")
    return "".join(parts)


def _help_text_and_errors(field, context, errors) -> str:
    parts = []
    inline_help, inline_errors = context.get("help_text_inline"), context.get("error_text_inline")
    if field.help_text and (not inline_help or not inline_errors):
        tag = "span" if inline_help else "div"
        parts.append(
            f'\n        <{tag} id="{field.auto_id}_hint" class="govuk-hint">'
            f"{conditional_escape(field.help_text)}</{tag}>\n"
        )
    if errors:
        # gds/layout/field_errors.html, or field_errors_block.html: the same but for their indentation.
        indent, close = ("      ", "    ") if inline_errors else ("          ", "        ")
        for number, error in enumerate(field.errors, start=1):
            parts.append(
                f'\n    <span id="{field.auto_id}_{number}_error" class="govuk-error-message">\n'
                f'{indent}<span class="govuk-visually-hidden">Error:</span> {conditional_escape(error)}\n'
                f"{close}</span>\n"
            )
    return "".join(parts)
