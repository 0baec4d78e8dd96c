"""`LeanFormHelper` writes what crispy-forms-gds writes, byte for byte, for every filter form that
uses it: unbound, and bound with any mix of good, bad and hostile values (errors, hints, checkboxes)."""

from __future__ import annotations

import copy

import pytest
from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.helper import FormHelper
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.cycle.filters import CommissionFilterForm
from commissioning.sourcing.forms.opportunities import OpportunityFilterForm
from councils.lean_forms import LeanFormHelper
from councils.models import Role
from councils.tests.factories import CouncilFactory, MembershipFactory, PortfolioFactory
from monitoring.agreements.forms import AgreementFilterForm, RegisterFilterForm
from monitoring.dashboards.forms import DashboardFilterForm
from monitoring.notices.forms import NoticeFilterForm
from monitoring.returns.forms import ReturnFilterForm
from tests.worlds import module_transaction

pytestmark = pytest.mark.django_db

VALUES = st.sampled_from(
    ["", "x", "1", "2", "zzz", "on", "bad", "31/02/2026", "1/4/2026", "2026-04-01", "<b>&\"'", "9" * 40, "a" * 300]
)


@pytest.fixture(scope="module")
def makers(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            council = CouncilFactory()
            lead = MembershipFactory(council=council, role=Role.LEAD_COMMISSIONER).user
            PortfolioFactory(council=council, holder=lead)
        yield {
            "opportunities": lambda data: OpportunityFilterForm(data),
            "commissions": lambda data: CommissionFilterForm(data, council=council),
            "dashboard": lambda data: DashboardFilterForm(data, council=council, user=lead, view="lead"),
            "agreements": lambda data: AgreementFilterForm(data),
            "register": lambda data: RegisterFilterForm(data),
            "returns": lambda data: ReturnFilterForm(data, user=lead, council=council),
            "notices": lambda data: NoticeFilterForm(data),
        }


def _both(make, data) -> tuple[str, str]:
    lean = make(data)
    assert isinstance(lean.helper, LeanFormHelper)
    # A form of its own for each: crispy-forms-gds writes the error state into the widgets' attrs.
    plain = make(data)
    plain.helper = copy.copy(plain.helper)
    plain.helper.__class__ = FormHelper
    return render_crispy_form(lean), render_crispy_form(plain)


@pytest.mark.parametrize(
    "name", ["opportunities", "commissions", "dashboard", "agreements", "register", "returns", "notices"]
)
def test_unbound_and_empty_forms_are_written_as_crispy_writes_them(makers, name):
    for data in (None, {}):
        lean, plain = _both(makers[name], data)
        assert lean == plain


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["opportunities", "commissions", "dashboard", "returns", "notices"]), data=st.data())
def test_any_values_are_written_as_crispy_writes_them(makers, name, data):
    field_names = list(makers[name](None).fields)
    values = data.draw(st.dictionaries(st.sampled_from(field_names), VALUES, min_size=1))
    lean, plain = _both(makers[name], values)
    assert lean == plain


def test_errors_and_hints_are_there_to_compare(makers):
    # The comparisons above must meet an error, a hint and a checked checkbox at least once.
    lean, _ = _both(makers["opportunities"], {"closes_after": "bad", "include_closed": "on", "q": "<b>"})
    assert "govuk-error-message" in lean
    assert "govuk-hint" in lean
    assert " checked" in lean
    assert "&lt;b&gt;" in lean


def test_fields_it_does_not_write_go_through_crispy(makers):
    class WithRadios(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        text = forms.CharField(label="Text")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper = LeanFormHelper(self)

    form = WithRadios({"choice": "z"})
    html = render_crispy_form(form)
    assert 'class="govuk-radios"' in html or "govuk-radios__item" in html
    assert 'for="id_text"' in html
