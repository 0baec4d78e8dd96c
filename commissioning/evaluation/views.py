"""Evaluation pages: the evaluations a person takes part in, one evaluation's page, its set-up and
panel, my declarations, compliance checks, my score sheet for a bid, moderation, and the ranking.

Every page resolves the opportunity of the council in the URL (404 otherwise) and the visitor's
part in its evaluation, then the page's own rule: council people without that part get 403, anyone
else 404, so an outsider never learns that an evaluation exists. Bids are only ever read through
`evaluation_selectors`, behind the sealed-bid rule, the panel and the declarations (404 otherwise).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from commissioning.evaluation import forms, selectors, services
from commissioning.evaluation.scoring import SPREAD_FLAG
from commissioning.models import (
    DEFAULT_COMPLIANCE_CHECKS,
    PANEL_CHANGE_STATES,
    EvaluationCriterion,
    EvaluationState,
    ModeratedScore,
    PanelMember,
    PriceMethod,
)
from commissioning.sourcing.pages import OpportunityPartMixin
from councils.page_cache import CachedPageMixin
from councils.permissions import roles_in
from councils.tabular import safe_cell
from councils.uploads import download_response
from councils.views import apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused


def evaluation_url(opportunity, name: str = "evaluation", **kwargs) -> str:
    return reverse(
        f"commissioning:{name}",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, **kwargs},
    )


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


class EvaluationMixin(OpportunityPartMixin):
    """One opportunity's evaluation and the visitor's part in it. `allow(access)` is the page's rule."""

    needs_evaluation = True

    def resolve(self, request, kwargs):
        access = selectors.evaluation_access(request.user, request.council, kwargs["opportunity_pk"])
        self.evaluation = access.evaluation
        return access

    def page_url(self) -> str:
        return evaluation_url(self.opportunity)

    def allow(self, access: selectors.EvaluationAccess) -> bool:
        return access.takes_part

    def before_allow(self):
        if self.needs_evaluation and self.evaluation is None:
            if not self.access.is_lead:
                self.access.deny()
            messages.info(self.request, "Set up the evaluation first.")
            return redirect(evaluation_url(self.opportunity, "evaluation_setup"))
        return None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("evaluation", self.evaluation)
        return super().get_context_data(**kwargs)


class BidMixin(EvaluationMixin):
    """A page about one bid: resolved behind the three walls, or 404."""

    def prepare(self):
        self.bid = selectors.bid_for_panellist(self.access, self.kwargs["bid_pk"])


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
                steps=services.available_steps(evaluation, access.user),
            )
        context.update(
            manages=manages,
            my_bids=my_bids,
            needs_declaring=access.member is not None
            and selectors.unsealed_bids(access.user, self.opportunity)
            .exclude(pk__in=access.member.declarations.values("bid_id"))
            .exists(),
            checks=len(evaluation.compliance_checks),
            panel_changeable=evaluation.state in PANEL_CHANGE_STATES,
            summary_visible=selectors.summary_visible(access),
            criteria=selectors.criteria_for(evaluation),
        )
        return context

    def unsealed(self):
        return list(selectors.unsealed_bids(self.access.user, self.opportunity).select_related("organisation"))


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


class ComplianceView(BidMixin, FormView):
    """Stage 1 for one bid: each check passed or failed, with the reason."""

    template_name = "evaluation/compliance.html"
    form_class = forms.ComplianceForm

    def allow(self, access):
        return access.is_officer_member

    def prepare(self):
        super().prepare()
        self.results = selectors.compliance_results(self.evaluation, self.bid)

    def post(self, request, *args, **kwargs):
        if self.evaluation.state != EvaluationState.COMPLIANCE:
            return self.refuse("Compliance checks are recorded at the compliance stage only.")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "checks": self.evaluation.compliance_checks, "results": self.results}

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=f"Compliance checks: {self.bid.organisation}",
            bid=self.bid,
            results=[self.results.get(check) for check in self.evaluation.compliance_checks],
            editable=self.evaluation.state == EvaluationState.COMPLIANCE,
            price=selectors.bid_prices([self.bid]).get(self.bid.pk),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.compliance_record(
                by=self.request.user, evaluation=self.evaluation, bid=self.bid, results=form.results()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Compliance checks for {self.bid.organisation}'s bid saved.")
        return self.back()


class ScoreSheetView(BidMixin, CachedPageMixin, FormView):
    """My scoring sheet for one bid: its answers (only the sections I may see) beside my scores;
    after I submit, the other panellists' scores too."""

    template_name = "evaluation/sheet.html"
    form_class = forms.ScoresForm

    def allow(self, access):
        return access.member is not None

    # Read when the page is rendered or scores are saved, not before: a page served again from the
    # page cache needs only the walls.
    def prepare(self):
        self.bid = selectors.bid_behind_walls(self.access, self.kwargs["bid_pk"])

    @cached_property
    def contents(self):
        """The bid with the sections this panellist may see."""
        return selectors.bid_for_panellist(self.access, self.bid.pk)

    @cached_property
    def criteria(self):
        return selectors.member_criteria(self.evaluation, self.access.member)

    @cached_property
    def sheet(self):
        return selectors.sheet_for(self.access.member, self.bid)

    @cached_property
    def failed(self) -> bool:
        return self.bid.pk in selectors.failed_bid_ids(self.evaluation)

    def post(self, request, *args, **kwargs):
        if not self.editable():
            return self.refuse("Scores can be changed only at the scoring stage, before you submit them.")
        return super().post(request, *args, **kwargs)

    def editable(self) -> bool:
        return (
            self.evaluation.state == EvaluationState.SCORING
            and not self.failed
            and bool(self.criteria)
            and (self.sheet is None or not self.sheet.is_submitted)
        )

    def get_form_kwargs(self):
        initial = {}
        if self.sheet is not None:
            initial = {s.criterion_id: (s.score, s.justification) for s in self.sheet.scores.all()}
        return {
            **super().get_form_kwargs(),
            "criteria": self.criteria,
            "scale": self.evaluation.scale,
            "initial_scores": initial,
            "required": "submit_scores" in self.request.POST,
        }

    def get_context_data(self, **kwargs):
        self.bid = self.contents
        answers = {}
        for answer in self.bid.answers.all():
            answers.setdefault(answer.question.criterion_id, []).append(answer)
        scores_price = self.evaluation.price_method == PriceMethod.LOWEST_PRICE
        others = selectors.others_scores(self.access, self.bid)
        own = {s.criterion_id: s for s in self.sheet.scores.all()} if self.sheet else {}
        form = kwargs.setdefault("form", self.get_form())
        kwargs.update(
            title=f"Score {self.bid.organisation}'s bid",
            bid=self.bid,
            answers=answers,
            rows=[
                {
                    "criterion": criterion,
                    "answers": answers.get(criterion.pk, []),
                    "score": form[f"score_{criterion.pk}"],
                    "text": form[f"justification_{criterion.pk}"],
                    "own": own.get(criterion.pk),
                    "others": [
                        (sheet.member, score)
                        for sheet in others
                        for score in sheet.scores.all()
                        if score.criterion_id == criterion.pk
                    ],
                }
                for criterion in self.criteria
            ],
            sheet=self.sheet,
            editable=self.editable(),
            failed=self.failed,
            independent=self.access.is_independent,
            price=None if self.access.is_independent else selectors.bid_prices([self.bid]).get(self.bid.pk),
            price_criterion=self.evaluation.price_criterion if scores_price else None,
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        submit = "submit_scores" in self.request.POST
        try:
            services.score_sheet_save(
                by=self.request.user, evaluation=self.evaluation, bid=self.bid, scores=form.scores(), submit=submit
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        if submit:
            messages.success(self.request, "Your scores are submitted. You can now see the other panellists' scores.")
            return redirect(evaluation_url(self.opportunity, "evaluation_bid", bid_pk=self.bid.pk))
        messages.success(self.request, "Your draft scores are saved.")
        return redirect(evaluation_url(self.opportunity, "evaluation_bid", bid_pk=self.bid.pk))


class BidDocumentView(BidMixin, View):
    """A bid's document, for an officer on the panel who may read the bid; otherwise 404."""

    def allow(self, access):
        return access.is_officer_member  # independent members see only their assigned sections

    def get(self, request, *args, **kwargs):
        document = next((d for d in self.bid.documents.all() if d.pk == kwargs["document_pk"]), None)
        if document is None:
            raise Http404
        return download_response(document.file, document.title)


class ModerationView(EvaluationMixin, TemplateView):
    """For the chair: the spread of scores per bid and criterion, flagged where they differ by 2 or more."""

    template_name = "evaluation/moderation.html"

    def allow(self, access):
        return access.is_chair

    def get_context_data(self, **kwargs):
        open_now = self.evaluation.state in (EvaluationState.MODERATION, EvaluationState.SIGNED_OFF)
        kwargs.update(
            title="Moderation",
            open_now=open_now,
            rows=selectors.spread_table(self.access) if open_now else [],
            criteria=selectors.quality_criteria(self.evaluation),
            flag_at=SPREAD_FLAG,
        )
        return super().get_context_data(**kwargs)


class ModerateBidView(BidMixin, FormView):
    """The chair records the moderated score and rationale for each criterion of one bid."""

    template_name = "evaluation/moderate_bid.html"
    form_class = forms.ModerationForm

    def allow(self, access):
        return access.is_chair

    def prepare(self):
        super().prepare()
        if self.evaluation.state != EvaluationState.MODERATION:
            messages.error(self.request, "Scores are moderated at the moderation stage only.")
            return redirect(evaluation_url(self.opportunity, "evaluation_moderation"))
        if self.bid.pk in selectors.failed_bid_ids(self.evaluation):
            raise Http404
        return None

    def get_form_kwargs(self):
        self.criteria = selectors.quality_criteria(self.evaluation)
        existing = {
            m.criterion_id: (m.score, m.rationale)
            for m in ModeratedScore.objects.filter(evaluation=self.evaluation, bid=self.bid)
        }
        return {
            **super().get_form_kwargs(),
            "criteria": self.criteria,
            "scale": self.evaluation.scale,
            "initial_scores": existing,
        }

    def get_context_data(self, **kwargs):
        form = kwargs.setdefault("form", self.get_form())
        row = selectors.spread_table(self.access, self.bid)
        cells = {cell.criterion.pk: cell for cell in row[0].cells} if row else {}
        given = selectors.justifications(self.evaluation, self.bid)
        kwargs.update(
            title=f"Moderate {self.bid.organisation}'s bid",
            bid=self.bid,
            rows=[
                {
                    "criterion": c,
                    "cell": cells.get(c.pk),
                    "given": given.get(c.pk, []),
                    "score": form[f"score_{c.pk}"],
                    "text": form[f"rationale_{c.pk}"],
                }
                for c in self.criteria
            ],
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.moderation_record(
                by=self.request.user, evaluation=self.evaluation, bid=self.bid, scores=form.scores()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Moderated scores for {self.bid.organisation}'s bid saved.")
        return redirect(evaluation_url(self.opportunity, "evaluation_moderation"))


class SummaryView(EvaluationMixin, TemplateView):
    """The ranking with weighted totals: provisional for the chair during moderation, final once signed off."""

    template_name = "evaluation/summary.html"

    def allow(self, access):
        return access.is_lead or access.is_officer_member

    def get_context_data(self, **kwargs):
        visible = selectors.summary_visible(self.access)
        kwargs.update(
            title="Evaluation summary and ranking",
            visible=visible,
            summary=selectors.summary_for(self.access) if visible else None,
        )
        return super().get_context_data(**kwargs)


class SummaryExportView(EvaluationMixin, View):
    """The ranking as CSV, with the same walls as the page."""

    def allow(self, access):
        return access.is_lead or access.is_officer_member

    def get(self, request, *args, **kwargs):
        if not selectors.summary_visible(self.access):
            return self.refuse("The ranking is not available yet.")
        summary = selectors.summary_for(self.access)
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
