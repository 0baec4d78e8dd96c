"""An agreement's invoices and their payment, for the council's officers: the list (officers who read
the agreement), and recording an invoice, its payment, or withdrawing a wrong entry (finance officers
and commissioners). Thin: each view parses input and calls one service or selector. The agreement is
resolved first (404 if the user cannot read it), then the permission applies (403).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from councils.formatting import money
from councils.views import apply_form_errors
from monitoring.agreements.views import AgreementMixin
from monitoring.invoices import forms, selectors, services


class InvoicesMixin(AgreementMixin):
    permission_required = "monitoring.read_invoices"

    def invoices_url(self) -> str:
        return reverse(
            "monitoring:invoices", kwargs={"council_slug": self.agreement.council.slug, "pk": self.agreement.pk}
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.invoices_url())
        return super().get_context_data(**kwargs)


class InvoiceListView(InvoicesMixin, TemplateView):
    template_name = "monitoring/invoices.html"

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        kwargs.update(
            title="Invoices and payments",
            back_url=agreement.get_absolute_url(),
            detail=selectors.agreement_invoices(agreement),
            can_record=self.request.user.has_perm("monitoring.record_invoice", agreement),
            refusal=services.recording_refusal(agreement),
        )
        return super().get_context_data(**kwargs)


class RecordingMixin(InvoicesMixin):
    """Finance officers and commissioners (403 otherwise), once the agreement is signed."""

    permission_required = "monitoring.record_invoice"
    template_name = "monitoring/invoice_form.html"

    def refusal(self) -> str:
        return services.recording_refusal(self.agreement)

    def get(self, request, *args, **kwargs):
        return self.back(self.refusal()) if self.refusal() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.back(self.refusal()) if self.refusal() else super().post(request, *args, **kwargs)

    def back(self, message: str = "", anchor: str = ""):
        if message:
            messages.error(self.request, message)
        return redirect(self.invoices_url())

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.invoices_url())


class InvoiceRecordView(RecordingMixin, FormView):
    form_class = forms.InvoiceForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Record an invoice"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            invoice = services.invoice_record(by=self.request.user, agreement=self.agreement, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        paid = f", paid on {invoice.paid_on:%d/%m/%Y}" if invoice.is_paid else ""
        return self.done(f"Invoice {invoice.supplier_reference} for {money(invoice.amount)} recorded{paid}.")


class InvoiceStepMixin(RecordingMixin):
    """A step on one invoice of the agreement (another agreement's invoice is a 404)."""

    @cached_property
    def invoice(self):
        return selectors.invoice_of(self.agreement, self.kwargs["invoice_pk"])

    def refusal(self) -> str:
        if self.invoice.is_withdrawn:
            return f"Invoice {self.invoice.supplier_reference} was withdrawn: it can no longer change."
        return super().refusal()

    def get_context_data(self, **kwargs):
        kwargs["invoice"] = self.invoice
        return super().get_context_data(**kwargs)


class InvoicePayView(InvoiceStepMixin, FormView):
    form_class = forms.PaymentForm

    def refusal(self) -> str:
        if self.invoice.is_paid:
            return f"Invoice {self.invoice.supplier_reference} was paid on {self.invoice.paid_on:%d/%m/%Y} already."
        return super().refusal()

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Record the payment"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            invoice = services.invoice_pay(by=self.request.user, invoice=self.invoice, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        days = invoice.days_to_pay
        return self.done(
            f"Invoice {invoice.supplier_reference} paid {days} day{'s' if days != 1 else ''} after it was received."
        )


class InvoiceWithdrawView(InvoiceStepMixin, FormView):
    form_class = forms.WithdrawForm

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Withdraw a wrong entry"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.invoice_withdraw(by=self.request.user, invoice=self.invoice, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(f"Invoice {self.invoice.supplier_reference} withdrawn: it no longer counts in any figure.")
