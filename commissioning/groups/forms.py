"""Forms for member working groups (GOV.UK crispy forms): naming a councillor, and a member's comment.
Forms only parse; the services decide."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from councils.forms import GovukFormMixin
from councils.govuk import govuk_input


class NameMemberForm(GovukFormMixin, forms.Form):
    submit_label = "Name to the working group"

    user = forms.ModelChoiceField(
        queryset=None,
        label="Councillor",
        help_text="Any councillor of the council: cabinet members, scrutiny members and other councillors.",
        empty_label="Choose a councillor",
        error_messages={"required": "Choose a councillor.", "invalid_choice": "Choose a councillor from the list."},
    )

    def __init__(self, *args, councillors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = councillors
        self.fields["user"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"
        govuk_input(self.fields["user"])
        self.build_helper()


class CommentForm(GovukFormMixin, forms.Form):
    submit_label = "Add your comment"

    about = forms.ChoiceField(
        label="What is your comment about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what your comment is about."},
    )
    text = forms.CharField(
        label="Your comment",
        help_text="It goes into the engagement log under your name, and cannot be changed afterwards.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter your comment."},
    )

    def __init__(self, *args, documents: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = list(documents.items())
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def build_helper(self) -> None:
        super().build_helper()
        self.helper["about"].wrap(Field.radios, legend_size=Size.SMALL)


class RemoveMemberForm(GovukFormMixin, forms.Form):
    """Nothing to fill in: the button confirms."""

    submit_label = "Remove from the working group"
