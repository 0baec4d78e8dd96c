"""Forms for notices (GOV.UK crispy): the notices page's filters, recording a publication on Find a
Tender, and confirming a send. The steps' reasons use the cycle's `TransitionForm`."""

from __future__ import annotations

from django import forms

from councils.forms import GovukFormMixin
from monitoring.agreements.forms import FilterForm, GovukInputs, not_in_future
from monitoring.models import NoticeState, NoticeType
from monitoring.notices.selectors import DUE, OVERDUE


class NoticeFilterForm(FilterForm):
    notice_type = forms.ChoiceField(required=False, choices=[("", "All types"), *NoticeType.choices], label="Type")
    state = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any state"),
            (DUE, "Due (draft or ready, not optional)"),
            (OVERDUE, "Overdue"),
            *NoticeState.choices,
        ],
        label="State",
    )


class PublishForm(GovukInputs, GovukFormMixin, forms.Form):
    """What Find a Tender shows once it has published the notice."""

    submit_label = "Record it as published"

    fat_identifier = forms.CharField(
        label="Find a Tender notice identifier",
        max_length=60,
        help_text="As Find a Tender shows it on the notice, for example 012345-2026.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "class": "govuk-input--width-10"}),
    )
    published_on = forms.DateField(label="Day Find a Tender published it")
    # The state the officer saw: if it has moved since, someone else acted first.
    from_state = forms.CharField(widget=forms.HiddenInput)

    def clean_published_on(self):
        return not_in_future(self.cleaned_data["published_on"], "The day it was published")


class SendForm(GovukFormMixin, forms.Form):
    submit_label = "Send to Find a Tender"

    from_state = forms.CharField(widget=forms.HiddenInput)
