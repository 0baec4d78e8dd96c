"""Notice pages for the council: the notices page (due, overdue, published), one notice in words with
its history and the steps the person may take, recording its publication on Find a Tender, sending it
there through the eSender API when the council has a key, and downloading it as an OCDS release package.

Thin: each view parses input and calls one service or selector. One notice's pages resolve it first
(404 when it is another council's or the person cannot read notices), then check the permission (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from commissioning.cycle.forms import TransitionForm
from councils import workflow
from councils.page_cache import CachedPageMixin
from councils.views import CouncilPermissionMixin, StateRequiredMixin, apply_form_errors
from councils.workflow import TransitionConflict, TransitionRefused
from monitoring.models import NoticeState
from monitoring.notices import forms, gates, ocds, selectors, services
from monitoring.notices.sender import SendingFailed, sends_itself
from monitoring.open_data.views import json_download

PAGE_SIZE = 25


class NoticeListView(CouncilPermissionMixin, CachedPageMixin, TemplateView):
    """The council's notices: what is due, what is overdue, what has been published."""

    permission_required = "monitoring.list_notices"
    template_name = "monitoring/notices/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, council, today = self.request.user, self.request.council, timezone.localdate()
        form = forms.NoticeFilterForm(self.request.GET or None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title="Notices",
            filter_form=form,
            page_obj=Paginator(selectors.notice_list(user, council, form.filters(), today), PAGE_SIZE).get_page(
                self.request.GET.get("page")
            ),
            query_string=query.urlencode(),
            counts=selectors.notice_counts(user, council, today),
            today=today,
        )
        return context


class NoticeMixin(CouncilPermissionMixin):
    """Pages of one notice: another council's notice, or one the person may not read, is a 404."""

    permission_required = "monitoring.read_notice"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.notice = selectors.notice_for_user(request.user, request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.notice

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notice", self.notice)
        kwargs.setdefault("back_url", self.notice.get_absolute_url())
        return super().get_context_data(**kwargs)

    def back(self, message: str = "", *, error: bool = True):
        if message:
            (messages.error if error else messages.info)(self.request, message)
        return redirect(self.notice)


class NoticeDetailView(NoticeMixin, CachedPageMixin, TemplateView):
    template_name = "monitoring/notices/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, notice = self.request.user, self.notice
        may_publish = notice.state == NoticeState.READY and user.has_perm("monitoring.publish_notice", notice)
        context.update(
            title=notice.title,
            summary=selectors.notice_summary(notice),
            history=selectors.notice_history(notice),
            steps=workflow.available(notice, user),
            may_publish=may_publish,
            may_send=may_publish and sends_itself(notice.council),
            publish_form=self.publish_form() if may_publish else None,
        )
        return context

    def publish_form(self) -> forms.PublishForm:
        form = forms.PublishForm(initial={"from_state": self.notice.state, "published_on": timezone.localdate()})
        form.helper.form_action = reverse("monitoring:notice_publish", args=[self.notice.council.slug, self.notice.pk])
        return form


class NoticeDownloadView(NoticeMixin, View):
    """The notice as an OCDS release package (JSON), as generated (or as published)."""

    def get(self, request, *args, **kwargs):
        notice = self.notice
        uri = request.build_absolute_uri(reverse("monitoring:notice_download", args=[notice.council.slug, notice.pk]))
        package = ocds.package(notice.council, [notice.data], uri)
        return json_download(package, f"{notice.council.slug}-{notice.notice_type}-{notice.pk}-{notice.state}.json")


class NoticeStepView(NoticeMixin, FormView):
    """One step of the notice through the engine: ready, reopen, not needed (with the reason), needed
    after all (with the reason)."""

    template_name = "monitoring/notices/step.html"

    def dispatch(self, request, *args, **kwargs):
        self.name = kwargs["name"].replace("-", "_")
        return super().dispatch(request, *args, **kwargs)

    def step(self) -> dict | None:
        transitions = [t for t in self.notice.get_all_state_transitions() if t.name == self.name]
        if not transitions or any(t.custom.get("internal") for t in transitions):
            raise Http404
        for step in workflow.available(self.notice, self.request.user):
            if step["name"] == self.name:
                return step
        if self.notice.state in {t.source for t in transitions}:
            raise PermissionDenied  # the step is there to take, but not by this person
        return None

    def get(self, request, *args, **kwargs):
        self.current = self.step()
        if self.current is None:
            return self.back("That step cannot be taken now: someone may have taken it already.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.current = self.step()
        if self.current is None:
            return self.back("That step cannot be taken now: someone may have taken it already.")
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return TransitionForm(**self.get_form_kwargs(), step=self.current)

    def get_initial(self):
        return {"from_state": self.notice.state}

    def get_context_data(self, **kwargs):
        kwargs.update(title=self.current["label"], step=self.current)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.notice_step(
                by=self.request.user,
                notice=self.notice,
                name=self.name,
                reason=data["reason"],
                seen_state=data["from_state"],
            )
        except TransitionRefused as refused:
            self.current["missing"] = refused.missing
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{self.current['label']}: done. The notice is now ‘{workflow.state_words(self.notice)}’."
        )
        return self.back()


class ReadyNoticeMixin(StateRequiredMixin, NoticeMixin):
    """Publishing: a notice officer's, on a notice that is ready."""

    permission_required = "monitoring.publish_notice"
    required_state = NoticeState.READY

    def state_holder(self):
        return self.notice

    def wrong_state_message(self) -> str:
        return "Only a notice marked as ready to publish can be recorded as published."


class NoticePublishView(ReadyNoticeMixin, FormView):
    """Record the publication: the identifier and day Find a Tender shows (the council published it there)."""

    template_name = "monitoring/notices/publish.html"
    form_class = forms.PublishForm

    def get_initial(self):
        return {"from_state": self.notice.state, "published_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        kwargs.update(title="Record it as published on Find a Tender", missing=gates.missing_to_send(self.notice))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.notice_publish(
                by=self.request.user,
                notice=self.notice,
                fat_identifier=data["fat_identifier"],
                published_on=data["published_on"],
                seen_state=data["from_state"],
            )
        except TransitionRefused as refused:
            for item in refused.missing:
                form.add_error(None, item)
            return self.form_invalid(form)
        except TransitionConflict as conflict:
            return self.back(str(conflict))
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Recorded as published on Find a Tender: {self.notice.fat_identifier}.")
        return self.back()


class NoticeSendView(ReadyNoticeMixin, FormView):
    """Send the notice to Find a Tender through the eSender API (councils with a CDP API key)."""

    template_name = "monitoring/notices/send.html"
    form_class = forms.SendForm

    def get(self, request, *args, **kwargs):
        if not sends_itself(request.council):
            return self.back("This council publishes its notices on Find a Tender itself: record the identifier.")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not sends_itself(request.council):
            return self.back("This council publishes its notices on Find a Tender itself: record the identifier.")
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"from_state": self.notice.state}

    def get_context_data(self, **kwargs):
        kwargs.update(
            title="Send it to Find a Tender",
            missing=gates.missing_to_send(self.notice),
            pending=selectors.pending_submission(self.notice),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        if form.cleaned_data["from_state"] != self.notice.state:
            return self.back("Someone else changed this notice while you were looking at it. Check where it is now.")
        try:
            submission = services.notice_send(by=self.request.user, notice=self.notice)
        except SendingFailed as failed:
            form.add_error(None, str(failed))
            return self.form_invalid(form)
        except TransitionRefused as refused:
            for item in refused.missing:
                form.add_error(None, item)
            return self.form_invalid(form)
        if submission.published:
            messages.success(
                self.request,
                f"Find a Tender published it as {submission.fat_identifier} on "
                f"{submission.published_on:%-d %B %Y}: it is recorded as published.",
            )
            return self.back()
        return self.back(
            f"Find a Tender received it (submission {submission.submission_id}, {submission.status or 'received'}) "
            "and publishes it after its checks. Send it again later to see whether it has been published: it is "
            "checked, not sent twice.",
            error=False,
        )
