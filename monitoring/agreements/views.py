"""Agreement pages for the council: the list, one agreement with its terms, KPIs, payments and
variations, drafting, and the steps of its life (sign, go live, vary, extend, terminate, end). The
provider's read-only view is in `monitoring.agreements.provider_views`, the public contract and grant
register in `monitoring.agreements.register_views`.

Thin: each view parses input and calls one service or selector. Council pages resolve the agreement
first (404 if the user cannot read it), then check the permission (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from commissioning.cycle.views import CommissionMixin
from councils import next_steps
from councils.lazy import section, sections
from councils.page_cache import CachedPageMixin
from councils.uploads import download_response
from councils.views import CouncilPermissionMixin, StateRequiredMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.agreements import forms, gates, selectors, services, steps, variations
from monitoring.continuity import selectors as continuity_selectors
from monitoring.models import Agreement, AgreementKpi, AgreementState, ScheduledPayment, TerminationGround
from monitoring.returns import selectors as returns_selectors
from monitoring.social_value import selectors as social_value_selectors
from monitoring.terms import selectors as terms_selectors

PAGE_SIZE = 25


def filtered_page(request, form, queryset) -> dict:
    """One page of a filtered list, with the filters kept in the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "page_obj": Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")),
        "query_string": query.urlencode(),
    }


# ---- The council's agreements ------------------------------------------------------------------


class AgreementListView(CouncilPermissionMixin, TemplateView):
    permission_required = "monitoring.list_agreements"
    template_name = "monitoring/agreement_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = forms.AgreementFilterForm(self.request.GET or None)
        agreements = selectors.agreement_list(self.request.user, self.request.council, form.filters())
        context.update(title="Agreements", **filtered_page(self.request, form, agreements))
        return context


class AgreementCreateView(CommissionMixin, FormView):
    """Draft an agreement for a commission delivered in-house, in partnership or as a shared service."""

    permission_required = "monitoring.create_agreement"
    template_name = "councils/form_page.html"
    form_class = forms.AgreementForm

    def refusal(self) -> str:
        return services.direct_creation_refusal(self.commission)

    def get(self, request, *args, **kwargs):
        if self.refusal():
            messages.error(request, self.refusal())
            return redirect(f"{self.commission.get_absolute_url()}#agreements")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.refusal():
            messages.error(request, self.refusal())
            return redirect(f"{self.commission.get_absolute_url()}#agreements")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        instance = Agreement(commission=self.commission, council=self.commission.council)
        return {**super().get_form_kwargs(), "commission": self.commission, "instance": instance}

    def get_initial(self):
        commission = self.commission
        agreed = commission.agreements.filter(cycle=commission.cycle).exclude(state=AgreementState.CANCELLED).aggregate(
            total=Sum("value")
        )["total"] or Decimal("0")
        funding = commission.funding.filter(cycle=commission.cycle).select_related("pot").first()
        return {
            "title": commission.title,
            "agreement_type": services.DEFAULT_TYPE.get(commission.delivery_route),
            "value": max((commission.budget or Decimal("0")) - agreed, Decimal("0")),
            "starts_on": commission.starts_on,
            "ends_on": commission.ends_on,
            "funding_pot": funding.pot_id if funding else None,
            "council_contact": commission.lead_officer_id,
            "max_extensions": 0,
            "extension_period_months": 0,
        }

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Draft an agreement",
            back_url=f"{self.commission.get_absolute_url()}#agreements",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            agreement = services.agreement_create(by=self.request.user, commission=self.commission, **form.terms())
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Agreement {agreement.reference} drafted with the commission's success measures as its KPIs.",
        )
        return redirect(agreement)


class AgreementMixin(CouncilPermissionMixin):
    """Views of one agreement: unreadable or foreign agreements are 404, then the permission applies."""

    permission_required = "monitoring.read_agreement"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.agreement = selectors.agreement_for_user(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.agreement

    def get_context_data(self, **kwargs):
        kwargs.setdefault("agreement", self.agreement)
        kwargs.setdefault("back_url", self.agreement.get_absolute_url())
        return super().get_context_data(**kwargs)

    def back(self, message: str = "", anchor: str = ""):
        if message:
            messages.error(self.request, message)
        return redirect(f"{self.agreement.get_absolute_url()}{'#' + anchor if anchor else ''}")


class AgreementDetailView(AgreementMixin, CachedPageMixin, TemplateView):
    template_name = "monitoring/agreement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, agreement = self.request.user, self.agreement
        can_edit = section(lambda: user.has_perm("monitoring.edit_agreement", agreement))
        # Worked out only when the page's kept body ({% fragment %}) has gone.
        context.update(
            title=agreement.title,
            **sections(
                detail=lambda: selectors.agreement_detail(agreement),
                social_value=lambda: social_value_selectors.agreement_social_value(agreement),
                next_steps=lambda: next_steps.from_workflow(
                    agreement,
                    user,
                    lambda step: reverse(
                        "monitoring:agreement_action", args=[agreement.council.slug, agreement.pk, step["slug"]]
                    ),
                ),
                can_edit_draft=lambda: bool(can_edit) and agreement.state == AgreementState.DRAFT,
                can_vary=lambda: bool(can_edit) and agreement.state in (AgreementState.SIGNED, AgreementState.LIVE),
                latest_extended_end=lambda: variations.latest_extended_end(agreement),
                monitoring=lambda: returns_selectors.monitoring_section(agreement) if agreement.live_on else None,
                can_assess=lambda: user.has_perm("monitoring.record_assessment", agreement),
                invoices_url=lambda: (
                    reverse("monitoring:invoices", kwargs={"council_slug": agreement.council.slug, "pk": agreement.pk})
                    if user.has_perm("monitoring.read_invoices", agreement)
                    else ""
                ),
                payment_terms=lambda: terms_selectors.terms_page(agreement),
                continuity=lambda: continuity_selectors.agreement_section(agreement, user),
            ),
            savings_url=reverse("monitoring:agreement_savings", args=[agreement.council.slug, agreement.pk]),
            remedies_url=reverse("monitoring:remedies", args=[agreement.council.slug, agreement.pk])
            if agreement.state != AgreementState.DRAFT
            else "",
        )
        return context


class DocumentView(AgreementMixin, View):
    """The signed agreement, for the council's readers."""

    def get(self, request, *args, **kwargs):
        return agreement_document(self.agreement)


def agreement_document(agreement: Agreement):
    if not agreement.signed_document:
        raise Http404
    return download_response(agreement.signed_document, f"{agreement.reference} signed agreement")


# ---- Drafting -----------------------------------------------------------------------------------


class DraftMixin(StateRequiredMixin, AgreementMixin):
    """Editing a draft: commissioners only (403); a signed agreement sends them back to vary it."""

    permission_required = "monitoring.edit_agreement"
    required_state = AgreementState.DRAFT

    def state_holder(self):
        return self.agreement

    def wrong_state_message(self) -> str:
        return "The agreement has been signed: its terms change only through a variation."


class AgreementEditView(DraftMixin, FormView):
    template_name = "councils/form_page.html"
    form_class = forms.AgreementForm

    def get_form_kwargs(self):
        # A copy: the page keeps the saved title while the form shows what was typed.
        instance = Agreement.objects.get(pk=self.agreement.pk)
        return {**super().get_form_kwargs(), "commission": self.agreement.commission, "instance": instance}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Change the draft agreement"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.agreement_update(
                by=self.request.user, agreement=form.save(commit=False), changed=form.changed_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The draft agreement has been saved.")
        return self.back()


@dataclass(frozen=True)
class ItemKind:
    """A KPI or a payment of a draft agreement."""

    label: str
    anchor: str
    form_class: type
    model: type
    lookup: str
    argument: str  # the services' keyword for it: kpi_save(kpi=...), payment_remove(payment=...)

    @property
    def save(self) -> str:
        return f"{self.argument}_save"

    @property
    def remove(self) -> str:
        return f"{self.argument}_remove"


ITEM_KINDS = {
    "kpis": ItemKind("KPI", "kpis", forms.KpiForm, AgreementKpi, "kpi_of", "kpi"),
    "payments": ItemKind("payment", "payments", forms.PaymentForm, ScheduledPayment, "payment_of", "payment"),
}


class ItemMixin(DraftMixin):
    def dispatch(self, request, *args, **kwargs):
        self.kind = ITEM_KINDS.get(kwargs["kind"])
        if self.kind is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def item(self):
        pk = self.kwargs.get("item_pk")
        if pk is None:
            return None
        return getattr(selectors, self.kind.lookup)(self.agreement, pk)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(f"{self.agreement.get_absolute_url()}#{self.kind.anchor}")


class ItemEditView(ItemMixin, FormView):
    """Add (no item_pk) or change a KPI or a payment of a draft agreement."""

    template_name = "councils/form_page.html"

    def get_form_class(self):
        return self.kind.form_class

    def get_form_kwargs(self):
        instance = self.item if self.item is not None else self.kind.model(agreement=self.agreement)
        return {**super().get_form_kwargs(), "agreement": self.agreement, "instance": instance}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"{'Change' if self.item else 'Add'} a {self.kind.label}"
        kwargs["back_url"] = f"{self.agreement.get_absolute_url()}#{self.kind.anchor}"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        adding = self.item is None
        save = getattr(services, self.kind.save)
        item = {self.kind.argument: form.save(commit=False)}
        try:
            save(by=self.request.user, agreement=self.agreement, changed=form.changed_data, **item)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        return self.done(f"{self.kind.label[:1].upper()}{self.kind.label[1:]} {'added' if adding else 'saved'}.")


class ItemRemoveView(ItemMixin, FormView):
    template_name = "monitoring/confirm.html"

    def get_form(self, form_class=None):
        return forms.ConfirmForm(**self.get_form_kwargs(), submit_label=f"Remove this {self.kind.label}")

    def get_context_data(self, **kwargs):
        kwargs.update(title=f"Remove this {self.kind.label}", record=self.item)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        remove = getattr(services, self.kind.remove)
        remove(by=self.request.user, agreement=self.agreement, **{self.kind.argument: self.item})
        return self.done(f"{self.kind.label[:1].upper()}{self.kind.label[1:]} removed.")


class KpiTargetsView(DraftMixin, FormView):
    """A draft KPI's target for each reporting period."""

    template_name = "councils/form_page.html"

    @cached_property
    def kpi(self):
        return selectors.kpi_of(self.agreement, self.kwargs["kpi_pk"])

    def get_form(self, form_class=None):
        return forms.KpiTargetsForm(**self.get_form_kwargs(), kpi=self.kpi, targets=list(self.kpi.targets.all()))

    def get_context_data(self, **kwargs):
        kwargs.update(title=f"Targets per period: {self.kpi.description}", back_url=self.back_url())
        return super().get_context_data(**kwargs)

    def back_url(self) -> str:
        return f"{self.agreement.get_absolute_url()}#kpis"

    def form_valid(self, form):
        try:
            services.kpi_targets_save(
                by=self.request.user, agreement=self.agreement, kpi=self.kpi, targets=form.targets()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Targets saved.")
        return redirect(self.back_url())


class InstalmentsView(DraftMixin, FormView):
    """Replace a draft's payment schedule with equal instalments, one per reporting period."""

    template_name = "monitoring/confirm.html"

    def get_form(self, form_class=None):
        return forms.ConfirmForm(**self.get_form_kwargs(), submit_label="Replace the payment schedule")

    def get_context_data(self, **kwargs):
        periods = len(self.agreement.periods())
        kwargs.update(
            title="Pay in equal instalments",
            intro=f"The payment schedule will be replaced by {periods} equal instalment{'s' if periods != 1 else ''} "
            f"of the agreement's value, one at the start of each reporting period.",
            back_url=f"{self.agreement.get_absolute_url()}#payments",
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        services.payment_schedule_instalments(by=self.request.user, agreement=self.agreement)
        messages.success(self.request, "The payment schedule now has equal instalments.")
        return redirect(f"{self.agreement.get_absolute_url()}#payments")


# ---- Steps in the agreement's life -------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    label: str
    form_class: type
    permission: str
    states: frozenset
    intro: str = ""
    destructive: bool = False


VARIABLE = frozenset({AgreementState.SIGNED, AgreementState.LIVE})
ACTIONS = {
    "sign": Action(
        "Record the signed agreement",
        forms.SignForm,
        "monitoring.sign_agreement",
        frozenset({AgreementState.DRAFT}),
        "Upload the copy signed by both parties. Its terms are then fixed: later changes are variations.",
    ),
    "go-live": Action(
        "Delivery has started: mark as live",
        forms.GoLiveForm,
        "monitoring.edit_agreement",
        frozenset({AgreementState.SIGNED}),
        "When every agreement of the commission is live, the commission moves to delivery.",
    ),
    "end": Action(
        "Record that the agreement has ended",
        forms.ActionForm,
        "monitoring.edit_agreement",
        frozenset({AgreementState.LIVE}),
        "The agreement has run its full term.",
    ),
    "cancel": Action(
        "Cancel this draft",
        forms.ReasonForm,
        "monitoring.edit_agreement",
        frozenset({AgreementState.DRAFT}),
        "The draft is kept, marked as cancelled, with your reason.",
        destructive=True,
    ),
    "terminate": Action(
        "Terminate early",
        forms.TerminateForm,
        "monitoring.terminate_agreement",
        VARIABLE,
        "The agreement ends on the date you give. The termination is kept in its history.",
        destructive=True,
    ),
    "vary-value": Action(
        "Vary the value",
        forms.ValueVariationForm,
        "monitoring.edit_agreement",
        VARIABLE,
        "The old value stays in the agreement's history. The difference is added to the payment schedule.",
    ),
    "vary-dates": Action(
        "Vary the dates",
        forms.DatesVariationForm,
        "monitoring.edit_agreement",
        VARIABLE,
        "Move the start before delivery begins, or bring the end forward. To go beyond the end date, record "
        "an extension.",
    ),
    "vary-kpi": Action(
        "Vary a KPI",
        forms.KpiVariationForm,
        "monitoring.edit_agreement",
        VARIABLE,
        "Change a KPI's target, add a KPI or drop one. Targets of periods already under way are kept.",
    ),
    "extend": Action(
        "Extend the agreement",
        forms.ExtensionForm,
        "monitoring.edit_agreement",
        VARIABLE,
        "Take up one of the agreement's extension options.",
    ),
}


class AgreementActionView(AgreementMixin, FormView):
    template_name = "monitoring/agreement_action.html"

    def dispatch(self, request, *args, **kwargs):
        self.action = ACTIONS.get(kwargs["action"])
        if self.action is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_permission_required(self):
        return (self.action.permission,)

    def get(self, request, *args, **kwargs):
        if self.agreement.state not in self.action.states:
            return self.back(f"The agreement is ‘{self.agreement.get_state_display().lower()}’: that step is not open.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.agreement.state not in self.action.states:
            return self.back(f"The agreement is ‘{self.agreement.get_state_display().lower()}’: that step is not open.")
        return super().post(request, *args, **kwargs)

    def get_form_class(self):
        return self.action.form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": self.action.label, "agreement": self.agreement}

    def get_initial(self):
        agreement, today = self.agreement, timezone.localdate()
        return {
            "from_state": agreement.state,
            "signed_on": today,
            "live_on": max(min(today, agreement.starts_on), agreement.signed_on or agreement.starts_on),
            "terminated_on": today,
            "effective_on": today,
            "approved_on": today,
            "value": agreement.value,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on
            if self.kwargs["action"] != "extend"
            else variations.latest_extended_end(agreement),
        }

    def get_context_data(self, **kwargs):
        missing = gates.missing_before_signing(self.agreement) if self.kwargs["action"] == "sign" else []
        kwargs.update(
            title=self.action.label,
            action=self.action,
            missing=missing,
            latest_extended_end=variations.latest_extended_end(self.agreement),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if data["from_state"] != self.agreement.state:
            return self.back("Someone else changed this agreement while you were looking at it. Check where it is now.")
        try:
            message = self.perform(self.kwargs["action"], data)
        except TransitionRefused as refused:
            for item in refused.missing:
                form.add_error(None, item)
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        if self.kwargs["action"] == "terminate" and data["ground"] == TerminationGround.FAILURE:
            # The provider failed: the commission's next step (recommission or in-house) follows at once.
            return redirect(reverse("monitoring:after_failure", args=[self.agreement.council.slug, self.agreement.pk]))
        return self.back()

    def approval(self, data) -> variations.Approval:
        return variations.Approval(
            approved_by=data["approved_by"], approved_on=data["approved_on"], reference=data["approval_reference"]
        )

    def perform(self, action: str, data: dict) -> str:
        by, agreement = self.request.user, self.agreement
        reason = data.get("reason", "")
        if action == "sign":
            steps.agreement_sign(
                by=by, agreement=agreement, document=data["signed_document"], signed_on=data["signed_on"], reason=reason
            )
            return f"Agreement {agreement.reference} is signed."
        if action == "go-live":
            commission_state = agreement.commission.state
            steps.agreement_go_live(by=by, agreement=agreement, live_on=data["live_on"], reason=reason)
            moved = agreement.commission.state != commission_state
            return f"Agreement {agreement.reference} is live." + (
                " Every agreement is live: the commission is now delivering." if moved else ""
            )
        if action == "end":
            steps.agreement_end(by=by, agreement=agreement, reason=reason)
            return f"Agreement {agreement.reference} has ended."
        if action == "cancel":
            steps.agreement_cancel(by=by, agreement=agreement, reason=reason)
            return f"The draft agreement {agreement.reference} is cancelled."
        if action == "terminate":
            variations.agreement_terminate(
                by=by, agreement=agreement, terminated_on=data["terminated_on"], reason=reason, ground=data["ground"]
            )
            return f"Agreement {agreement.reference} is terminated from {data['terminated_on']:%d/%m/%Y}."
        common = {"by": by, "agreement": agreement, "reason": reason, "approval": self.approval(data)}
        if action == "extend":
            variation = variations.agreement_extend(ends_on=data["ends_on"], **common)
        elif action == "vary-value":
            variation = variations.agreement_vary_value(
                value=data["value"],
                effective_on=data["effective_on"],
                adjustment_due_on=data["adjustment_due_on"],
                ground=data.get("ground", ""),
                **common,
            )
        elif action == "vary-dates":
            variation = variations.agreement_vary_dates(
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                effective_on=data["effective_on"],
                ground=data.get("ground", ""),
                **common,
            )
        else:
            variation = variations.agreement_vary_kpi(
                kpi=data["kpi"],
                description=data["description"],
                unit=data["unit"],
                target=data["target"],
                retire=data["retire"],
                effective_on=data["effective_on"],
                **common,
            )
        return f"Variation {variation.number} recorded: {'; '.join(variation.changes)}."
