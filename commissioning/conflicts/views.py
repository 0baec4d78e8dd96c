"""The conflicts assessment page (s.83): prepare it before the tender notice, review each revision,
and read its history. Officers who act for a bidder never reach it (the opportunity's wall)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from commissioning.conflicts import selectors, services
from commissioning.conflicts.forms import ConflictsAssessmentForm
from commissioning.permissions import can_assess_conflicts
from commissioning.sourcing.views.opportunities import OpportunityMixin, manage_url
from councils.views import apply_form_errors


class ConflictsAssessmentView(OpportunityMixin, FormView):
    allowed = staticmethod(can_assess_conflicts)
    template_name = "opportunities/officer/conflicts.html"
    form_class = ConflictsAssessmentForm

    def get_form_kwargs(self):
        latest = selectors.latest_revision(self.opportunity)
        return {
            **super().get_form_kwargs(),
            "people": selectors.people_involved(self.opportunity),
            "earlier": list(latest.entries.all()) if latest else [],
        }

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Conflicts assessment",
            latest=selectors.latest_revision(self.opportunity),
            revisions=selectors.revisions(self.opportunity),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            revision = services.assessment_review(
                by=self.request.user, opportunity=self.opportunity, answers=form.answers()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Revision {revision.number} of the conflicts assessment is saved.")
        return redirect(f"{manage_url(self.opportunity)}#conflicts")
