"""Public opportunity pages: anyone may find and read open (and past) opportunities and download
their documents, with no sign-in; provider staff follow them and ask clarification questions.

Drafts are never found. No page here names a bidder or shows who asked a question.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from commissioning.sourcing.forms.opportunities import ClarificationAskForm, InterestForm, OpportunityFilterForm
from commissioning.sourcing.selectors import opportunities as selectors
from commissioning.sourcing.services import opportunities as services
from councils.lazy import section
from councils.list_pages import chosen, filter_query, page_number
from councils.page_cache import CachedPageMixin
from councils.uploads import download_response
from councils.views import apply_form_errors

PAGE_SIZE = 20


class OpportunityListView(CachedPageMixin, TemplateView):
    template_name = "opportunities/list.html"

    def page_cache_scopes(self):
        return ["listing"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = OpportunityFilterForm(self.request.GET or None)
        # The list is the same for everyone: kept once for all ({% shared_fragment %}) and worked out
        # only when it has gone.
        filters = section(form.filters)
        context.update(
            title="Opportunities",
            filter_form=form,
            page_obj=section(
                lambda: Paginator(selectors.public_opportunities(filters), PAGE_SIZE).get_page(
                    self.request.GET.get("page")
                )
            ),
            chosen=chosen(form),
            page_number=page_number(self.request),
            query_string=filter_query(form),
            include_closed=section(lambda: bool(filters.get("include_closed"))),
        )
        return context


class PublicOpportunityMixin:
    """The opportunity named in the URL, if it is public (a draft is a 404 for everyone)."""

    def dispatch(self, request, *args, **kwargs):
        self.opportunity = selectors.public_opportunity(kwargs["reference"])
        return super().dispatch(request, *args, **kwargs)

    def organisations(self):
        return selectors.provider_organisations(self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("opportunity", self.opportunity)
        return super().get_context_data(**kwargs)


class OpportunityDetailView(PublicOpportunityMixin, TemplateView):
    template_name = "opportunities/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisations = list(self.organisations()) if self.request.user.is_authenticated else []
        followed = selectors.followed_organisation_ids(organisations, self.opportunity) if organisations else set()
        context.update(
            title=self.opportunity.title,
            content=selectors.opportunity_content(self.opportunity),
            organisations=[(o, o.pk in followed) for o in organisations],
            clarifications_open=services.clarifications_open(self.opportunity),
            your_questions=[
                (o, list(selectors.clarifications_for_organisation(o, self.opportunity))) for o in organisations
            ],
        )
        return context


class OpportunityDocumentView(PublicOpportunityMixin, View):
    def get(self, request, *args, **kwargs):
        document = selectors.public_document(self.opportunity, kwargs["document_pk"])
        return download_response(document.file, document.title)


class ProviderMixin(PublicOpportunityMixin, LoginRequiredMixin):
    """Pages for people who act for a provider organisation; anyone else signed in is refused."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.organisations().exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InterestView(ProviderMixin, FormView):
    """Follow an opportunity (or stop following) for one of the person's organisations."""

    template_name = "opportunities/interest.html"

    def get_form(self, form_class=None):
        return InterestForm(self.request.POST or None, organisations=self.organisations())

    def get_context_data(self, **kwargs):
        organisations = list(self.organisations())
        followed = selectors.followed_organisation_ids(organisations, self.opportunity)
        kwargs.update(title="Follow this opportunity", organisations=[(o, o.pk in followed) for o in organisations])
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        organisation, follow = form.cleaned_data["organisation"], form.cleaned_data["action"] == "follow"
        try:
            if follow:
                services.interest_register(
                    by=self.request.user, opportunity=self.opportunity, organisation=organisation
                )
            else:
                services.interest_withdraw(
                    by=self.request.user, opportunity=self.opportunity, organisation=organisation
                )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.opportunity)
        messages.success(
            self.request,
            f"{organisation} is following this opportunity: you will be emailed about changes and clarifications."
            if follow
            else f"{organisation} is no longer following this opportunity.",
        )
        return redirect(self.opportunity)

    def form_invalid(self, form):
        messages.error(self.request, "Choose one of your organisations.")
        return redirect(self.opportunity)


class AskView(ProviderMixin, FormView):
    """Ask the council a clarification question, privately, before the clarification deadline."""

    template_name = "opportunities/ask.html"

    def get_form(self, form_class=None):
        return ClarificationAskForm(self.request.POST or None, organisations=self.organisations())

    def get_context_data(self, **kwargs):
        kwargs.update(title="Ask a clarification question", is_open=services.clarifications_open(self.opportunity))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.clarification_ask(
                by=self.request.user,
                opportunity=self.opportunity,
                build_url=self.request.build_absolute_uri,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your question has been sent. The council's answer will appear on this page.")
        return redirect(f"{self.opportunity.get_absolute_url()}#your-questions")
