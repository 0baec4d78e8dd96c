"""Crispy forms (GOV.UK template pack) for agreements: the draft's terms, KPIs, targets per period
and payments, and the confirmation forms for signing, going live, varying, extending and ending."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from commissioning.cycle.forms import CommissionerModelForm
from commissioning.models import Lot
from councils.fields import MoneyField
from councils.forms import GovukFormMixin
from councils.govuk import QuantityField, govuk_input
from councils.inputs import BoundedInputsMixin
from councils.lean_forms import filters_helper
from councils.models import Council, User
from councils.permissions import OFFICER, VARIATION_APPROVERS
from councils.units import whole_number_problem
from councils.uploads import UPLOAD_HINT, validate_upload
from councils.widgets import LeanModelChoiceField
from monitoring.agreements.variations import needs_modification_ground
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementType,
    ModificationGround,
    PaymentKind,
    ScheduledPayment,
    TargetKind,
    TerminationGround,
)
from providers.models import Organisation


class GovukInputs:
    """GOV.UK inputs for every field: dates as dd/mm/yyyy text, numbers in text boxes, no blank radio."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        owned = " (council-owned)" if obj.is_in_house or obj.owning_council_id else ""
        return f"{obj.legal_name}{owned}"


class AgreementForm(CommissionerModelForm):
    """A draft agreement's terms. The other party is a provider organisation or an internal team."""

    money_fields = ("value",)

    class Meta:
        model = Agreement
        fields = (
            "title",
            "agreement_type",
            "provider",
            "internal_team_name",
            "lot",
            "description",
            "value",
            "funding_pot",
            "starts_on",
            "ends_on",
            "max_extensions",
            "extension_period_months",
            "extension_notice_days",
            "monitoring_frequency",
            "council_contact",
            "provider_contact_name",
            "provider_contact_email",
            "provider_contact_phone",
        )
        labels = {
            "agreement_type": "Type of agreement",
            "provider": "Provider organisation",
            "internal_team_name": "Or the council's internal team",
            "lot": "Lot (optional)",
            "description": "What the agreement is for (optional)",
            "funding_pot": "Funding source (optional)",
            "starts_on": "Start date",
            "ends_on": "End date",
            "max_extensions": "How many extensions are allowed",
            "extension_period_months": "How long each extension may be, in months",
            "extension_notice_days": "Notice needed to extend, in days before the end date",
            "council_contact": "Council contact",
            "provider_contact_name": "Provider contact's name (optional)",
            "provider_contact_email": "Provider contact's email address (optional)",
            "provider_contact_phone": "Provider contact's phone number (optional)",
        }
        help_texts = {
            "provider": "In-house teams and council-owned companies registered as providers are listed too.",
            "internal_team_name": "Leave empty when a provider organisation is chosen. For example: Leisure Services.",
            "max_extensions": "For example 2, for ‘up to 2 × 12 months’. 0 for none.",
            "extension_notice_days": "How long before the current end date the council must decide and tell the "
            "other party that it takes up an extension, for example 90. 0 when no notice is needed. The contract "
            "manager and the lead officer are warned ahead of this date.",
            "monitoring_frequency": "How often the provider reports against the KPIs.",
        }
        widgets = {"agreement_type": forms.RadioSelect, "monitoring_frequency": forms.RadioSelect}
        field_classes = {"provider": ProviderChoiceField}

    def __init__(self, *args, commission, **kwargs):
        self.commission = commission
        super().__init__(*args, council=commission.council, **kwargs)
        self.build_helper()  # the lot question is asked only when the commission's opportunity has lots

    def limit_choices(self) -> None:
        self.fields["provider"].queryset = Organisation.objects.order_by("legal_name")
        self.fields["provider"].empty_label = "An internal team (name it below)"
        self.fields["provider"].required = False
        lots = Lot.objects.filter(opportunity__commission=self.commission)
        if lots.exists():
            self.fields["lot"].queryset = lots.select_related("opportunity")
            self.fields["lot"].empty_label = "The whole commission"
        else:
            del self.fields["lot"]
        self.fields["funding_pot"].queryset = self.council.funding_pots.all()
        self.fields["funding_pot"].empty_label = "Not recorded"
        self.fields["council_contact"].queryset = officers_of(self.council)
        self.fields["council_contact"].required = True
        self.fields["extension_notice_days"].required = False  # empty is no notice

    def clean_extension_notice_days(self):
        return self.cleaned_data.get("extension_notice_days") or 0

    def clean(self):
        cleaned = super().clean()
        provider, team = cleaned.get("provider"), (cleaned.get("internal_team_name") or "").strip()
        if provider is None and not team:
            self.add_error("provider", "Choose the provider organisation, or name the council's internal team")
        elif provider is not None and team:
            self.add_error("internal_team_name", "Leave the internal team empty when a provider organisation is chosen")
        return cleaned

    def terms(self) -> dict:
        """The cleaned terms, as `monitoring.agreements.services.agreement_create` takes them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        data["internal_team_name"] = data.get("internal_team_name") or ""
        return data


def officers_of(council: Council):
    return User.objects.filter(memberships__council=council, memberships__role__in=OFFICER).distinct()


class KpiForm(CommissionerModelForm):
    baseline = QuantityField(required=False, label="Baseline (optional)", help_text="Where things stand now, if known.")
    target = QuantityField(label="Target for the whole agreement")

    class Meta:
        model = AgreementKpi
        fields = ("outcome", "description", "unit", "baseline", "target", "target_kind", "higher_is_better")
        labels = {
            "outcome": "Outcome it evidences (optional)",
            "description": "What is measured",
            "target_kind": "How the target applies to each reporting period",
            "higher_is_better": "A higher number is better",
        }
        help_texts = {"description": "For example: befriending sessions delivered."}
        widgets = {"target_kind": forms.RadioSelect, "outcome": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        self.agreement = agreement
        super().__init__(*args, council=agreement.council, **kwargs)
        self.fields["target_kind"].choices = TargetKind.choices


class KpiTargetsForm(GovukFormMixin, forms.Form):
    """A target for each reporting period of one KPI."""

    submit_label = "Save targets"

    def __init__(self, *args, kpi: AgreementKpi, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.periods = {}
        for index, row in enumerate(targets):
            name = f"period_{index}"
            self.periods[name] = row.period_start
            self.fields[name] = QuantityField(
                label=f"{row.period_start.day} {row.period_start:%B %Y} to {row.period_end.day} {row.period_end:%B %Y}",
                initial=f"{row.target.normalize():f}",
                help_text=kpi.unit,
            )
            govuk_input(self.fields[name])
        self.build_helper()

    def clean(self):
        cleaned = super().clean()
        for name in self.periods:
            problem = whole_number_problem(cleaned.get(name), self.kpi.unit)
            if problem:
                self.add_error(name, problem)
        return cleaned

    def targets(self) -> dict:
        return {start: self.cleaned_data[name] for name, start in self.periods.items()}


class PaymentForm(CommissionerModelForm):
    money_fields = ("amount",)

    class Meta:
        model = ScheduledPayment
        fields = ("kind", "description", "due_on", "amount", "kpi", "condition")
        labels = {
            "kind": "Kind of payment",
            "due_on": "Due date",
            "kpi": "Linked to performance against (optional)",
            "condition": "Condition for payment (optional)",
        }
        widgets = {"kind": forms.RadioSelect, "condition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        self.agreement = agreement
        super().__init__(*args, council=agreement.council, **kwargs)

    def limit_choices(self) -> None:
        self.fields["kind"].choices = [c for c in PaymentKind.choices if c[0] != PaymentKind.ADJUSTMENT]
        self.fields["kpi"].queryset = self.agreement.kpis.filter(retired_on__isnull=True)
        self.fields["kpi"].empty_label = "Not linked to a KPI"


class ConfirmForm(GovukFormMixin, forms.Form):
    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


# ---- State changes and variations ------------------------------------------------------------------


class ActionForm(GovukInputs, GovukFormMixin, forms.Form):
    """A step in the agreement's life. `from_state` is the state the officer saw."""

    from_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        label="Comment (optional)",
        help_text="Kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason_required = False
    field_order = ()

    def __init__(self, *args, submit_label: str, agreement: Agreement, **kwargs):
        self.submit_label = submit_label
        self.agreement = agreement
        super().__init__(*args, **kwargs)
        if self.reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Reason"
            self.fields["reason"].error_messages["required"] = "Give a reason: it is kept with the agreement."
        if self.field_order:
            self.order_fields([*self.field_order, "reason", "from_state"])
            self.build_helper()


def not_in_future(value, label: str):
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{label} cannot be in the future.")
    return value


class SignForm(ActionForm):
    signed_document = forms.FileField(
        label="Signed agreement",
        help_text=f"The copy signed by both parties. {UPLOAD_HINT}",
        validators=[validate_upload],
        error_messages={"required": "Select the signed agreement", "empty": "The selected file is empty"},
    )
    signed_on = forms.DateField(label="Date it was signed")
    field_order = ("signed_document", "signed_on")

    def clean_signed_on(self):
        return not_in_future(self.cleaned_data["signed_on"], "The date it was signed")


class GoLiveForm(ActionForm):
    live_on = forms.DateField(label="Date delivery started")
    field_order = ("live_on",)

    def clean_live_on(self):
        return not_in_future(self.cleaned_data["live_on"], "The date delivery started")


class ReasonForm(ActionForm):
    reason_required = True


class TerminateForm(ActionForm):
    reason_required = True
    terminated_on = forms.DateField(label="Date the agreement ends")
    ground = forms.ChoiceField(
        label="Why the agreement is ending",
        choices=TerminationGround.choices,
        widget=forms.RadioSelect,
        help_text="A contract under the Procurement Act 2023 publishes it in its termination notice. For a breach, "
        "say in the reason what was breached, its impact and how long it lasted, and any damages or settlement "
        "with their dates.",
    )
    field_order = ("terminated_on", "ground")


class VariationForm(ActionForm):
    """A variation: the new terms, why, and who approved it and when."""

    reason_required = True
    effective_on = forms.DateField(label="Date the change takes effect")
    approved_by = forms.ModelChoiceField(queryset=None, label="Approved by", empty_label="Choose who approved it")
    approved_on = forms.DateField(label="Date it was approved")
    approval_reference = forms.CharField(
        required=False, max_length=60, label="Decision reference (optional)", help_text="For example DEL/2026/014."
    )
    terms_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        self.field_order = (*self.terms_fields, "effective_on", "approved_by", "approved_on", "approval_reference")
        super().__init__(*args, **kwargs)
        council = self.agreement.council
        self.fields["approved_by"].queryset = User.objects.filter(
            memberships__council=council, memberships__role__in=VARIATION_APPROVERS
        ).distinct()
        self.fields[
            "approved_by"
        ].help_text = (
            "The lead commissioner or a portfolio holder; a portfolio holder at or above the key-decision threshold."
        )
        self.build_helper()

    def clean_approved_on(self):
        return not_in_future(self.cleaned_data["approved_on"], "The approval date")


class GroundMixin:
    """Above-threshold contracts: what in the Procurement Act 2023 permits the change (the contract change
    notice gives it). Other agreements are not asked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_modification_ground(self.agreement):
            self.fields["ground"] = forms.ChoiceField(
                label="What permits the change",
                choices=ModificationGround.choices,
                widget=forms.RadioSelect,
                help_text="Section 74 and Schedule 8 of the Procurement Act 2023.",
            )
            govuk_input(self.fields["ground"])
            self.order_fields([*self.field_order[:-4], "ground", *self.field_order[-4:], "reason", "from_state"])
            self.build_helper()


class ValueVariationForm(GroundMixin, VariationForm):
    value = MoneyField(label="New value")
    adjustment_due_on = forms.DateField(
        required=False,
        label="When the difference is paid or recovered (optional)",
        help_text="Added to the payment schedule. Leave empty for the date the change takes effect.",
    )
    terms_fields = ("value", "adjustment_due_on")


class DatesVariationForm(GroundMixin, VariationForm):
    starts_on = forms.DateField(label="Start date")
    ends_on = forms.DateField(label="End date", help_text="A later end date is an extension.")
    terms_fields = ("starts_on", "ends_on")


class KpiVariationForm(VariationForm):
    kpi = forms.ModelChoiceField(queryset=None, required=False, label="KPI", empty_label="Add a new KPI")
    description = forms.CharField(required=False, max_length=300, label="What is measured")
    unit = forms.CharField(required=False, max_length=60, label="Unit")
    target = QuantityField(required=False, label="New target for the whole agreement")
    retire = forms.BooleanField(required=False, label="Drop this KPI from the date the change takes effect")
    terms_fields = ("kpi", "description", "unit", "target", "retire")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = self.agreement.kpis.filter(retired_on__isnull=True)
        self.fields["description"].help_text = "Leave empty to keep the KPI's description."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("retire"):
            if cleaned.get("kpi") is None:
                self.add_error("kpi", "Choose the KPI to drop")
        elif cleaned.get("target") is None and "target" not in self.errors:
            self.add_error("target", "Enter the target")
        if cleaned.get("kpi") is None and not cleaned.get("retire"):
            for name in ("description", "unit"):
                if not cleaned.get(name):
                    self.add_error(name, f"Enter {'what is measured' if name == 'description' else 'the unit'}")
        return cleaned


class ExtensionForm(VariationForm):
    ends_on = forms.DateField(label="New end date")
    terms_fields = ("ends_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An extension takes effect the day after the current end.
        del self.fields["effective_on"]
        self.build_helper()


class FilterForm(BoundedInputsMixin, forms.Form):
    """A GET form of list filters with one "Apply filters" button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices()
        self.helper = filters_helper(self)

    def limit_choices(self) -> None:
        pass

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class RegisterFilterForm(FilterForm):
    council = LeanModelChoiceField(queryset=None, required=False, empty_label="All councils")
    agreement_type = forms.ChoiceField(
        required=False, choices=[("", "All types"), *AgreementType.choices], label="Type of agreement"
    )

    def limit_choices(self) -> None:
        self.fields["council"].queryset = Council.objects.order_by("name")


class AgreementFilterForm(FilterForm):
    q = forms.CharField(required=False, label="Search by title, reference or provider")
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *AgreementState.choices], label="State")
    agreement_type = forms.ChoiceField(
        required=False, choices=[("", "All types"), *AgreementType.choices], label="Type of agreement"
    )
