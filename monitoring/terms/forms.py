"""Forms (GOV.UK Design System, through crispy-forms-gds) for an agreement's payment terms and clauses,
its payment-by-results tariff, and, once the agreement is live, the variation that changes them."""

from __future__ import annotations

from django import forms

from councils.fields import MoneyField
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from councils.models import User
from councils.permissions import VARIATION_APPROVERS
from monitoring.agreements.forms import not_in_future
from monitoring.agreements.variations import Approval
from monitoring.models import Agreement, AgreementKpi, AgreementTerms, ResultPayment
from monitoring.terms.services import TermsVariation, needs_variation

PAYMENT_MODEL = (
    ("fixed", "Fixed price"),
    ("per_unit", "Per unit delivered, at a unit price"),
    ("by_results", "Payment by results"),
)
YES_NO = (("yes", "Yes"), ("no", "No"))


def yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, help_text=help_text
    )


def as_yes_no(value: bool) -> str:
    return "yes" if value else "no"


def notice_days(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=1,
        label=label,
        help_text="In calendar days, as the agreement states it: 3 months is about 90 days.",
        error_messages={"invalid": f"{label} must be a whole number of days, like 90."},
    )


def kpi_choices(agreement: Agreement):
    return AgreementKpi.objects.filter(agreement=agreement, retired_on__isnull=True).order_by("position", "id")


class KpiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.description} ({obj.unit})"


class VariationFieldsMixin:
    """Once the agreement is live, the change is a variation: why, from when, and who approved it."""

    variation_fields = ("reason", "effective_on", "approved_by", "approved_on", "approval_reference")

    def add_variation_fields(self, agreement: Agreement) -> None:
        self.is_variation = needs_variation(agreement)
        if not self.is_variation:
            return
        approvers = User.objects.filter(
            memberships__council=agreement.council, memberships__role__in=VARIATION_APPROVERS
        ).distinct()
        self.fields.update(
            reason=forms.CharField(
                label="Reason for the variation",
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="The agreement is live: its terms change only through a variation, kept with the agreement.",
            ),
            effective_on=forms.DateField(label="Date the change takes effect"),
            approved_by=forms.ModelChoiceField(
                queryset=approvers,
                label="Approved by",
                empty_label="Choose who approved it",
                help_text="The lead commissioner or a portfolio holder.",
            ),
            approved_on=forms.DateField(label="Date it was approved"),
            approval_reference=forms.CharField(
                required=False,
                max_length=60,
                label="Decision reference (optional)",
                help_text="For example DEL/2026/014.",
            ),
        )
        for name in self.variation_fields:
            govuk_input(self.fields[name])
        self.fields["reason"].error_messages["required"] = "Give the reason for the variation."

    def clean_approved_on(self):
        return not_in_future(self.cleaned_data["approved_on"], "The approval date")

    def variation(self) -> TermsVariation | None:
        if not self.is_variation:
            return None
        data = self.cleaned_data
        return TermsVariation(
            reason=data["reason"],
            effective_on=data["effective_on"],
            approval=Approval(data["approved_by"], data["approved_on"], data.get("approval_reference") or ""),
        )


class TermsForm(VariationFieldsMixin, GovukFormMixin, forms.Form):
    """The payment model, the first result when payment by results starts, and the clauses."""

    payment_model = forms.MultipleChoiceField(
        label="How the provider is paid",
        choices=PAYMENT_MODEL,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply: a mix is common, for example a unit price with a payment by results.",
        error_messages={"required": "Choose how the provider is paid: fixed, per unit, by results, or a mix."},
    )
    unit_name = forms.CharField(
        required=False, max_length=80, label="Unit paid for (per unit only)", help_text="For example: hour of care."
    )
    unit_price = MoneyField(required=False, label="Price per unit (per unit only)")
    has_break_clause = yes_no("Is there a break clause?", "Either side may end the agreement early, on notice.")
    break_notice_days = notice_days("Break clause notice period (days)")
    has_get_out_clause = yes_no(
        "Is there a get-out clause?", "The council may end the agreement in set circumstances, such as lost funding."
    )
    get_out_notice_days = notice_days("Get-out clause notice period (days)")
    get_out_circumstances = forms.CharField(
        required=False, label="When the get-out clause can be used", widget=forms.Textarea(attrs={"rows": 3})
    )
    tupe_applies = yes_no(
        "Does TUPE apply?",
        "The Transfer of Undertakings (Protection of Employment) Regulations 2006: staff transfer with the service.",
    )
    tupe_note = forms.CharField(
        required=False,
        label="TUPE note (optional)",
        help_text="For example how many staff transfer, or why TUPE does not apply.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, agreement: Agreement, terms: AgreementTerms | None, **kwargs):
        self.agreement = agreement
        self.asks_first_result = terms is None or not terms.results.exists()
        super().__init__(*args, **kwargs)
        if self.asks_first_result:
            self.fields.update(
                result=forms.CharField(
                    required=False,
                    max_length=300,
                    label="Result paid for (payment by results only)",
                    help_text="For example: a person in work for 13 weeks. Add more results on the terms page.",
                ),
                price=MoneyField(required=False, label="Price per result (payment by results only)"),
                evidence=forms.CharField(
                    required=False,
                    label="Evidence required (payment by results only)",
                    widget=forms.Textarea(attrs={"rows": 2}),
                ),
                kpi=KpiChoiceField(
                    queryset=kpi_choices(agreement),
                    required=False,
                    label="KPI it is measured by (optional)",
                    empty_label="None: checked against the evidence",
                    help_text="Results are counted from accepted monitoring returns.",
                ),
            )
            self.order_fields(
                ["payment_model", "unit_name", "unit_price", "result", "price", "evidence", "kpi", *self.fields]
            )
        for field in self.fields.values():
            govuk_input(field)
        self.add_variation_fields(agreement)
        self.build_helper()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        model = set(data["payment_model"])
        first = None
        if self.asks_first_result and "by_results" in model and (data.get("result") or data.get("price")):
            first = ResultPayment(
                result=data.get("result") or "",
                price=data.get("price"),
                evidence=data.get("evidence") or "",
                kpi=data.get("kpi"),
            )
        return {
            "pays_fixed": "fixed" in model,
            "pays_per_unit": "per_unit" in model,
            "pays_by_results": "by_results" in model,
            "unit_name": data.get("unit_name") or "",
            "unit_price": data.get("unit_price"),
            "has_break_clause": data["has_break_clause"],
            "break_notice_days": data.get("break_notice_days"),
            "has_get_out_clause": data["has_get_out_clause"],
            "get_out_notice_days": data.get("get_out_notice_days"),
            "get_out_circumstances": data.get("get_out_circumstances") or "",
            "tupe_applies": data["tupe_applies"],
            "tupe_note": data.get("tupe_note") or "",
            "first_result": first,
            "variation": self.variation(),
        }


def terms_initial(terms: AgreementTerms | None) -> dict:
    if terms is None:
        return {"has_break_clause": "no", "has_get_out_clause": "no", "tupe_applies": "no"}
    model = [key for key, on in (("fixed", terms.pays_fixed), ("per_unit", terms.pays_per_unit)) if on]
    return {
        "payment_model": [*model, *(["by_results"] if terms.pays_by_results else [])],
        "unit_name": terms.unit_name,
        "unit_price": terms.unit_price,
        "has_break_clause": as_yes_no(terms.has_break_clause),
        "break_notice_days": terms.break_notice_days,
        "has_get_out_clause": as_yes_no(terms.has_get_out_clause),
        "get_out_notice_days": terms.get_out_notice_days,
        "get_out_circumstances": terms.get_out_circumstances,
        "tupe_applies": as_yes_no(terms.tupe_applies),
        "tupe_note": terms.tupe_note,
    }


class ResultForm(VariationFieldsMixin, GovukFormMixin, forms.ModelForm):
    """One line of the payment-by-results tariff."""

    price = MoneyField(label="Price per result")

    class Meta:
        model = ResultPayment
        fields = ("result", "price", "evidence", "kpi")
        labels = {
            "result": "Result paid for",
            "evidence": "Evidence required",
            "kpi": "KPI it is measured by (optional)",
        }
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"] = KpiChoiceField(
            queryset=kpi_choices(agreement),
            required=False,
            label="KPI it is measured by (optional)",
            empty_label="None: checked against the evidence",
            help_text="Results are counted from accepted monitoring returns.",
        )
        for field in self.fields.values():
            govuk_input(field)
        self.add_variation_fields(agreement)
        self.build_helper()


class ResultRemoveForm(VariationFieldsMixin, GovukFormMixin, forms.Form):
    submit_label = "Remove this result"

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_variation_fields(agreement)
        self.build_helper()
