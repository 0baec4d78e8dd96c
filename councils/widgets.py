"""Form widgets and fields for long choice lists."""

from __future__ import annotations

import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_SELECTED = " selected"


def _escaped(text) -> str:
    # conditional_escape without its lazy-string wrapper, which costs more than the escaping itself
    # when it runs for every option of a list of hundreds.
    return str(text.__html__()) if hasattr(text, "__html__") else html.escape(str(text))


class LeanSelect(forms.Select):
    """A <select> whose options are written in Python rather than through Django's per-option template.

    Django renders every <option> through its own template, which costs about a tenth of a
    millisecond an option: the public opportunities filter, with an option for each of several
    hundred outcomes, spent most of its time there. Same markup, same attributes, optgroups kept.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        selected = {str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", _attributes(final_attrs))]
        for group, choices in self._groups():
            options = "".join(
                f'<option value="{_escaped(key)}"{_SELECTED if key in selected else ""}>{_escaped(label)}</option>'
                for key, label in choices
            )
            parts.append(f'<optgroup label="{_escaped(group)}">{options}</optgroup>' if group else options)
        parts.append("</select>")
        return SafeString("".join(parts))

    def _groups(self):
        loose: list[tuple[str, str]] = []
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                if loose:
                    yield None, loose
                    loose = []
                yield option_value, [("" if v is None else str(v), lab) for v, lab in option_label]
            else:
                loose.append(("" if option_value is None else str(option_value), option_label))
        if loose:
            yield None, loose


class LeanModelChoiceIterator(ModelChoiceIterator):
    """The choices from one plain query. Django's own iterator reads them through `iterator()`, which
    on PostgreSQL opens a server-side cursor: three round trips (DECLARE, FETCH, CLOSE) for a list of
    a dozen rows, on every filter form of every list page. The field's queryset is asked for only
    when the choices are."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.label_field:
            # Each option's id and label straight from the row: no model instance for each of hundreds.
            yield from self.queryset.values_list("pk", self.field.label_field)
            return
        for obj in self.queryset.all():
            yield self.choice(obj)


class LeanModelChoiceField(forms.ModelChoiceField):
    """A model choice for a filter: read in one query and written by `LeanSelect`.

    Its queryset may be given as a function that builds it: built only when something needs it (a
    value chosen to check, the options to write). Building a queryset of semi-joins costs about a
    millisecond, and a filter form whose markup is kept (`{% shared_crispy %}`) and whose filters
    are not chosen needs neither. With `label_field`, an option's label is that column of its row
    (rather than `label_from_instance`), read without making a model instance of the row."""

    iterator = LeanModelChoiceIterator
    widget = LeanSelect

    def __init__(self, *args, label_field: str = "", **kwargs):
        self.label_field = label_field
        super().__init__(*args, **kwargs)

    def _get_queryset(self):
        if self._queryset is None and getattr(self, "_build_queryset", None) is not None:
            self._queryset = self._build_queryset().all()
        return self._queryset

    def _set_queryset(self, queryset):
        if callable(queryset):
            self._build_queryset, self._queryset = queryset, None
            self.widget.choices = self.choices
        else:
            self._build_queryset = None
            super()._set_queryset(queryset)

    queryset = property(_get_queryset, _set_queryset)


def _attributes(attrs: dict) -> str:
    """Attributes in the order given, as Django's own widget template writes them."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )
