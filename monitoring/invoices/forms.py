"""Crispy forms (GOV.UK template pack) for recording an invoice, its payment, and withdrawing a wrong entry."""

from __future__ import annotations

from django import forms

from councils.fields import MoneyField
from councils.forms import GovukFormMixin
from councils.govuk import govuk_input
from monitoring.models import Agreement


class ScheduledPaymentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.description}, due {obj.due_on:%d/%m/%Y}"


class InvoiceForm(GovukFormMixin, forms.Form):
    submit_label = "Record the invoice"

    supplier_reference = forms.CharField(label="Invoice number", max_length=60, help_text="As the supplier gave it.")
    received_on = forms.DateField(label="Date the invoice was received", help_text="The day it reached the council.")
    amount = MoneyField(label="Amount invoiced", help_text="The invoice's total, including VAT.")
    scheduled_payment = ScheduledPaymentChoice(
        queryset=None, required=False, label="For which scheduled payment (optional)", empty_label="Not one of them"
    )
    paid_on = forms.DateField(
        required=False,
        label="Date it was paid (if it has been)",
        help_text="The day the supplier received the money. Leave empty if it is not paid yet.",
    )
    paid_amount = MoneyField(
        required=False,
        label="Amount paid (optional)",
        help_text="Leave empty if the full amount was paid (less any deductions from its scheduled payment).",
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheduled_payment"].queryset = agreement.payments.order_by("due_on", "id")
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class PaymentForm(GovukFormMixin, forms.Form):
    submit_label = "Record the payment"

    paid_on = forms.DateField(label="Date it was paid", help_text="The day the supplier received the money.")
    paid_amount = MoneyField(
        required=False,
        label="Amount paid (optional)",
        help_text="Leave empty if the full amount was paid (less any deductions from its scheduled payment).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_input(field)
        self.build_helper()


class WithdrawForm(GovukFormMixin, forms.Form):
    submit_label = "Withdraw this entry"

    reason = forms.CharField(
        label="What was wrong with it",
        help_text="Kept with the entry. Enter the invoice again, correctly, once it is withdrawn.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
