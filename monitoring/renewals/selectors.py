"""Renewals: the officer dashboard's contract expiry pipeline.

Live agreements ending in the next 12 months (counted by 3, 6, 9 and 12 months) and those whose
extension notice date falls in that time, each with its value and contract manager: the soonest date
to act on first.

The dashboard is held to a fixed number of queries, so the pipeline shares its one query with the
dashboard's other list of agreements ("Coming up": those of the officer's commissions ending within
three months, or past their end). Each list keeps its own first `LIST_LIMIT` rows (a row number per
list, filtered in the query) and its own totals (window counts over both lists' rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber

from councils.models import Council, User
from monitoring.dashboards.selectors.rows import LIST_LIMIT, Rows
from monitoring.models import Agreement, AgreementState, add_months
from monitoring.renewals.dates import with_extension_notice

BANDS = (3, 6, 9, 12)


@dataclass
class OtherList:
    """The other list of agreements drawn in the same query: its condition, its order and the counts it needs."""

    condition: Q
    order_by: tuple[str, ...]
    counts: dict[str, Q] = field(default_factory=dict)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _count(condition: Q) -> Window:
    return Window(Count(Case(When(condition, then=Value(1)))))


def _ordering(names: tuple[str, ...]) -> list:
    return [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in names]


def expiry_pipeline(
    user: User, council: Council, today: date, *, everyone: bool = False, other: OtherList | None = None
) -> tuple[Rows, Rows]:
    """The pipeline of the agreements this officer leads or manages (all the council's for the lead
    commissioner, `everyone`), and the `other` list's rows (empty without one). Each pipeline row carries
    `band` (ends within 3, 6, 9 or 12 months, or None beyond), `decision_due` (its extension notice date
    is still ahead) and `notice_passed`."""
    ends = {months: add_months(today, months) for months in BANDS}
    mine = Q(state=AgreementState.LIVE)
    if not everyone:
        mine &= Q(commission__lead_officer=user) | Q(council_contact=user)
    decision_ahead = Q(extension_notice_on__gte=today, extension_notice_on__lte=ends[12])
    in_pipeline = mine & (Q(ends_on__gte=today, ends_on__lte=ends[12]) | decision_ahead)
    in_other = other.condition if other else Q(pk__in=[])
    counts = {f"within_{months}": in_pipeline & Q(ends_on__gte=today, ends_on__lte=ends[months]) for months in BANDS}
    counts["decisions"] = in_pipeline & decision_ahead
    other_counts = {name: in_other & condition for name, condition in (other.counts if other else {}).items()}
    rows = list(
        with_extension_notice(Agreement.objects.filter(council=council))
        .annotate(next_on=Coalesce(F("extension_notice_on"), F("ends_on")))
        .filter(in_pipeline | in_other)
        .annotate(in_pipeline=_flag(in_pipeline), in_other=_flag(in_other))
        .annotate(
            pipeline_number=Window(
                RowNumber(), partition_by=[F("in_pipeline")], order_by=[F("next_on").asc(), F("id").asc()]
            ),
            other_number=Window(
                RowNumber(),
                partition_by=[F("in_other")],
                order_by=_ordering(other.order_by if other else ("id",)),
            ),
            pipeline_total=_count(in_pipeline),
            other_total=_count(in_other),
            **{f"pipeline_{name}": _count(condition) for name, condition in counts.items()},
            **{f"other_{name}": _count(condition) for name, condition in other_counts.items()},
        )
        .filter(Q(in_pipeline=1, pipeline_number__lte=LIST_LIMIT) | Q(in_other=1, other_number__lte=LIST_LIMIT))
        .select_related("council", "provider", "council_contact")
        .order_by("next_on", "id")
    )
    first = rows[0] if rows else None

    def total(name: str) -> int:
        return getattr(first, name) if first else 0

    pipeline = Rows(
        [row for row in rows if row.in_pipeline],
        total("pipeline_total"),
        {name: total(f"pipeline_{name}") for name in counts},
    )
    for agreement in pipeline:
        agreement.band = next((months for months in BANDS if agreement.ends_on <= ends[months]), None)
        notice_on = agreement.extension_notice_on
        agreement.decision_due = notice_on is not None and notice_on >= today
        agreement.notice_passed = notice_on is not None and notice_on < today
    other_rows = sorted((row for row in rows if row.in_other), key=lambda row: row.other_number)
    return pipeline, Rows(other_rows, total("other_total"), {name: total(f"other_{name}") for name in other_counts})
