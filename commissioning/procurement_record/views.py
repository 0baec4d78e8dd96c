"""The procurement record of a commission: the page and its CSV. Read-only; the record itself comes
from `selectors.procurement_record`, with the same entries on the page and in the file."""

from __future__ import annotations

from django.shortcuts import render
from django.views.generic import TemplateView, View

from commissioning.cycle.views import CommissionMixin
from commissioning.procurement_record import selectors
from councils import reading
from councils.tabular import Column, csv_response


class ProcurementRecordMixin(CommissionMixin):
    """The commission (404 unless the reader may read it), then the permission (403), then the ethical
    wall: someone acting for an organisation that bid reads none of the record (403, saying why)."""

    permission_required = "commissioning.read_procurement_record"

    def walled_off(self, request):
        """The refusal for someone behind the ethical wall, or None."""
        walled = selectors.walled_opportunities(request.user, self.commission)
        if not walled:
            return None
        context = {"commission": self.commission, "council": request.council, "walled": walled}
        return render(request, "commissioning/procurement_record_walled.html", context, status=403)


class ProcurementRecordView(ProcurementRecordMixin, TemplateView):
    template_name = "commissioning/procurement_record.html"

    def get(self, request, *args, **kwargs):
        return self.walled_off(request) or super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["record"] = selectors.procurement_record(self.request.user, self.commission)
        return super().get_context_data(**kwargs)


def columns(build_url) -> list[Column]:
    """The CSV's columns: what the page shows, one entry a row."""
    return [
        Column("When", lambda entry: entry.at),
        Column("Kind", lambda entry: entry.category_label),
        Column("Who", lambda entry: entry.who),
        Column("What", lambda entry: entry.what),
        Column("Reason given", lambda entry: entry.reason),
        Column("About", lambda entry: entry.reference),
        Column("Link", lambda entry: build_url(entry.link) if entry.link else ""),
    ]


class ProcurementRecordCsvView(ProcurementRecordMixin, View):
    def get(self, request, *args, **kwargs):
        refusal = self.walled_off(request)
        if refusal is not None:
            return refusal
        record = selectors.procurement_record(request.user, self.commission)
        # The record names people: its download is itself recorded, as every export of personal data is.
        reading.record_read(
            by=request.user,
            council=self.commission.council,
            event_type=reading.EXPORT_RUN,
            obj=self.commission,
            extra={"export": "procurement record", "format": "csv"},
        )
        filename = f"procurement-record-{self.commission.reference}.csv"
        return csv_response(record.entries, columns(request.build_absolute_uri), filename)
