"""Downloading a list: straight back when small, through a queued export when large."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from councils import page_cache, reading, tabular
from councils.page_cache import CachedPageMixin
from councils.uploads import download_response
from monitoring.exports import services as exports
from monitoring.models import ExportState


class _ExportWriter(View):
    """Writes the download, once `ExportView` has checked who may have it."""

    def get(self, request, *args, **kwargs):
        kind, fmt, council, url_kwargs = self.kind, self.fmt, request.council, self.url_kwargs
        try:
            objects = kind.rows(request.user, council, request.GET, url_kwargs)
        except ValidationError as exc:
            return HttpResponseBadRequest(
                "These filters are not valid: " + "; ".join(exc.messages), content_type="text/plain; charset=utf-8"
            )
        name = exports.filename(kind, council, fmt)
        if fmt == "csv" and kind.families:
            # The CSV is kept for the person until data of the families it shows changes: it varies only
            # with the rows asked for, which the filters chosen say (not the raw query string).
            text = page_cache.fragment(
                request,
                f"export:{kind.slug}",
                kind.families,
                [repr(sorted(url_kwargs.items())), repr(objects.chosen_filters)],
                lambda: tabular.csv_text(objects, kind.columns) if objects.count() <= exports.sync_limit() else "",
            )
            if text:
                return tabular.csv_text_response(text, name)
        elif objects.count() <= exports.sync_limit():
            if fmt == "xlsx":
                return tabular.xlsx_response(objects, kind.columns, name, title=kind.title)
            return tabular.csv_response(objects, kind.columns, name)
        job = exports.export_start(
            by=request.user, council=council, kind=kind, params=request.GET, url_kwargs=url_kwargs, fmt=fmt
        )
        return redirect("monitoring:export_job", council_slug=council.slug, pk=job.pk)


class ExportView(LoginRequiredMixin, reading.RecordsReadingMixin, CachedPageMixin, _ExportWriter):
    """GET …/exports/<kind>.<csv|xlsx>?<the list's filters>: the same rows as the list page. Kept in
    the page cache like the list itself (after the checks, which run every time): asked for again
    before anything in it changes, it is not written again."""

    page_cache_types = (tabular.FORMATS["csv"].split(";")[0], tabular.XLSX_TYPE)

    def record_reading(self, response):
        """A download handed over, from the cache or not (a queued export is recorded when fetched)."""
        reading.record_read(
            by=self.request.user,
            council=self.request.council,
            event_type=reading.EXPORT_RUN,
            extra={"export": self.kind.slug, "format": self.fmt, "filters": self.request.GET.urlencode()},
        )

    def get(self, request, *args, **kwargs):
        self.fmt = kwargs["fmt"]
        if self.fmt not in tabular.FORMATS:
            raise Http404
        try:
            self.kind = exports.kind_for(kwargs["kind"])
        except ValidationError as exc:
            raise Http404 from exc
        self.url_kwargs = {key: value for key, value in kwargs.items() if key not in ("council_slug", "kind", "fmt")}
        if self.kind.per_opportunity != ("opportunity_pk" in self.url_kwargs):
            raise Http404
        exports.check_allowed(request.user, request.council, self.kind)
        return super().get(request, *args, **kwargs)


class ExportJobView(LoginRequiredMixin, TemplateView):
    """How far a long export has got, and the download link when it is ready. Only its requester sees it."""

    template_name = "exports/job.html"

    def get_context_data(self, **kwargs):
        job = exports.job_for_user(self.request.user, self.request.council, self.kwargs["pk"])
        kwargs.update(
            council=self.request.council,
            job=job,
            kind=exports.KINDS.get(job.kind),
            done=job.state == ExportState.DONE,
            failed=job.state == ExportState.FAILED,
            download_url=reverse(
                "monitoring:export_download", kwargs={"council_slug": self.request.council.slug, "pk": job.pk}
            ),
        )
        return super().get_context_data(**kwargs)


class ExportDownloadView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        job = exports.job_for_user(request.user, request.council, kwargs["pk"])
        if job.state != ExportState.DONE or not job.file:
            raise Http404
        kind = exports.KINDS[job.kind]
        response = download_response(job.file, exports.filename(kind, request.council, job.file_format))
        reading.record_read(
            by=request.user,
            council=request.council,
            event_type=reading.EXPORT_RUN,
            obj=job,
            extra={"export": job.kind, "format": job.file_format, "queued": True},
        )
        return response
