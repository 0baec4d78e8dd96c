"""Downloading a list: straight back when small, through a queued export when large."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from councils import tabular
from councils.uploads import download_response

from . import exports
from .models import ExportState


class ExportView(LoginRequiredMixin, View):
    """GET …/exports/<kind>.<csv|xlsx>?<the list's filters>: the same rows as the list page."""

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in tabular.FORMATS:
            raise Http404
        try:
            kind = exports.kind_for(kwargs["kind"])
        except ValidationError as exc:
            raise Http404 from exc
        council = request.council
        url_kwargs = {key: value for key, value in kwargs.items() if key not in ("council_slug", "kind", "fmt")}
        if kind.per_opportunity != ("opportunity_pk" in url_kwargs):
            raise Http404
        exports.check_allowed(request.user, council, kind)
        try:
            objects = kind.rows(request.user, council, request.GET, url_kwargs)
        except ValidationError as exc:
            return HttpResponseBadRequest(
                "These filters are not valid: " + "; ".join(exc.messages), content_type="text/plain; charset=utf-8"
            )
        if objects.count() > exports.sync_limit():
            job = exports.export_start(
                by=request.user, council=council, kind=kind, params=request.GET, url_kwargs=url_kwargs, fmt=fmt
            )
            return redirect("monitoring:export_job", council_slug=council.slug, pk=job.pk)
        name = exports.filename(kind, council, fmt)
        if fmt == "xlsx":
            return tabular.xlsx_response(objects, kind.columns, name, title=kind.title)
        return tabular.csv_response(objects, kind.columns, name)


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
        return download_response(job.file, exports.filename(kind, request.council, job.file_format))
