"""Renewals: the officer dashboard's contract expiry pipeline.

Live agreements ending in the next 12 months (counted by 3, 6, 9 and 12 months) and those whose
extension notice date falls in that time, each with its value and contract manager: the soonest date
to act on first. One query, however many agreements: the counts are window counts over the rows
(`monitoring.dashboards.selectors.rows`).
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from councils.models import Council, User
from monitoring.dashboards.selectors.rows import Rows, first_rows
from monitoring.models import Agreement, AgreementState, add_months
from monitoring.renewals.dates import with_extension_notice

BANDS = (3, 6, 9, 12)


def expiry_pipeline(user: User, council: Council, today: date, *, everyone: bool = False) -> Rows:
    """The pipeline of the agreements this officer leads or manages (all the council's for the lead
    commissioner, `everyone`). Each row carries `band` (ends within 3, 6, 9 or 12 months, or None
    beyond) and `decision_due` (its extension notice date is still ahead)."""
    ends = {months: add_months(today, months) for months in BANDS}
    year = ends[12]
    agreements = Agreement.objects.filter(council=council, state=AgreementState.LIVE)
    if not everyone:
        agreements = agreements.filter(Q(commission__lead_officer=user) | Q(council_contact=user))
    decision_ahead = Q(extension_notice_on__gte=today, extension_notice_on__lte=year)
    rows = first_rows(
        with_extension_notice(agreements)
        .filter(Q(ends_on__gte=today, ends_on__lte=year) | decision_ahead)
        .annotate(next_on=Coalesce(F("extension_notice_on"), F("ends_on")))
        .select_related("council", "provider", "council_contact")
        .order_by("next_on", "id"),
        **{f"within_{months}": Q(ends_on__gte=today, ends_on__lte=ends[months]) for months in BANDS},
        decisions=decision_ahead,
    )
    for agreement in rows:
        agreement.band = next((months for months in BANDS if agreement.ends_on <= ends[months]), None)
        notice_on = agreement.extension_notice_on
        agreement.decision_due = notice_on is not None and notice_on >= today
        agreement.notice_passed = notice_on is not None and notice_on < today
    return rows
