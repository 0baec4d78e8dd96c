"""Crispy forms (GOV.UK template pack) for continuity plans, flags, interventions and the step after a
failure. Rules live in the services; the forms only parse."""

from __future__ import annotations

from django import forms

from councils.fields import MoneyField
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from councils.models import Council, User
from councils.permissions import OFFICER
from monitoring.models import AlternativeProvision, FlagLevel

BLANK = [("", "Choose one")]


class GovukForm(GovukFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


def officers(council: Council):
    return (
        User.objects.filter(memberships__council=council, memberships__role__in=OFFICER, is_active=True)
        .distinct()
        .order_by("full_name", "pk")
    )


class ContinuityPlanForm(GovukForm):
    submit_label = "Save the continuity plan"

    vital = forms.BooleanField(
        required=False,
        label="This is a vital service",
        help_text="People would come to harm, or the council would fail a statutory duty, if it stopped. "
        "A vital service goes live only with its continuity plan complete.",
    )
    why_vital = forms.CharField(
        required=False, label="Why it is vital", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    if_provider_fails = forms.CharField(
        required=False,
        label="What happens if the provider fails",
        help_text="The first days: who does what, and for whom.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    fallback = forms.ChoiceField(required=False, label="Fallback", choices=[*BLANK, *AlternativeProvision.choices])
    fallback_detail = forms.CharField(
        required=False,
        label="The fallback provider or in-house option",
        help_text="Who, and how quickly they can start.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    responsible = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Officer responsible", empty_label="Choose an officer"
    )
    last_tested_on = forms.DateField(required=False, label="Last tested (optional)", help_text="For example 17/3/2026.")

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = officers(council)


class FlagForm(GovukForm):
    submit_label = "Flag"

    level = forms.ChoiceField(label="Flag as", choices=FlagLevel.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        help_text="What puts the service at risk, and how you know. Kept with the flag; providers do not see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class ProviderFlagForm(FlagForm):
    provider = forms.ModelChoiceField(
        queryset=None,
        label="Provider",
        empty_label="Choose the provider",
        help_text="Every signed and live agreement it has with the council is covered.",
    )
    field_order = ("provider", "level", "reason")

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.order_fields(self.field_order)
        self.build_helper()


class ClearFlagForm(GovukForm):
    submit_label = "Clear the flag"

    reason = forms.CharField(
        label="Why the flag is cleared",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ActionForm(GovukForm):
    submit_label = "Add the action"

    what = forms.CharField(label="What is to be done", max_length=300)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Owner", empty_label="Choose an officer")
    due_on = forms.DateField(label="Due date", help_text="For example 17/3/2027.")

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = officers(council)


class AlternativeForm(GovukForm):
    submit_label = "Record the alternative provision"

    alternative = forms.ChoiceField(
        label="Alternative provision", choices=AlternativeProvision.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label="Details",
        help_text="Who provides the service instead, from when, and on what terms.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class CloseForm(GovukForm):
    submit_label = "Close the intervention"

    outcome = forms.CharField(
        label="Outcome",
        help_text="How the intervention ended: the provider recovered, the service moved, the agreement ended…",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ActionDoneForm(GovukForm):
    submit_label = "Mark as done"

    done_on = forms.DateField(label="Date it was done")


RECOMMISSION, IN_HOUSE = "recommission", "in_house"


class AfterFailureForm(GovukForm):
    submit_label = "Take the next step"

    next_step = forms.ChoiceField(
        label="What happens to the service now",
        choices=[
            (RECOMMISSION, "Recommission it: review the commission and start its next cycle"),
            (IN_HOUSE, "Bring it in-house: draft an agreement with the council's own team"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        label="Why (for a recommission)",
        help_text="Kept in the commission's review and its audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    team_name = forms.CharField(required=False, label="The council's team (for in-house)", max_length=200)
    starts_on = forms.DateField(required=False, label="In-house from")
    ends_on = forms.DateField(required=False, label="In-house until")
    value = MoneyField(required=False, label="Value of the in-house agreement", help_text="In pounds.")
