import re

import pytest
from django import forms

from councils.widgets import LeanSelect

CHOICES = [("", "Any council"), (1, "Barnet & Brent"), ("Group", [(2, "two"), (3, "<three>")]), (4, "four")]


def squeezed(html: str) -> str:
    return re.sub(r"\s+", "", html)


@pytest.mark.parametrize("value", [None, "", "2", 4, ["1"]])
def test_lean_select_writes_the_same_markup_as_djangos_select(value):
    attrs = {"class": "govuk-select", "aria-describedby": "hint"}
    django_select = forms.Select(choices=CHOICES, attrs=attrs).render("council", value, attrs={"id": "id_council"})
    lean = LeanSelect(choices=CHOICES, attrs=attrs).render("council", value, attrs={"id": "id_council"})
    assert squeezed(lean) == squeezed(django_select)


def test_lean_select_escapes_labels_and_values():
    html = LeanSelect(choices=[('"><script>', "<b>bold</b>")]).render("x", None)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
