"""The form on which an officer confirms the commission's regime and its procedure or route."""

from __future__ import annotations

from django import forms

from commissioning.models import Procedure, PsrKeyCriterion, PsrRoute, Regime
from councils.forms import GovukFormMixin


class RegimeConfirmForm(GovukFormMixin, forms.Form):
    submit_label = "Confirm the regime"

    regime = forms.ChoiceField(label="Regime", choices=Regime.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why another regime than the one proposed",
        help_text="Needed only when you choose another regime than the one proposed.",
    )
    procedure = forms.ChoiceField(
        required=False,
        choices=Procedure.choices,
        widget=forms.RadioSelect,
        label="Procedure",
        help_text="Needed above threshold. Light-touch contracts may also be awarded directly, for example for "
        "user choice.",
    )
    direct_award_ground = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Ground for a direct award",
        help_text="The ground in the Procurement Act 2023 that allows the direct award.",
    )
    reserved_to_mutuals = forms.BooleanField(
        required=False, label="Reserved to public service mutuals (light-touch services only)"
    )
    psr_route = forms.ChoiceField(
        required=False,
        choices=PsrRoute.choices,
        widget=forms.RadioSelect,
        label="Provider Selection Regime process",
        help_text="For health services under the Provider Selection Regime only.",
    )
    psr_decision = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="The decision and how it was reached (Provider Selection Regime)",
    )
    psr_key_criteria = forms.MultipleChoiceField(
        required=False,
        choices=PsrKeyCriterion.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Key criteria the decision was made against (Provider Selection Regime)",
    )
