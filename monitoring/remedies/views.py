"""An agreement's remedies log. For the council: the log (whoever reads the agreement), and recording a
deduction, a default notice or a remedy plan, closing a plan out and withdrawing a wrong entry (the
agreement's editors). For the provider: answering an entry about its own agreement. Thin: each view
parses input and calls one service or selector. The agreement is resolved first (404 if the user cannot
read it, or for the provider, if it is not their organisation's), then the permission applies (403).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from councils.formatting import money
from councils.views import apply_form_errors
from monitoring.agreements.provider_views import ProviderAgreementMixin
from monitoring.agreements.views import AgreementMixin
from monitoring.models import REMEDY_KINDS, RemedyPlan
from monitoring.remedies import forms, selectors, services

TITLES = {
    "deductions": "Record a deduction",
    "default-notices": "Record a default notice",
    "remedy-plans": "Record a remedy plan",
}


class RemediesMixin(AgreementMixin):
    permission_required = "monitoring.read_remedies"

    def log_url(self) -> str:
        return reverse(
            "monitoring:remedies", kwargs={"council_slug": self.agreement.council.slug, "pk": self.agreement.pk}
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.log_url())
        return super().get_context_data(**kwargs)


class RemediesView(RemediesMixin, TemplateView):
    template_name = "monitoring/remedies/log.html"

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        kwargs.update(
            title="Remedies log",
            back_url=agreement.get_absolute_url(),
            log=selectors.remedies_log(agreement),
            can_record=self.request.user.has_perm("monitoring.record_remedy", agreement),
            refusal=services.recording_refusal(agreement),
        )
        return super().get_context_data(**kwargs)


class RecordingMixin(RemediesMixin):
    """The agreement's editors (403 otherwise), once it is signed."""

    permission_required = "monitoring.record_remedy"
    template_name = "monitoring/remedies/form.html"

    def refusal(self) -> str:
        return services.recording_refusal(self.agreement)

    def get(self, request, *args, **kwargs):
        return self.done(self.refusal(), error=True) if self.refusal() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.done(self.refusal(), error=True) if self.refusal() else super().post(request, *args, **kwargs)

    def done(self, message: str, error: bool = False):
        (messages.error if error else messages.success)(self.request, message)
        return redirect(self.log_url())


class RemedyRecordView(RecordingMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in REMEDY_KINDS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return forms.FORMS[self.kwargs["kind"]]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement}

    def get_context_data(self, **kwargs):
        kwargs["title"] = TITLES[self.kwargs["kind"]]
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        kind, data = self.kwargs["kind"], form.cleaned_data
        record = {
            "deductions": services.deduction_record,
            "default-notices": services.default_notice_issue,
            "remedy-plans": services.remedy_plan_agree,
        }[kind]
        try:
            entry = record(by=self.request.user, agreement=self.agreement, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        if kind == "deductions":
            return self.done(f"Deduction of {money(entry.amount)} recorded against “{entry.payment}”.")
        return self.done(f"The {entry.noun} was recorded and the provider told.")


class EntryMixin(RecordingMixin):
    """A step on one entry of the agreement's log (another agreement's entry is a 404)."""

    @cached_property
    def entry(self):
        return selectors.entry_of(self.agreement, self.kwargs["kind"], self.kwargs["item_pk"])

    def refusal(self) -> str:
        if self.entry.is_withdrawn:
            return f"This {self.entry.noun} was withdrawn: it can no longer change."
        return ""

    def get_context_data(self, **kwargs):
        kwargs["entry"] = self.entry
        return super().get_context_data(**kwargs)


class RemedyWithdrawView(EntryMixin, FormView):
    form_class = forms.WithdrawForm

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Withdraw a {self.entry.noun}"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.remedy_withdraw(by=self.request.user, entry=self.entry, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(f"The {self.entry.noun} was withdrawn: it is kept on the record with your reason.")


class RemedyPlanCloseView(EntryMixin, FormView):
    form_class = forms.CloseForm

    @cached_property
    def entry(self):
        return selectors.entry_of(self.agreement, RemedyPlan.slug, self.kwargs["item_pk"])

    def refusal(self) -> str:
        if self.entry.is_closed:
            return f"This remedy plan was closed already, on {self.entry.closed_on:%d/%m/%Y}."
        return super().refusal()

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Close the remedy plan"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            plan = services.remedy_plan_close(by=self.request.user, plan=self.entry, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(f"The remedy plan was closed: {plan.get_outcome_display().lower()}.")


class ProviderRespondView(ProviderAgreementMixin, FormView):
    """The provider's one response to an entry about its agreement (another organisation's: 404)."""

    permission_required = "monitoring.respond_to_remedy"
    template_name = "monitoring/remedies/form.html"
    form_class = forms.ResponseForm

    @cached_property
    def entry(self):
        return selectors.entry_of(self.agreement, self.kwargs["kind"], self.kwargs["item_pk"])

    def page_url(self) -> str:
        return reverse("monitoring:provider_agreement", kwargs={"pk": self.agreement.pk}) + "#remedies"

    def refusal(self) -> str:
        if self.entry.is_withdrawn:
            return f"This {self.entry.noun} was withdrawn by the council: there is nothing to respond to."
        if self.entry.has_response:
            return f"Your organisation responded to this {self.entry.noun} already."
        return ""

    def get(self, request, *args, **kwargs):
        return self.back(self.refusal()) if self.refusal() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.back(self.refusal()) if self.refusal() else super().post(request, *args, **kwargs)

    def back(self, message: str):
        messages.error(self.request, message)
        return redirect(self.page_url())

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=f"Respond to the {self.entry.noun}",
            agreement=self.agreement,
            entry=self.entry,
            back_url=self.page_url(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.remedy_respond(by=self.request.user, entry=self.entry, response=form.cleaned_data["response"])
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your response was sent to the council's contract manager.")
        return redirect(self.page_url())
