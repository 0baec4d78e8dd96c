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


@pytest.mark.django_db
def test_a_queryset_given_as_a_function_is_built_only_when_the_choices_are_needed(outcome):
    built = []

    def outcomes():
        built.append(True)
        return Outcome.objects.all()

    class OutcomeFilter(forms.Form):
        outcome = LeanModelChoiceField(queryset=None, required=False, empty_label="Any outcome")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["outcome"].queryset = outcomes

    nothing_chosen = OutcomeFilter({})
    assert nothing_chosen.is_valid()
    assert built == []  # no filter to check, no markup written: never built

    unknown = OutcomeFilter({"outcome": str(outcome.pk + 1000)})
    assert not unknown.is_valid()
    assert built == [True]

    chosen = OutcomeFilter({"outcome": str(outcome.pk)})
    assert chosen.is_valid()
    assert chosen.cleaned_data["outcome"] == outcome
    assert f'<option value="{outcome.pk}" selected>{outcome.title}</option>' in str(chosen["outcome"])
    assert len(built) == 2  # once per form, however often its choices are read


@pytest.mark.django_db
def test_a_label_field_reads_only_each_options_id_and_label(outcome):
    class OutcomeFilter(forms.Form):
        outcome = LeanModelChoiceField(queryset=Outcome.objects.all(), empty_label="Any outcome", label_field="title")

    form = OutcomeFilter({"outcome": str(outcome.pk)})
    assert form.is_valid()
    assert form.cleaned_data["outcome"] == outcome  # still the row itself once chosen
    with CaptureQueriesContext(connection) as queries:
        html = str(form["outcome"])
    (query,) = queries.captured_queries
    assert '"councils_outcome"."description"' not in query["sql"]
    assert f'<option value="{outcome.pk}" selected>{outcome.title}</option>' in html
