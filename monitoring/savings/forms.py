"""Crispy forms (GOV.UK template pack) for the savings an agreement realised."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from councils.fields import MoneyField
from councils.financial_year import financial_year_choices, financial_year_of
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from monitoring.models import Agreement
from monitoring.savings.services import first_year


class SavingsRealisedForm(GovukFormMixin, forms.Form):
    submit_label = "Save the saving"

    financial_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        help_text="April to March. For this year, the saving to date. A year already recorded is replaced.",
    )
    amount = MoneyField(label="Saving realised in that year", help_text="In pounds.")
    how = forms.CharField(
        label="How it was realised",
        help_text="What changed, and where the figure comes from (for example the budget monitoring report).",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        first = first_year(agreement)
        last = max(first, financial_year_of(timezone.localdate()))
        self.fields["financial_year"].choices = [("", "Choose a year"), *financial_year_choices(first, last)]
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class ConfirmSavingForm(GovukFormMixin, forms.Form):
    submit_label = "Confirm this saving"
