"""The council administrator publishes and unpublishes the framework and the commissioning plan.

Thin: the page shows what is public now and a button for each change; the POST names the part and
whether to publish it, and the service decides (and audits)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.generic import TemplateView

from councils import services
from councils.views import CouncilPermissionMixin

PARTS = {
    "framework": ("The framework", "the corporate plan, its priorities and outcomes"),
    "plan": ("The commissioning plan", "the commissions the council intends, by sector and year, and its forward plan"),
}


class PublicationView(CouncilPermissionMixin, TemplateView):
    permission_required = "councils.publish_framework"
    template_name = "councils/publication.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council = self.request.council
        context.update(
            title="Publish the framework and the commissioning plan",
            parts=[
                {
                    "key": key,
                    "label": label,
                    "what": what,
                    "published_at": getattr(council, services.PUBLISHABLE[key]),
                    "public_url": f"opportunities:{key}",
                }
                for key, (label, what) in PARTS.items()
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        part, action = request.POST.get("part", ""), request.POST.get("action", "")
        if part not in PARTS or action not in ("publish", "unpublish"):
            return HttpResponseBadRequest("Choose what to publish or unpublish.")
        try:
            services.publication_set(by=request.user, council=request.council, part=part, publish=action == "publish")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("councils:publication", council_slug=request.council.slug)
        label = PARTS[part][0]
        messages.success(request, f"{label} is published." if action == "publish" else f"{label} is no longer public.")
        return redirect("councils:publication", council_slug=request.council.slug)
