"""Officers' pages for an opportunity: drafting it from a commission in Sourcing, its details, dates,
lots, questions and documents, publishing or cancelling it, answering clarifications, and recording
the opening of the bids. Thin: each view parses input and calls one service or selector.

Every page resolves the opportunity first (404 unless the officer may read its commission), then
checks the page's own rule (403), and refuses anyone who acts for a bidder (the ethical wall, 403).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from commissioning.award.selectors import may_read_award
from commissioning.conflicts import selectors as conflicts_selectors
from commissioning.cycle.forms import TransitionForm
from commissioning.cycle.views import CommissionMixin
from commissioning.models import BidOpening, ClarificationVisibility, FormType, OpportunityDocument, OpportunityState
from commissioning.permissions import can_assess_conflicts, can_open_bids, can_publish_opportunity
from commissioning.sourcing.forms import opportunities as forms
from commissioning.sourcing.next_steps import may_open_evaluation, opportunity_next_steps
from commissioning.sourcing.selectors import opportunities as selectors
from commissioning.sourcing.services import opportunities as services
from councils.uploads import download_response
from councils.views import CouncilPermissionMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused


def can_read(opportunity, user) -> bool:
    return True  # the selector has already checked the officer may read the commission


def manage_url(opportunity, name: str = "opportunity") -> str:
    return reverse(
        f"commissioning:{name}", kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk}
    )


class OpportunityCreateView(CommissionMixin, TemplateView):
    """Draft the opportunity for a commission in Sourcing, prefilled from the commission."""

    template_name = "opportunities/officer/create.html"

    def has_permission(self):
        return can_publish_opportunity(self.commission, self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Create the opportunity",
            missing=services.missing_to_create(self.commission),
            form_type=FormType(services.form_type_for(self.commission)).label,
            two_person_opening=services.needs_two_person_opening(self.commission),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        try:
            opportunity = services.opportunity_create(by=request.user, commission=self.commission)
        except TransitionRefused as refused:
            messages.error(request, "; ".join(refused.missing))
            return redirect(f"{self.commission.get_absolute_url()}#sourcing")
        messages.success(request, f"Draft opportunity {opportunity.reference} created. Check it, then publish it.")
        return redirect(manage_url(opportunity))


class OpportunityMixin(CouncilPermissionMixin):
    """One opportunity of the council in the URL; `allowed(opportunity, user)` is the page's rule."""

    allowed: Callable = staticmethod(can_read)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.opportunity = selectors.opportunity_for_officer(
                request.user, request.council, kwargs["opportunity_pk"]
            )
            self.commission = self.opportunity.commission
            if selectors.has_bidder_conflict(request.user, self.opportunity):
                context = {"opportunity": self.opportunity, "council": request.council, "title": "Conflict of interest"}
                return render(request, "opportunities/officer/conflict.html", context, status=403)
        return super().dispatch(request, *args, **kwargs)

    def has_permission(self):
        return self.allowed(self.opportunity, self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("opportunity", self.opportunity)
        kwargs.setdefault("commission", self.commission)
        kwargs.setdefault("back_url", manage_url(self.opportunity))
        return super().get_context_data(**kwargs)

    def refuse(self, message: str):
        messages.error(self.request, message)
        return redirect(manage_url(self.opportunity))


class LockMixin:
    """After the permission mixins in a view's bases: a page whose record is fixed at this stage
    sends the officer back to the opportunity with why (`locked()` returns the reason, or "")."""

    def dispatch(self, request, *args, **kwargs):
        reason = self.locked()
        if reason:
            return self.refuse(reason)
        return super().dispatch(request, *args, **kwargs)

    def locked_message(self, what: str) -> str:
        state = self.opportunity.get_state_display().lower()
        return f"The {what} cannot be changed now: the opportunity is ‘{state}’."


class OpportunityManageView(OpportunityMixin, TemplateView):
    template_name = "opportunities/officer/manage.html"

    def get(self, request, *args, **kwargs):
        services.opportunities_close_due(opportunity=self.opportunity)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        opportunity, user = self.opportunity, self.request.user
        opening = BidOpening.objects.filter(opportunity=opportunity).select_related("first_officer").first()
        kwargs.update(
            title=opportunity.title,
            content=selectors.opportunity_content(opportunity),
            next_steps=opportunity_next_steps(opportunity, user, opening),
            may_open_evaluation=may_open_evaluation(opportunity, user),
            may_read_award=may_read_award(user, opportunity),
            submitted_bids=selectors.submitted_bid_count(opportunity),
            opening=opening,
            pending_clarifications=opportunity.clarifications.filter(
                visibility=ClarificationVisibility.PENDING
            ).count(),
            can_change_details=services.can_change_details(opportunity, user),
            can_change_dates=services.can_change_dates(opportunity, user),
            can_change_documents=services.can_change_record(OpportunityDocument, opportunity, user),
            can_answer=can_publish_opportunity(opportunity, user),
            can_open=can_open_bids(opportunity, user),
            is_public=opportunity.state != OpportunityState.DRAFT,
            events=selectors.opportunity_audit_trail(opportunity),
            bid_readings=selectors.bid_readings(opportunity),
            can_assess_conflicts=can_assess_conflicts(opportunity, user),
            conflicts_latest=conflicts_selectors.latest_revision(opportunity),
        )
        return super().get_context_data(**kwargs)


class OpportunityDetailsEditView(OpportunityMixin, LockMixin, FormView):
    allowed = staticmethod(can_publish_opportunity)
    template_name = "opportunities/officer/form.html"
    form_class = forms.OpportunityDetailsForm
    extra_context = {"title": "Change the opportunity's details"}

    def locked(self) -> str:
        if services.can_change_details(self.opportunity, self.request.user):
            return ""
        return self.locked_message("details")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": copy.copy(self.opportunity), "council": self.request.council}

    def form_valid(self, form):
        try:
            services.opportunity_update_details(
                by=self.request.user, opportunity=form.save(commit=False), changed=form.changed_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The opportunity's details have been saved.")
        return redirect(manage_url(self.opportunity))


class OpportunityDatesEditView(OpportunityMixin, LockMixin, FormView):
    allowed = staticmethod(can_publish_opportunity)
    template_name = "opportunities/officer/form.html"
    form_class = forms.OpportunityDatesForm
    extra_context = {"title": "Change the key dates"}

    def locked(self) -> str:
        if services.can_change_dates(self.opportunity, self.request.user):
            return ""
        return self.locked_message("key dates")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "opportunity": copy.copy(self.opportunity)}

    def get_context_data(self, **kwargs):
        if self.opportunity.state == OpportunityState.PUBLISHED:
            kwargs["notice"] = "Everyone following this opportunity will be emailed the new dates."
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.opportunity_update_dates(
                by=self.request.user, opportunity=form.apply(), build_url=self.request.build_absolute_uri
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The key dates have been saved.")
        return redirect(f"{manage_url(self.opportunity)}#key-dates")


@dataclass(frozen=True)
class RecordKind:
    form_class: type[forms.OpportunityRecordForm]
    label: str
    remove_note: str = ""
    anchor: str = ""  # the section's id on the opportunity page, when it is not the label's plural

    @property
    def section_id(self) -> str:
        return self.anchor or f"{self.label}s"

    @property
    def model(self) -> type[models.Model]:
        return self.form_class._meta.model


RECORD_KINDS = {
    "lots": RecordKind(forms.LotForm, "lot"),
    "questions": RecordKind(forms.QuestionForm, "question"),
    "social-value": RecordKind(forms.SocialValueAskForm, "social value ask", anchor="social-value"),
    "documents": RecordKind(
        forms.DocumentForm,
        "document",
        remove_note="Once the opportunity is published, everyone following it is emailed that it was removed.",
    ),
}


class OpportunityRecordMixin(OpportunityMixin):
    """A lot, question or document of this opportunity; other kinds and other opportunities' are 404."""

    allowed = staticmethod(can_publish_opportunity)

    def dispatch(self, request, *args, **kwargs):
        self.kind = RECORD_KINDS.get(kwargs["kind"])
        if self.kind is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def locked(self) -> str:
        if services.can_change_record(self.kind.model, self.opportunity, self.request.user):
            return ""
        return self.locked_message(f"{self.kind.label}s")

    def get_record(self) -> models.Model | None:
        pk = self.kwargs.get("record_pk")
        if pk is None:
            return None
        return get_object_or_404(self.kind.model.objects.filter(opportunity=self.opportunity), pk=pk)

    def section_url(self) -> str:
        return f"{manage_url(self.opportunity)}#{self.kind.section_id}"

    def get_context_data(self, **kwargs):
        kwargs.update(kind=self.kind, back_url=self.section_url())
        return super().get_context_data(**kwargs)


class OpportunityRecordEditView(OpportunityRecordMixin, LockMixin, FormView):
    template_name = "opportunities/officer/form.html"

    def get_form_class(self):
        return self.kind.form_class

    def get_form_kwargs(self):
        record = self.get_record() or self.kind.model(opportunity=self.opportunity)
        return {**super().get_form_kwargs(), "instance": record, "opportunity": self.opportunity}

    def get_context_data(self, **kwargs):
        kwargs["title"] = f"{'Change' if self.kwargs.get('record_pk') else 'Add'} {self.kind.label}"
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        adding = form.instance.pk is None
        try:
            services.record_save(
                by=self.request.user,
                opportunity=self.opportunity,
                instance=form.save(commit=False),
                changed=form.changed_data,
                build_url=self.request.build_absolute_uri,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.kind.label.capitalize()} {'added' if adding else 'saved'}.")
        return redirect(self.section_url())


class OpportunityRecordRemoveView(OpportunityRecordMixin, LockMixin, TemplateView):
    template_name = "commissioning/stage_record_remove.html"

    def get_context_data(self, **kwargs):
        kwargs.update(record=self.get_record(), title=f"Remove {self.kind.label}")
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.record_delete(
                by=request.user,
                opportunity=self.opportunity,
                instance=self.get_record(),
                build_url=request.build_absolute_uri,
            )
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        messages.success(request, f"{self.kind.label.capitalize()} removed.")
        return redirect(self.section_url())


class OpportunityDocumentView(OpportunityMixin, View):
    """Officers download the opportunity's documents in any state (the public only once published)."""

    def get(self, request, *args, **kwargs):
        document = selectors.officer_document(self.opportunity, kwargs["document_pk"])
        return download_response(document.file, document.title)


class OpportunityTransitionView(OpportunityMixin, FormView):
    """Confirm publishing or cancelling; a blocked step shows exactly what is missing."""

    template_name = "opportunities/officer/transition.html"

    def get_step(self) -> dict:
        for step in services.available_steps(self.opportunity, self.request.user):
            if step["name"] == self.kwargs["name"]:
                return step
        transitions = [t for t in self.opportunity.get_all_state_transitions() if t.name == self.kwargs["name"]]
        if not transitions or any(t.custom.get("system") or t.custom.get("internal") for t in transitions):
            raise Http404  # closing is the scheduler's; opening has its own page
        if self.opportunity.state in {t.source for t in transitions}:
            raise PermissionDenied
        return {}

    def get(self, request, *args, **kwargs):
        self.step = self.get_step()
        if not self.step:
            return self.refuse("That step cannot be taken at this stage.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.step = self.get_step()
        if not self.step:
            return self.refuse("That step cannot be taken at this stage: someone may have taken it already.")
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return TransitionForm(step=self.step, **self.get_form_kwargs())

    def get_initial(self):
        return {"from_state": self.opportunity.state}

    def get_context_data(self, **kwargs):
        kwargs.update(step=self.step, title=self.step["label"])
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.opportunity_transition(
                by=self.request.user,
                opportunity=self.opportunity,
                name=self.step["name"],
                reason=form.cleaned_data["reason"],
                seen_state=form.cleaned_data["from_state"],
                build_url=self.request.build_absolute_uri,
            )
        except TransitionRefused as refused:
            self.step["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.refuse(str(conflict))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{self.step['label']}: the opportunity is now ‘{self.opportunity.get_state_display()}’."
        )
        return redirect(manage_url(self.opportunity))


class OpeningView(OpportunityMixin, FormView):
    """After the deadline an opening officer records the opening. Until the bids are open this page
    shows only how many were submitted: never who bid or what they wrote."""

    allowed = staticmethod(can_open_bids)
    template_name = "opportunities/officer/opening.html"
    form_class = forms.OpeningForm

    def get(self, request, *args, **kwargs):
        services.opportunities_close_due(opportunity=self.opportunity)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"from_state": self.opportunity.state}

    def get_context_data(self, **kwargs):
        opening = BidOpening.objects.filter(opportunity=self.opportunity).select_related("first_officer").first()
        waiting_for_me = opening is None or opening.first_officer_id != self.request.user.pk
        kwargs.update(
            title="Open the bids",
            submitted_bids=selectors.submitted_bid_count(self.opportunity),
            opening=opening,
            can_confirm=self.opportunity.state == OpportunityState.CLOSED and waiting_for_me,
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        if form.cleaned_data["from_state"] != self.opportunity.state:
            return self.refuse("Someone else changed this opportunity while you were looking at it. Check it now.")
        try:
            opening = services.bids_open(by=self.request.user, opportunity=self.opportunity)
        except TransitionRefused as refused:
            messages.error(self.request, "; ".join(refused.missing))
            return redirect(self.request.path)
        except TransitionConflict as conflict:
            return self.refuse(str(conflict))
        if self.opportunity.state == OpportunityState.OPENED:
            messages.success(self.request, f"The bids are open: {opening.bids_opened} submitted.")
            return redirect(manage_url(self.opportunity))
        messages.success(
            self.request, "Your confirmation is recorded. The bids stay sealed until a second opening officer confirms."
        )
        return redirect(self.request.path)


class ClarificationInboxView(OpportunityMixin, TemplateView):
    allowed = staticmethod(can_publish_opportunity)
    template_name = "opportunities/officer/clarifications.html"

    def get_context_data(self, **kwargs):
        kwargs.update(title="Clarification questions", clarifications=selectors.clarifications_inbox(self.opportunity))
        return super().get_context_data(**kwargs)


class ClarificationAnswerView(OpportunityMixin, LockMixin, FormView):
    allowed = staticmethod(can_publish_opportunity)
    template_name = "opportunities/officer/form.html"
    form_class = forms.ClarificationAnswerForm

    def locked(self) -> str:
        self.clarification = selectors.clarification_for_officer(self.opportunity, self.kwargs["clarification_pk"])
        if self.clarification.visibility == ClarificationVisibility.PUBLISHED:
            return "This clarification has already been published."
        if self.opportunity.state != OpportunityState.PUBLISHED:
            return self.locked_message("clarifications")
        return ""

    def get_initial(self):
        return {
            "published_question": self.clarification.published_question or self.clarification.question,
            "answer": self.clarification.answer,
        }

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Answer a clarification question",
            clarification=self.clarification,
            back_url=manage_url(self.opportunity, "opportunity_clarifications"),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.clarification_answer(
                by=self.request.user,
                clarification=self.clarification,
                build_url=self.request.build_absolute_uri,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        published = self.clarification.visibility == ClarificationVisibility.PUBLISHED
        messages.success(
            self.request,
            "The clarification is published and everyone following has been emailed."
            if published
            else "Your private answer has been sent to the organisation that asked.",
        )
        return redirect(manage_url(self.opportunity, "opportunity_clarifications"))
