"""Reporting by corporate outcome: the index of the outcomes a person answers for (every outcome for
the lead commissioner and scrutiny), and one outcome's page. Read-only. Another council's outcome is a
404; an outcome of this council the person does not answer for is a 403.
"""

from __future__ import annotations

from django.views.generic import TemplateView

from councils.page_cache import CachedPageMixin
from councils.views import CouncilPermissionMixin
from monitoring.dashboards.selectors import outcomes as selectors


class OutcomeIndexView(CouncilPermissionMixin, CachedPageMixin, TemplateView):
    permission_required = "monitoring.list_outcome_reports"
    template_name = "dashboards/outcome_index.html"

    def get_context_data(self, **kwargs):
        kwargs.update(title="Outcomes", outcomes=selectors.outcome_index(self.request.user, self.request.council))
        return super().get_context_data(**kwargs)


class OutcomeReportView(CouncilPermissionMixin, CachedPageMixin, TemplateView):
    permission_required = "monitoring.read_outcome_report"
    template_name = "dashboards/outcome_report.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.council is not None:
            self.outcome = selectors.outcome_of_council(request.council, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.outcome

    def get_context_data(self, **kwargs):
        user, council = self.request.user, self.request.council
        kwargs.update(
            title=self.outcome.title,
            outcome=self.outcome,
            report=selectors.outcome_report(user, council, self.outcome),
            can_list=user.has_perm("monitoring.list_outcome_reports", council),
        )
        return super().get_context_data(**kwargs)
