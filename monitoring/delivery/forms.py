"""Crispy forms (GOV.UK template pack) for deliverables and the agreement risk register."""

from __future__ import annotations

from django import forms

from commissioning.cycle.forms import CommissionerModelForm
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from councils.models import User
from councils.permissions import OFFICER
from councils.uploads import UPLOAD_HINT, validate_upload
from monitoring.models import AgreementRisk, Deliverable, PaymentKind


class DeliverableForm(CommissionerModelForm):
    submit_label = "Save the deliverable"

    class Meta:
        model = Deliverable
        fields = ("title", "description", "due_on", "payment")
        labels = {
            "title": "What is to be delivered",
            "description": "What counts as delivered (optional)",
            "due_on": "Due date",
            "payment": "Milestone payment it triggers (optional)",
        }
        help_texts = {"payment": "The payment is due only once the council accepts the deliverable."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agreement, **kwargs):
        self.agreement = agreement
        super().__init__(*args, council=agreement.council, **kwargs)

    def limit_choices(self) -> None:
        taken = Deliverable.objects.filter(agreement=self.agreement, payment__isnull=False)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        self.fields["payment"].queryset = (
            self.agreement.payments.filter(kind=PaymentKind.MILESTONE)
            .exclude(pk__in=taken.values("payment_id"))
            .order_by("due_on", "id")
        )
        self.fields["payment"].empty_label = "Not linked to a payment"


class ReportForm(GovukFormMixin, forms.Form):
    """The provider reports a deliverable achieved, with its evidence (words, a file, or both)."""

    submit_label = "Report it as achieved"

    achieved_on = forms.DateField(label="Date it was achieved")
    evidence_text = forms.CharField(
        label="Evidence that it was achieved",
        help_text="What was delivered and how the council can check it. Describe it, upload a file, or both.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    evidence_document = forms.FileField(
        label="Evidence file (optional)",
        help_text=UPLOAD_HINT,
        validators=[validate_upload],
        required=False,
        error_messages={"empty": "The selected file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class DecisionForm(GovukFormMixin, forms.Form):
    """A commissioner accepts a reported deliverable, or refuses it with the reason."""

    submit_label = "Record the decision"

    decision = forms.ChoiceField(
        label="Is the deliverable achieved?",
        choices=[("accept", "Yes: accept it"), ("refuse", "No: do not accept it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept the deliverable"},
    )
    reason = forms.CharField(
        label="Reason (required when you do not accept it)",
        help_text="The provider sees it, and may report the deliverable again in a later return.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give the reason the deliverable is not accepted")
        return cleaned


class AgreementRiskForm(CommissionerModelForm):
    submit_label = "Save the risk"
    score_fields = ("likelihood", "impact")

    class Meta:
        model = AgreementRisk
        fields = ("description", "likelihood", "impact", "owner", "mitigation", "status")
        labels = {"owner": "Risk owner", "status": "Status"}
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, agreement, **kwargs):
        self.agreement = agreement
        super().__init__(*args, council=agreement.council, **kwargs)

    def limit_choices(self) -> None:
        self.fields["owner"].queryset = (
            User.objects.filter(memberships__council=self.council, memberships__role__in=OFFICER)
            .distinct()
            .order_by("full_name", "pk")
        )
        self.fields["owner"].empty_label = "Not named yet"
