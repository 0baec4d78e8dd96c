"""An agreement's payment terms and clauses: the page (whoever reads the agreement), recording them and
the payment-by-results tariff (the commissioners who edit the agreement: directly while it is a draft or
signed, by variation once it is live). Thin: each view parses input and calls one service or selector.
The agreement is resolved first (404 if the user cannot read it), then the permission (403).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from councils.views import apply_form_errors
from monitoring.agreements.views import AgreementMixin
from monitoring.models import ResultPayment
from monitoring.terms import forms, selectors, services


class TermsMixin(AgreementMixin):
    def terms_url(self) -> str:
        return reverse("monitoring:agreement_terms", args=[self.agreement.council.slug, self.agreement.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.terms_url())
        return super().get_context_data(**kwargs)

    def done(self, message: str, anchor: str = ""):
        messages.success(self.request, message)
        return redirect(self.terms_url() + anchor)

    def refused(self, message: str):
        messages.error(self.request, message)
        return redirect(self.terms_url())


class TermsView(TermsMixin, TemplateView):
    template_name = "monitoring/terms/terms.html"

    def get_context_data(self, **kwargs):
        user, agreement = self.request.user, self.agreement
        can_edit, refusal = user.has_perm("monitoring.edit_terms", agreement), services.editing_refusal(agreement)
        kwargs.update(
            title="Payment terms and clauses",
            back_url=agreement.get_absolute_url() + "#payment-terms",
            can_edit=can_edit,
            refusal=refusal,
            can_manage=can_edit and not refusal,
            by_variation=services.needs_variation(agreement),
            contract_days=services.contract_days(agreement),
            **selectors.terms_page(agreement),
        )
        return super().get_context_data(**kwargs)


class TermsEditMixin(TermsMixin):
    permission_required = "monitoring.edit_terms"
    template_name = "monitoring/terms/form.html"

    def get(self, request, *args, **kwargs):
        refusal = services.editing_refusal(self.agreement)
        return self.refused(refusal) if refusal else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refusal = services.editing_refusal(self.agreement)
        return self.refused(refusal) if refusal else super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.update(by_variation=services.needs_variation(self.agreement))
        return super().get_context_data(**kwargs)

    def saved(self, what: str) -> str:
        return f"{what}{' by variation' if services.needs_variation(self.agreement) else ''}."


class TermsEditView(TermsEditMixin, FormView):
    form_class = forms.TermsForm

    @cached_property
    def terms(self):
        return selectors.terms_of(self.agreement)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement, "terms": self.terms}

    def get_initial(self):
        return forms.terms_initial(self.terms)

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Change the payment terms" if self.terms else "Record the payment terms",
            contract_days=services.contract_days(self.agreement),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.terms_save(by=self.request.user, agreement=self.agreement, **form.service_kwargs())
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(self.saved("Payment terms and clauses saved"))


class ResultMixin(TermsEditMixin):
    @cached_property
    def result(self) -> ResultPayment | None:
        pk = self.kwargs.get("result_pk")
        return None if pk is None else selectors.result_of(self.agreement, pk)


class ResultEditView(ResultMixin, FormView):
    """Add (no result_pk) or change a line of the payment-by-results tariff."""

    form_class = forms.ResultForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement, "instance": self.result or ResultPayment()}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Change a result" if self.result else "Add a result"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        adding = self.result is None
        try:
            services.result_save(
                by=self.request.user,
                agreement=self.agreement,
                result=form.save(commit=False),
                variation=form.variation(),
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(self.saved(f"Result {'added' if adding else 'saved'}"), "#results")


class ResultRemoveView(ResultMixin, FormView):
    form_class = forms.ResultRemoveForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement}

    def get_context_data(self, **kwargs):
        kwargs.update(title="Remove this result", record=self.result)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.result_remove(
                by=self.request.user, agreement=self.agreement, result=self.result, variation=form.variation()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(self.saved("Result removed"), "#results")
