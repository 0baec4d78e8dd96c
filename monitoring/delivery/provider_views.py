"""Provider staff's deliverables: their own organisation's agreement's deliverables (read-only, with
the council's decisions), their evidence, and reporting one achieved in a monitoring return.
Another organisation's agreement or return is a 404; the council's risk register is not shown here.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from councils.views import apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.agreements.provider_views import ProviderAgreementMixin
from monitoring.delivery import deliverables, forms, selectors
from monitoring.delivery.views import EvidenceDownload
from monitoring.models import Deliverable
from monitoring.returns.views import ProviderWriteMixin


class ProviderDeliverablesMixin(ProviderAgreementMixin):
    permission_required = "monitoring.read_own_deliverables"


class ProviderDeliverablesView(ProviderDeliverablesMixin, TemplateView):
    template_name = "monitoring/delivery/provider_deliverables.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="Deliverables",
            agreement=self.agreement,
            deliverables=selectors.agreement_deliverables(self.agreement),
            back_url=reverse("monitoring:provider_agreement", kwargs={"pk": self.agreement.pk}),
        )
        return context


class ProviderDeliverableEvidenceView(ProviderDeliverablesMixin, EvidenceDownload):
    pass


class ProviderDeliverableReportView(ProviderWriteMixin, FormView):
    """Report a deliverable due by the end of the return's period as achieved, with its evidence."""

    template_name = "monitoring/returns/form_page.html"
    form_class = forms.ReportForm

    @cached_property
    def deliverable(self) -> Deliverable:
        return selectors.reported_deliverable_of(self.monitoring_return, self.kwargs["deliverable_pk"])

    def get_initial(self):
        deliverable = self.deliverable
        return {"achieved_on": deliverable.achieved_on, "evidence_text": deliverable.evidence_text}

    def get_context_data(self, **kwargs):
        kwargs.update(title=f"Report ‘{self.deliverable.title}’ as achieved", record=self.deliverable)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            deliverables.deliverable_report(
                by=self.request.user,
                deliverable=self.deliverable,
                monitoring_return=self.monitoring_return,
                **form.cleaned_data,
            )
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except TransitionRefused as refused:
            return self.back("; ".join(refused.missing))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"‘{self.deliverable.title}’ reported as achieved: the council will review it.")
        return redirect(f"{self.return_url}#deliverables")
