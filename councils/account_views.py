"""Your account: who the service thinks you are, your roles, and a copy of your personal data.

Permission: signed in, and only ever your own account (nothing here takes an id from the URL)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from councils.models import Membership
from councils.subject_access import subject_access_export


class AccountView(LoginRequiredMixin, TemplateView):
    template_name = "councils/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            title="Your account",
            memberships=Membership.objects.filter(user=user).select_related("council"),
            organisations=[str(m.organisation) for m in user.organisation_memberships.select_related("organisation")],
        )
        return super().get_context_data(**kwargs)


class AccountDataView(LoginRequiredMixin, View):
    """Download your data: the same subject access export the data protection officer can make."""

    def get(self, request, *args, **kwargs):
        data = subject_access_export(user=request.user, by=request.user)
        response = HttpResponse(data, content_type="application/zip")
        name = f"your-data-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
