"""The evaluations a person takes part in, and one evaluation's page: its stage, the next step, the
panel and its declarations, and each person's own tasks and bids.

The landing pages of an evaluation, apart from the pages that change it, since what they show
depends on the visitor's part (lead commissioner, chair, panellist) rather than on the stage.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.generic import TemplateView

from commissioning.evaluation import queues, selectors
from commissioning.evaluation import summary as results
from commissioning.evaluation.next_steps import evaluation_next_steps
from commissioning.evaluation.views.base import EvaluationMixin
from commissioning.models import PANEL_CHANGE_STATES
from councils.permissions import roles_in


class MyPanelsView(LoginRequiredMixin, TemplateView):
    """The evaluation panels a person sits on, in every council, with what each is waiting for: the way
    in for an independent member, who has no council role and no organisation. Anyone signed in may
    open it (someone on no panel is told so); it names only their own panels."""

    template_name = "evaluation/my_panels.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Your evaluation panels", panels=queues.panels_with_tasks(self.request.user))
        return context


class EvaluationListView(LoginRequiredMixin, TemplateView):
    """The evaluations this person takes part in (and, for the lead commissioner, those to set up)."""

    template_name = "evaluation/list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_list_evaluations(request.user, request.council):
            if roles_in(request.user, request.council):
                raise PermissionDenied
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            selectors.evaluations_for_user(self.request.user, self.request.council),
            council=self.request.council,
            title="Evaluations",
        )
        return context


class EvaluationDetailView(EvaluationMixin, TemplateView):
    """The evaluation's stage, the next step, the panel and its declarations (for the lead
    commissioner and the chair), and each person's own tasks and bids."""

    template_name = "evaluation/detail.html"
    needs_evaluation = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access, evaluation = self.access, self.evaluation
        context["title"] = "Evaluation"
        if evaluation is None:
            return context
        manages = access.is_lead or access.is_chair
        my_bids, progress = [], None
        if access.member is not None:
            bids = list(
                selectors.bids_for_panellist(
                    access.user, self.opportunity, evaluation=evaluation, member=access.member
                ).select_related("organisation")
            )
            progress = selectors.progress(evaluation, bids)
            sheets = selectors.my_sheets(access.member)
            my_bids = [{"bid": b, "progress": progress[b.pk], "sheet": sheets.get(b.pk)} for b in bids]
        if manages:
            # Who bid and how far each bid has got (never what is in it, nor any score).
            # A chair sees the same walls here as everywhere: not the bids they are conflicted with.
            # A chair's own bids are the bids they may see: their progress is already worked out.
            all_bids = [row["bid"] for row in my_bids] if access.member else self.unsealed()
            if progress is None:
                progress = selectors.progress(evaluation, all_bids)
            visible = {b.pk for b in all_bids}
            panel = selectors.panel(evaluation)
            for member in panel:
                member.shown_declarations = [
                    d for d in member.declarations.all() if d.bid_id in visible or member.pk == access.member_id
                ]
            context.update(
                all_bids=[{"bid": b, "progress": progress[b.pk]} for b in all_bids],
                panel=panel,
            )
        context.update(
            next_steps=evaluation_next_steps(access, evaluation),
            manages=manages,
            my_bids=my_bids,
            needs_declaring=access.member is not None
            and selectors.unsealed_bids(access.user, self.opportunity)
            .exclude(pk__in=access.member.declarations.values("bid_id"))
            .exists(),
            checks=len(evaluation.compliance_checks),
            panel_changeable=evaluation.state in PANEL_CHANGE_STATES,
            summary_visible=results.summary_visible(access),
            criteria=selectors.criteria_for(evaluation),
        )
        return context

    def unsealed(self):
        return list(selectors.unsealed_bids(self.access.user, self.opportunity).select_related("organisation"))
