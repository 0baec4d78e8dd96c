"""Crispy forms (GOV.UK template pack) for provider organisations, their people and documents, and the
officers' verification and approved suppliers list."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Button, Layout
from django import forms
from django.contrib.auth.forms import SetPasswordMixin

from councils.forms import PASSWORD_HINT, GovukFormMixin
from councils.govuk import govuk_input
from councils.models import Council, User
from councils.uploads import UPLOAD_HINT
from providers.models import (
    ComplianceDocument,
    Organisation,
    ProviderRole,
    cpv_interest_code,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
    normalise_ppon,
    validate_charity_number,
    validate_company_number,
    validate_postcode,
    validate_ppon,
)
from providers.ports import cpv
from providers.selectors import outcomes_to_choose_from


class GovukInputsMixin(GovukFormMixin):
    """GOV.UK inputs for every field (text boxes, dd/mm/yyyy dates, no blank radio option, and
    "Enter …"/"Choose …" messages), as commissioning's forms have them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # govuk_input treats checkboxes (a RadioSelect subclass) as radios: they need nothing.
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                govuk_input(field)


class OutcomeChoiceField(forms.ModelMultipleChoiceField):
    """Councils' outcomes, each labelled with its council (councils share outcome titles)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.priority.plan.council.name})"


def _yes_no_unsure(label: str, help_text: str, unsure: str) -> forms.TypedChoiceField:
    """A yes/no question an organisation may leave to what its other answers settle (None)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=[("True", "Yes"), ("False", "No"), ("", unsure)],
        coerce=lambda value: value == "True",
        empty_value=None,
        widget=forms.RadioSelect,
    )


class OrganisationForm(GovukInputsMixin, forms.ModelForm):
    """The organisation's profile: asked once at registration, changed by its administrators."""

    submit_label = "Save changes"

    outcomes_of_interest = OutcomeChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Council outcomes you can help achieve (optional)",
    )
    cpv_divisions = forms.MultipleChoiceField(
        label="Kinds of work you want to hear about (optional)",
        help_text="Opportunities are classed by the Common Procurement Vocabulary (CPV). Choose its divisions.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cpv_groups = forms.CharField(
        label="More precise kinds of work: CPV groups (optional)",
        help_text="For example 853 for social work services, or 85300000. Separate codes with commas.",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    alert_councils = forms.ModelMultipleChoiceField(
        queryset=Council.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Councils whose every opportunity you want to hear about (optional)",
    )
    sme_answer = _yes_no_unsure(
        "Is the organisation a small or medium-sized enterprise (SME)?",
        "An SME has fewer than 250 staff and a turnover of no more than £44 million. Contract notices say "
        "whether the supplier is an SME.",
        "Work it out from our annual income (under £10 million means yes)",
    )
    vcse_answer = _yes_no_unsure(
        "Is the organisation a voluntary, community or social enterprise (VCSE)?",
        "Not run by government, driven by its values, and reinvesting its surpluses in social, environmental "
        "or cultural aims.",
        "Work it out from our type of organisation",
    )

    class Meta:
        model = Organisation
        fields = [
            "legal_name",
            "trading_name",
            "organisation_type",
            "charity_number",
            "company_number",
            "ppon",
            "registered_address",
            "postcode",
            "sector",
            "income_band",
            "sme_answer",
            "vcse_answer",
            "supported_employment",
            "public_service_mutual",
            "is_in_house",
            "areas_of_interest",
            "outcomes_of_interest",
            "opportunity_alerts",
            "alert_every_council",
            "alert_councils",
        ]
        labels = {
            "legal_name": "Legal name",
            "trading_name": "Trading name (optional)",
            "organisation_type": "Type of organisation",
            "charity_number": "Charity number",
            "company_number": "Companies House number",
            "ppon": "Public Procurement Organisation Number (PPON) (optional)",
            "supported_employment": "We are a supported employment provider",
            "public_service_mutual": "We are a public service mutual",
            "registered_address": "Registered address",
            "postcode": "Postcode",
            "sector": "Sector",
            "income_band": "Annual income",
            "is_in_house": "We are an in-house team or a council-owned company",
            "areas_of_interest": "Areas of interest (optional)",
            "opportunity_alerts": "Tell us when a council publishes an opportunity that matches our interests",
            "alert_every_council": "Tell us about every opportunity, from every council",
        }
        help_texts = {
            "legal_name": "As registered with the Charity Commission or Companies House, if you are registered.",
            "trading_name": "If you work under a different name.",
            "charity_number": "Registered charities and CIOs must give it. For example, 1098765 or 1098765-1.",
            "company_number": (
                "Community interest companies and companies limited by guarantee or by shares must give it. "
                "8 characters, for example 01234567 or SC123456."
            ),
            "ppon": (
                "The number the Central Digital Platform gave you when you registered to bid for public "
                "contracts. 12 characters, for example PABC-1234-WXYZ. Councils need it before they award a contract."
            ),
            "supported_employment": "At least 30% of your employees are disabled or disadvantaged people.",
            "public_service_mutual": (
                "You left the public sector, are led by your employees and run public services not for profit."
            ),
            "postcode": "For example, LA1 1AA.",
            "is_in_house": "",
            "areas_of_interest": "The kinds of work and the places you are interested in, for example 'youth work'.",
            "opportunity_alerts": (
                "Your administrators and bid writers are told in the app and by email, as each of them chooses, "
                "when an opportunity matches one of the outcomes, kinds of work or councils you choose below."
            ),
            "alert_every_council": "",
        }
        error_messages = {
            "legal_name": {
                "unique": "An organisation with this legal name is already registered. Ask its administrator "
                "to invite you."
            }
        }
        widgets = {
            "legal_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "organisation_type": forms.RadioSelect,
            "charity_number": forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
            "company_number": forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
            "ppon": forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
            "registered_address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "postcode": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code", "spellcheck": "false"}
            ),
            "sector": forms.RadioSelect,
            "income_band": forms.RadioSelect,
            "areas_of_interest": forms.Textarea(attrs={"rows": 3}),
        }

    # Typed with spaces or in lower case, checked once tidied: field -> (tidy, check).
    normalised = {
        "charity_number": (normalise_charity_number, validate_charity_number),
        "company_number": (normalise_company_number, validate_company_number),
        "ppon": (normalise_ppon, validate_ppon),
        "postcode": (normalise_postcode, validate_postcode),
    }

    # Shown under their own heading, after the profile.
    alert_fields = (
        "opportunity_alerts",
        "outcomes_of_interest",
        "cpv_divisions",
        "cpv_groups",
        "alert_councils",
        "alert_every_council",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcomes_of_interest"].queryset = outcomes_to_choose_from()
        self.fields["cpv_divisions"].choices = [
            (code, f"{label} ({code[:2]})") for code, label in cpv.divisions().items()
        ]
        if not self.instance.pk:
            self.initial.setdefault("opportunity_alerts", True)
        else:
            codes = list(self.instance.cpv_interests.values_list("code", flat=True))
            self.initial.setdefault("cpv_divisions", [code for code in codes if code.endswith("000000")])
            self.initial.setdefault("cpv_groups", ", ".join(code for code in codes if not code.endswith("000000")))
        for name in self.normalised:
            # Room for spaces: the format check, not a length limit, says what is wrong.
            old = self.fields[name]
            self.fields[name] = forms.CharField(
                label=old.label, help_text=old.help_text, required=old.required, widget=old.widget, max_length=20
            )
        for name in ("registered_address", "postcode", "income_band"):
            self.fields[name].required = True
            govuk_input(self.fields[name])
        self.fields["income_band"].error_messages["required"] = "Choose the organisation's annual income"
        for name in ("sme_answer", "vcse_answer"):
            # govuk_input relabels an optional radio's blank choice; these say what leaving it means.
            self.fields[name].choices = type(self).declared_fields[name].choices

    def build_helper(self) -> None:
        super().build_helper()
        self.helper.layout = Layout(*self.organisation_layout(), Button.primary("submit", self.submit_label))

    def organisation_layout(self) -> list:
        """The profile's fields, then the opportunity alerts under their own heading."""
        alerts = [name for name in self.alert_fields if name in self.fields]
        return [
            *(name for name in self.fields if name not in alerts and name not in self.person_fields),
            HTML('<h2 class="govuk-heading-m" id="opportunity-alerts">Opportunity alerts</h2>'),
            *alerts,
        ]

    person_fields: tuple[str, ...] = ()

    def clean_cpv_groups(self) -> list[str]:
        codes, wrong = [], []
        for typed in self.cleaned_data.get("cpv_groups", "").replace(";", ",").split(","):
            if not typed.strip():
                continue
            code = cpv_interest_code(typed)
            if code and code in cpv.labels():
                codes.append(code)
            else:
                wrong.append(typed.strip())
        if wrong:
            raise forms.ValidationError(
                f"{', '.join(wrong)} {'is not a CPV group' if len(wrong) == 1 else 'are not CPV groups'}. "
                "Enter codes from the CPV list like 853 or 85300000, separated by commas."
            )
        return codes

    def clean(self):
        cleaned = super().clean()
        cleaned["cpv_codes"] = sorted({*cleaned.get("cpv_divisions", []), *cleaned.get("cpv_groups", [])})
        interests = (
            cleaned.get("outcomes_of_interest"),
            cleaned["cpv_codes"],
            cleaned.get("alert_councils"),
            cleaned.get("alert_every_council"),
        )
        if cleaned.get("opportunity_alerts") and not any(interests) and "cpv_groups" not in self.errors:
            self.add_error(
                "opportunity_alerts",
                "Choose at least one outcome, kind of work or council to hear about, or untick this box",
            )
        return cleaned

    def _clean_normalised(self, name: str) -> str:
        tidy, check = self.normalised[name]
        value = tidy(self.cleaned_data.get(name, ""))
        check(value)
        return value

    def clean_charity_number(self):
        return self._clean_normalised("charity_number")

    def clean_company_number(self):
        return self._clean_normalised("company_number")

    def clean_ppon(self):
        return self._clean_normalised("ppon")

    def clean_postcode(self):
        return self._clean_normalised("postcode")


class OrganisationRegistrationForm(OrganisationForm):
    """A signed-in person registers an organisation and becomes its administrator."""

    submit_label = "Register organisation"


class AccountRegistrationForm(SetPasswordMixin, OrganisationRegistrationForm):
    """Self-registration: the organisation and the first person who acts for it."""

    error_messages = {"password_mismatch": "The passwords do not match. Enter the same password twice."}
    person_fields = ("full_name", "email", "password1", "password2")

    full_name = forms.CharField(
        label="Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will send you a link to confirm it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1="Create a password", label2="Confirm password"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = PASSWORD_HINT
        self.fields["password2"].help_text = "Enter the same password again."
        self.fields["full_name"].error_messages["required"] = "Enter your full name"
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = "Enter an email address like name@example.org"
        self.fields["password1"].error_messages["required"] = "Create a password"
        self.fields["password2"].error_messages["required"] = "Confirm your password"
        self.build_helper()

    def build_helper(self) -> None:
        super().build_helper()
        self.helper.layout = Layout(
            HTML('<h2 class="govuk-heading-m">Your organisation</h2>'),
            *self.organisation_layout(),
            HTML('<h2 class="govuk-heading-m">About you</h2>'),
            *self.person_fields,
            Button.primary("submit", self.submit_label),
        )

    def clean_email(self):
        # Whether the address already has an account is not said here (the service emails its owner).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        person = User(email=cleaned.get("email") or "", full_name=cleaned.get("full_name") or "")
        self.validate_password_for_user(person, "password1")
        return cleaned


class ResendVerificationForm(GovukFormMixin, forms.Form):
    submit_label = "Send a new link"

    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )


class InvitationRegisterForm(SetPasswordMixin, GovukFormMixin, forms.Form):
    """Someone invited at an address with no account creates one (the address is the invitation's)."""

    submit_label = "Create account"
    error_messages = {"password_mismatch": "The passwords do not match. Enter the same password twice."}

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1="Create a password", label2="Confirm password"
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = PASSWORD_HINT
        self.fields["password2"].help_text = "Enter the same password again."
        self.fields["password1"].error_messages["required"] = "Create a password"
        self.fields["password2"].error_messages["required"] = "Confirm your password"
        self.build_helper()

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        self.validate_password_for_user(User(email=self.email, full_name=cleaned.get("full_name") or ""), "password1")
        return cleaned


class InvitationAnswerForm(GovukFormMixin, forms.Form):
    submit_label = "Send answer"

    answer = forms.ChoiceField(
        label="Do you want to act for this organisation?",
        choices=[("accept", "Yes, accept the invitation"), ("decline", "No, decline the invitation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept or decline the invitation"},
    )


ROLE_HINTS = {
    ProviderRole.ORGANISATION_ADMIN: "Changes the profile, invites people and uploads compliance documents.",
    ProviderRole.BID_WRITER: "Writes and submits bids.",
    ProviderRole.MONITORING_CONTACT: "Sends monitoring returns for agreements.",
}


def role_field(label: str) -> forms.ChoiceField:
    choices = [Choice(role.value, role.label, hint=ROLE_HINTS[role]) for role in ProviderRole]
    field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)
    field.error_messages["required"] = "Choose a role"
    return field


class InvitePersonForm(GovukFormMixin, forms.Form):
    submit_label = "Send invitation"

    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter their full name"})
    email = forms.EmailField(
        label="Email address",
        help_text="We will email them an invitation. They act for the organisation only once they accept it.",
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    role = role_field("Role")


class ChangeRoleForm(GovukFormMixin, forms.Form):
    submit_label = "Change role"

    role = role_field("New role")


class RemovePersonForm(GovukFormMixin, forms.Form):
    submit_label = "Remove person"

    reason = forms.CharField(
        label="Why are they being removed? (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplianceDocumentForm(GovukInputsMixin, forms.ModelForm):
    submit_label = "Upload document"

    class Meta:
        model = ComplianceDocument
        fields = ["kind", "expires_on", "file"]
        labels = {"kind": "Kind of document", "expires_on": "Expiry or next review date", "file": "Document"}
        help_texts = {
            "expires_on": "When the policy is due for review, the insurance runs out, or the next accounts are due.",
            "file": UPLOAD_HINT,
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = "Choose the kind of document"
        self.fields["expires_on"].error_messages["required"] = "Enter the expiry or next review date"
        self.fields["file"].error_messages.update(
            {"required": "Select a file", "empty": "The selected file is empty", "invalid": "Select a file"}
        )


class ConfirmForm(GovukFormMixin, forms.Form):
    """A single button (the view sets its label)."""

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


class SupplierReasonForm(GovukFormMixin, forms.Form):
    """Why an organisation goes on, or comes off, the council's approved suppliers list."""

    reason = forms.CharField(
        help_text="Kept with the approved suppliers list and in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give a reason: it is kept in the audit trail."},
    )

    def __init__(self, *args, question: str, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = question
