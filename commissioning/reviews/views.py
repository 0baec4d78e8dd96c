"""Review pages: the council's reviews, opening one, one review with its next steps, its scope and
evidence, taking a step and recording the conclusion. Thin: each view parses input and calls one
service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from commissioning.cycle.forms import TransitionForm
from commissioning.models import ReviewState
from commissioning.reviews import gates, selectors, services
from commissioning.reviews.forms import ConclusionForm, EvidenceForm, ReviewEditForm, ReviewOpenForm
from commissioning.reviews.next_steps import review_next_steps
from councils.step_views import StepPageMixin
from councils.uploads import download_response
from councils.views import CouncilPermissionMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused


class ReviewMixin(CouncilPermissionMixin):
    """Views of one review: unreadable or foreign reviews are 404, then the permission applies."""

    permission_required = "commissioning.read_review"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.review = selectors.review_for_user(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.review

    def get_context_data(self, **kwargs):
        kwargs.setdefault("review", self.review)
        kwargs.setdefault("back_url", self.review.get_absolute_url())
        return super().get_context_data(**kwargs)


class ReviewListView(CouncilPermissionMixin, TemplateView):
    permission_required = "commissioning.list_reviews"
    template_name = "commissioning/reviews/review_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council, user = self.request.council, self.request.user
        state = self.request.GET.get("state", "")
        context.update(
            reviews=selectors.review_list(user, council, state=state),
            counts=selectors.review_counts(user, council),
            state=state if state in ReviewState.values else "",
            can_open=user.has_perm("commissioning.open_review", council),
        )
        return context


class ReviewOpenView(CouncilPermissionMixin, FormView):
    permission_required = "commissioning.open_review"
    template_name = "councils/form_page.html"
    form_class = ReviewOpenForm
    extra_context = {"title": "Open a review of existing services"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "council": self.request.council}

    def get_initial(self):
        return {"lead_officer": self.request.user.pk, "starts_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("back_url", reverse("commissioning:reviews", args=[self.request.council.slug]))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review = services.review_open(
                by=self.request.user,
                council=self.request.council,
                title=data["title"],
                scope=data["scope"],
                lead_officer=data["lead_officer"],
                starts_on=data["starts_on"],
                concludes_by=data["concludes_by"],
                portfolio=data["portfolio"],
                outcomes=data["outcomes"],
                provisions=data["provisions"],
                agreement_ids=data["agreements"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Review {review.reference} opened. Add its evidence, then start it.")
        return redirect(review)


class ReviewDetailView(ReviewMixin, TemplateView):
    template_name = "commissioning/reviews/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review, user = self.review, self.request.user
        context.update(
            selectors.review_page(review),
            next_steps=review_next_steps(review, user),
            can_edit=user.has_perm("commissioning.edit_review", review),
        )
        return context


class ReviewEditView(ReviewMixin, FormView):
    permission_required = "commissioning.edit_review"
    template_name = "councils/form_page.html"
    form_class = ReviewEditForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "council": self.request.council, "instance": self.review}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"Change {self.review.reference}")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        review = form.save(commit=False)
        data = form.cleaned_data
        try:
            services.review_update(
                by=self.request.user,
                review=review,
                changed=form.changed_data,
                outcomes=data["outcomes"],
                provisions=data["provisions"],
                agreement_ids=data["agreements"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The review has been saved.")
        return redirect(review)


class EvidenceAddView(ReviewMixin, FormView):
    permission_required = "commissioning.edit_review"
    template_name = "councils/form_page.html"
    form_class = EvidenceForm

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", "Add evidence to the review")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.review_add_evidence(
                by=self.request.user,
                review=self.review,
                title=data["title"],
                note=data["note"],
                document=data["document"],
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"‘{data['title']}’ added to the evidence.")
        return redirect(self.review)


class EvidenceMixin(ReviewMixin):
    def get_evidence(self):
        return get_object_or_404(self.review.evidence.all(), pk=self.kwargs["evidence_pk"])


class EvidenceDownloadView(EvidenceMixin, View):
    def get(self, request, *args, **kwargs):
        evidence = self.get_evidence()
        if not evidence.document:
            raise Http404
        return download_response(evidence.document, evidence.title)


class EvidenceRemoveView(EvidenceMixin, TemplateView):
    permission_required = "commissioning.edit_review"
    template_name = "commissioning/reviews/evidence_remove.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("evidence", self.get_evidence())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        evidence = self.get_evidence()
        try:
            services.review_remove_evidence(by=request.user, review=self.review, evidence=evidence)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.review)
        messages.success(request, f"‘{evidence.title}’ removed from the evidence.")
        return redirect(self.review)


class ReviewTransitionView(StepPageMixin, ReviewMixin, FormView):
    """Confirm a step of the review (start, withdraw): a reason where one is needed."""

    template_name = "commissioning/reviews/review_transition.html"
    form_class = TransitionForm

    def step_object(self):
        return self.review

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "step": self.step}

    def get_initial(self):
        return {"from_state": self.review.state}

    def get_context_data(self, **kwargs):
        kwargs.update(step=self.step, title=self.step["label"], target_label=ReviewState(self.step["target"]).label)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.review_transition(
                by=self.request.user,
                review=self.review,
                name=self.step["name"],
                reason=data["reason"],
                seen_state=data["from_state"],
            )
        except TransitionRefused as refused:
            self.step["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            messages.error(self.request, str(conflict))
            return redirect(self.review)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.step['label']}: the review is now ‘{self.review.get_state_display()}’.")
        return redirect(self.review)


class ReviewConcludeView(ReviewMixin, FormView):
    permission_required = "commissioning.conclude_review"
    template_name = "commissioning/reviews/review_conclude.html"
    form_class = ConclusionForm

    def get(self, request, *args, **kwargs):
        if self.review.state != ReviewState.UNDER_WAY:
            messages.error(request, "Only a review under way can be concluded.")
            return redirect(self.review)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"from_state": self.review.state, "findings": self.review.findings}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("missing", gates.missing_evidence(self.review))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review = services.review_conclude(
                by=self.request.user,
                review=self.review,
                conclusion=data["conclusion"],
                reasons=data["reasons"],
                findings=data["findings"],
                measures=data["measures"],
                seen_state=data["from_state"],
            )
        except TransitionRefused as refused:
            form.add_error(None, refused.missing)
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            messages.error(self.request, str(conflict))
            return redirect(self.review)
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        if review.commission_id:
            messages.success(
                self.request,
                f"Review concluded. Commission {review.commission.reference} has started with the review's findings.",
            )
            return redirect(review.commission)
        messages.success(self.request, f"Review concluded: {review.get_conclusion_display().lower()}.")
        return redirect(review)
