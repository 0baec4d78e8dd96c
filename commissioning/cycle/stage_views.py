"""Pages that change the work of each stage: one generic add/change/remove for every kind of record,
the commission's own details, the criteria template and the council's funding pots.

Every page resolves the commission first (404 if the user cannot read it), then checks
`commissioning.edit_commission` (403), then the state: records that are fixed at this stage send the
officer back to the commission page with the reason. Writes go through `commissioning.services`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from commissioning.cycle import forms, selectors, services
from commissioning.cycle.views import CommissionMixin
from commissioning.models import Commission, FundingPot, FundingRound, OutcomeSought, SuccessMeasure
from councils.views import CouncilPermissionMixin, apply_form_errors


@dataclass(frozen=True)
class StageKind:
    form_class: type[forms.StageRecordForm]
    label: str  # what follows "Add" / "Change" / "Remove this"
    section: str  # the anchor of the commission page's section that lists these records
    singleton: bool = False  # one per cycle
    remove_note: str = ""  # what else goes with it

    @property
    def model(self) -> type[models.Model]:
        return self.form_class._meta.model

    def queryset(self, commission: Commission) -> models.QuerySet:
        """This commission's records of this kind in the current cycle: anything else is a 404."""
        if self.model is SuccessMeasure:
            return SuccessMeasure.objects.filter(
                outcome_sought__commission=commission, outcome_sought__cycle=commission.cycle
            ).select_related("outcome_sought")
        records = self.model.objects.filter(commission=commission)
        if any(field.name == "cycle" for field in self.model._meta.fields):
            records = records.filter(cycle=commission.cycle)
        return records

    def new(self, commission: Commission) -> models.Model:
        # A success measure belongs to an outcome sought, chosen on the form.
        if self.model is SuccessMeasure:
            return SuccessMeasure()
        return self.model(commission=commission)


STAGE_KINDS = {
    "needs-assessment": StageKind(forms.NeedsAssessmentForm, "needs assessment", "understand", singleton=True),
    "evidence": StageKind(forms.EvidenceForm, "evidence", "understand"),
    "engagement": StageKind(forms.EngagementActivityForm, "engagement activity", "engagement"),
    "provision": StageKind(forms.ExistingProvisionForm, "existing provision", "understand"),
    "gap-analysis": StageKind(forms.GapAnalysisForm, "gap analysis", "understand", singleton=True),
    "options": StageKind(forms.DeliveryOptionForm, "delivery option", "plan"),
    "outcomes": StageKind(
        forms.OutcomeSoughtForm,
        "outcome sought",
        "plan",
        remove_note="Its success measures go too.",
    ),
    "measures": StageKind(forms.SuccessMeasureForm, "success measure", "plan"),
    "criteria": StageKind(forms.EvaluationCriterionForm, "evaluation criterion", "plan"),
    "risks": StageKind(forms.RiskForm, "risk", "risks"),
    "funding": StageKind(forms.FundingCommitmentForm, "funding commitment", "plan"),
    "review": StageKind(forms.ReviewReportForm, "review", "review", singleton=True),
    "decommissioning": StageKind(forms.DecommissioningRecordForm, "decommissioning record", "review", singleton=True),
}


def section_url(commission: Commission, section: str) -> str:
    return f"{commission.get_absolute_url()}#{section}"


class CommissionEditMixin(CommissionMixin):
    """Edit pages of one commission. Once the commission and the permission are checked, a
    record type fixed at this stage sends the officer back to the commission page with why."""

    permission_required = "commissioning.edit_commission"

    def locked_model(self) -> type[models.Model]:
        raise NotImplementedError

    def locked_section(self) -> str:
        return "details"

    def locked_label(self) -> str:
        return self.locked_model()._meta.verbose_name

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", self.commission.get_absolute_url())
        return super().get_context_data(**kwargs)

    def refuse(self, message: str):
        messages.error(self.request, message)
        return redirect(section_url(self.commission, self.locked_section()))


class StateLockMixin:
    """Placed after the permission mixins in a view's bases, so it runs once the user may edit."""

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() in self.http_method_names and not services.can_edit(
            self.locked_model(), self.commission, request.user
        ):
            label = self.locked_label()
            return self.refuse(
                f"The {label} cannot be changed at this stage: the commission is "
                f"‘{self.commission.get_state_display().lower()}’."
            )
        return super().dispatch(request, *args, **kwargs)


class StageRecordMixin(CommissionEditMixin):
    """Resolve the kind of record from the URL (unknown kinds are a 404) and the record itself,
    scoped to this commission and its current cycle."""

    def dispatch(self, request, *args, **kwargs):
        self.kind = STAGE_KINDS.get(kwargs["kind"])
        if self.kind is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def locked_model(self):
        return self.kind.model

    def locked_section(self):
        return self.kind.section

    def locked_label(self):
        return self.kind.label

    def get_record(self) -> models.Model | None:
        pk = self.kwargs.get("record_pk")
        if pk is None:
            return None
        return get_object_or_404(self.kind.queryset(self.commission), pk=pk)

    def get_context_data(self, **kwargs):
        kwargs.update(kind=self.kind, back_url=section_url(self.commission, self.kind.section))
        return super().get_context_data(**kwargs)


class StageRecordEditView(StageRecordMixin, StateLockMixin, FormView):
    """Add (no record_pk) or change (record_pk) one record of the commission's stage work."""

    template_name = "commissioning/stage_record_form.html"

    def get(self, request, *args, **kwargs):
        self.record = self.get_record()
        if self.record is None and self.kind.singleton:
            existing = self.kind.queryset(self.commission).first()
            if existing is not None:
                return redirect(
                    "commissioning:record_edit",
                    council_slug=request.council.slug,
                    pk=self.commission.pk,
                    kind=kwargs["kind"],
                    record_pk=existing.pk,
                )
        if self.kind.model is SuccessMeasure and self.record is None and not self.outcomes_sought().exists():
            return self.refuse("Add an outcome sought before adding its success measures.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.record = self.get_record()
        if self.record is None and self.kind.singleton and self.kind.queryset(self.commission).exists():
            return self.refuse(f"This cycle already has a {self.kind.label}: change it instead.")
        return super().post(request, *args, **kwargs)

    def get_form_class(self):
        return self.kind.form_class

    def get_form_kwargs(self):
        instance = self.record if self.record is not None else self.kind.new(self.commission)
        return {**super().get_form_kwargs(), "instance": instance, "commission": self.commission}

    def get_initial(self):
        initial = super().get_initial()
        outcome = self.request.GET.get("outcome")
        if self.kind.model is SuccessMeasure and self.record is None and outcome:
            # Only one of this commission's current outcomes sought; anything else is not found.
            pk = outcome if outcome.isdigit() else None
            initial["outcome_sought"] = get_object_or_404(self.outcomes_sought(), pk=pk).pk
        return initial

    def outcomes_sought(self) -> models.QuerySet[OutcomeSought]:
        return OutcomeSought.objects.filter(commission=self.commission, cycle=self.commission.cycle)

    def get_context_data(self, **kwargs):
        verb = "Change" if self.record is not None else "Add"
        kwargs["title"] = f"{verb} {self.kind.label}"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        adding = self.record is None
        try:
            services.stage_record_save(
                by=self.request.user,
                commission=self.commission,
                instance=form.save(commit=False),
                changed=form.changed_data,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        label = self.kind.label[:1].upper() + self.kind.label[1:]
        messages.success(self.request, f"{label} {'added' if adding else 'saved'}.")
        return redirect(section_url(self.commission, self.kind.section))


class StageRecordRemoveView(StageRecordMixin, StateLockMixin, TemplateView):
    template_name = "commissioning/stage_record_remove.html"

    def get_context_data(self, **kwargs):
        kwargs["record"] = self.get_record()
        kwargs["title"] = f"Remove {self.kind.label}"
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        try:
            services.stage_record_delete(by=request.user, commission=self.commission, instance=record)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        label = self.kind.label[:1].upper() + self.kind.label[1:]
        messages.success(request, f"{label} removed.")
        return redirect(section_url(self.commission, self.kind.section))


class CriteriaTemplateView(CommissionEditMixin, View):
    """Start the evaluation criteria from the council's eight core criteria (POST only)."""

    http_method_names = ("post",)

    def locked_section(self):
        return "plan"

    def post(self, request, *args, **kwargs):
        try:
            services.criteria_apply_default_template(by=request.user, commission=self.commission)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(request, "The core evaluation criteria have been added. Adjust the weights to suit.")
        return redirect(section_url(self.commission, "plan"))


class CommissionDetailsEditView(CommissionEditMixin, StateLockMixin, FormView):
    """The commission's own plan: title, lead, portfolio, outcomes, route, budget and dates."""

    template_name = "commissioning/stage_record_form.html"
    form_class = forms.CommissionDetailsForm

    def locked_model(self):
        return Commission

    def locked_label(self):
        return "commission's details"

    def get_form_kwargs(self):
        # A copy: the page's caption keeps the saved title while the form shows what was typed.
        instance = copy.copy(self.commission)
        return {**super().get_form_kwargs(), "instance": instance, "council": self.request.council}

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Change the commission's details"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.commission_update(
                by=self.request.user,
                commission=form.save(commit=False),
                changed=form.changed_data,
                outcomes=form.cleaned_data["outcomes"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The commission's details have been saved.")
        return redirect(section_url(self.commission, "details"))


class FundingPotListView(CouncilPermissionMixin, TemplateView):
    permission_required = "commissioning.read_funding"
    template_name = "commissioning/funding_pots.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pots = list(selectors.funding_pots_for_council(self.request.council))
        for pot in pots:
            pot.remaining = pot.amount - pot.committed
        context.update(pots=pots, title="Funding pots")
        return context


class FundingPotEditView(CouncilPermissionMixin, FormView):
    """Add (no pot_pk) or change a funding pot of this council; another council's pot is a 404."""

    permission_required = "commissioning.manage_funding"
    template_name = "councils/form_page.html"
    form_class = forms.FundingPotForm

    def get_pot(self) -> FundingPot:
        pk = self.kwargs.get("pot_pk")
        if pk is None:
            return FundingPot(council=self.request.council)
        return get_object_or_404(FundingPot, council=self.request.council, pk=pk)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.get_pot(),
            "council": self.request.council,
        }

    def get_context_data(self, **kwargs):
        kwargs["title"] = "Change funding pot" if self.kwargs.get("pot_pk") else "Add a funding pot"
        kwargs["back_url"] = self.list_url()
        return super().get_context_data(**kwargs)

    def list_url(self) -> str:
        return reverse("commissioning:funding_pots", kwargs={"council_slug": self.request.council.slug})

    def form_valid(self, form):
        try:
            pot = services.funding_pot_save(
                by=self.request.user, council=self.request.council, pot=form.save(commit=False)
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Funding pot ‘{pot.name}’ saved.")
        return redirect(self.list_url())


class FundingRoundEditView(FundingPotEditView):
    """Add (no round_pk) or change a round of allocation from one of this council's pots."""

    form_class = forms.FundingRoundForm

    def get_round(self):
        pot = get_object_or_404(FundingPot, council=self.request.council, pk=self.kwargs["pot_pk"])
        pk = self.kwargs.get("round_pk")
        if pk is None:
            return FundingRound(pot=pot)
        return get_object_or_404(FundingRound, pot=pot, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_round()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Change funding round" if self.kwargs.get("round_pk") else "Add a funding round"
        return context

    def form_valid(self, form):
        try:
            funding_round = services.funding_round_save(
                by=self.request.user, council=self.request.council, funding_round=form.save(commit=False)
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Funding round ‘{funding_round.name}’ saved.")
        return redirect(self.list_url())
