"""Provider staff's view of their own organisations' agreements: the list, one agreement with its
terms, invoices and their payment, the remedies log, and monitoring, and the signed document. Read-only
but for the provider's responses to the remedies log (`monitoring.remedies.views`).

Kept apart from the council's agreement pages because the audience and the access rule differ:
these are scoped by organisation membership (another organisation's agreement, or one not yet
signed, is a 404), not by council role, and offer nothing to change.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.generic import TemplateView, View
from rules.contrib.views import PermissionRequiredMixin

from monitoring.agreements import selectors
from monitoring.agreements.views import agreement_document
from monitoring.invoices import selectors as invoice_selectors
from monitoring.remedies import selectors as remedies_selectors
from monitoring.returns import selectors as returns_selectors
from monitoring.social_value import selectors as social_value_selectors
from monitoring.terms import selectors as terms_selectors


class ProviderAgreementListView(LoginRequiredMixin, TemplateView):
    template_name = "monitoring/provider_agreements.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Your agreements", agreements=selectors.provider_agreements(self.request.user))
        return context


class ProviderAgreementMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Another organisation's agreement (or one not yet signed) is a 404, never a hint it exists."""

    permission_required = "monitoring.read_own_agreement"

    @cached_property
    def agreement(self):
        return selectors.provider_agreement_for_user(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.agreement


class ProviderAgreementDetailView(ProviderAgreementMixin, TemplateView):
    template_name = "monitoring/provider_agreement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.agreement.title,
            agreement=self.agreement,
            detail=selectors.agreement_detail(self.agreement),
            social_value=social_value_selectors.agreement_social_value(self.agreement),
            document_url=reverse("monitoring:provider_agreement_document", kwargs={"pk": self.agreement.pk}),
            monitoring=returns_selectors.provider_monitoring(self.agreement),
            invoices=invoice_selectors.agreement_invoices(self.agreement),
            payment_terms=terms_selectors.terms_page(self.agreement),
            remedies=remedies_selectors.remedies_log(self.agreement),
        )
        return context


class ProviderDocumentView(ProviderAgreementMixin, View):
    def get(self, request, *args, **kwargs):
        return agreement_document(self.agreement)
