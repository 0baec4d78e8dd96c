import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Outcome
from councils.widgets import LeanModelChoiceField, LeanSelect

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


@pytest.mark.django_db
def test_lean_model_choices_are_read_in_one_plain_query(outcome):
    class OutcomeFilter(forms.Form):
        outcome = LeanModelChoiceField(queryset=Outcome.objects.all(), empty_label="Any outcome")

    form = OutcomeFilter({"outcome": str(outcome.pk)})
    assert form.is_valid()
    assert form.cleaned_data["outcome"] == outcome
    with CaptureQueriesContext(connection) as queries:
        html = str(form["outcome"])
    # Django's own choice iterator opens a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE).
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SELECT"]
    assert f'<option value="{outcome.pk}" selected>{outcome.title}</option>' in html
