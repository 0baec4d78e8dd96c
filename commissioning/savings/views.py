"""A commission's savings: the page (whoever reads the commission), recording a year's saving and
removing one (commissioners and finance officers). Thin: each view parses input and calls one service
or selector. The commission is resolved first (404 if the user cannot read it), then the permission (403).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from commissioning.cycle.views import CommissionMixin
from commissioning.savings import forms, selectors, services
from councils.formatting import money
from councils.views import apply_form_errors


class SavingsMixin(CommissionMixin):
    def savings_url(self) -> str:
        return reverse("commissioning:savings", args=[self.commission.council.slug, self.commission.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.savings_url())
        return super().get_context_data(**kwargs)


class SavingsView(SavingsMixin, TemplateView):
    template_name = "commissioning/savings.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Savings",
            back_url=self.commission.get_absolute_url(),
            savings=selectors.commission_savings(self.commission),
            can_record=self.request.user.has_perm("commissioning.record_savings", self.commission),
            refusal=services.savings_refusal(self.commission),
        )
        return super().get_context_data(**kwargs)


class RecordingMixin(SavingsMixin):
    permission_required = "commissioning.record_savings"
    template_name = "commissioning/savings_form.html"

    def get(self, request, *args, **kwargs):
        refusal = services.savings_refusal(self.commission)
        return self.back(refusal) if refusal else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refusal = services.savings_refusal(self.commission)
        return self.back(refusal) if refusal else super().post(request, *args, **kwargs)

    def back(self, message: str):
        messages.error(self.request, message)
        return redirect(self.savings_url())


class SavingsRecordView(RecordingMixin, FormView):
    form_class = forms.SavingsIdentifiedForm

    def get_initial(self):
        year = self.request.GET.get("year", "")
        if year.isdigit():
            saving = self.commission.savings_identified.filter(target_year=int(year)).first()
            if saving is not None:
                return {"target_year": saving.target_year, "amount": saving.amount, "basis": saving.basis}
        return {}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Record a saving identified"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            saving = services.savings_identified_record(
                by=self.request.user, commission=self.commission, **form.cleaned_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saving of {money(saving.amount)} in {saving.year_label} recorded.")
        return redirect(self.savings_url())


class SavingsRemoveView(RecordingMixin, FormView):
    form_class = forms.RemoveForm

    @cached_property
    def saving(self):
        return selectors.saving_of(self.commission, self.kwargs["saving_pk"])

    def get_context_data(self, **kwargs):
        kwargs.update(title="Remove a saving identified", saving=self.saving)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        saving = self.saving
        try:
            services.savings_identified_remove(by=self.request.user, saving=saving, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The saving in {saving.year_label} was removed.")
        return redirect(self.savings_url())
