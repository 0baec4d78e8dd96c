"""Open data pages and downloads. Public: no sign-in, the same answer for everyone, and only what the
selectors publish. Each view parses its query string (400 with a message on bad input), calls one
selector and renders a page or a file."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from councils.models import Council
from monitoring.open_data import nightly, ocds, selectors, threesixtygiving, transparency_code
from monitoring.open_data.common import (
    Period,
    csv_text,
    financial_quarter,
    financial_year,
    financial_year_label,
    financial_year_of,
)
from monitoring.open_data.forms import BadQuery, parse_period, parse_quarter

PAGE_SIZE = 25


def download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_download(data: dict, filename: str) -> HttpResponse:
    return download(json.dumps(data, ensure_ascii=False, indent=2), content_type=JSON_TYPE, filename=filename)


def csv_download(header: list[str], rows, filename: str) -> HttpResponse:
    return download(csv_text(header, rows), content_type=CSV_TYPE, filename=filename)


JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"


def built(request, name: str) -> FileResponse | None:
    """Last night's file, when it is still exactly what this view would give (`nightly.fresh_file`)."""
    found = nightly.fresh_file(request.council, name, base_url=request.build_absolute_uri("/"))
    if found is None:
        return None
    handle, filename = found
    content_type = JSON_TYPE if name.endswith(".json") else CSV_TYPE
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def bad_request(error: BadQuery) -> HttpResponse:
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def period_query(period: Period) -> str:
    parts = []
    if period.starts_on:
        parts.append(f"from={period.starts_on:%Y-%m-%d}")
    if period.ends_on:
        parts.append(f"to={period.ends_on:%Y-%m-%d}")
    return "&".join(parts)


class OpenDataHomeView(TemplateView):
    """Public: which councils publish open data here, and the standards used."""

    template_name = "open_data/home.html"

    def get_context_data(self, **kwargs):
        kwargs.update(title="Open data", councils=Council.objects.order_by("name"))
        return super().get_context_data(**kwargs)


class CouncilMixin:
    """Public pages and files of the council in the URL (the middleware has found it, or answered 404)."""

    @property
    def council(self) -> Council:
        return self.request.council

    def link(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("council", self.council)
        return super().get_context_data(**kwargs)


class CouncilOpenDataView(CouncilMixin, TemplateView):
    """Public: what the council publishes, in which standard, with the downloads for recent periods."""

    template_name = "open_data/council.html"

    def get_context_data(self, **kwargs):
        this_year = financial_year_of(timezone.localdate())
        years = []
        for year in (this_year, this_year - 1):
            period = financial_year(year)
            quarters = [
                {
                    "number": quarter,
                    "period": financial_quarter(year, quarter),
                    "query": f"year={year}&quarter={quarter}",
                }
                for quarter in (1, 2, 3, 4)
            ]
            years.append(
                {"year": year, "label": financial_year_label(year), "query": period_query(period), "quarters": quarters}
            )
        kwargs.update(
            title="Open data",
            years=years,
            transparency_files=list(transparency_code.FILES.values()),
            ocds_version=ocds.SCHEMA_VERSION,
            threesixtygiving_version=threesixtygiving.SCHEMA_VERSION,
        )
        return super().get_context_data(**kwargs)


class AwardsView(CouncilMixin, TemplateView):
    """Public: the council's awards whose decision has effect — who, what, how much, when decided."""

    template_name = "open_data/awards.html"

    def get_context_data(self, **kwargs):
        items = selectors.awards_in_effect(self.council, timezone.localdate())
        kwargs.update(
            title="Awards",
            page_obj=Paginator(items, PAGE_SIZE).get_page(self.request.GET.get("page")),
            query_string="",
        )
        return super().get_context_data(**kwargs)


class GrantsView(CouncilMixin, TemplateView):
    """Public: the grants the council has awarded — to whom, for what, how much, when and for how long."""

    template_name = "open_data/grants.html"

    def get_context_data(self, **kwargs):
        this_year = financial_year_of(timezone.localdate())
        kwargs.update(
            title="Grants awarded",
            page_obj=Paginator(selectors.grants_awarded(self.council), PAGE_SIZE).get_page(
                self.request.GET.get("page")
            ),
            query_string="",
            years=[
                {"label": financial_year_label(year), "query": period_query(financial_year(year))}
                for year in (this_year, this_year - 1)
            ],
        )
        return super().get_context_data(**kwargs)


class CommissionOcdsView(CouncilMixin, View):
    """Public: one commission's OCDS release package (by its reference, or its number)."""

    def get(self, request, *args, **kwargs):
        commission = selectors.ocds_commission(self.council, kwargs["key"], timezone.localdate())
        releases = ocds.releases_for([commission], today=timezone.localdate(), link=self.link)
        package = ocds.release_package(
            releases,
            council=self.council,
            uri=self.link(request.path),
            policy=self.link(reverse("open_data:council", kwargs={"council_slug": self.council.slug})),
        )
        return json_download(package, f"ocds-{commission.reference}.json")


class OcdsPackageView(CouncilMixin, View):
    """Public: every release of the council's commissions dated in the period (`?from=&to=`)."""

    def get(self, request, *args, **kwargs):
        try:
            period = parse_period(request.GET)
        except BadQuery as error:
            return bad_request(error)
        if period == Period() and (response := built(request, nightly.OCDS)):
            return response
        today = timezone.localdate()
        releases = ocds.releases_for(
            selectors.ocds_commissions(self.council, today), today=today, link=self.link, period=period
        )
        if not releases:
            # The standard's package needs at least one release: an empty file would not be valid.
            raise Http404("No releases in this period")
        package = ocds.release_package(
            releases,
            council=self.council,
            uri=request.build_absolute_uri(),
            policy=self.link(reverse("open_data:council", kwargs={"council_slug": self.council.slug})),
        )
        return json_download(package, f"ocds-{self.council.slug}-{period.slug}.json")


class GrantsDownloadMixin(CouncilMixin):
    def grants(self):
        self.period = parse_period(self.request.GET)
        return list(selectors.grants_awarded(self.council, self.period))

    def filename(self, extension: str) -> str:
        return f"360giving-{self.council.slug}-{self.period.slug}.{extension}"


class GrantsJsonView(GrantsDownloadMixin, View):
    """Public: grants awarded in the period as a 360Giving JSON package."""

    def get(self, request, *args, **kwargs):
        if not request.GET and (response := built(request, nightly.GRANTS_JSON)):
            return response
        try:
            grants = self.grants()
        except BadQuery as error:
            return bad_request(error)
        if not grants:
            # The standard's package needs at least one grant: an empty file would not be valid.
            raise Http404("No grants awarded in this period")
        package = threesixtygiving.package(
            grants,
            council=self.council,
            title=f"Grants awarded by {self.council.name}",
            download_url=request.build_absolute_uri(),
            access_url=self.link(reverse("open_data:grants", kwargs={"council_slug": self.council.slug})),
        )
        return json_download(package, self.filename("json"))


class GrantsCsvView(GrantsDownloadMixin, View):
    """Public: grants awarded in the period as 360Giving's flattened CSV (a header row when there are none)."""

    def get(self, request, *args, **kwargs):
        if not request.GET and (response := built(request, nightly.GRANTS_CSV)):
            return response
        try:
            grants = self.grants()
        except BadQuery as error:
            return bad_request(error)
        header, rows = threesixtygiving.csv_rows(grants)
        return csv_download(header, rows, self.filename("csv"))


class TransparencyCsvView(CouncilMixin, View):
    """Public: one Local Government Transparency Code 2015 file for a financial quarter."""

    def get(self, request, *args, **kwargs):
        kind = kwargs["kind"]
        if kind not in transparency_code.FILES:
            raise Http404
        try:
            year, quarter, period = parse_quarter(request.GET, timezone.localdate())
        except BadQuery as error:
            return bad_request(error)
        if response := built(request, nightly.transparency_name(kind, year, quarter)):
            return response
        header, rows = transparency_code.rows(kind, self.council, period)
        return csv_download(header, rows, f"transparency-code-{self.council.slug}-{kind}-{year}-q{quarter}.csv")
