"""An agreement's savings realised: the page (whoever reads the agreement), recording a year's figure
(commissioners and finance officers, once the agreement has taken effect) and a finance officer's
confirmation. Thin: each view parses input and calls one service or selector. The agreement is
resolved first (404 if the user cannot read it), then the permission (403).
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
from monitoring.savings import forms, selectors, services


class SavingsMixin(AgreementMixin):
    def savings_url(self) -> str:
        return reverse("monitoring:agreement_savings", args=[self.agreement.council.slug, self.agreement.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.savings_url())
        return super().get_context_data(**kwargs)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.savings_url())

    def refused(self, message: str):
        messages.error(self.request, message)
        return redirect(self.savings_url())


class AgreementSavingsView(SavingsMixin, TemplateView):
    template_name = "monitoring/savings.html"

    def get_context_data(self, **kwargs):
        user, agreement = self.request.user, self.agreement
        kwargs.update(
            title="Savings realised",
            back_url=agreement.get_absolute_url(),
            savings=selectors.agreement_savings(agreement),
            can_record=user.has_perm("monitoring.record_savings", agreement),
            can_confirm=user.has_perm("monitoring.confirm_savings", agreement),
            refusal=services.recording_refusal(agreement),
        )
        return super().get_context_data(**kwargs)


class SavingsRealisedRecordView(SavingsMixin, FormView):
    permission_required = "monitoring.record_savings"
    template_name = "monitoring/savings_form.html"
    form_class = forms.SavingsRealisedForm

    def get(self, request, *args, **kwargs):
        refusal = services.recording_refusal(self.agreement)
        return self.refused(refusal) if refusal else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refusal = services.recording_refusal(self.agreement)
        return self.refused(refusal) if refusal else super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement}

    def get_initial(self):
        year = self.request.GET.get("year", "")
        if year.isdigit():
            saving = self.agreement.savings_realised.filter(financial_year=int(year)).first()
            if saving is not None:
                return {"financial_year": saving.financial_year, "amount": saving.amount, "how": saving.how}
        return {}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Record a saving realised"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            saving = services.savings_realised_record(
                by=self.request.user, agreement=self.agreement, **form.cleaned_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        waiting = "" if saving.is_confirmed else ": it counts once a finance officer confirms it"
        return self.done(f"Saving of {money(saving.amount)} realised in {saving.year_label} recorded{waiting}.")


class SavingsRealisedConfirmView(SavingsMixin, FormView):
    permission_required = "monitoring.confirm_savings"
    template_name = "monitoring/savings_form.html"
    form_class = forms.ConfirmSavingForm

    @cached_property
    def saving(self):
        return selectors.saving_of(self.agreement, self.kwargs["saving_pk"])

    def get(self, request, *args, **kwargs):
        if self.saving.is_confirmed:
            return self.refused(f"The saving in {self.saving.year_label} was confirmed already.")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.update(title="Confirm a saving realised", saving=self.saving)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            saving = services.savings_realised_confirm(by=self.request.user, saving=self.saving)
        except ValidationError as error:
            return self.refused(" ".join(error.messages))
        return self.done(f"The saving of {money(saving.amount)} in {saving.year_label} is confirmed.")
