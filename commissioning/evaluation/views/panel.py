"""Setting up an evaluation and its panel: the set-up, appointing, replacing and naming the chair,
and each panellist's declarations of interest.

All of this comes before anyone sees a bid, and (apart from declarations) is the lead commissioner's
to do, so it is kept apart from the scoring pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.views.generic import FormView

from commissioning.evaluation import forms, selectors, services
from commissioning.evaluation.views.base import EvaluationMixin
from commissioning.models import (
    DEFAULT_COMPLIANCE_CHECKS,
    EvaluationCriterion,
    EvaluationState,
    PanelMember,
    PriceMethod,
)
from councils.views import apply_form_errors


class SetUpView(EvaluationMixin, FormView):
    template_name = "evaluation/form_page.html"
    form_class = forms.SetUpForm
    needs_evaluation = False

    def allow(self, access):
        return access.is_lead

    def get(self, request, *args, **kwargs):
        if self.evaluation is not None and self.evaluation.state != EvaluationState.DECLARATIONS:
            return self.refuse("The set-up is fixed now that the evaluation has moved on.")
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        criteria = EvaluationCriterion.objects.filter(
            commission_id=self.opportunity.commission_id, cycle=self.opportunity.cycle
        ).order_by("position", "id")
        return {**super().get_form_kwargs(), "criteria": criteria}

    def get_initial(self):
        evaluation = self.evaluation
        if evaluation is None:
            route = self.opportunity.commission.delivery_route
            return {
                "price_method": PriceMethod.LOWEST_PRICE if route == "contract" else PriceMethod.QUALITY_ONLY,
                "compliance_checks": "\n".join(DEFAULT_COMPLIANCE_CHECKS),
            }
        return {
            "price_method": evaluation.price_method,
            "price_criterion": evaluation.price_criterion_id,
            "compliance_checks": "\n".join(evaluation.compliance_checks),
        }

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Set up the evaluation" if self.evaluation is None else "Change the evaluation's set-up"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.evaluation_set_up(
                by=self.request.user,
                opportunity=self.opportunity,
                price_method=data["price_method"],
                price_criterion=data["price_criterion"],
                compliance_checks=data["compliance_checks"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The evaluation is set up. Now appoint the panel.")
        return self.back()


class PanelAppointView(EvaluationMixin, FormView):
    template_name = "evaluation/form_page.html"
    form_class = forms.AppointForm

    def allow(self, access):
        return access.is_lead

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "officers": forms.officers_for_panel(self.request.council, self.evaluation),
            "questions": self.opportunity.questions.select_related("criterion").order_by("position", "id"),
        }

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Appoint to the panel"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        independent = bool(data.get("independent_email"))
        try:
            member = services.panel_appoint(
                by=self.request.user,
                evaluation=self.evaluation,
                user=data["user"],
                independent=independent,
                chair=data["chair"],
                questions=data["questions"] if independent else (),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "user" in error.error_dict:
                error.error_dict["independent_email" if independent else "officer"] = error.error_dict.pop("user")
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{member.user} is on the panel ({member.role_label.lower()}).")
        return self.back()


class PanelMemberMixin(EvaluationMixin):
    def allow(self, access):
        return access.is_lead

    def prepare(self):
        self.member = get_object_or_404(
            PanelMember.objects.select_related("user"),
            evaluation=self.evaluation,
            pk=self.kwargs["member_pk"],
            ended_at__isnull=True,
        )


class PanelReplaceView(PanelMemberMixin, FormView):
    template_name = "evaluation/form_page.html"
    form_class = forms.ReplaceForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "officers": forms.officers_for_panel(self.request.council, self.evaluation),
            "independent": self.member.is_independent,
        }

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Replace {self.member.user} on the panel"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            new = services.panel_replace(
                by=self.request.user,
                evaluation=self.evaluation,
                member=self.member,
                user=data["user"],
                reason=data["reason"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "user" in error.error_dict:
                target = "independent_email" if self.member.is_independent else "officer"
                error.error_dict[target] = error.error_dict.pop("user")
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{new.user} has replaced {self.member.user} on the panel.")
        return self.back()


class PanelChairView(PanelMemberMixin, FormView):
    template_name = "evaluation/form_page.html"
    form_class = forms.ConfirmForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": "Name as chair", "with_reason": False}

    def get_initial(self):
        return {"seen_state": self.evaluation.state}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"Name {self.member.user} as the chair"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.panel_name_chair(by=self.request.user, evaluation=self.evaluation, member=self.member)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(self.request, f"{self.member.user} is now the chair of the panel.")
        return self.back()


class DeclarationsView(EvaluationMixin, FormView):
    """A panellist's declarations against every bid, before they see any."""

    template_name = "evaluation/declarations.html"
    form_class = forms.DeclarationsForm

    def allow(self, access):
        return access.member is not None

    def prepare(self):
        self.bids = selectors.declarable_bids(self.access)

    def get_form_kwargs(self):
        declarations = {d.bid_id: d for d in self.access.member.declarations.all()}
        return {**super().get_form_kwargs(), "bids": self.bids, "declarations": declarations}

    def get_context_data(self, **kwargs):
        kwargs.update(title="Declare your interests", bids=self.bids)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.declarations_record(by=self.request.user, evaluation=self.evaluation, answers=form.answers())
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your declarations are recorded.")
        return self.back()
