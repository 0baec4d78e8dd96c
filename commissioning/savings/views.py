"""Savings identified for a commission or a review of existing services: the page (whoever reads the
commission or review), recording a year's saving and removing one (commissioners and finance officers).
Thin: each view parses input and calls one service or selector. The commission or review is resolved
first (404 if the user cannot read it), then the permission (403). One set of views serves both: each
concrete view names its holder's mixin and URL names.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from commissioning.cycle.views import CommissionMixin
from commissioning.reviews.views import ReviewMixin
from commissioning.savings import forms, selectors, services
from councils.formatting import money
from councils.views import apply_form_errors


class CommissionHolder(CommissionMixin):
    record_permission = "commissioning.record_savings"
    url_names = {
        "page": "commissioning:savings",
        "record": "commissioning:savings_record",
        "remove": "commissioning:savings_remove",
    }

    @property
    def holder(self):
        return self.commission


class ReviewHolder(ReviewMixin):
    record_permission = "commissioning.record_review_savings"
    url_names = {
        "page": "commissioning:review_savings",
        "record": "commissioning:review_savings_record",
        "remove": "commissioning:review_savings_remove",
    }

    @property
    def holder(self):
        return self.review


class SavingsMixin:
    def savings_url(self) -> str:
        return reverse(self.url_names["page"], args=[self.holder.council.slug, self.holder.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.savings_url())
        kwargs.update(holder=self.holder, url_names=self.url_names)
        return super().get_context_data(**kwargs)


class SavingsView(SavingsMixin, TemplateView):
    """The holder's savings by year (its readers)."""

    template_name = "commissioning/savings.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Savings",
            back_url=self.holder.get_absolute_url(),
            savings=selectors.holder_savings(self.holder),
            can_record=self.request.user.has_perm(self.record_permission, self.holder),
            refusal=services.savings_refusal(self.holder),
        )
        return super().get_context_data(**kwargs)


class RecordingMixin(SavingsMixin):
    template_name = "commissioning/savings_form.html"

    def get(self, request, *args, **kwargs):
        refusal = services.savings_refusal(self.holder)
        return self.back(refusal) if refusal else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refusal = services.savings_refusal(self.holder)
        return self.back(refusal) if refusal else super().post(request, *args, **kwargs)

    def back(self, message: str):
        messages.error(self.request, message)
        return redirect(self.savings_url())


class SavingsRecordMixin(RecordingMixin):
    form_class = forms.SavingsIdentifiedForm

    def get_initial(self):
        year = self.request.GET.get("year", "")
        if year.isdigit():
            saving = self.holder.savings_identified.filter(target_year=int(year)).first()
            if saving is not None:
                return {"target_year": saving.target_year, "amount": saving.amount, "basis": saving.basis}
        return {}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Record a saving identified"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            saving = services.savings_identified_record(by=self.request.user, holder=self.holder, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saving of {money(saving.amount)} in {saving.year_label} recorded.")
        return redirect(self.savings_url())


class SavingsRemoveMixin(RecordingMixin):
    form_class = forms.RemoveForm

    @cached_property
    def saving(self):
        return selectors.saving_of(self.holder, self.kwargs["saving_pk"])

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


# Mixins first, so the holder's dispatch (404 for what the user cannot read) runs before the view's.
class CommissionSavingsView(CommissionHolder, SavingsView):
    pass


class CommissionSavingsRecordView(CommissionHolder, SavingsRecordMixin, FormView):
    permission_required = CommissionHolder.record_permission


class CommissionSavingsRemoveView(CommissionHolder, SavingsRemoveMixin, FormView):
    permission_required = CommissionHolder.record_permission


class ReviewSavingsView(ReviewHolder, SavingsView):
    pass


class ReviewSavingsRecordView(ReviewHolder, SavingsRecordMixin, FormView):
    permission_required = ReviewHolder.record_permission


class ReviewSavingsRemoveView(ReviewHolder, SavingsRemoveMixin, FormView):
    permission_required = ReviewHolder.record_permission
