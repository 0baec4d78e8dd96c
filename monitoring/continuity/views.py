"""Provider risk, failure and continuity pages. Thin: each view parses input and calls one service or
selector. The record is resolved first (404 if the person cannot see it), then the permission (403).
Providers have no page here: flags and their reasons are the council's own risk management."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from councils.views import CouncilPermissionMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.agreements.views import AgreementMixin
from monitoring.continuity import forms, selectors, services

TEMPLATE = "monitoring/continuity/form.html"


def index_url(council) -> str:
    return reverse("monitoring:continuity", args=[council.slug])


class ContinuityIndexView(CouncilPermissionMixin, TemplateView):
    """Vital services and their plans, open flags with their interventions, and the flags' history."""

    permission_required = "monitoring.read_continuity"
    template_name = "monitoring/continuity/index.html"

    def get_context_data(self, **kwargs):
        user, council = self.request.user, self.request.council
        kwargs.update(
            title="Provider risk and continuity",
            flags=selectors.open_flags(user, council),
            past_flags=selectors.past_flags(user, council),
            interventions=selectors.interventions(user, council),
            vital=selectors.vital_agreements(user, council),
            can_manage=user.has_perm("monitoring.manage_continuity", council),
        )
        return super().get_context_data(**kwargs)


class FormPage(FormView):
    """A form page of this area: a caption, a heading, what the step does, the form."""

    template_name = TEMPLATE
    heading = ""
    intro = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.heading)
        kwargs.setdefault("intro", self.intro)
        return super().get_context_data(**kwargs)

    def attempt(self, form, call):
        """Run the service; its refusals go on the form, nothing having changed."""
        try:
            return call()
        except (ValidationError, TransitionRefused) as error:
            if isinstance(error, TransitionRefused):
                for item in error.missing:
                    form.add_error(None, item)
            else:
                apply_form_errors(form, error)
            return None


class AgreementFormPage(AgreementMixin, FormPage):
    permission_required = "monitoring.manage_continuity"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("caption", f"{self.agreement.reference} {self.agreement.title}")
        return super().get_context_data(**kwargs)


class ContinuityPlanView(AgreementFormPage):
    form_class = forms.ContinuityPlanForm
    heading = "Continuity plan"
    intro = (
        "Mark a vital service and say how it carries on if the provider fails. A vital service goes live only "
        "with its plan complete."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "council": self.agreement.council}

    def get_initial(self):
        plan = selectors.agreement_continuity(self.agreement)["plan"]
        if plan is None:
            return {}
        return {
            name: getattr(plan, name)
            for name in (
                "vital",
                "why_vital",
                "if_provider_fails",
                "fallback",
                "fallback_detail",
                "responsible",
                "last_tested_on",
            )
        }

    def form_valid(self, form):
        plan = self.attempt(
            form, lambda: services.plan_save(by=self.request.user, agreement=self.agreement, **form.cleaned_data)
        )
        if plan is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Continuity plan saved."
            if plan.is_complete or not plan.vital
            else "Continuity plan saved. Still to do: " + "; ".join(plan.missing()).lower() + ".",
        )
        return redirect(self.agreement.get_absolute_url())


class FlagAgreementView(AgreementFormPage):
    form_class = forms.FlagForm
    heading = "Flag this agreement"
    intro = "The lead commissioners and the portfolio holder are told, and an intervention is opened."

    def form_valid(self, form):
        flag = self.attempt(
            form,
            lambda: services.flag_raise(
                by=self.request.user, council=self.agreement.council, agreement=self.agreement, **form.cleaned_data
            ),
        )
        if flag is None:
            return self.form_invalid(form)
        return _flagged(self.request, flag)


def _flagged(request, flag):
    intervention = selectors.open_intervention_of(flag)
    messages.success(request, f"{flag.subject_name} is flagged {flag.get_level_display().lower()}.")
    return redirect(services.intervention_url(intervention))


class FlagProviderView(CouncilPermissionMixin, FormPage):
    permission_required = "monitoring.manage_continuity"
    form_class = forms.ProviderFlagForm
    heading = "Flag a provider"
    intro = (
        "Every signed and live agreement the provider has with the council is covered. The lead commissioners "
        "and the portfolio holders are told, and an intervention is opened."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "providers": selectors.flaggable_providers(self.request.council)}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", index_url(self.request.council))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        flag = self.attempt(
            form, lambda: services.flag_raise(by=self.request.user, council=self.request.council, **form.cleaned_data)
        )
        if flag is None:
            return self.form_invalid(form)
        return _flagged(self.request, flag)


class FlagClearView(CouncilPermissionMixin, FormPage):
    permission_required = "monitoring.manage_continuity"
    form_class = forms.ClearFlagForm
    heading = "Clear the flag"

    @cached_property
    def flag(self):
        return selectors.flag_for_user(self.request.user, self.request.council, self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            _ = self.flag
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.flag

    def get(self, request, *args, **kwargs):
        if not self.flag.is_open:
            messages.error(request, "That flag is cleared already.")
            return redirect(index_url(request.council))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        flag = self.flag
        kwargs.update(
            caption=flag.subject_name,
            intro=f"Flagged {flag.get_level_display().lower()} by {flag.raised_by} on "
            f"{timezone.localtime(flag.raised_at):%d/%m/%Y}: {flag.reason}",
            back_url=index_url(self.request.council),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        flag = self.attempt(
            form, lambda: services.flag_clear(by=self.request.user, flag=self.flag, **form.cleaned_data)
        )
        if flag is None:
            return self.form_invalid(form)
        messages.success(self.request, f"The flag on {flag.subject_name} is cleared.")
        return redirect(index_url(self.request.council))


class InterventionMixin(CouncilPermissionMixin):
    permission_required = "monitoring.read_continuity"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.intervention = selectors.intervention_for_user(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.intervention

    def get_context_data(self, **kwargs):
        kwargs.setdefault("intervention", self.intervention)
        kwargs.setdefault("caption", self.intervention.flag.subject_name)
        kwargs.setdefault("back_url", services.intervention_url(self.intervention))
        return super().get_context_data(**kwargs)


class InterventionView(InterventionMixin, TemplateView):
    template_name = "monitoring/continuity/intervention.html"

    def get_context_data(self, **kwargs):
        intervention, user = self.intervention, self.request.user
        kwargs.update(
            title="Intervention",
            flags=selectors.subject_flags(intervention),
            agreements=selectors.covered_agreements(intervention),
            can_manage=intervention.is_open and user.has_perm("monitoring.manage_continuity", intervention),
            back_url=index_url(intervention.council),
            today=timezone.localdate(),
        )
        return super().get_context_data(**kwargs)


PARTS = {
    "action": (forms.ActionForm, "Add an action"),
    "alternative": (forms.AlternativeForm, "Alternative provision"),
    "close": (forms.CloseForm, "Close the intervention"),
}


class InterventionEditView(InterventionMixin, FormPage):
    permission_required = "monitoring.manage_continuity"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["part"] not in PARTS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def refused_when_closed(self):
        messages.error(self.request, "The intervention is closed.")
        return redirect(services.intervention_url(self.intervention))

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs) if self.intervention.is_open else self.refused_when_closed()

    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs) if self.intervention.is_open else self.refused_when_closed()

    def get_form_class(self):
        return PARTS[self.kwargs["part"]][0]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.kwargs["part"] == "action":
            kwargs["council"] = self.intervention.council
        return kwargs

    def get_initial(self):
        intervention = self.intervention
        if self.kwargs["part"] == "alternative" and intervention.alternative:
            return {"alternative": intervention.alternative, "detail": intervention.alternative_detail}
        return {}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", PARTS[self.kwargs["part"]][1])
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        by, intervention, data, part = self.request.user, self.intervention, form.cleaned_data, self.kwargs["part"]
        calls = {
            "action": lambda: services.action_add(by=by, intervention=intervention, **data),
            "alternative": lambda: services.alternative_choose(by=by, intervention=intervention, **data),
            "close": lambda: services.intervention_close(by=by, intervention=intervention, **data),
        }
        if self.attempt(form, calls[part]) is None:
            return self.form_invalid(form)
        done = {
            "action": "Action added.",
            "alternative": "Alternative provision recorded.",
            "close": "Intervention closed.",
        }
        messages.success(self.request, done[part])
        return redirect(services.intervention_url(intervention))


class ActionDoneView(InterventionMixin, FormPage):
    permission_required = "monitoring.manage_continuity"
    form_class = forms.ActionDoneForm
    heading = "Mark the action as done"

    @cached_property
    def action(self):
        return selectors.action_of(self.intervention, self.kwargs["action_pk"])

    def get_initial(self):
        return {"done_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        action = self.action
        kwargs.setdefault("intro", f"{action.what}: owned by {action.owner}, due {action.due_on:%d/%m/%Y}.")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        done = self.attempt(
            form, lambda: services.action_done(by=self.request.user, action=self.action, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        messages.success(self.request, f"‘{done.what}’ is done.")
        return redirect(services.intervention_url(self.intervention))


class AfterFailureView(AgreementMixin, FormPage):
    """After an agreement is terminated for the provider's failure: recommission, or bring it in-house."""

    permission_required = "monitoring.decide_after_failure"
    form_class = forms.AfterFailureForm
    heading = "After the failure: the commission's next step"

    def refusal(self):
        refusal = services.after_failure_refusal(self.agreement)
        return self.back(refusal) if refusal else None

    def get(self, request, *args, **kwargs):
        return self.refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refusal() or super().post(request, *args, **kwargs)

    def get_initial(self):
        agreement = self.agreement
        # A termination keeps the end date of the term: the in-house agreement covers the rest of it.
        return {"starts_on": agreement.ended_on + timedelta(days=1), "ends_on": agreement.ends_on, "value": None}

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        kwargs.update(
            caption=f"{agreement.reference} {agreement.title}",
            intro=f"The agreement was terminated on {agreement.ended_on:%d/%m/%Y} because the provider failed. "
            f"Recommissioning reviews the commission {agreement.commission.reference} and starts its next cycle; "
            "bringing the service in-house drafts an agreement with the council's own team.",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            return self.take(form, form.cleaned_data, self.request.user)
        except TransitionConflict as conflict:
            return self.back(str(conflict))

    def take(self, form, data, by):
        if data["next_step"] == forms.RECOMMISSION:
            commission = self.attempt(
                form,
                lambda: services.recommission_after_failure(by=by, agreement=self.agreement, reason=data["reason"]),
            )
            if commission is None:
                return self.form_invalid(form)
            messages.success(
                self.request,
                f"Commission {commission.reference} starts cycle {commission.cycle}: assess the needs again.",
            )
            return redirect(commission.get_absolute_url())
        in_house = self.attempt(
            form,
            lambda: services.bring_in_house_after_failure(
                by=by,
                agreement=self.agreement,
                team_name=data["team_name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                value=data["value"],
            ),
        )
        if in_house is None:
            return self.form_invalid(form)
        messages.success(
            self.request, f"Draft agreement {in_house.reference} with {in_house.party_name}: complete and sign it."
        )
        return redirect(in_house.get_absolute_url())
