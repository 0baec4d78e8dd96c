"""Hostile numbers and dates on every form field: only ValidationError, never a server error.

Every `forms.Form` / `ModelForm` subclass in the project's apps is found by walking the subclasses of
Django's base form classes; each must carry `BoundedInputsMixin` (which bounds its fields when it
is cleaned), and each of its numeric, date and date-time fields, bounded as the mixin bounds it, is
fed values people (or robots) type: infinities, NaN, forty 9s, the year 9999, Arabic-Indic digits.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councils.fields import MoneyField
from councils.govuk import QuantityField
from councils.inputs import BoundedInputsMixin, bound_field
from councils.uploads import UPLOAD_HINT

APPS = ("councils", "commissioning", "monitoring", "providers", "demo")

HOSTILE = [
    "Infinity",
    "-Infinity",
    "inf",
    "-inf",
    "NaN",
    "-nan",
    "sNaN",
    "1e999",
    "-1e999",
    "1e-999",
    "9" * 40,
    "-" + "9" * 40,
    "9" * 5000,
    "0." + "0" * 40 + "1",
    "99999999999999.99",
    "1,000,000,000,000",
    "£1e12",
    "31/12/9999",
    "31/12/9998",
    "1/1/0001",
    "01/01/1000",
    "29/02/2027",
    "28/03/2027 01:30",
    "31/10/2027 01:30",
    "9999-12-31",
    "9999-12-31 23:59",
    "١٢٣",
    "１２３",
    "²",
    "\u00a0",
    "",
    "   ",
    "\x00",
    "12abc",
    "--1",
]


def _project_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".tests"):
                continue
            importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_forms() -> list[type]:
    _project_modules()
    found = {
        cls
        for base in (forms.Form, forms.ModelForm)
        for cls in _subclasses(base)
        if cls.__module__.split(".")[0] in APPS and ".tests" not in cls.__module__
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


NUMERIC_OR_DATE = (forms.DecimalField, forms.IntegerField, forms.FloatField, forms.DateField, forms.DateTimeField)


def typed_fields() -> list[tuple[str, forms.Field]]:
    fields = []
    for form in project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, (*NUMERIC_OR_DATE, MoneyField)):
                fields.append((f"{form.__module__}.{form.__qualname__}.{name}", field))
    # Fields made in __init__ use the same classes: one of each, as the forms make them.
    fields.append(("ReturnForm.actual_<kpi>", QuantityField(required=False)))
    fields.append(("MoneyField", MoneyField(required=False)))
    return fields


def test_the_project_has_forms_to_check():
    assert len(project_forms()) > 60
    assert len(typed_fields()) > 20


@pytest.mark.parametrize("form", project_forms(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_form_bounds_its_inputs(form):
    assert issubclass(form, BoundedInputsMixin), f"{form.__qualname__} must use BoundedInputsMixin (or GovukFormMixin)"


def _clean(field: forms.Field, value: str):
    field = bound_field(copy.deepcopy(field))
    try:
        return field.clean(value)
    except forms.ValidationError:
        return None


@pytest.mark.parametrize(("where", "field"), typed_fields(), ids=[where for where, _ in typed_fields()])
def test_hostile_values_only_raise_validation_errors(where, field):
    for value in HOSTILE:
        cleaned = _clean(field, value)
        if isinstance(cleaned, Decimal | float):
            assert abs(cleaned) < Decimal("1e13"), (where, value, cleaned)
        if isinstance(cleaned, int) and not isinstance(cleaned, bool):
            assert abs(cleaned) <= 2_147_483_647, (where, value, cleaned)
        if hasattr(cleaned, "year"):
            assert 1990 <= cleaned.year <= 2100, (where, value, cleaned)


numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers().map(str),
    st.integers(min_value=-(10**60), max_value=10**60).map(lambda n: f"{n:,}"),
    st.text(alphabet="0123456789.,-+eE £ΝΑ١٢٣۴\u00a0infINFnaNAN", max_size=30),
)
dates = st.one_of(
    st.dates().map(lambda d: d.strftime("%d/%m/") + str(d.year)),
    st.datetimes().map(lambda d: f"{d:%d/%m}/{d.year} {d:%H:%M}"),
    st.tuples(st.integers(-5, 40), st.integers(-5, 20), st.integers(-10, 99999)).map(lambda t: f"{t[0]}/{t[1]}/{t[2]}"),
    st.text(alphabet="0123456789/-. :", max_size=20),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_no_field_raises_anything_but_validation_error(data):
    for where, field in typed_fields():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            value = data.draw(dates, label=where)
        else:
            value = data.draw(numbers, label=where)
        _clean(field, value)


def test_one_line_boxes_refuse_line_breaks_and_text_areas_keep_them():
    one_line = bound_field(forms.CharField(label="Organisation name"))
    with pytest.raises(forms.ValidationError, match="on one line"):
        one_line.clean("Moorside\r\nBcc: everyone@example.com")
    assert one_line.clean("Moorside Youth Trust") == "Moorside Youth Trust"
    area = bound_field(forms.CharField(widget=forms.Textarea))
    assert area.clean("First line\nSecond line") == "First line\nSecond line"


def test_every_file_field_gives_the_limit_uploads_really_have():
    """The hint under a file box comes from the one limit (COMMISSIONER_MAX_UPLOAD_MB), not a number typed
    into each form, so changing the setting cannot leave a form promising something else."""
    file_fields = [
        (f"{form.__module__}.{form.__qualname__}.{name}", field)
        for form in project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    ]
    assert len(file_fields) >= 4
    assert f"smaller than {django_settings.COMMISSIONER_MAX_UPLOAD_MB}MB." in UPLOAD_HINT
    for where, field in file_fields:
        assert UPLOAD_HINT in field.help_text, where
