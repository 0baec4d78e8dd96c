"""Forms for early engagement on drafts (GOV.UK crispy forms). Forms only parse; the services decide."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from commissioning.models import ConsultationAudience, DraftPart
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input


class ConsultationOpenForm(GovukFormMixin, forms.Form):
    submit_label = "Open for comment"

    parts = forms.MultipleChoiceField(
        label="What do you want to open for comment?",
        choices=DraftPart.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The drafts are published as they are now: later changes do not change what people comment on.",
        error_messages={"required": "Choose what to open for comment."},
    )
    audience = forms.ChoiceField(
        label="Who may comment?",
        choices=ConsultationAudience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who may comment."},
    )
    opens_on = forms.DateField(label="Opens on")
    closes_on = forms.DateField(label="Closes on", help_text="Comments are taken until the end of this day.")
    introduction = forms.CharField(
        label="What would you most like to hear about? (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def build_helper(self) -> None:
        super().build_helper()
        self.helper["parts"].wrap(Field.checkboxes, legend_size=Size.SMALL)
        self.helper["audience"].wrap(Field.radios, legend_size=Size.SMALL)


CONSENT_REQUIRED = "Agree to the council keeping your details to send a comment."


class CommentForm(GovukFormMixin, forms.Form):
    """A comment on one section of the drafts. A person who acts for a provider chooses which of their
    organisations it is from; a member of the public gives a name and an email (never published) and
    agrees to the privacy notice. `website` is a honeypot: hidden from people, filled in by bots."""

    submit_label = "Send your comment"

    section = forms.ChoiceField(
        label="What is your comment about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the part of the drafts your comment is about."},
    )
    text = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Your comment and the council's answer are published on this page.",
        error_messages={"required": "Enter your comment."},
    )
    organisation = forms.ModelChoiceField(
        queryset=None,
        label="Which organisation is this comment from?",
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="The comment is published under the organisation's name.",
        error_messages={"required": "Choose your organisation.", "invalid_choice": "Choose one of your organisations."},
    )
    name = forms.CharField(label="Your name", max_length=200, help_text="Not published.")
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="Not published. The council uses it only if it needs to ask you about your comment.",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com."},
    )
    consent = forms.BooleanField(
        label="I agree that the council keeps my name, email address and comment to run this consultation, "
        "as its privacy notice explains",
    )
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, sections, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = sections
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
            for name in ("name", "email", "consent"):
                del self.fields[name]
        else:
            del self.fields["organisation"]
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["website"].widget.attrs["class"] = "govuk-input"
        for name, field in self.fields.items():
            if name != "website":
                govuk_input(field)
        if "consent" in self.fields:
            self.fields["consent"].error_messages["required"] = CONSENT_REQUIRED
        self.build_helper()

    def build_helper(self) -> None:
        super().build_helper()
        self.helper["section"].wrap(Field.radios, legend_size=Size.SMALL)
        if "organisation" in self.fields:
            self.helper["organisation"].wrap(Field.radios, legend_size=Size.SMALL)
        # The honeypot is written by the template, hidden from people and from assistive technology.
        self.helper.layout.fields.remove("website")
        self.helper.form_tag = False

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class AnswerForm(GovukFormMixin, forms.Form):
    submit_label = "Publish the answer"

    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Published with the comment.",
        error_messages={"required": "Enter your answer."},
    )
    draft_changed_because = forms.CharField(
        label="If you changed the draft, why? (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: we changed the draft because the measure you suggested is easier to collect.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()
