"""Thin views: parse input, call one service or selector, render. Each view names its permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from councils import selectors, services
from councils.forms import (
    CorporatePlanForm,
    CouncilSettingsForm,
    CrossCuttingThemeForm,
    MembershipForm,
    MembershipRevokeForm,
    NewPasswordForm,
    OutcomeForm,
    PasswordResetRequestForm,
    PortfolioForm,
    PriorityForm,
    ProcurementThresholdForm,
    SignInForm,
)
from councils.models import CorporatePlan, CrossCuttingTheme, Membership, Outcome, Portfolio, Priority


class CouncilPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Sign-in required, then the named permission on the council in the URL (403 if not held)."""

    def get_permission_object(self):
        return self.request.council

    def get_context_data(self, **kwargs):
        kwargs.setdefault("council", self.request.council)
        return super().get_context_data(**kwargs)


def apply_form_errors(form, error: ValidationError) -> None:
    """Show a service's validation error on the form instead of losing the user's input."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class StateRequiredMixin:
    """A page that only makes sense while its object is in one state (a draft to edit, a return to
    review, a notice to publish): otherwise it goes back to the object's page saying why. Checked
    after the permission, so a person who may not act still gets 403 or 404. The view names
    `state_holder()` and `required_state` (or its own `is_open()`), `wrong_state_message()`, and has
    `back(message)`."""

    required_state = ""

    def state_holder(self):
        raise NotImplementedError

    def is_open(self) -> bool:
        return self.state_holder().state == self.required_state

    def wrong_state_message(self) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if not self.is_open():
            return self.back(self.wrong_state_message())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.is_open():
            return self.back(self.wrong_state_message())
        return super().post(request, *args, **kwargs)


class HomeView(TemplateView):
    """Signed-in people land on their dashboard: the one council's they work in, or their organisation's.
    Someone in several councils chooses which council's dashboard to open."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            councils = list(selectors.councils_for_user(user)[:2])
            if len(councils) == 1:
                return redirect("monitoring:dashboard", council_slug=councils[0].slug)
            if not councils and user.organisation_memberships.exists():
                return redirect("monitoring:provider_dashboard")
            # An independent evaluation panel member holds no council role: their panels are their work.
            if not councils and self.sits_on_panels():
                return redirect("commissioning:my_panels")
        return super().get(request, *args, **kwargs)

    def sits_on_panels(self) -> bool:
        # Through the person's reverse relation, so this app names no other app's model.
        return self.request.user.panel_memberships.filter(ended_at__isnull=True).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_authenticated:
            context["council_roles"] = selectors.council_roles_for_user(self.request.user)
            context["acts_for_provider"] = self.request.user.organisation_memberships.exists()
            context["sits_on_panels"] = self.sits_on_panels()
        return context


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    # Everyone then lands on home, which sends them to their dashboard (council or provider).
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"


class CouncilDetailView(CouncilPermissionMixin, TemplateView):
    permission_required = "councils.access_council"
    template_name = "councils/council_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plans"] = selectors.framework_for_council(self.request.council)
        return context


class CouncilSettingsView(CouncilPermissionMixin, FormView):
    permission_required = "councils.edit_settings"
    template_name = "councils/form_page.html"
    form_class = CouncilSettingsForm
    extra_context = {"title": "Council details and decision thresholds"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.council}

    def form_valid(self, form):
        try:
            services.council_update(by=self.request.user, council=form.save(commit=False), changed=form.changed_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Council details saved.")
        return redirect(self.request.council.get_absolute_url())


class FrameworkView(CouncilPermissionMixin, TemplateView):
    permission_required = "councils.read_framework"
    template_name = "councils/framework.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plans"] = selectors.framework_for_council(self.request.council)
        context["portfolios"] = selectors.portfolios_for_council(self.request.council)
        return context


@dataclass(frozen=True)
class FrameworkKind:
    model: type[models.Model]
    form_class: type
    label: str
    owned_directly: bool  # True when the record points at the council itself

    def queryset(self, council):
        if self.model is Outcome:
            return Outcome.objects.filter(priority__plan__council=council)
        if self.owned_directly:
            return self.model.objects.filter(council=council)
        return self.model.objects.filter(plan__council=council)


FRAMEWORK_KINDS = {
    "plans": FrameworkKind(CorporatePlan, CorporatePlanForm, "corporate plan", True),
    "priorities": FrameworkKind(Priority, PriorityForm, "priority", False),
    "outcomes": FrameworkKind(Outcome, OutcomeForm, "outcome", False),
    "themes": FrameworkKind(CrossCuttingTheme, CrossCuttingThemeForm, "cross-cutting theme", False),
    "portfolios": FrameworkKind(Portfolio, PortfolioForm, "portfolio", True),
}


class FrameworkRecordEditView(CouncilPermissionMixin, FormView):
    """Add or change one record of the strategic framework (plan, priority, outcome, theme, portfolio)."""

    permission_required = "councils.edit_framework"
    template_name = "councils/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        self.kind = FRAMEWORK_KINDS.get(kwargs["kind"])
        if self.kind is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        # Scoped fetch: a record from another council is a 404, never a form.
        return get_object_or_404(self.kind.queryset(self.request.council), pk=pk)

    def get_form_class(self):
        return self.kind.form_class

    def get_form_kwargs(self):
        instance = self.get_instance()
        if instance is None and self.kind.owned_directly:
            instance = self.kind.model(council=self.request.council)
        return {**super().get_form_kwargs(), "instance": instance, "council": self.request.council}

    def get_context_data(self, **kwargs):
        verb = "Change" if self.kwargs.get("pk") else "Add"
        kwargs["title"] = f"{verb} {self.kind.label}"
        kwargs["back_url"] = reverse("councils:framework", kwargs={"council_slug": self.request.council.slug})
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.framework_record_save(
                by=self.request.user,
                council=self.request.council,
                instance=form.save(commit=False),
                changed=form.changed_data,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The {self.kind.label} has been saved.")
        return redirect("councils:framework", council_slug=self.request.council.slug)


class PeopleView(CouncilPermissionMixin, TemplateView):
    permission_required = "councils.read_people"
    template_name = "councils/people.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = selectors.memberships_for_council(self.request.council)
        return context


class MembershipCreateView(CouncilPermissionMixin, FormView):
    permission_required = "councils.edit_people"
    template_name = "councils/form_page.html"
    form_class = MembershipForm
    extra_context = {"title": "Give someone a role"}

    def form_valid(self, form):
        try:
            services.membership_grant(by=self.request.user, council=self.request.council, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Role given.")
        return redirect("councils:people", council_slug=self.request.council.slug)


class MembershipRevokeView(CouncilPermissionMixin, FormView):
    permission_required = "councils.edit_people"
    template_name = "councils/membership_revoke.html"
    form_class = MembershipRevokeForm

    def get_context_data(self, **kwargs):
        kwargs["membership"] = self.get_membership()
        return super().get_context_data(**kwargs)

    def get_membership(self) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user", "council"), pk=self.kwargs["pk"], council=self.request.council
        )

    def form_valid(self, form):
        try:
            services.membership_revoke(
                by=self.request.user, membership=self.get_membership(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Role removed.")
        return redirect("councils:people", council_slug=self.request.council.slug)


class AuditLogView(CouncilPermissionMixin, TemplateView):
    permission_required = "councils.read_audit"
    template_name = "councils/audit_log.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.audit_events_for_council(self.request.council), 50)
        context["page_obj"] = paginator.get_page(self.request.GET.get("page"))
        return context


class ThresholdListView(CouncilPermissionMixin, TemplateView):
    """The dated procurement thresholds this council's procurements are measured against."""

    permission_required = "councils.read_thresholds"
    template_name = "councils/thresholds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["thresholds"] = selectors.thresholds_for_council(self.request.council)
        context["can_add"] = self.request.user.has_perm("councils.add_threshold", self.request.council)
        return context


class ThresholdCreateView(CouncilPermissionMixin, FormView):
    permission_required = "councils.add_threshold"
    template_name = "councils/form_page.html"
    form_class = ProcurementThresholdForm
    extra_context = {"title": "Add a procurement threshold"}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", reverse("councils:thresholds", args=[self.request.council.slug]))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.procurement_threshold_add(by=self.request.user, council=self.request.council, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Threshold added.")
        return redirect("councils:thresholds", council_slug=self.request.council.slug)


def healthz(request):
    """Liveness probe for load balancers: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
