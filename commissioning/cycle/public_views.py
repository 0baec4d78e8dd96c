"""The public framework and commissioning plan of one council (no sign-in): 404 until its
administrator publishes them, and again once they are unpublished."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import TemplateView

from commissioning.cycle.public_plan import NO_SECTOR, published_framework, published_plan


class PublicFrameworkView(TemplateView):
    template_name = "opportunities/public_framework.html"

    def get_context_data(self, **kwargs):
        council = self.request.council
        plan = published_framework(council)
        if plan is None:
            raise Http404
        kwargs.update(council=council, plan=plan, title=f"{council.name}: priorities and outcomes")
        return super().get_context_data(**kwargs)


class PublicPlanView(TemplateView):
    template_name = "opportunities/public_plan.html"

    def get_context_data(self, **kwargs):
        council = self.request.council
        plan = published_plan(council)
        if plan is None:
            raise Http404
        kwargs.update(
            council=council,
            title=f"{council.name}: commissioning plan",
            no_sector=NO_SECTOR,
            framework_public=council.framework_published_at is not None,
            **plan,
        )
        return super().get_context_data(**kwargs)
