"""Forms for a person's own account: codes for two-factor sign-in, and the confirmations."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button
from django import forms

from councils.forms import GovukFormMixin


class AppCodeForm(GovukFormMixin, forms.Form):
    """The six digits an authenticator app shows, to finish setting it up."""

    submit_label = "Continue"

    code = forms.CharField(
        label="Enter the 6-digit code from your app",
        max_length=12,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )


class SignInCodeForm(GovukFormMixin, forms.Form):
    """A code after the password: from the app, or a recovery code."""

    submit_label = "Continue"

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        error_messages={"required": "Enter the code from your authenticator app, or a recovery code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )


class ConfirmForm(GovukFormMixin, forms.Form):
    """Nothing to fill in: the button says what happens (red when it takes something away)."""

    def __init__(self, *args, submit_label: str = "Continue", warning: bool = False, **kwargs):
        self.submit_label = submit_label
        self.warning = warning
        super().__init__(*args, **kwargs)

    def build_helper(self) -> None:
        self.helper = FormHelper(self)
        button = Button.warning if self.warning else Button.primary
        self.helper.layout.append(button("submit", self.submit_label))
