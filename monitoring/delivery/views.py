"""Deliverables and the risk register of one agreement, for the council; accepting or refusing a
deliverable while reviewing the return it was reported in. The provider's pages are in
`monitoring.delivery.provider_views`.

Thin: each view parses input and calls one service or selector. The agreement (or return) is
resolved first (404 if the user cannot read it), then the permission (403).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from councils.uploads import download_response
from councils.views import apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.agreements.views import AgreementMixin
from monitoring.delivery import deliverables, forms, risks, selectors
from monitoring.models import AgreementRisk, Deliverable, DeliverableState
from monitoring.returns.views import ReturnMixin


class DeliverablesMixin(AgreementMixin):
    permission_required = "monitoring.read_deliverables"

    def deliverables_url(self) -> str:
        return reverse("monitoring:agreement_deliverables", args=[self.agreement.council.slug, self.agreement.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.deliverables_url())
        return super().get_context_data(**kwargs)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.deliverables_url())

    def refused(self, message: str):
        messages.error(self.request, message)
        return redirect(self.deliverables_url())


class AgreementDeliverablesView(DeliverablesMixin, TemplateView):
    template_name = "monitoring/delivery/deliverables.html"

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        kwargs.update(
            title="Deliverables",
            back_url=agreement.get_absolute_url(),
            deliverables=selectors.agreement_deliverables(agreement),
            can_manage=self.request.user.has_perm("monitoring.manage_deliverables", agreement),
            refusal=deliverables.adding_refusal(agreement),
        )
        return super().get_context_data(**kwargs)


class DeliverableEditView(DeliverablesMixin, FormView):
    """Set a new deliverable, or change one not yet reported."""

    permission_required = "monitoring.manage_deliverables"
    template_name = "councils/form_page.html"
    form_class = forms.DeliverableForm

    @cached_property
    def deliverable(self) -> Deliverable:
        if "deliverable_pk" in self.kwargs:
            return selectors.deliverable_of(self.agreement, self.kwargs["deliverable_pk"])
        return Deliverable(agreement=self.agreement)

    def refusal(self) -> str:
        if self.deliverable.pk and self.deliverable.state != DeliverableState.PENDING:
            return f"‘{self.deliverable.title}’ has been reported as achieved: what was agreed no longer changes."
        return deliverables.adding_refusal(self.agreement)

    def get(self, request, *args, **kwargs):
        return self.refused(self.refusal()) if self.refusal() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refused(self.refusal()) if self.refusal() else super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement, "instance": self.deliverable}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Change the deliverable" if self.deliverable.pk else "Add a deliverable"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            saved = deliverables.deliverable_save(
                by=self.request.user, agreement=self.agreement, deliverable=form.instance, changed=form.changed_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(f"Deliverable ‘{saved.title}’ saved.")


class EvidenceDownload(View):
    """A deliverable's evidence file, on the council's side or the provider's: the mixin in front
    finds the agreement and checks who may see it."""

    def get(self, request, *args, **kwargs):
        deliverable = selectors.deliverable_of(self.agreement, kwargs["deliverable_pk"])
        if not deliverable.evidence_document:
            raise Http404
        return download_response(deliverable.evidence_document, f"Evidence for {deliverable.title}")


class DeliverableEvidenceView(DeliverablesMixin, EvidenceDownload):
    pass


class DeliverableDecideView(ReturnMixin, FormView):
    """Accept a deliverable reported in the return, or refuse it with the reason."""

    permission_required = "monitoring.decide_deliverables"
    template_name = "monitoring/delivery/decide.html"
    form_class = forms.DecisionForm

    @cached_property
    def deliverable(self) -> Deliverable:
        return selectors.reported_deliverable_of(self.monitoring_return, self.kwargs["deliverable_pk"])

    def refusal(self) -> str:
        deliverable = self.deliverable
        if deliverable.reported_in_id != self.monitoring_return.pk or deliverable.state != DeliverableState.REPORTED:
            return f"‘{deliverable.title}’ is ‘{deliverable.get_state_display().lower()}’: there is nothing to decide."
        if self.monitoring_return.state not in deliverables.DECIDING_RETURN_STATES:
            return "A deliverable is accepted or refused while the return it was reported in is being reviewed."
        return ""

    def get(self, request, *args, **kwargs):
        return self.back(self.refusal()) if self.refusal() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.back(self.refusal()) if self.refusal() else super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.update(title=f"Deliverable: {self.deliverable.title}", deliverable=self.deliverable)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        user, deliverable = self.request.user, self.deliverable
        accepting = form.cleaned_data["decision"] == "accept"
        try:
            if accepting:
                deliverables.deliverable_accept(
                    by=user, deliverable=deliverable, monitoring_return=self.monitoring_return
                )
            else:
                deliverables.deliverable_refuse(
                    by=user,
                    deliverable=deliverable,
                    monitoring_return=self.monitoring_return,
                    reason=form.cleaned_data["reason"],
                )
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except TransitionRefused as refused:
            return self.back("; ".join(refused.missing))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        payable = f" ‘{deliverable.payment.description}’ is now payable." if accepting and deliverable.payment else ""
        verdict = "accepted" if accepting else "not accepted: the provider may report it again"
        messages.success(self.request, f"Deliverable ‘{deliverable.title}’ {verdict}.{payable}")
        return redirect(f"{self.return_url}#deliverables")


# ---- The agreement risk register ------------------------------------------------------------------


class RisksMixin(AgreementMixin):
    permission_required = "monitoring.read_agreement_risks"

    def risks_url(self) -> str:
        return reverse("monitoring:agreement_risks", args=[self.agreement.council.slug, self.agreement.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.risks_url())
        return super().get_context_data(**kwargs)


class AgreementRisksView(RisksMixin, TemplateView):
    template_name = "monitoring/delivery/risks.html"

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        kwargs.update(
            title="Risk register",
            back_url=agreement.get_absolute_url(),
            risks=selectors.agreement_risks(agreement),
            can_edit=self.request.user.has_perm("monitoring.edit_agreement_risks", agreement),
        )
        return super().get_context_data(**kwargs)


class AgreementRiskEditView(RisksMixin, FormView):
    permission_required = "monitoring.edit_agreement_risks"
    template_name = "councils/form_page.html"
    form_class = forms.AgreementRiskForm

    @cached_property
    def risk(self) -> AgreementRisk:
        if "risk_pk" in self.kwargs:
            return selectors.risk_of(self.agreement, self.kwargs["risk_pk"])
        return AgreementRisk(agreement=self.agreement, owner=self.agreement.council_contact)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agreement": self.agreement, "instance": self.risk}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Change the risk" if self.risk.pk else "Add a risk"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            risks.agreement_risk_save(
                by=self.request.user, agreement=self.agreement, risk=form.instance, changed=form.changed_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Risk register updated.")
        return redirect(self.risks_url())
