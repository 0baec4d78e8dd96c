"""Scoring an evaluation's bids: compliance checks, each panellist's score sheet, a bid's documents,
and the chair's moderation.

These are the pages that read bids, each behind the sealed-bid rule, the panel and the declarations;
keeping them together keeps those reads in one place.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from commissioning.evaluation import forms, selectors, services
from commissioning.evaluation.scoring import SPREAD_FLAG
from commissioning.evaluation.views.base import BidMixin, EvaluationMixin, evaluation_url
from commissioning.models import EvaluationState, ModeratedScore, PriceMethod
from councils import reading
from councils.lazy import section, sections
from councils.page_cache import CachedPageMixin
from councils.uploads import download_response
from councils.views import apply_form_errors


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


class ScoreSheetView(BidMixin, reading.RecordsReadingMixin, CachedPageMixin, FormView):
    """My scoring sheet for one bid: its answers (only the sections I may see) beside my scores;
    after I submit, the other panellists' scores too. Each reading is recorded, from the cache or not."""

    def record_reading(self, response):
        reading.record_read(
            by=self.request.user,
            council=self.opportunity.council,
            event_type=reading.READ_BID,
            obj=self.bid,
            extra={"opportunity": self.opportunity.pk, "page": "score sheet"},
        )

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
        return selectors.with_contents(self.access, self.bid)

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
        # The bid's contents, the panel's scores and the form are worked out only when the page's kept
        # body ({% fragment %}) has gone; the walls (`prepare`) were checked before, on every request.
        form = kwargs.setdefault("form", section(self.get_form))
        scores_price = self.evaluation.price_method == PriceMethod.LOWEST_PRICE
        kwargs.update(
            title=f"Score {self.bid.organisation}'s bid",
            **sections(
                bid=lambda: self.contents,
                answers=lambda: self.answers,
                rows=lambda: self.rows(form),
                sheet=lambda: self.sheet,
                editable=self.editable,
                failed=lambda: self.failed,
                price=lambda: None if self.access.is_independent else selectors.bid_prices([self.bid]).get(self.bid.pk),
                price_criterion=lambda: self.evaluation.price_criterion if scores_price else None,
            ),
            independent=self.access.is_independent,
        )
        return super().get_context_data(**kwargs)

    @cached_property
    def answers(self) -> dict:
        answers = {}
        for answer in self.contents.answers.all():
            answers.setdefault(answer.question.criterion_id, []).append(answer)
        return answers

    def rows(self, form) -> list[dict]:
        others = selectors.others_scores(self.access, self.contents)
        own = {s.criterion_id: s for s in self.sheet.scores.all()} if self.sheet else {}
        return [
            {
                "criterion": criterion,
                "answers": self.answers.get(criterion.pk, []),
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
        ]

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
    """A bid's document, for an officer on the panel who may read the bid; otherwise 404. Recorded."""

    def allow(self, access):
        return access.is_officer_member  # independent members see only their assigned sections

    def get(self, request, *args, **kwargs):
        document = next((d for d in self.bid.documents.all() if d.pk == kwargs["document_pk"]), None)
        if document is None:
            raise Http404
        response = download_response(document.file, document.title)
        reading.record_read(
            by=request.user,
            council=self.opportunity.council,
            event_type=reading.DOWNLOAD_BID_DOCUMENT,
            obj=self.bid,
            extra={"opportunity": self.opportunity.pk, "document": document.pk},
        )
        return response


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
