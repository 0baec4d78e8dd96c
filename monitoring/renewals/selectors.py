"""Renewals: the officer dashboard's contract expiry pipeline.

Live agreements ending in the next 12 months (counted by 3, 6, 9 and 12 months) and those whose
extension notice date falls in that time, each with its value and contract manager: the soonest date
to act on first.

The dashboard shares the pipeline's queries with its other list of agreements ("Coming up": those of
the officer's commissions ending within three months, or past their end). The first query reads one
narrow row per agreement in either list (its dates, which list it is in, the flags its counts need),
and the counts, bands and order are worked out from those; the second reads the first `LIST_LIMIT`
rows of each list whole. Two plain queries: the one query this used to be (row numbers and window
counts over both lists) repeated the extension notice date's subquery in every count, and building
its SQL cost several times what running it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, Q, Value, When

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


def _ordered(rows: list[dict], names: tuple[str, ...]) -> list[dict]:
    """`rows` in the order `names` give (as `order_by` takes them: "-" for descending), nulls last."""
    for name in reversed(names):
        field = name.lstrip("-")
        present = sorted((row for row in rows if row[field] is not None), key=lambda row: row[field])
        if name.startswith("-"):
            present.reverse()
        rows = present + [row for row in rows if row[field] is None]
    return rows


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
    other_order = other.order_by if other else ("id",)
    other_counts = other.counts if other else {}
    candidates = list(
        with_extension_notice(Agreement.objects.filter(council=council))
        .filter(in_pipeline | in_other)
        .annotate(
            in_pipeline=_flag(in_pipeline),
            in_other=_flag(in_other),
            **{f"other_{name}": _flag(condition) for name, condition in other_counts.items()},
        )
        .values(
            "id",
            "ends_on",
            "extension_notice_on",
            "extensions_taken",
            "in_pipeline",
            "in_other",
            *{name.lstrip("-") for name in other_order} - {"id", "ends_on"},
            *(f"other_{name}" for name in other_counts),
        )
        .order_by()
    )
    for row in candidates:
        row["next_on"] = row["extension_notice_on"] or row["ends_on"]
    in_list = [row for row in candidates if row["in_pipeline"]]
    in_list.sort(key=lambda row: (row["next_on"], row["id"]))
    theirs = _ordered([row for row in candidates if row["in_other"]], other_order)
    shown = in_list[:LIST_LIMIT], theirs[:LIST_LIMIT]
    wanted = {row["id"]: row for rows in shown for row in rows}
    agreements = Agreement.objects.filter(pk__in=wanted).select_related("council", "provider", "council_contact")
    by_pk = {agreement.pk: agreement for agreement in agreements} if wanted else {}
    for pk, agreement in by_pk.items():
        agreement.extension_notice_on = wanted[pk]["extension_notice_on"]
        agreement.extensions_taken = wanted[pk]["extensions_taken"]
        agreement.next_on = wanted[pk]["next_on"]

    def within(row: dict, months: int) -> bool:
        return today <= row["ends_on"] <= ends[months]

    def decision(row: dict) -> bool:
        notice_on = row["extension_notice_on"]
        return notice_on is not None and today <= notice_on <= ends[12]

    counts = {f"within_{months}": sum(within(row, months) for row in in_list) for months in BANDS}
    counts["decisions"] = sum(decision(row) for row in in_list)
    pipeline = Rows([by_pk[row["id"]] for row in shown[0]], len(in_list), counts)
    for agreement in pipeline:
        agreement.band = next((months for months in BANDS if agreement.ends_on <= ends[months]), None)
        notice_on = agreement.extension_notice_on
        agreement.decision_due = notice_on is not None and notice_on >= today
        agreement.notice_passed = notice_on is not None and notice_on < today
    other_rows = Rows(
        [by_pk[row["id"]] for row in shown[1]],
        len(theirs),
        {name: sum(1 for row in theirs if row[f"other_{name}"]) for name in other_counts},
    )
    return pipeline, other_rows
