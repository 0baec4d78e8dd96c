"""The assessment summaries' pages (Procurement Regulations 2024, reg 31) and the voluntary standstill.

- `award/summaries/`: every bidder's summary, draft or sent — read by the award's readers; the lead
  commissioner and commissioning officers prepare the drafts there (POST).
- `award/summaries/<pk>/`: one summary as the bidder will read it; officers correct a draft's
  explanations and reasons there (POST), and see every correction made.
- `award/summaries/<pk>/preview/`: the letter exactly as the bidder will read it — the emailed page,
  with its PDF — before it is sent (officers, the people who send it).
- `award/summaries/<pk>/pdf/`: its PDF (a draft's, for checking; a sent one's, as sent).
- `award/summaries/send/`: check who gets what, then send them all (officers).
- `award/standstill/`: for a light-touch contract or a direct award, choose whether to observe a
  standstill after the contract award notice (officers, until the notice is published).
- `/opportunities/<reference>/assessment-summaries/<pk>/`: a provider's own summary once sent, as a
  PDF (anyone else's, or a draft, is a 404).

Each names its permission in `allow` (GET for readers, POST for officers where the page does both).
Summaries of the bids a panellist declared a conflict against are not there for them (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from commissioning.award import documents, forms, selectors, summary_services
from commissioning.award import services as award_services
from commissioning.award import standstill_selectors as standstill
from commissioning.award.views import AwardMixin, award_url, posted
from commissioning.models import AssessmentSummary, AwardState
from councils.views import apply_form_errors


def pdf_response(summary: AssessmentSummary) -> HttpResponse:
    pdf = documents.summary_pdf(summary.content, draft=not summary.is_sent)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(summary)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _plural(count: int) -> str:
    return f"{count} assessment summar{'ies' if count != 1 else 'y'}"


class ReadOrOfficerMixin(AwardMixin):
    """Read by the award's readers; written (POST) by its officers only."""

    def allow(self, access) -> bool:
        return access.is_officer if self.request.method == "POST" else access.may_read


class AwardSummariesView(ReadOrOfficerMixin, FormView):
    """Every bidder's assessment summary, draft or sent; officers prepare (or refresh) the drafts here."""

    template_name = "award/summaries.html"

    def prepare(self):
        return self.needs_award()

    def may_prepare(self) -> bool:
        award = self.award
        return (
            self.access.is_officer and award.state == AwardState.APPROVED and award.assessment_summaries_sent_at is None
        )

    def get_form(self, form_class=None):
        return forms.ConfirmForm(posted(self.request), submit_label="Prepare the assessment summaries")

    def get_context_data(self, **kwargs):
        award = self.award
        summaries = selectors.summaries_for(self.access)
        rule = standstill.standstill_rule(award)
        kwargs.update(
            title="Assessment summaries",
            summaries=summaries,
            rule=rule,
            may_prepare=self.may_prepare(),
            may_send=self.may_prepare() and bool(summaries) and award.has_effect(),
            back_url=self.page_url(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            drafts = summary_services.assessment_summaries_prepare(by=self.request.user, award=self.award)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(self.request, f"{_plural(len(drafts))} prepared: check each one before sending.")
        return redirect(award_url(self.opportunity, "award_summaries"))


class SummaryMixin(ReadOrOfficerMixin):
    def prepare(self):
        if self.award is None:
            return self.needs_award()
        self.summary = selectors.assessment_summary_for(self.access, self.kwargs["summary_pk"])
        return None

    def summaries_url(self) -> str:
        return award_url(self.opportunity, "award_summaries")


class AwardSummaryView(SummaryMixin, FormView):
    """One summary as the bidder will read it; officers correct a draft's explanations and reasons."""

    template_name = "award/summary.html"

    def prepare(self):
        early = super().prepare()
        if early is None and self.summary.content.get("version", 1) < 2:
            # An outcome letter sent before summaries replaced it: it is read as its PDF.
            return redirect(award_url(self.opportunity, "award_summary_pdf", summary_pk=self.summary.pk))
        return early

    def may_correct(self) -> bool:
        return self.access.is_officer and not self.summary.is_sent and self.award.assessment_summaries_sent_at is None

    def get_form(self, form_class=None):
        if not self.may_correct():
            return None
        return forms.SummaryCorrectionForm(posted(self.request), content=self.summary.content)

    def post(self, request, *args, **kwargs):
        if not self.may_correct():
            return self.refuse("The assessment summaries have been sent: they can no longer be corrected.")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        summary = self.summary
        kwargs.update(
            title=f"Assessment summary for {summary.bid.organisation}",
            summary=summary,
            content=summary.content,
            corrections=selectors.corrections_of(summary),
            back_url=self.summaries_url(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            summary_services.assessment_summary_correct(
                by=self.request.user,
                summary=self.summary,
                explanations=form.explanations(),
                reasons=form.cleaned_data.get("reasons"),
                free_text=form.free_text(),
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The summary for {self.summary.bid.organisation} has been saved.")
        return redirect(award_url(self.opportunity, "award_summary", summary_pk=self.summary.pk))


class AwardSummaryPreviewView(SummaryMixin, TemplateView):
    """The letter as the bidder will read it, from the saved draft: the emailed page (which is also what
    the bid page shows), with a link to its PDF. For the officers who send the summaries only."""

    template_name = "award/summary_preview.html"

    def allow(self, access) -> bool:
        return access.is_officer

    def prepare(self):
        early = super().prepare()
        if early is None and self.summary.content.get("version", 1) < 2:
            return redirect(award_url(self.opportunity, "award_summary_pdf", summary_pk=self.summary.pk))
        return early

    def get_context_data(self, **kwargs):
        summary = self.summary
        kwargs.update(
            title=f"Preview: assessment summary for {summary.bid.organisation}",
            summary=summary,
            content=summary.content,
            back_url=award_url(self.opportunity, "award_summary", summary_pk=summary.pk),
        )
        return super().get_context_data(**kwargs)


class AwardSummaryPdfView(SummaryMixin, View):
    """One summary as a PDF, for the people who may read the award (not the bids they are walled off from)."""

    def get(self, request, *args, **kwargs):
        return pdf_response(self.summary)


class AwardSummariesSendView(AwardMixin, FormView):
    """Check who gets which summary, then send them all: by email with the PDF and on each bid page."""

    template_name = "award/summaries_send.html"

    def allow(self, access):
        return access.is_officer

    def prepare(self):
        if self.award is None:
            return self.needs_award()
        if self.award.assessment_summaries_sent_at is not None:
            return self.refuse("The assessment summaries have already been sent.")
        if not self.award.has_effect():
            return self.refuse("The assessment summaries can be sent once the decision has effect.")
        if not self.award.assessment_summaries.exists():
            return self.refuse("Prepare the assessment summaries and check them before sending them.")
        return None

    def get_form(self, form_class=None):
        return forms.ConfirmForm(posted(self.request), submit_label="Send the assessment summaries")

    def get_context_data(self, **kwargs):
        rule = standstill.standstill_rule(self.award)
        kwargs.update(
            title="Send the assessment summaries",
            summaries=selectors.summaries_for(self.access),
            rule=rule,
            standstill_lines=standstill.standstill_lines(self.award, rule),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            sent = summary_services.assessment_summaries_send(by=self.request.user, award=self.award)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(self.request, f"{_plural(len(sent))} sent.")
        return self.back()


class AwardStandstillView(AwardMixin, FormView):
    """For a light-touch contract or a direct award: whether to observe a standstill after the notice."""

    template_name = "award/standstill.html"

    def allow(self, access):
        return access.is_officer

    def prepare(self):
        if self.award is None:
            return self.needs_award()
        self.rule = standstill.standstill_rule(self.award)
        if not standstill.may_choose_voluntary_standstill(self.award, self.rule):
            return self.refuse(
                "The standstill is not a choice for this award now. "
                + (" ".join(standstill.standstill_lines(self.award, self.rule)))
            )
        return None

    def get_form(self, form_class=None):
        initial = {"voluntary_standstill": "yes" if self.award.voluntary_standstill else "no"}
        return forms.VoluntaryStandstillForm(posted(self.request), initial=initial)

    def get_context_data(self, **kwargs):
        kwargs.update(title="Voluntary standstill", rule=self.rule)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            award = award_services.voluntary_standstill_choose(
                by=self.request.user, award=self.award, chosen=form.cleaned_data["voluntary_standstill"]
            )
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(
            self.request,
            "A voluntary standstill will run from the contract award notice."
            if award.voluntary_standstill
            else "No voluntary standstill: the contract can be entered into once the notice is published.",
        )
        return self.back()


class ProviderSummaryView(LoginRequiredMixin, View):
    """A provider's own assessment summary once sent (their organisation's bid only; anything else is a 404)."""

    def get(self, request, *args, **kwargs):
        return pdf_response(selectors.summary_for_provider(request.user, kwargs["reference"], kwargs["summary_pk"]))
