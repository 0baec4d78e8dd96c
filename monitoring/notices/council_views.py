"""Downloads of the council's periodic notices: the quarter's payments over £30,000 as the CSV the
officer uploads to Find a Tender (s.70: one upload per quarter). For the council's notice readers."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.views.generic import View

from councils.views import CouncilPermissionMixin
from monitoring.notices.council import PAYMENTS_CSV_HEADER, PAYMENTS_OVER_30000_FROM, payments_csv_rows
from monitoring.notices.council_selectors import payments_over_30000
from monitoring.open_data.common import csv_text, financial_quarter, financial_year_of


def quarter_starting(text: str):
    """The financial quarter that starts on the day given as 2026-04-01, or 404."""
    try:
        first = date.fromisoformat(text)
    except ValueError:
        raise Http404 from None
    if first.day != 1 or first.month not in (1, 4, 7, 10) or first < PAYMENTS_OVER_30000_FROM:
        raise Http404
    return financial_quarter(financial_year_of(first), (first.month - 4) % 12 // 3 + 1)


class PaymentsOver30000CsvView(CouncilPermissionMixin, View):
    permission_required = "monitoring.download_payments_over_30000"

    def get(self, request, *args, **kwargs):
        period = quarter_starting(kwargs["quarter"])
        rows = payments_csv_rows(payments_over_30000(request.council, period))
        response = HttpResponse(csv_text(PAYMENTS_CSV_HEADER, rows), content_type="text/csv; charset=utf-8")
        filename = f"payments-over-30000-{request.council.slug}-{period.starts_on:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
