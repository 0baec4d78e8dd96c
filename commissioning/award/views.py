"""Award pages: an opportunity's award (the recommendation with the evaluation summary attached, who
decides and why, where it has got to, the steps, the assessment summaries, the contract award notice
and the standstill), the recommendation's items, the decision, the steps (send, refer back, call in,
confirm or withdraw); the council's awards and its forward plan; and, with no sign-in, the public
forward plan. The assessment summaries' pages and the voluntary standstill are in `summary_views`.

Every award page resolves the opportunity of the council in the URL (404 otherwise) and the visitor's
part in its award: council people without a part get 403, anyone else 404. Scores and summaries come
through `award_selectors`, which hides the bids a panellist declared a conflict against.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from commissioning import ports
from commissioning.award import call_in, forms, forward_plan, gates, selectors, services
from commissioning.award import standstill_selectors as standstill
from commissioning.award.next_steps import award_next_steps
from commissioning.cycle.forms import ApprovalForm, TransitionForm
from commissioning.cycle.services import Decision
from commissioning.models import AwardState, Bid, DecisionMaker, ForwardPlanEntry
from commissioning.sourcing.pages import OpportunityPartMixin
from councils.models import Council, Role
from councils.permissions import COMMISSIONERS, has_any_role
from councils.views import apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused


def award_url(opportunity, name: str = "award_detail", **kwargs) -> str:
    return reverse(
        f"commissioning:{name}", kwargs={"council_slug": opportunity.council.slug, "pk": opportunity.pk, **kwargs}
    )


def posted(request):
    """The submitted data on a POST (a form with only a button posts nothing but is still submitted)."""
    return request.POST if request.method == "POST" else None


class AwardMixin(OpportunityPartMixin):
    """One opportunity's award and the visitor's part in it. `allow(access)` is the page's rule;
    `prepare()` fetches what the page is about once access is settled (a response stops there)."""

    def resolve(self, request, kwargs):
        access = selectors.award_access(request.user, request.council, kwargs["pk"])
        self.award = access.award
        return access

    def page_url(self) -> str:
        return award_url(self.opportunity)

    def allow(self, access: selectors.AwardAccess) -> bool:
        return access.may_read

    def needs_award(self):
        if self.award is None:
            return self.refuse("The award has not been started yet.")
        return None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("award", self.award)
        return super().get_context_data(**kwargs)


class AwardDetailView(AwardMixin, TemplateView):
    """The award page: the recommendation with the evaluation summary, the route, status and steps."""

    template_name = "award/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access, award = self.access, self.award
        summary = selectors.summary_for(access)
        context.update(title="Award", summary=summary)
        if award is None:
            context["can_start"] = access.is_officer and summary is not None
            return context
        items = selectors.award_items(award)
        rule = standstill.standstill_rule(award)
        summaries = selectors.summaries_for(access)
        progress = call_in.call_in_progress(award, self.request.user) if award.is_key_decision else None
        unsent = access.is_officer and award.state == AwardState.APPROVED and award.assessment_summaries_sent_at is None
        context.update(
            items=items,
            total=selectors.items_total(items),
            route=selectors.decision_route(award),
            status=standstill.award_status(award, rule=rule),
            # Approval has its own page; a call-in is asked for below, member by member.
            steps=[step for step in services.available_steps(award, self.request.user) if step["name"] != "approve"],
            may_decide=award.state == AwardState.AWAITING_DECISION and access.may_decide,
            missing_to_approve=gates.missing_to_approve(award) if award.state == AwardState.AWAITING_DECISION else [],
            can_edit=access.is_officer and award.state == AwardState.DRAFT,
            summaries=summaries,
            can_prepare_summaries=unsent and not summaries,
            can_send_summaries=unsent and bool(summaries) and award.has_effect(),
            rule=rule,
            standstill_lines=standstill.standstill_lines(award, rule),
            may_choose_standstill=access.is_officer and standstill.may_choose_voluntary_standstill(award, rule),
            missing_before_notice=(
                gates.missing_before_award_notice(award)
                if rule.notice and award.state == AwardState.APPROVED and award.award_notice_published_on is None
                else []
            ),
            call_ins=list(award.call_ins.select_related("called_in_by", "resolved_by")),
            call_in=progress,
            may_call_in=access.may_call_in and progress is not None and not progress.closed,
            agreements=self.agreements(items),
        )
        context["next_steps"] = award_next_steps(award, context)
        return context

    def agreements(self, items):
        return ports.agreements.of_award(self.award, [item.bid_id for item in items])


class AwardStartView(AwardMixin, View):
    """Start the award from the signed-off evaluation (a button on the award page)."""

    def allow(self, access):
        return access.is_officer

    def get(self, request, *args, **kwargs):
        return self.back()

    def post(self, request, *args, **kwargs):
        try:
            services.award_start(by=request.user, opportunity=self.opportunity)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(request, "The award has been started from the evaluation's ranking: check the recommendation.")
        return self.back()


class AwardItemsView(AwardMixin, FormView):
    """The recommendation: which bids win each lot (or the opportunity), for how much, and why."""

    template_name = "award/items.html"

    def allow(self, access):
        return access.is_officer

    def prepare(self):
        if self.award is None:
            return self.needs_award()
        if self.award.state != AwardState.DRAFT:
            return self.refuse("The recommendation is fixed once it has been sent for decision.")
        self.summary = selectors.summary_for(self.access)
        return None

    def options(self) -> list[forms.Option]:

        rows = {row.bid_id: row for row in self.summary.ranked}
        bids = Bid.objects.filter(pk__in=rows).select_related("organisation").prefetch_related("lots", "price_lines")
        bids = sorted(bids, key=lambda bid: rows[bid.pk].rank)
        lots = selectors.lots_of(self.opportunity)
        options = []
        for lot in lots or [None]:
            for bid in bids:
                if lot is not None and not any(own.pk == lot.pk for own in bid.lots.all()):
                    continue
                row = rows[bid.pk]
                options.append(
                    forms.Option(bid=bid, lot=lot, rank=row.rank, total=row.total, price=selectors.bid_price(bid, lot))
                )
        return options

    def get_form(self, form_class=None):
        self.items = selectors.award_items(self.award)
        return forms.ItemsForm(
            posted(self.request),
            options=self.options(),
            items=self.items,
            initial={"recommendation": self.award.recommendation},
        )

    def get_context_data(self, **kwargs):
        kwargs.update(title="The recommendation", summary=self.summary)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        # Items for bids this officer is walled off from (a declared conflict) stay as they were.
        kept = [
            {"bid": item.bid, "lot": item.lot, "value": item.value, "note": item.note}
            for item in self.items
            if item.bid_id in self.access.hidden_bids
        ]
        try:
            services.award_items_save(
                by=self.request.user,
                award=self.award,
                items=kept + form.items(),
                recommendation=form.cleaned_data["recommendation"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Recommendation saved.")
        return self.back()


class StepMixin(AwardMixin):
    """A step of the award that needs an award in the state the step starts from."""

    step_name = ""

    def step_for(self, name: str) -> dict | None:
        transitions = [t for t in self.award.get_all_state_transitions() if t.name == name]
        if not transitions:
            raise Http404
        for step in services.available_steps(self.award, self.request.user):
            if step["name"] == name:
                return step
        if self.award.state in {t.source for t in transitions}:
            raise PermissionDenied  # the step is there to take, but not by this person
        return None

    def prepare(self):
        if self.award is None:
            raise Http404
        self.step = self.step_for(self.step_name or self.kwargs["name"])
        if self.step is None:
            return self.refuse("That step cannot be taken now: someone may have taken it already.")
        return None

    def get_initial(self):
        return {"from_state": self.award.state, "decided_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        items = selectors.award_items(self.award)
        kwargs.update(
            title=self.step["label"],
            step=self.step,
            items=items,
            total=selectors.items_total(items),
            route=selectors.decision_route(self.award),
            status=standstill.award_status(self.award),
        )
        return super().get_context_data(**kwargs)

    def take(self, form, decision: Decision | None = None):
        data = form.cleaned_data
        try:
            services.award_transition(
                by=self.request.user,
                award=self.award,
                name=self.step["name"],
                reason=data.get("reason", ""),
                decision=decision,
                seen_state=data["from_state"],
            )
        except TransitionRefused as refused:
            self.step["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.refuse(str(conflict))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.step['label']}: done. {' '.join(standstill.award_status(self.award))}")
        return self.back()


class AwardDecisionView(StepMixin, FormView):
    """The decision-maker's page: the recommendation with the evaluation summary, who decides and
    why, and the decision's paperwork (a key decision's reference and published minutes)."""

    template_name = "award/decision.html"
    step_name = "approve"

    def get_form(self, form_class=None):
        return ApprovalForm(
            posted(self.request),
            step={**self.step, "needs_reason": False},
            key_decision=self.award.is_key_decision,
            initial=self.get_initial(),
        )

    def get_context_data(self, **kwargs):
        kwargs.update(
            summary=selectors.summary_for(self.access),
            recommendation=self.award.recommendation,
            missing=self.step["missing"],
            can_refer_back=any(
                s["name"] == "refer_back" for s in services.available_steps(self.award, self.request.user)
            ),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        decision = Decision(
            decision_maker=data["decision_maker"],
            reference=data["reference"],
            decided_on=data["decided_on"],
            minute_url=data["minute_url"],
        )
        return self.take(form, decision)


class AwardStepView(StepMixin, FormView):
    """Send the recommendation, refer it back, call the decision in (scrutiny), or confirm or
    withdraw it after a call-in: a reason where one is needed."""

    template_name = "award/step.html"

    def prepare(self):
        if self.kwargs["name"] == "approve" and self.award is not None:
            return redirect(award_url(self.opportunity, "award_decision"))
        return super().prepare()

    def get_form(self, form_class=None):
        return TransitionForm(posted(self.request), step=self.step, initial=self.get_initial())

    def form_valid(self, form):
        return self.take(form)


class AwardCallInRequestView(AwardMixin, FormView):
    """A scrutiny member asks for the key decision to be called in, with why; the decision is called
    in when enough members have asked (the council's constitution sets how many)."""

    template_name = "award/call_in.html"

    def allow(self, access):
        return access.may_read and access.may_call_in

    def prepare(self):
        if self.award is None:
            raise Http404
        self.progress = call_in.call_in_progress(self.award, self.request.user)
        if self.progress.closed:
            return self.refuse(" ".join(self.progress.closed) + ".")
        if self.progress.mine is not None:
            return self.refuse("You have already asked to call this decision in.")
        return None

    def get_form(self, form_class=None):
        return forms.ReasonForm(
            posted(self.request),
            submit_label="Ask to call this decision in",
            label="Why the decision should be called in",
        )

    def get_context_data(self, **kwargs):
        items = selectors.award_items(self.award)
        kwargs.update(
            title="Ask to call this decision in",
            call_in=self.progress,
            items=items,
            total=selectors.items_total(items),
            route=selectors.decision_route(self.award),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            award = call_in.call_in_request(by=self.request.user, award=self.award, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_form_errors(form, error)
                return self.form_invalid(form)
            return self.refuse(" ".join(error.messages))
        if award.state == AwardState.CALLED_IN:
            messages.success(
                self.request, "The decision has been called in: the decision-maker must now confirm or withdraw it."
            )
        else:
            messages.success(self.request, call_in.call_in_progress(award, self.request.user).sentence + ".")
        return self.back()


class AwardCallInWithdrawView(AwardMixin, View):
    """A scrutiny member withdraws their request to call the decision in (a button on the award page)."""

    def allow(self, access):
        return access.may_read and access.may_call_in

    def get(self, request, *args, **kwargs):
        return self.back()

    def post(self, request, *args, **kwargs):
        if self.award is None:
            raise Http404
        try:
            call_in.call_in_request_withdraw(by=request.user, award=self.award)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(request, "Your request to call this decision in has been withdrawn.")
        return self.back()


# ---- The council's awards and forward plan ---------------------------------------------------------


class CouncilPageMixin(LoginRequiredMixin):
    roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_any_role(request.user, request.council, self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AwardListView(CouncilPageMixin, TemplateView):
    """The council's awards this person may see, those waiting for them first."""

    template_name = "award/list.html"
    roles = (*selectors.AWARD_READERS, Role.PORTFOLIO_HOLDER)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            selectors.awards_for_user(self.request.user, self.request.council),
            council=self.request.council,
            title="Awards",
        )
        return context


class ForwardPlanView(CouncilPageMixin, TemplateView):
    """The council's forward plan: key decisions to come, then those taken or withdrawn."""

    template_name = "award/forward_plan.html"
    roles = tuple(Role.values)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council = self.request.council
        past = selectors.forward_plan_past(council)
        context.update(
            council=council,
            title="Forward plan of key decisions",
            entries=list(selectors.forward_plan(council)),
            past=Paginator(past, 25).get_page(self.request.GET.get("page")),
            can_manage=has_any_role(self.request.user, council, COMMISSIONERS),
            can_see_awards=has_any_role(self.request.user, council, AwardListView.roles),
        )
        return context


class ForwardPlanAddView(CouncilPageMixin, FormView):
    template_name = "award/form_page.html"
    roles = COMMISSIONERS

    def get_form(self, form_class=None):
        return forms.ForwardPlanForm(
            posted(self.request),
            commissions=selectors.key_decision_commissions(self.request.council),
            initial={"decision_maker": DecisionMaker.PORTFOLIO_HOLDER},
        )

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Publish a key decision on the forward plan",
            council=self.request.council,
            back_url=reverse("commissioning:forward_plan", kwargs={"council_slug": self.request.council.slug}),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            entry = forward_plan.forward_plan_publish(
                by=self.request.user,
                commission=data["commission"],
                matter=data["matter"],
                decision_maker=data["decision_maker"],
                expected_on=data["expected_on"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{entry.reference} is on the forward plan.")
        return redirect("commissioning:forward_plan", council_slug=self.request.council.slug)


class ForwardPlanWithdrawView(CouncilPageMixin, FormView):
    template_name = "award/form_page.html"
    roles = COMMISSIONERS

    def get_entry(self) -> ForwardPlanEntry:
        return selectors.forward_plan_entry(self.request.council, self.kwargs["entry_pk"])

    def get(self, request, *args, **kwargs):
        self.entry = self.get_entry()
        if not self.entry.is_current:
            messages.error(request, f"{self.entry.reference} has already been decided or withdrawn.")
            return redirect("commissioning:forward_plan", council_slug=request.council.slug)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.entry = self.get_entry()
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return forms.ReasonForm(
            posted(self.request), submit_label="Withdraw from the forward plan", label="Why it is withdrawn"
        )

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=f"Withdraw {self.entry.reference}",
            entry=self.entry,
            council=self.request.council,
            back_url=reverse("commissioning:forward_plan", kwargs={"council_slug": self.request.council.slug}),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            forward_plan.forward_plan_withdraw(
                by=self.request.user, entry=self.entry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.entry.reference} has been withdrawn from the forward plan.")
        return redirect("commissioning:forward_plan", council_slug=self.request.council.slug)


# ---- No sign-in: the public forward plan -------------------------------


class PublicForwardPlanView(TemplateView):
    """Every council's upcoming key decisions (or one council's), as published."""

    template_name = "award/public_forward_plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        councils = list(Council.objects.order_by("name"))
        chosen = next((c for c in councils if c.slug == self.request.GET.get("council")), None)
        context.update(
            title="Forward plan: key decisions to come",
            councils=councils,
            chosen=chosen,
            entries=list(selectors.forward_plan(chosen)),
        )
        return context
