"""Commission pages: the list, the commissioning plan, one commission with its cycle and next steps,
its audit trail, and taking a step. Thin: each view parses input and calls one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from commissioning import ports
from commissioning.cycle import selectors, services
from commissioning.cycle.filters import CommissionFilterForm
from commissioning.cycle.forms import ApprovalForm, CommissionCreateForm, TransitionForm
from commissioning.cycle.next_steps import commission_next_steps
from commissioning.models import DecommissioningRecord, EngagementActivity, NeedsAssessment, Stage, State
from commissioning.sourcing.selectors import opportunities as opportunity_selectors
from councils.lazy import section, sections
from councils.list_pages import chosen, filter_query, page_number
from councils.page_cache import CachedPageMixin
from councils.step_views import StepPageMixin
from councils.views import CouncilPermissionMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused

PAGE_SIZE = 25


class CommissionMixin(CouncilPermissionMixin):
    """Views of one commission: unreadable or foreign commissions are 404, then the permission applies."""

    permission_required = "commissioning.read_commission"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.commission = selectors.commission_for_user(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.commission

    def get_context_data(self, **kwargs):
        kwargs.setdefault("commission", self.commission)
        return super().get_context_data(**kwargs)


class CommissionListView(CouncilPermissionMixin, CachedPageMixin, TemplateView):
    permission_required = "commissioning.list_commissions"
    template_name = "commissioning/commission_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council = self.request.council
        user = self.request.user
        form = CommissionFilterForm(self.request.GET or None, council=council)
        context.update(
            filter_form=form,
            # The list is worked out only when its kept part ({% fragment %}) has gone.
            page_obj=section(
                lambda: Paginator(selectors.commission_list(user, council, form.filters()), PAGE_SIZE).get_page(
                    self.request.GET.get("page")
                )
            ),
            chosen=chosen(form),
            page_number=page_number(self.request),
            query_string=filter_query(form),
            can_create=user.has_perm("commissioning.create_commission", council),
        )
        return context


class CommissioningPlanView(CouncilPermissionMixin, TemplateView):
    """The printable commissioning plan for a council and period."""

    permission_required = "commissioning.list_commissions"
    template_name = "commissioning/commissioning_plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        this_year = timezone.localdate().year
        start, end = self._year("from", this_year), self._year("to", this_year + 2)
        if end < start:
            start, end = end, start
        commissions = selectors.commissioning_plan(self.request.user, self.request.council, start, end)
        context.update(
            commissions=commissions,
            start_year=start,
            end_year=end,
            total_investment=sum((c.budget or 0) for c in commissions),
        )
        return context

    def _year(self, key: str, default: int) -> int:
        try:
            year = int(self.request.GET.get(key, default))
        except ValueError:
            return default
        return year if 1990 <= year <= 2100 else default


class CommissionCreateView(CouncilPermissionMixin, FormView):
    permission_required = "commissioning.create_commission"
    template_name = "councils/form_page.html"
    form_class = CommissionCreateForm
    extra_context = {"title": "Start a commission"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "council": self.request.council}

    def get_initial(self):
        return {"lead_officer": self.request.user.pk}

    def form_valid(self, form):
        try:
            commission = services.commission_create(
                by=self.request.user, council=self.request.council, **form.cleaned_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Commission {commission.reference} started. Begin by understanding the need.")
        return redirect(commission)


def cycle_picture(commission) -> list[dict]:
    """The four stages for the cycle picture, marking where the commission is."""
    return [
        {"stage": stage, "label": Stage(stage).label, "current": commission.stage == stage}
        for stage in (Stage.UNDERSTAND, Stage.PLAN, Stage.DO, Stage.REVIEW)
    ]


class CommissionDetailView(CommissionMixin, CachedPageMixin, TemplateView):
    template_name = "commissioning/commission_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commission, user = self.commission, self.request.user
        sourcing = section(lambda: opportunity_selectors.sourcing_for_commission(commission, user))
        # Worked out only when the page's kept body ({% fragment %}) has gone.
        context.update(
            sections(
                work=lambda: selectors.commission_stage_work(commission),
                next_steps=lambda: commission_next_steps(commission, user, sourcing),
                recent_events=lambda: selectors.commission_audit_trail(commission)[:8],
                can_edit_details=lambda: services.can_edit(type(commission), commission, user),
                can_edit_understand=lambda: services.can_edit(NeedsAssessment, commission, user),
                can_edit_plan=lambda: services.can_edit(services.PLAN_RECORDS[0], commission, user),
                can_edit_review=lambda: services.can_edit(DecommissioningRecord, commission, user),
                can_edit_live=lambda: services.can_edit(EngagementActivity, commission, user),
                agreements_section=lambda: ports.agreements.page_section(commission, user),
                notices_section=lambda: ports.notices.page_section(commission, user),
            ),
            cycle=cycle_picture(commission),
            is_closed=commission.state in (State.DECOMMISSIONED, State.CANCELLED),
            way_forward=selectors.way_forward(commission),
            sourcing=sourcing,
        )
        return context


class CommissionAuditView(CommissionMixin, TemplateView):
    template_name = "commissioning/commission_audit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.commission_audit_trail(self.commission), 50)
        context["page_obj"] = paginator.get_page(self.request.GET.get("page"))
        return context


class CommissionTransitionView(StepPageMixin, CommissionMixin, FormView):
    """Confirm one step round the cycle: a reason where one is needed, the decision record for approval."""

    template_name = "commissioning/commission_transition.html"

    def step_object(self):
        return self.commission

    def get_form_class(self):
        return ApprovalForm if self.step["decision"] else TransitionForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "step": self.step}
        if self.step["decision"]:
            kwargs["key_decision"] = self.commission.is_key_decision
        return kwargs

    def get_initial(self):
        return {"from_state": self.commission.state, "decided_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        kwargs.update(step=self.step, title=self.step["label"])
        if self.commission.state == State.SOURCING and self.step["ends_procurement"]:
            kwargs["opportunities_to_cancel"] = opportunity_selectors.live_opportunities(self.commission)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        decision = None
        if self.step["decision"]:
            decision = services.Decision(
                decision_maker=data["decision_maker"],
                reference=data["reference"],
                decided_on=data["decided_on"],
                minute_url=data["minute_url"],
            )
        try:
            services.commission_transition(
                by=self.request.user,
                commission=self.commission,
                name=self.step["name"],
                reason=data["reason"],
                decision=decision,
                seen_state=data["from_state"],
                build_url=self.request.build_absolute_uri,
            )
        except TransitionRefused as refused:
            self.step["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            messages.error(self.request, str(conflict))
            return redirect(self.commission)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{self.step['label']}: the commission is now ‘{self.commission.get_state_display()}’."
        )
        return redirect(self.commission)
