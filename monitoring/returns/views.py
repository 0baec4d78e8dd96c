"""Monitoring return pages: the council's returns list, one return to review (query or accept with RAG
ratings), evidence downloads, performance assessments and the council's monitoring settings; and for
provider staff, their returns, the return form (save, submit, answer a query) and evidence uploads.

Thin: each view parses input and calls one service or selector. Council pages resolve the return
first (404 if the user cannot read its agreement), then check the permission (403). Provider pages
answer 404 for anything that is not their own organisation's.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View
from rules.contrib.views import PermissionRequiredMixin

from councils.uploads import download_response
from councils.views import CouncilPermissionMixin, StateRequiredMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.agreements.views import AgreementMixin, filtered_page
from monitoring.delivery import selectors as delivery_selectors
from monitoring.models import MonitoringSettings, Rag, ReturnState
from monitoring.returns import chasing, forms, selectors, services
from monitoring.returns.services import ASSESSMENT_STATES

# ---- The council's returns -----------------------------------------------------------------------


class ReturnListView(CouncilPermissionMixin, TemplateView):
    permission_required = "monitoring.list_returns"
    template_name = "monitoring/returns/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, council = self.request.user, self.request.council
        form = forms.ReturnFilterForm(self.request.GET or None, user=user, council=council)
        returns = selectors.council_returns(user, council, form.filters())
        context.update(
            title="Monitoring returns",
            can_edit_settings=user.has_perm("monitoring.edit_monitoring_settings", council),
            today=timezone.localdate(),
            **filtered_page(self.request, form, returns),
        )
        return context


class ReturnMixin(CouncilPermissionMixin):
    """Views of one return: unreadable or foreign returns are 404, then the permission applies."""

    permission_required = "monitoring.read_return"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.monitoring_return = selectors.return_for_officer(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.monitoring_return

    @property
    def return_url(self) -> str:
        return reverse(
            "monitoring:return_detail",
            kwargs={"council_slug": self.request.council.slug, "pk": self.monitoring_return.pk},
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("monitoring_return", self.monitoring_return)
        kwargs.setdefault("agreement", self.monitoring_return.agreement)
        kwargs.setdefault("back_url", self.return_url)
        return super().get_context_data(**kwargs)

    def back(self, message: str = ""):
        if message:
            messages.error(self.request, message)
        return redirect(self.return_url)


class ReturnDetailView(ReturnMixin, TemplateView):
    template_name = "monitoring/returns/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        monitoring_return = self.monitoring_return
        can_review = self.request.user.has_perm("monitoring.review_return", monitoring_return)
        context.update(
            can_chase=chasing.can_chase(monitoring_return, self.request.user),
            title=f"Return for {monitoring_return.period_label}",
            detail=selectors.return_detail(monitoring_return, show_draft=False),
            can_review=can_review and monitoring_return.state == ReturnState.SUBMITTED,
            back_url=f"{monitoring_return.agreement.get_absolute_url()}#monitoring",
            return_deliverables=delivery_selectors.return_deliverables(monitoring_return),
            can_decide=self.request.user.has_perm("monitoring.decide_deliverables", monitoring_return),
        )
        return context


class ReviewStepMixin(StateRequiredMixin, ReturnMixin):
    """Querying or accepting: commissioners only (403), and only while the return awaits review."""

    permission_required = "monitoring.review_return"
    template_name = "monitoring/returns/review_step.html"
    required_state = ReturnState.SUBMITTED

    def state_holder(self):
        return self.monitoring_return

    def wrong_state_message(self) -> str:
        return f"The return is ‘{self.monitoring_return.get_state_display().lower()}’: it is not waiting for a review."

    def get_initial(self):
        return {"from_state": self.monitoring_return.state}

    @cached_property
    def detail(self) -> dict:
        return selectors.return_detail(self.monitoring_return, show_draft=False)

    # Each step says what the page is for, what it does (`take_step`) and what it tells the officer after.
    title = ""
    intro = ""

    def take_step(self, data: dict, form) -> None:
        raise NotImplementedError

    def done_message(self) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        kwargs.setdefault("detail", self.detail)
        kwargs.update(title=self.title, intro=self.intro)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            self.take_step(form.cleaned_data, form)
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except TransitionRefused as refused:
            for item in refused.missing:
                form.add_error(None, item)
            return self.form_invalid(form)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message())
        return self.back()


class ReturnQueryView(ReviewStepMixin, FormView):
    form_class = forms.QueryForm
    title = "Query the return"
    intro = (
        "The return goes back to the provider with your question. When they have answered it and "
        "submitted the return again, it comes back to you. Every question and answer is kept with the return."
    )

    def take_step(self, data, form):
        services.return_query(
            by=self.request.user,
            monitoring_return=self.monitoring_return,
            question=data["question"],
            seen_state=data["from_state"],
        )

    def done_message(self) -> str:
        return "Your query has been sent to the provider."


class ReturnAcceptView(ReviewStepMixin, FormView):
    title = "Accept the return"
    intro = (
        "Each KPI's rating is worked out from its actual and target with the council's tolerance. "
        "Change a rating only with a reason. The return's overall rating is its worst KPI rating."
    )

    def computed(self) -> dict:
        tolerance = MonitoringSettings.for_council(self.request.council).amber_tolerance_percent
        return {
            row.actual.pk: services.compute_rag(
                row.actual.actual, row.target, higher_is_better=row.kpi.higher_is_better, tolerance_percent=tolerance
            )
            for row in self.detail["rows"]
        }

    def get_form(self, form_class=None):
        return forms.AcceptForm(**self.get_form_kwargs(), rows=self.detail["rows"], computed=self.computed())

    def take_step(self, data, form):
        services.return_accept(
            by=self.request.user,
            monitoring_return=self.monitoring_return,
            overrides=form.overrides(),
            comment=data["comment"],
            seen_state=data["from_state"],
        )

    def done_message(self) -> str:
        return f"The return is accepted, rated {Rag(self.monitoring_return.overall_rag).label.lower()} overall."


class ReturnChaseView(ReturnMixin, View):
    """Chase the provider for an overdue return (POST only): a return reviewer's button on the
    dashboard and the return's page. Providers and scrutiny get a 403; another council's return a 404."""

    permission_required = "monitoring.review_return"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            told = chasing.return_chase(by=request.user, monitoring_return=self.monitoring_return)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"The provider has been chased: {told} {'person' if told == 1 else 'people'} told."
            )
        back = request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return self.back()


class ReturnEvidenceView(ReturnMixin, View):
    """Evidence the provider uploaded, once the return has been submitted."""

    def get(self, request, *args, **kwargs):
        if not self.monitoring_return.is_reported:
            raise Http404
        evidence = selectors.evidence_of(self.monitoring_return, kwargs["evidence_pk"])
        return download_response(evidence.document, evidence.title)


# ---- Performance assessments and settings -------------------------------------------------------------


class AssessmentRecordView(AgreementMixin, FormView):
    """A KPI assessment under the Procurement Act 2023: interim while live, or at the end."""

    permission_required = "monitoring.record_assessment"
    template_name = "monitoring/returns/assessment.html"

    def kinds(self) -> list[str]:
        return [kind for kind, states in ASSESSMENT_STATES.items() if self.agreement.state in states]

    def get(self, request, *args, **kwargs):
        if not self.kinds():
            return self.back(self.not_open(), anchor="monitoring")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.kinds():
            return self.back(self.not_open(), anchor="monitoring")
        return super().post(request, *args, **kwargs)

    def not_open(self) -> str:
        return (
            f"The agreement is ‘{self.agreement.get_state_display().lower()}’: performance is assessed while it "
            "is live and when it ends."
        )

    @cached_property
    def kpis(self):
        return services.assessable_kpis(self.agreement, timezone.localdate())

    def get_form(self, form_class=None):
        return forms.AssessmentForm(**self.get_form_kwargs(), kpis=self.kpis, kinds=self.kinds())

    def get_initial(self):
        kinds = self.kinds()
        return {"assessed_on": timezone.localdate(), "kind": kinds[0] if len(kinds) == 1 else None}

    def get_context_data(self, **kwargs):
        kwargs.update(title="Record a performance assessment", back_url=self.back_url())
        return super().get_context_data(**kwargs)

    def back_url(self) -> str:
        return f"{self.agreement.get_absolute_url()}#monitoring"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.assessment_record(
                by=self.request.user,
                agreement=self.agreement,
                kind=data["kind"],
                assessed_on=data["assessed_on"],
                ratings=form.ratings(),
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The performance assessment has been recorded.")
        return redirect(self.back_url())


class MonitoringSettingsView(CouncilPermissionMixin, FormView):
    permission_required = "monitoring.edit_monitoring_settings"
    template_name = "councils/form_page.html"
    form_class = forms.MonitoringSettingsForm
    extra_context = {"title": "Monitoring settings"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": MonitoringSettings.for_council(self.request.council)}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", reverse("monitoring:return_list", args=[self.request.council.slug]))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.monitoring_settings_save(
                by=self.request.user, settings=form.save(commit=False), changed=form.changed_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Monitoring settings saved.")
        return redirect("monitoring:return_list", self.request.council.slug)


# ---- Provider staff: their own organisations' returns ------------------------------------------------


class ProviderReturnListView(LoginRequiredMixin, TemplateView):
    template_name = "monitoring/returns/provider_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Monitoring returns", returns=selectors.provider_returns_due(self.request.user))
        return context


class ProviderReturnMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Another organisation's return is a 404, never a hint it exists."""

    permission_required = "monitoring.read_own_return"

    @cached_property
    def monitoring_return(self):
        return selectors.provider_return_for_user(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.monitoring_return

    @property
    def return_url(self) -> str:
        return reverse("monitoring:provider_return", kwargs={"pk": self.monitoring_return.pk})

    def back(self, message: str = ""):
        if message:
            messages.error(self.request, message)
        return redirect(self.return_url)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("monitoring_return", self.monitoring_return)
        kwargs.setdefault("agreement", self.monitoring_return.agreement)
        kwargs.setdefault("back_url", self.return_url)
        return super().get_context_data(**kwargs)


class ProviderWriteMixin(StateRequiredMixin, ProviderReturnMixin):
    """Changing a return: the organisation's administrators and monitoring contacts (403 for other
    members), while the return is with the provider."""

    permission_required = "monitoring.write_own_return"

    def is_open(self) -> bool:
        return self.monitoring_return.is_with_provider

    def wrong_state_message(self) -> str:
        return f"The return is ‘{self.monitoring_return.get_state_display().lower()}’: it can no longer be changed."


class ProviderReturnView(ProviderReturnMixin, FormView):
    """The return: a form while it is with the provider (for those who may write it), else read-only."""

    template_name = "monitoring/returns/provider_return.html"

    @cached_property
    def detail(self) -> dict:
        return selectors.return_detail(self.monitoring_return, show_draft=True)

    @cached_property
    def can_write(self) -> bool:
        return self.request.user.has_perm("monitoring.write_own_return", self.monitoring_return)

    def editable(self) -> bool:
        return self.can_write and self.monitoring_return.is_with_provider

    def get_form(self, form_class=None):
        if not self.editable():
            return None
        return forms.ReturnForm(
            **self.get_form_kwargs(),
            rows=self.detail["rows"],
            monitoring_return=self.monitoring_return,
            open_query=self.detail["open_query"],
        )

    def post(self, request, *args, **kwargs):
        if not self.can_write:
            raise PermissionDenied
        if not self.monitoring_return.is_with_provider:
            return self.back(
                f"The return is ‘{self.monitoring_return.get_state_display().lower()}’: it can no longer be changed."
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        monitoring_return = self.monitoring_return
        kwargs.update(
            title=f"Return for {monitoring_return.period_label}",
            detail=self.detail,
            editable=self.editable(),
            today=timezone.localdate(),
            return_deliverables=delivery_selectors.return_deliverables(monitoring_return),
            can_report=self.editable(),
            back_url=reverse("monitoring:provider_returns"),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        user, monitoring_return = self.request.user, self.monitoring_return
        submitting = "submit_return" in self.request.POST
        try:
            if submitting:
                services.return_submit(
                    by=user,
                    monitoring_return=monitoring_return,
                    content=form.content(),
                    actuals=form.actuals(),
                    answer=form.cleaned_data.get("answer", ""),
                    seen_state=monitoring_return.state,
                )
            else:
                services.return_save_draft(
                    by=user,
                    monitoring_return=monitoring_return,
                    content=form.content(),
                    actuals=form.actuals(),
                    answer=form.cleaned_data.get("answer"),
                )
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except TransitionRefused as refused:
            for item in refused.missing:
                form.add_error(None, item)
            return self.form_invalid(form)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        if not submitting:
            messages.success(self.request, "Your return has been saved. Submit it when it is complete.")
            return self.back()
        late = f" It was due on {monitoring_return.due_on:%d/%m/%Y}, so it is marked late."
        messages.success(
            self.request,
            "Your return has been submitted to the council for review." + (late if monitoring_return.is_late else ""),
        )
        return self.back()


class ProviderEvidenceAddView(ProviderWriteMixin, FormView):
    template_name = "monitoring/returns/form_page.html"
    form_class = forms.EvidenceForm

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Upload evidence"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.evidence_add(
                by=self.request.user,
                monitoring_return=self.monitoring_return,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["document"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Evidence uploaded.")
        return redirect(f"{self.return_url}#evidence")


class ProviderEvidenceView(ProviderReturnMixin, View):
    def get(self, request, *args, **kwargs):
        evidence = selectors.evidence_of(self.monitoring_return, kwargs["evidence_pk"])
        return download_response(evidence.document, evidence.title)


class ProviderEvidenceRemoveView(ProviderWriteMixin, FormView):
    template_name = "monitoring/returns/form_page.html"

    @cached_property
    def evidence(self):
        return selectors.evidence_of(self.monitoring_return, self.kwargs["evidence_pk"])

    def get_form(self, form_class=None):
        return forms.ConfirmForm(**self.get_form_kwargs(), submit_label="Remove this evidence")

    def get_context_data(self, **kwargs):
        kwargs.update(title="Remove this evidence", record=self.evidence)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        services.evidence_remove(by=self.request.user, monitoring_return=self.monitoring_return, evidence=self.evidence)
        messages.success(self.request, "Evidence removed.")
        return redirect(f"{self.return_url}#evidence")
