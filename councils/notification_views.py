"""Notifications: everyone's own list (opened, marked read, paginated), their email preference, and a
council's reminder rules for its council administrator and lead commissioner.

A person only ever reaches their own notifications: anyone else's is a 404, never a hint that it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View

from councils import notification_selectors as selectors
from councils import notification_services as services
from councils.models import RULE_KINDS, ReminderKind
from councils.notification_forms import NotificationPreferenceForm, ReminderRuleForm
from councils.views import CouncilPermissionMixin, apply_form_errors

PAGE_SIZE = 25


class NotificationListView(LoginRequiredMixin, TemplateView):
    """Anyone signed in: their own notifications, newest first, unread ones marked."""

    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.notifications_for(self.request.user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            title="Notifications",
            page_obj=page,
            rule_councils=selectors.councils_with_reminder_rules(self.request.user),
        )
        return context


class NotificationOpenView(LoginRequiredMixin, View):
    """Open one of your notifications: it is marked read and you are taken to what it is about."""

    def get(self, request, pk):
        notification = selectors.notification_for(request.user, pk)
        services.notification_mark_read(by=request.user, notification=notification)
        target = notification.url
        # Only ever a page of this site, whatever a row says.
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
            return redirect("councils:notifications")
        return redirect(target)


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one of your notifications as read without opening it."""

    def post(self, request, pk):
        notification = selectors.notification_for(request.user, pk)
        services.notification_mark_read(by=request.user, notification=notification)
        messages.success(request, f"Marked as read: {notification.title}")
        return redirect(_back_to_list(request))


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notifications_mark_all_read(by=request.user)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
        return redirect("councils:notifications")


def _back_to_list(request) -> str:
    page = request.POST.get("page", "")
    url = reverse("councils:notifications")
    return f"{url}?page={page}" if page.isdigit() else url


class NotificationPreferenceView(LoginRequiredMixin, FormView):
    """Anyone signed in: individual emails or one daily digest, and which kinds are emailed at all."""

    template_name = "notifications/preferences.html"
    form_class = NotificationPreferenceForm

    def get_initial(self):
        user = self.request.user
        return NotificationPreferenceForm.initial_for(selectors.wants_daily_digest(user), selectors.not_emailed(user))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", "Notification emails")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        services.notification_preference_save(
            by=self.request.user, daily_digest=form.daily_digest, not_emailed=form.not_emailed
        )
        if form.daily_digest:
            messages.success(
                self.request, "Saved. You will get one email a day, at 7am, with that day's notifications."
            )
        else:
            messages.success(self.request, "Saved. You will get an email for each notification as it happens.")
        return redirect("councils:notifications")


class ReminderRulesView(CouncilPermissionMixin, TemplateView):
    """The council's reminder rules, each with a link to change it (council administrator, lead commissioner)."""

    permission_required = "councils.edit_reminder_rules"
    template_name = "notifications/reminder_rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Reminders", rules=selectors.reminder_rules_for(self.request.council))
        return context


class ReminderRuleEditView(CouncilPermissionMixin, FormView):
    permission_required = "councils.edit_reminder_rules"
    template_name = "councils/form_page.html"
    form_class = ReminderRuleForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in RULE_KINDS:
            raise Http404
        self.kind = ReminderKind(kwargs["kind"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        current = dict(selectors.reminder_rules_for(self.request.council))[self.kind]
        return {**super().get_form_kwargs(), "kind": self.kind, "current": current}

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=self.kind.label,
            back_url=reverse("councils:reminder_rules", kwargs={"council_slug": self.request.council.slug}),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.reminder_rule_save(
                by=self.request.user, council=self.request.council, kind=self.kind, **form.rule_values()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved: {self.kind.label.lower()}.")
        return redirect("councils:reminder_rules", council_slug=self.request.council.slug)
