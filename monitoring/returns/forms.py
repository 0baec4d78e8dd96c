"""Crispy forms (GOV.UK template pack) for monitoring returns: the provider's return (an actual and a
comment per KPI, the narrative, case study, spend to date, risks and issues, and the answer to a
query), evidence uploads, the officer's query and acceptance with RAG ratings, performance
assessments, the council's monitoring settings, and the returns list's filters."""

from __future__ import annotations

from django import forms
from django.utils.html import escape

from councils.fields import MoneyField
from councils.formatting import quantity_in
from councils.forms import GovukFormMixin
from councils.govuk import QuantityField, govuk_input
from councils.uploads import UPLOAD_HINT, validate_upload
from councils.widgets import LeanModelChoiceField
from monitoring.agreements.forms import FilterForm, not_in_future
from monitoring.models import AssessmentKind, MonitoringSettings, PerformanceRating, Rag, ReturnState
from monitoring.returns.selectors import agreements_with_returns

YES_NO = [("yes", "Yes"), ("no", "No")]


def _dynamic(field: forms.Field, label: str, required_message: str = "") -> forms.Field:
    """A field made per KPI. Crispy's GOV.UK templates print labels unescaped, so the label (which
    carries what officers typed) is escaped here; the error summary escapes error messages itself."""
    field.label = escape(label)
    govuk_input(field)
    if required_message:
        field.error_messages["required"] = required_message
    return field


def _plain(number) -> str | None:
    """A quantity as people write it: 100, not 100.00 or 1E+2."""
    return None if number is None else f"{number.normalize():f}"


def _target_text(target, kpi) -> str:
    if target is None:
        return "There is no target for this period."
    direction = "higher" if kpi.higher_is_better else "lower"
    return f"Target for this period: {quantity_in(target, kpi.unit)} {kpi.unit} ({direction} is better)."


class ReturnForm(GovukFormMixin, forms.Form):
    """The provider's return. Everything may be left empty in a draft; submitting needs an actual for
    every KPI, the outcomes, the spend to date, and for a queried return the answer (the service says
    what is missing)."""

    outcomes_narrative = forms.CharField(
        required=False,
        label="Outcomes achieved in this period",
        help_text="What changed for the people you work with, and how you know.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    case_study = forms.CharField(
        required=False,
        label="Case study (optional)",
        help_text="One person's or group's story. Leave out names and anything that identifies them.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    spend_to_date = MoneyField(
        required=False,
        label="Spend to date",
        help_text="What you have spent of the agreement's money since it started, in pounds.",
    )
    risks_and_issues = forms.CharField(
        required=False,
        label="Risks and issues (optional)",
        help_text="Anything that could stop you delivering, and what you are doing about it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer = forms.CharField(
        required=False,
        label="Your answer to the council's question",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, rows, monitoring_return, open_query=None, **kwargs):
        self.rows = rows
        initial = kwargs.setdefault("initial", {})
        for name in ("outcomes_narrative", "case_study", "spend_to_date", "risks_and_issues"):
            initial.setdefault(name, getattr(monitoring_return, name))
        if open_query is not None:
            initial.setdefault("answer", open_query.answer)
        super().__init__(*args, **kwargs)
        if open_query is None:
            del self.fields["answer"]
        for field in self.fields.values():
            govuk_input(field)
        for row in rows:
            kpi = row.kpi
            self.fields[f"actual_{kpi.pk}"] = _dynamic(
                QuantityField(
                    required=False,
                    help_text=escape(_target_text(row.target, kpi)),
                    initial=_plain(row.actual.actual if row.actual else None),
                ),
                f"{kpi.description}: actual ({kpi.unit})",
            )
            self.fields[f"comment_{kpi.pk}"] = _dynamic(
                forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=row.actual.comment if row.actual else "",
                ),
                f"Comment on ‘{kpi.description}’ (optional)",
            )
        self.build_helper()

    def kpi_fields(self):
        """Pairs of bound fields (actual, comment), one per KPI row, for the template."""
        return [(row, self[f"actual_{row.kpi.pk}"], self[f"comment_{row.kpi.pk}"]) for row in self.rows]

    def content(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("outcomes_narrative", "case_study", "spend_to_date", "risks_and_issues")
        }

    def actuals(self) -> dict:
        return {
            row.kpi.pk: (self.cleaned_data.get(f"actual_{row.kpi.pk}"), self.cleaned_data.get(f"comment_{row.kpi.pk}"))
            for row in self.rows
        }


class EvidenceForm(GovukFormMixin, forms.Form):
    submit_label = "Upload the evidence"

    title = forms.CharField(
        max_length=200, label="What it is", help_text="For example: attendance sheets, April to June."
    )
    document = forms.FileField(
        label="File",
        help_text=UPLOAD_HINT,
        validators=[validate_upload],
        error_messages={"required": "Select the file", "empty": "The selected file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = "Enter what the evidence is"


class ConfirmForm(GovukFormMixin, forms.Form):
    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


class QueryForm(GovukFormMixin, forms.Form):
    """A question on a submitted return: it goes back to the provider to answer."""

    submit_label = "Send the query to the provider"

    from_state = forms.CharField(widget=forms.HiddenInput)
    question = forms.CharField(
        label="Your question",
        help_text="Say what is unclear or missing. The provider answers it and submits the return again.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your question for the provider"},
    )


class AcceptForm(GovukFormMixin, forms.Form):
    """Accept a return: the RAG rating of each KPI, worked out from its actual and target, which the
    officer may change with a reason."""

    submit_label = "Accept the return"

    from_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False,
        label="Comment for the provider (optional)",
        help_text="Kept with the return.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, rows, computed: dict, **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)
        for row in rows:
            actual = row.actual
            name = row.kpi.description
            self.fields[f"rag_{actual.pk}"] = _dynamic(
                forms.ChoiceField(
                    choices=Rag.choices,
                    widget=forms.RadioSelect,
                    initial=actual.rag_override or computed[actual.pk],
                    help_text=escape(f"Worked out from the actual and target: {Rag(computed[actual.pk]).label}."),
                ),
                f"RAG rating for ‘{name}’",
                f"Choose the RAG rating for ‘{name}’",
            )
            self.fields[f"rag_reason_{actual.pk}"] = _dynamic(
                forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=actual.rag_override_reason,
                ),
                f"Why you rate ‘{name}’ differently (only if you change it)",
            )
        self.order_fields([*(n for n in self.fields if n.startswith("rag")), "comment", "from_state"])
        self.build_helper()

    def overrides(self) -> dict:
        return {
            row.actual.pk: (self.cleaned_data[f"rag_{row.actual.pk}"], self.cleaned_data[f"rag_reason_{row.actual.pk}"])
            for row in self.rows
        }


class AssessmentForm(GovukFormMixin, forms.Form):
    """A Procurement Act 2023 KPI assessment: a rating for each KPI in force."""

    submit_label = "Record the assessment"

    kind = forms.ChoiceField(choices=AssessmentKind.choices, widget=forms.RadioSelect, label="Kind of assessment")
    assessed_on = forms.DateField(label="Date of the assessment")

    def __init__(self, *args, kpis, kinds, **kwargs):
        self.kpis = kpis
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in AssessmentKind.choices if c[0] in kinds]
        for field in self.fields.values():
            govuk_input(field)
        for kpi in kpis:
            self.fields[f"rating_{kpi.pk}"] = _dynamic(
                forms.ChoiceField(choices=PerformanceRating.choices, widget=forms.RadioSelect),
                f"Rating for ‘{kpi.description}’",
                f"Choose a rating for ‘{kpi.description}’",
            )
            self.fields[f"explanation_{kpi.pk}"] = _dynamic(
                forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2})),
                f"Explanation for ‘{kpi.description}’ (needed for ‘other’)",
            )
        self.build_helper()

    def clean_assessed_on(self):
        return not_in_future(self.cleaned_data["assessed_on"], "The date of the assessment")

    def ratings(self) -> dict:
        return {
            kpi.pk: (self.cleaned_data[f"rating_{kpi.pk}"], self.cleaned_data.get(f"explanation_{kpi.pk}", ""))
            for kpi in self.kpis
        }


class MonitoringSettingsForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Save the monitoring settings"

    due_days_are_working_days = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Count those days in working days?",
        help_text="Working days skip weekends and England and Wales bank holidays.",
    )
    hold_payments_when_overdue = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Flag an agreement's payments as on hold while any of its returns is overdue?",
    )

    class Meta:
        model = MonitoringSettings
        fields = (
            "return_due_days",
            "due_days_are_working_days",
            "amber_tolerance_percent",
            "hold_payments_when_overdue",
        )
        labels = {
            "return_due_days": "Days after a period ends that its return is due",
            "amber_tolerance_percent": "Amber tolerance, as a percentage of the target",
        }
        help_texts = {
            "return_due_days": "Applies to returns scheduled from now on; returns already scheduled keep their dates.",
            "amber_tolerance_percent": "An actual short of its target by no more than this is amber; further short "
            "is red. For example 10.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.initial["due_days_are_working_days"] = "yes" if instance.due_days_are_working_days else "no"
        self.initial["hold_payments_when_overdue"] = "yes" if instance.hold_payments_when_overdue else "no"
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class ReturnFilterForm(FilterForm):
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Any state but ‘no longer required’"), *ReturnState.choices],
        label="State",
    )
    overdue = forms.BooleanField(required=False, label="Only overdue returns")
    agreement = LeanModelChoiceField(queryset=None, required=False, empty_label="All agreements")

    def __init__(self, *args, user, council, **kwargs):
        self.user, self.council = user, council
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        self.fields["agreement"].queryset = agreements_with_returns(self.user, self.council)
