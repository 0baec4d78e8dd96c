"""Crispy forms (GOV.UK template pack) for the remedies log: a deduction, a default notice, a remedy plan,
closing a plan out, withdrawing an entry, and the provider's response."""

from __future__ import annotations

from django import forms

from councils.fields import MoneyField
from councils.formatting import money
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from monitoring.models import Agreement, PlanOutcome
from monitoring.remedies import selectors


class GovukFieldsMixin(GovukFormMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class PaymentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        remains = f", {money(obj.net)} after deductions" if obj.deducted else ""
        return f"{obj.description}, due {obj.due_on:%d/%m/%Y}: {money(obj.amount)}{remains}"


class KpiChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.description


class ReturnChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"The return for {obj.period_label}"


class NoticeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"Issued {obj.issued_on:%d/%m/%Y}: {obj.breach[:80]}"


class DeductionForm(GovukFieldsMixin, forms.Form):
    submit_label = "Record the deduction"

    payment = PaymentChoice(queryset=None, label="From which scheduled payment", empty_label="Choose a payment")
    amount = MoneyField(label="Amount deducted", help_text="No more than what remains of the payment.")
    reason = forms.CharField(
        label="Why it is deducted", help_text="The provider sees this.", widget=forms.Textarea(attrs={"rows": 3})
    )
    kpi = KpiChoice(queryset=None, required=False, label="The KPI that was missed (optional)", empty_label="None")
    monitoring_return = ReturnChoice(
        queryset=None, required=False, label="The monitoring return it concerns (optional)", empty_label="None"
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment"].queryset = selectors.deductible_payments(agreement)
        self.fields["kpi"].queryset = selectors.agreement_kpis(agreement)
        self.fields["monitoring_return"].queryset = selectors.agreement_returns(agreement)


class DefaultNoticeForm(GovukFieldsMixin, forms.Form):
    submit_label = "Record the default notice"

    issued_on = forms.DateField(label="Date the notice was issued")
    breach = forms.CharField(
        label="The breach",
        help_text="What the provider failed to do, under which term.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required_action = forms.CharField(
        label="What must be done to put it right", widget=forms.Textarea(attrs={"rows": 3})
    )
    remedy_by = forms.DateField(label="Date it must be put right by")

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)


class RemedyPlanForm(GovukFieldsMixin, forms.Form):
    submit_label = "Record the remedy plan"

    actions = forms.CharField(label="What the provider will do", widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label="Date it is due to be completed", help_text="Today or later.")
    default_notice = NoticeChoice(
        queryset=None, required=False, label="The default notice it answers (optional)", empty_label="None"
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_notice"].queryset = selectors.standing_notices(agreement)


FORMS = {"deductions": DeductionForm, "default-notices": DefaultNoticeForm, "remedy-plans": RemedyPlanForm}


class CloseForm(GovukFieldsMixin, forms.Form):
    submit_label = "Close the plan"

    outcome = forms.ChoiceField(label="Was the plan met?", choices=PlanOutcome.choices, widget=forms.RadioSelect)
    closed_on = forms.DateField(label="Date it was closed")
    note = forms.CharField(label="What was found (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(GovukFieldsMixin, forms.Form):
    submit_label = "Withdraw this entry"

    reason = forms.CharField(
        label="What was wrong with it",
        help_text="Kept with the entry, and the provider is told.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResponseForm(GovukFieldsMixin, forms.Form):
    submit_label = "Send your response"

    response = forms.CharField(
        label="Your response",
        help_text="Sent to the council's contract manager. You can respond once, so say all you need to.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
