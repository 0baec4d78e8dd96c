"""The outcome of an evaluation and how it moves on: the ranking (as a page and as CSV) and the
steps between stages (start compliance, start scoring, start moderation, sign off).

Kept apart from the scoring pages because these read the evaluation's result, not the bids.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.generic import FormView, TemplateView, View

from commissioning.evaluation import forms, services
from commissioning.evaluation import summary as results
from commissioning.evaluation.views.base import EvaluationMixin
from councils import reading
from councils.tabular import safe_cell
from councils.workflow import TransitionConflict, TransitionRefused


class SummaryView(EvaluationMixin, TemplateView):
    """The ranking with weighted totals: provisional for the chair during moderation, final once signed off."""

    template_name = "evaluation/summary.html"

    def allow(self, access):
        return access.is_lead or access.is_officer_member

    def get_context_data(self, **kwargs):
        visible = results.summary_visible(self.access)
        kwargs.update(
            title="Evaluation summary and ranking",
            visible=visible,
            summary=results.summary_for(self.access) if visible else None,
        )
        return super().get_context_data(**kwargs)


class SummaryExportView(EvaluationMixin, View):
    """The ranking as CSV, with the same walls as the page."""

    def allow(self, access):
        return access.is_lead or access.is_officer_member

    def get(self, request, *args, **kwargs):
        if not results.summary_visible(self.access):
            return self.refuse("The ranking is not available yet.")
        summary = results.summary_for(self.access)
        reading.record_read(
            by=request.user,
            council=self.opportunity.council,
            event_type=reading.EXPORT_RUN,
            obj=self.evaluation,
            extra={"export": "evaluation ranking", "format": "csv", "opportunity": self.opportunity.pk},
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="evaluation-{self.opportunity.reference}.csv"'
        response["Cache-Control"] = "private, no-store"
        writer = csv.writer(response)
        criteria = [f"{c.title} ({c.weight}%)" for c in (summary.ranked[0].criteria if summary.ranked else [])]
        writer.writerow(
            ["Rank", "Organisation", "Price (£)", *map(safe_cell, criteria)]
            + ["Quality points", "Price points", "Total", "Tie broken by"]
        )
        for row in summary.ranked:
            writer.writerow(
                [row.rank, safe_cell(row.organisation), row.price or "", *[c.points for c in row.criteria]]
                + [row.quality_points, row.price_points, row.total, row.tie_break]
            )
        for row in summary.excluded:
            writer.writerow(["Excluded", safe_cell(row.organisation), "", "; ".join(safe_cell(r) for r in row.reasons)])
        return response


class StepView(EvaluationMixin, FormView):
    """Confirm the next step (start compliance, start scoring, start moderation, sign off)."""

    template_name = "evaluation/step.html"
    form_class = forms.ConfirmForm

    def allow(self, access):
        return access.is_lead or access.is_chair

    def get_step(self):
        for step in services.available_steps(self.evaluation, self.request.user):
            if step["name"] == self.kwargs["name"]:
                return step
        sources = {t.source for t in self.evaluation.get_all_state_transitions() if t.name == self.kwargs["name"]}
        if not sources:
            raise Http404
        if self.evaluation.state in sources:
            raise PermissionDenied  # the step is there to take, but not by this person
        return None

    def get(self, request, *args, **kwargs):
        self.step = self.get_step()
        if self.step is None:
            return self.refuse("That step cannot be taken now.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.step = self.get_step()
        if self.step is None:
            return self.refuse("That step cannot be taken now: someone may have taken it already.")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit_label": self.step["label"]}

    def get_initial(self):
        return {"seen_state": self.evaluation.state}

    def get_context_data(self, **kwargs):
        kwargs.update(title=self.step["label"], step=self.step)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.evaluation_transition(
                by=self.request.user,
                evaluation=self.evaluation,
                name=self.step["name"],
                reason=form.cleaned_data.get("reason", ""),
                seen_state=form.cleaned_data["seen_state"],
            )
        except TransitionRefused as refused:
            self.step["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.refuse(str(conflict))
        messages.success(self.request, f"{self.step['label']}: done.")
        return self.back()
