"""Early engagement pages. Officers (through the commission: 404 for anyone who cannot read it): a
commission's consultations, opening drafts for comment, one consultation with its comments, and
answering a comment. The public site: open consultations (all, and one council's), a consultation's
page with its published comments and answers, and the comment form.

Thin: each view resolves its objects through a selector, checks its named permission, then calls one
service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from commissioning.cycle.selectors import commission_for_user
from commissioning.engagement import selectors, services, spam
from commissioning.engagement.forms import AnswerForm, CommentForm, ConsultationOpenForm
from councils.views import CouncilPermissionMixin, apply_form_errors


class CommissionEngagementMixin(CouncilPermissionMixin):
    permission_required = "commissioning.read_consultations"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.commission = commission_for_user(request.user, request.council, kwargs["pk"])
            if "consultation_pk" in kwargs:
                self.consultation = selectors.consultation_of(self.commission, kwargs["consultation_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.commission

    def list_url(self) -> str:
        return reverse(
            "commissioning:consultations",
            kwargs={"council_slug": self.request.council.slug, "pk": self.commission.pk},
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("commission", self.commission)
        kwargs.setdefault("back_url", self.list_url())
        return super().get_context_data(**kwargs)


class ConsultationListView(CommissionEngagementMixin, TemplateView):
    template_name = "commissioning/engagement/list.html"

    def get_context_data(self, **kwargs):
        commission = self.commission
        kwargs.update(
            title="Early engagement on drafts",
            consultations=selectors.consultations_of(commission),
            can_open=selectors.may_open_for_comment(commission)
            and self.request.user.has_perm("commissioning.run_consultation", commission),
            back_url=commission.get_absolute_url(),
        )
        return super().get_context_data(**kwargs)


class ConsultationOpenView(CommissionEngagementMixin, FormView):
    permission_required = "commissioning.run_consultation"
    template_name = "commissioning/engagement/form_page.html"
    form_class = ConsultationOpenForm

    def get_context_data(self, **kwargs):
        kwargs.update(title="Open drafts for comment")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            consultation = services.consultation_open(
                by=self.request.user, commission=self.commission, **form.cleaned_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The drafts are published for comment from {consultation.opens_on:%-d %B} "
            f"to {consultation.closes_on:%-d %B %Y}.",
        )
        return redirect(services.consultation_url(consultation))


class ConsultationView(CommissionEngagementMixin, TemplateView):
    """One consultation for the council: the drafts as published, every comment (with who sent it)
    and its answer."""

    template_name = "commissioning/engagement/consultation.html"

    def get_context_data(self, **kwargs):
        consultation = self.consultation
        kwargs.update(
            title=consultation.title,
            consultation=consultation,
            sections=selectors.comments_by_section(consultation),
            can_answer=self.request.user.has_perm("commissioning.run_consultation", self.commission),
            public_url=public_url(consultation),
        )
        return super().get_context_data(**kwargs)


class CommentAnswerView(CommissionEngagementMixin, FormView):
    permission_required = "commissioning.run_consultation"
    template_name = "commissioning/engagement/form_page.html"
    form_class = AnswerForm

    def comment(self):
        if not hasattr(self, "_comment"):
            self._comment = selectors.comment_of(self.consultation, self.kwargs["comment_pk"])
        return self._comment

    def get_initial(self):
        comment = self.comment()
        return {"answer": comment.answer, "draft_changed_because": comment.draft_changed_because}

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Answer a comment", comment=self.comment(), back_url=services.consultation_url(self.consultation)
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.comment_answer(by=self.request.user, comment=self.comment(), **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your answer is published with the comment.")
        return redirect(f"{services.consultation_url(self.consultation)}#comment-{self.comment().pk}")


# --- The public site ------------------------------------------------------------------------


def public_url(consultation) -> str:
    return reverse(
        "opportunities:consultation",
        kwargs={"council_slug": consultation.commission.council.slug, "pk": consultation.pk},
    )


class OpenConsultationsView(TemplateView):
    """Open consultations: every council's, or one council's (`council_slug` in the URL)."""

    template_name = "opportunities/consultations.html"

    def get_context_data(self, **kwargs):
        council = self.request.council
        user = self.request.user
        kwargs.update(
            title=f"{council.name}: drafts open for comment" if council else "Drafts open for comment",
            council=council,
            consultations=selectors.open_consultations(user, council),
            acts_for_a_provider=selectors.acts_for_a_provider(user),
        )
        return super().get_context_data(**kwargs)


class PublicConsultationMixin:
    def dispatch(self, request, *args, **kwargs):
        self.consultation = selectors.public_consultation(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("consultation", self.consultation)
        kwargs.setdefault("council", self.request.council)
        kwargs.setdefault("commission", self.consultation.commission)
        return super().get_context_data(**kwargs)


class PublicConsultationView(PublicConsultationMixin, TemplateView):
    template_name = "opportunities/consultation.html"

    def get_context_data(self, **kwargs):
        consultation = self.consultation
        user = self.request.user
        kwargs.update(
            title=consultation.title,
            sections=selectors.comments_by_section(consultation),
            may_comment=consultation.is_open and (consultation.is_public or selectors.acts_for_a_provider(user)),
            today=timezone.localdate(),
        )
        return super().get_context_data(**kwargs)


class CommentView(PublicConsultationMixin, FormView):
    """Comment on a consultation's drafts while it is open. People who act for a provider comment for
    their organisation; anyone else (on a public consultation) with their name and email."""

    template_name = "opportunities/consultation_comment.html"

    def closed(self):
        if self.consultation.is_open:
            return None
        messages.info(self.request, "This consultation is not open for comments.")
        return redirect(public_url(self.consultation))

    def get(self, request, *args, **kwargs):
        return self.closed() or super().get(request, *args, **kwargs)

    def organisations(self):
        if selectors.acts_for_a_provider(self.request.user):
            return selectors.provider_organisations(self.request.user)
        return None

    def get_form(self, form_class=None):
        organisations = self.organisations()
        initial = {"organisation": organisations.first()} if organisations is not None else {}
        return CommentForm(
            self.request.POST or None,
            initial=initial,
            sections=selectors.section_choices(self.consultation),
            organisations=organisations,
        )

    def get_context_data(self, **kwargs):
        kwargs.update(title="Comment on the drafts", back_url=public_url(self.consultation))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if closed := self.closed():
            return closed
        if spam.over_limit(request):
            messages.error(request, "Too many comments have been sent from your connection. Try again in an hour.")
            return redirect(public_url(self.consultation))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        spam.count(self.request)
        if not form.is_bot:
            user = self.request.user if self.request.user.is_authenticated else None
            try:
                services.consultation_comment(
                    consultation=self.consultation,
                    section=data["section"],
                    text=data["text"],
                    by=user,
                    organisation=data.get("organisation"),
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                apply_form_errors(form, error)
                return self.form_invalid(form)
        messages.success(
            self.request, "Thank you: your comment has been sent. The council's answer will appear on this page."
        )
        return redirect(public_url(self.consultation))
