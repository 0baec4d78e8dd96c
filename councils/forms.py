"""Crispy forms (GOV.UK template pack) for councils, people and the strategic framework."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from councils.fields import MoneyField, WholeNumberField
from councils.inputs import BoundedInputsMixin
from councils.models import (
    CorporatePlan,
    Council,
    CrossCuttingTheme,
    Outcome,
    Portfolio,
    Priority,
    Role,
    ThresholdKind,
    User,
)
from councils.selectors import (
    officers_for_council,
    plans_for_council,
    portfolio_holders_for_council,
    priorities_for_council,
)

# Guidance under every new-password field (not a password). It says what the validators in
# AUTH_PASSWORD_VALIDATORS check, in the council's words.
PASSWORD_HINT = (
    "Use at least 12 characters. Three or four unrelated words are easy to remember and hard to guess. "  # noqa: S105
    "Do not use a common password, one made only of numbers, or one like your name or email address."
)


class GovukFormMixin(BoundedInputsMixin):
    """Give every form a GOV.UK crispy helper with one primary button (and bounds on numbers and dates)."""

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.build_helper()

    def build_helper(self) -> None:
        """(Re)build the layout from the form's fields; call again after changing or reordering them."""
        self.helper = FormHelper(self)
        self.helper.label_size = "s"
        self.helper.legend_size = "s"
        self.helper.layout.append(Button.primary("submit", self.submit_label))


class CouncilScopedModelForm(GovukFormMixin, forms.ModelForm):
    """A model form whose choice fields only offer the council's own records."""

    def __init__(self, *args, council: Council, **kwargs):
        self.council = council
        super().__init__(*args, **kwargs)
        self.limit_choices()

    def limit_choices(self) -> None:
        pass


class CouncilSettingsForm(GovukFormMixin, forms.ModelForm):
    key_decision_threshold = MoneyField(
        label="Key decision threshold",
        help_text="At or above this value a cabinet or portfolio holder decision is needed.",
    )
    quote_threshold = MoneyField(
        label="Quotes threshold", help_text="At or above this value at least three written quotes are needed."
    )
    tender_threshold = MoneyField(
        label="Open tender threshold", help_text="At or above this value an open tender is needed."
    )
    # The award's periods: left blank, each keeps the council's current value.
    standstill_working_days = WholeNumberField(
        required=False,
        min_value=8,
        max_value=60,
        label="Standstill period, in working days",
        help_text="Counted from the day the contract award notice is published; 8 working days at least.",
    )
    call_in_working_days = WholeNumberField(
        required=False,
        min_value=0,
        max_value=60,
        label="Call-in period, in working days",
        help_text="How long scrutiny can call in a cabinet or portfolio holder decision.",
    )
    forward_plan_days = WholeNumberField(
        required=False,
        min_value=0,
        max_value=366,
        label="Forward plan notice, in clear days",
        help_text="How long a key decision must be on the forward plan before it is taken.",
    )
    max_agreement_years = WholeNumberField(
        required=False,
        min_value=1,
        max_value=99,
        label="Longest agreement, in years",
        help_text="No agreement may run longer than this, extensions included. 25 unless the council decides.",
    )
    call_in_threshold = WholeNumberField(
        required=False,
        min_value=1,
        max_value=20,
        label="Scrutiny members needed to call a decision in",
        help_text="As the council's constitution sets: between 1 and 20. The decision is called in when this "
        "many members have asked.",
    )
    accessibility_prepared_on = forms.DateField(
        required=False,
        label="Accessibility statement prepared on",
        help_text="For example, 23/9/2026.",
    )
    accessibility_reviewed_on = forms.DateField(
        required=False,
        label="Accessibility statement last reviewed on",
        help_text="Review it at least once a year, and after any big change to the service.",
    )
    privacy_updated_on = forms.DateField(
        required=False, label="Privacy notice last updated on", help_text="For example, 23/9/2026."
    )
    website = forms.URLField(assume_scheme="https", required=False)
    KEPT_WHEN_BLANK = (
        "standstill_working_days",
        "call_in_working_days",
        "call_in_threshold",
        "accessibility_prepared_on",
        "accessibility_reviewed_on",
        "privacy_updated_on",
        "forward_plan_days",
        "max_agreement_years",
    )

    class Meta:
        model = Council
        fields = [
            "name",
            "header_name",
            "contact_email",
            "contact_phone",
            "website",
            "address",
            "key_decision_threshold",
            "quote_threshold",
            "tender_threshold",
            "standstill_working_days",
            "call_in_working_days",
            "forward_plan_days",
            "max_agreement_years",
            "call_in_threshold",
            "accessibility_email",
            "dpo_email",
            "accessibility_prepared_on",
            "accessibility_reviewed_on",
            "privacy_updated_on",
            "expects_over_100m_contract_spend",
            "require_two_factor",
        ]
        labels = {
            "header_name": "Name shown in the page header",
            "accessibility_email": "Email for reporting accessibility problems",
        }

    def clean(self):
        cleaned = super().clean()
        for name in self.KEPT_WHEN_BLANK:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        prepared, reviewed = cleaned.get("accessibility_prepared_on"), cleaned.get("accessibility_reviewed_on")
        if prepared and reviewed and reviewed < prepared:
            self.add_error("accessibility_reviewed_on", "The review date must be on or after the date it was prepared.")
        return cleaned


class CorporatePlanForm(CouncilScopedModelForm):
    start_year = WholeNumberField(min_value=1990, max_value=2100)
    end_year = WholeNumberField(min_value=1990, max_value=2100)

    class Meta:
        model = CorporatePlan
        fields = ["title", "start_year", "end_year", "summary", "is_current"]
        labels = {"is_current": "This is the current corporate plan"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_current"):
            others = CorporatePlan.objects.filter(council=self.council, is_current=True)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("is_current", "Another plan is already marked as current. Untick it first.")
        return cleaned


class PriorityForm(CouncilScopedModelForm):
    position = WholeNumberField(min_value=0, required=False, help_text="Lower numbers are listed first.")

    class Meta:
        model = Priority
        fields = ["plan", "title", "description", "position"]
        labels = {"plan": "Corporate plan"}

    def limit_choices(self) -> None:
        self.fields["plan"].queryset = plans_for_council(self.council)

    def clean_position(self):
        return self.cleaned_data.get("position") or 0


class OutcomeForm(CouncilScopedModelForm):
    position = WholeNumberField(min_value=0, required=False, help_text="Lower numbers are listed first.")

    class Meta:
        model = Outcome
        fields = ["priority", "title", "description", "portfolio", "accountable_officer", "position"]
        help_texts = {
            "title": "An end result, not an activity: for example 'Fewer people live in fuel poverty'.",
            "portfolio": "The cabinet portfolio that owns this outcome.",
        }

    def limit_choices(self) -> None:
        self.fields["priority"].queryset = priorities_for_council(self.council)
        self.fields["portfolio"].queryset = Portfolio.objects.filter(council=self.council)
        self.fields["accountable_officer"].queryset = officers_for_council(self.council)

    def clean_position(self):
        return self.cleaned_data.get("position") or 0


class CrossCuttingThemeForm(CouncilScopedModelForm):
    class Meta:
        model = CrossCuttingTheme
        fields = ["plan", "title", "description"]
        labels = {"plan": "Corporate plan"}

    def limit_choices(self) -> None:
        self.fields["plan"].queryset = plans_for_council(self.council)


class PortfolioForm(CouncilScopedModelForm):
    class Meta:
        model = Portfolio
        fields = ["name", "holder", "description"]
        help_texts = {"holder": "Only councillors with the cabinet member role in this council are listed."}

    def limit_choices(self) -> None:
        self.fields["holder"].queryset = portfolio_holders_for_council(self.council)


class MembershipForm(GovukFormMixin, forms.Form):
    submit_label = "Give role"

    email = forms.EmailField(label="Email address")
    full_name = forms.CharField(
        label="Full name", max_length=200, help_text="Used if this person does not have an account yet."
    )
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect)


class MembershipRevokeForm(GovukFormMixin, forms.Form):
    submit_label = "Remove role"

    reason = forms.CharField(label="Why is this role being removed?", widget=forms.Textarea(attrs={"rows": 3}))


class SignInForm(GovukFormMixin, AuthenticationForm):
    submit_label = "Sign in"

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PasswordResetRequestForm(GovukFormMixin, PasswordResetForm):
    submit_label = "Send the link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def get_users(self, email):
        # People given a role by an administrator have no password yet: this is how they set one.

        return User.objects.filter(email__iexact=email, is_active=True)


class NewPasswordForm(GovukFormMixin, SetPasswordForm):
    submit_label = "Set password"
    error_messages = {"password_mismatch": "The passwords do not match. Enter the same password twice."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].help_text = "Enter the same password again."


class ProcurementThresholdForm(GovukFormMixin, forms.Form):
    submit_label = "Add the threshold"

    kind = forms.ChoiceField(label="Kind of contract", choices=ThresholdKind.choices, widget=forms.RadioSelect)
    valid_from = forms.DateField(
        label="In force from",
        help_text="Procurements started on or after this date use the new figure. For example, 1/1/2028.",
    )
    amount = MoneyField(label="Threshold, including VAT", help_text="For example, £210,000.")
    source = forms.CharField(
        label="Where the figure comes from",
        max_length=300,
        help_text="The regulations or guidance that set it, so that others can check it.",
    )
