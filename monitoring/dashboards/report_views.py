"""The scrutiny progress report: on screen, as a PDF and as an XLSX workbook, for any period (the last
six months unless chosen). Scrutiny members and the lead commissioner read it (403 for anyone else in
the council); taking it away as a file is audited."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from councils.tabular import workbook_response
from councils.views import CouncilPermissionMixin
from monitoring.dashboards import scrutiny_report
from monitoring.dashboards.forms import ScrutinyReportForm
from monitoring.dashboards.selectors.scrutiny_report import ScrutinyReport, default_period
from monitoring.dashboards.selectors.scrutiny_report import scrutiny_report as build_report


class ScrutinyReportMixin(CouncilPermissionMixin):
    permission_required = "monitoring.read_scrutiny_report"

    def period_form(self) -> ScrutinyReportForm:
        data = self.request.GET if any(key in self.request.GET for key in ("start", "end")) else None
        return ScrutinyReportForm(data, default_period=default_period())

    def report(self, form: ScrutinyReportForm) -> ScrutinyReport:
        start, end = form.period()
        return build_report(self.request.user, self.request.council, start, end)

    def download_url(self, name: str) -> str:
        url = reverse(name, args=[self.request.council.slug])
        return f"{url}?{self.request.GET.urlencode()}" if self.request.GET else url


class ScrutinyReportView(ScrutinyReportMixin, TemplateView):
    template_name = "dashboards/scrutiny_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.period_form()
        report = self.report(form)
        context.update(
            title="Scrutiny progress report",
            form=form,
            report=report,
            period=scrutiny_report.period_label(report),
            summary=scrutiny_report.summary_line(report),
            tables=scrutiny_report.screen_tables(report),
            pdf_url=self.download_url("monitoring:scrutiny_report_pdf"),
            xlsx_url=self.download_url("monitoring:scrutiny_report_xlsx"),
        )
        return context


class ScrutinyReportDownloadView(ScrutinyReportMixin, TemplateView):
    """The report as a file: `fmt` is "pdf" or "xlsx". A period that does not make sense goes back to
    the page, which says why."""

    fmt = "pdf"

    def get(self, request, *args, **kwargs):
        form = self.period_form()
        if form.is_bound and not form.is_valid():
            return redirect(self.download_url("monitoring:scrutiny_report"))
        report = self.report(form)
        name = scrutiny_report.filename(report, self.fmt)
        if self.fmt == "xlsx":
            response = workbook_response(scrutiny_report.workbook_sheets(report), name)
        else:
            response = HttpResponse(
                scrutiny_report.report_pdf(report, prepared_by=request.user), content_type="application/pdf"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "private, no-store"
        scrutiny_report.record_export(by=request.user, council=request.council, report=report, fmt=self.fmt)
        return response
