"""Crispy forms (GOV.UK template pack) for a commission's savings identified."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from councils.fields import MoneyField
from councils.financial_year import financial_year_choices, financial_year_of
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input

# A medium-term financial plan looks a few years ahead; a figure found late may belong to a past year.
YEARS_BACK, YEARS_AHEAD = 3, 6


class SavingsIdentifiedForm(GovukFormMixin, forms.Form):
    submit_label = "Save the saving"

    target_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        help_text="The year the saving is to be made in (April to March). A year already recorded is replaced.",
    )
    amount = MoneyField(label="Saving in that year", help_text="Against what the service costs now, in pounds.")
    basis = forms.CharField(
        label="How the saving will be made",
        help_text="For example: a lower unit cost from the new contract, or less demand through prevention.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    identified_on = forms.DateField(
        label="Date the saving was identified", required=False, help_text="Leave empty for today."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = financial_year_of(timezone.localdate())
        self.fields["target_year"].choices = [
            ("", "Choose a year"),
            *financial_year_choices(this_year - YEARS_BACK, this_year + YEARS_AHEAD),
        ]
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class RemoveForm(GovukFormMixin, forms.Form):
    submit_label = "Remove this saving"

    reason = forms.CharField(
        label="Why it no longer stands",
        help_text="Kept in the commission's audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()
