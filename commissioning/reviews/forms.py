"""Crispy forms (GOV.UK template pack) for reviews of existing services."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from commissioning import ports
from commissioning.models import Conclusion, Review
from commissioning.permissions import COMMISSIONERS
from commissioning.reviews.selectors import provision_map
from commissioning.reviews.services import NewMeasure
from councils.forms import CouncilScopedModelForm, GovukFormMixin
from councils.govuk import govuk_input
from councils.models import Portfolio, User
from councils.selectors import outcomes_for_council
from councils.uploads import UPLOAD_HINT, validate_upload


class ProvisionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.service_name}, run by {obj.provider_name} (on the provision map of {obj.commission.reference})"


class ReviewForm(CouncilScopedModelForm):
    """Opening a review, and changing its scope, timetable and what it covers while it is open."""

    agreements = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Agreements the review covers",
        help_text="Live or ended agreements of the council.",
    )

    class Meta:
        model = Review
        fields = ("title", "scope", "lead_officer", "portfolio", "outcomes", "starts_on", "concludes_by", "provisions")
        labels = {
            "title": "Title",
            "portfolio": "Portfolio (optional)",
            "outcomes": "Council outcomes the services contribute to",
            "provisions": "Services from the provision map the review covers",
        }
        help_texts = {"title": "Name the services under review, e.g. 'Review of day services for older people'."}
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.CheckboxSelectMultiple,
            "provisions": forms.CheckboxSelectMultiple,
        }
        field_classes = {"provisions": ProvisionChoiceField}

    def limit_choices(self) -> None:
        council = self.council
        self.fields["lead_officer"].queryset = User.objects.filter(
            memberships__council=council, memberships__role__in=COMMISSIONERS
        ).distinct()
        self.fields["lead_officer"].empty_label = "Choose an officer"
        self.fields["portfolio"].queryset = Portfolio.objects.filter(council=council)
        self.fields["portfolio"].empty_label = "Not decided yet"
        self.fields["outcomes"].queryset = outcomes_for_council(council)
        self.fields["provisions"].queryset = provision_map(council)
        self.fields["agreements"].choices = ports.reviewed_agreements.choices(council)
        if self.instance.pk:
            self.initial.setdefault("agreements", [a.pk for a in ports.reviewed_agreements.of_review(self.instance)])
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def build_helper(self) -> None:
        super().build_helper()
        for name in ("outcomes", "provisions", "agreements"):
            if name in self.fields:
                self.helper[name].wrap(Field.checkboxes, legend_size=Size.SMALL, small=True)

    def clean(self):
        cleaned = super().clean()
        starts_on, concludes_by = cleaned.get("starts_on"), cleaned.get("concludes_by")
        if starts_on and concludes_by and concludes_by < starts_on:
            self.add_error("concludes_by", "The planned conclusion date must be the same as or after the start date.")
        return cleaned


class ReviewEditForm(ReviewForm):
    submit_label = "Save the review"

    class Meta(ReviewForm.Meta):
        fields = (*ReviewForm.Meta.fields, "findings")
        labels = {**ReviewForm.Meta.labels, "findings": "What the review has found so far (optional)"}
        widgets = {**ReviewForm.Meta.widgets, "findings": forms.Textarea(attrs={"rows": 6})}


class ReviewOpenForm(ReviewForm):
    submit_label = "Open the review"


class EvidenceForm(GovukFormMixin, forms.Form):
    submit_label = "Add the evidence"

    title = forms.CharField(max_length=200, help_text="For example, 'Attendance figures 2025/26'.")
    note = forms.CharField(
        required=False,
        label="Note (optional if you add a document)",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    document = forms.FileField(
        required=False,
        label="Document (optional if you write a note)",
        help_text=UPLOAD_HINT,
        validators=[validate_upload],
        error_messages={"empty": "The selected file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("note") or "").strip() and not cleaned.get("document") and not self.errors:
            self.add_error("note", "Write a note or choose a document")
        return cleaned


class ConclusionForm(GovukFormMixin, forms.Form):
    """The conclusion, its reasons, and for a service kept as it is, its new outcomes framework."""

    submit_label = "Record the conclusion"

    from_state = forms.CharField(widget=forms.HiddenInput)
    findings = forms.CharField(label="What the review found", widget=forms.Textarea(attrs={"rows": 6}))
    conclusion = forms.ChoiceField(choices=Conclusion.choices, widget=forms.RadioSelect, label="Conclusion")
    reasons = forms.CharField(label="Reasons for the conclusion", widget=forms.Textarea(attrs={"rows": 5}))
    measures = forms.CharField(
        required=False,
        label="New outcomes framework",
        help_text=(
            "Needed when the service is kept as it is. One success measure a line, as the outcome, "
            "a colon, then how it is measured and its target, e.g. "
            "'Older people stay connected: 80% of users report feeling less lonely'."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()

    def build_helper(self) -> None:
        super().build_helper()
        if "conclusion" in self.fields:
            self.helper["conclusion"].wrap(Field.radios, legend_size=Size.SMALL)

    def clean_measures(self) -> list[NewMeasure]:
        measures = []
        for number, line in enumerate(self.cleaned_data["measures"].splitlines(), start=1):
            if not line.strip():
                continue
            outcome, colon, measure = line.partition(":")
            if not colon or not outcome.strip() or not measure.strip():
                raise forms.ValidationError(
                    f"Line {number}: write the outcome, a colon, then how it is measured and its target."
                )
            if len(outcome.strip()) > 300 or len(measure.strip()) > 300:
                raise forms.ValidationError(
                    f"Line {number}: keep the outcome and the measure under 300 characters each."
                )
            measures.append(NewMeasure(outcome=outcome.strip(), measure=measure.strip()))
        return measures

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("conclusion") == Conclusion.KEEP
            and not cleaned.get("measures")
            and "measures" not in self.errors
        ):
            self.add_error("measures", "Record at least one success measure of the new outcomes framework")
        return cleaned
