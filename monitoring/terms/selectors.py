"""Reads for an agreement's payment terms: the terms with their tariff, and what payment by results has
earned so far, counted from accepted monitoring returns only (a submitted or queried return has not been
checked, so it earns nothing yet)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.shortcuts import get_object_or_404

from monitoring.models import (
    Agreement,
    AgreementTerms,
    KpiActual,
    ResultPayment,
    ReturnState,
    TargetKind,
)

PENNY = Decimal("0.01")


def terms_of(agreement: Agreement) -> AgreementTerms | None:
    return (
        AgreementTerms.objects.filter(agreement=agreement)
        .select_related("updated_by")
        .prefetch_related("results__kpi")
        .first()
    )


def result_of(agreement: Agreement, pk: int) -> ResultPayment:
    """One line of the agreement's tariff (404 for another agreement's)."""
    return get_object_or_404(ResultPayment.objects.select_related("kpi", "terms"), pk=pk, terms__agreement=agreement)


def _results_counted(row: ResultPayment, actuals: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """How many of the result the accepted returns show: a KPI counted as a total adds its actuals up;
    a KPI that is a level to reach counts the periods in which it was reached. None without a KPI."""
    kpi = row.kpi
    if kpi is None:
        return None
    if kpi.target_kind == TargetKind.TOTAL:
        return sum((actual for actual, _ in actuals), Decimal("0"))
    met = 0
    for actual, target in actuals:
        if target is not None:
            met += actual >= target if kpi.higher_is_better else actual <= target
    return Decimal(met)


def earned_so_far(agreement: Agreement, terms: AgreementTerms | None) -> dict:
    """Each tariff line with the results counted and the amount earned, and the total earned."""
    if terms is None or not terms.pays_by_results:
        return {"rows": [], "total": None, "returns": 0}
    results = list(terms.results.all())
    # Every tariff line's accepted actuals in one query, not one query a line.
    actuals: dict[int, list[tuple[Decimal, Decimal | None]]] = {}
    for kpi_id, actual, target in KpiActual.objects.filter(
        monitoring_return__agreement=agreement,
        monitoring_return__state=ReturnState.ACCEPTED,
        actual__isnull=False,
        kpi__in=[row.kpi_id for row in results if row.kpi_id is not None],
    ).values_list("kpi_id", "actual", "target"):
        actuals.setdefault(kpi_id, []).append((actual, target))
    rows, total = [], Decimal("0")
    for row in results:
        counted = _results_counted(row, actuals.get(row.kpi_id, []))
        earned = None if counted is None else (counted * row.price).quantize(PENNY, rounding=ROUND_HALF_UP)
        total += earned or 0
        rows.append({"result": row, "counted": counted, "earned": earned})
    returns = agreement.returns.filter(state=ReturnState.ACCEPTED).count()
    return {"rows": rows, "total": total, "returns": returns}


def terms_page(agreement: Agreement) -> dict:
    """What the terms page and the agreement pages show."""
    terms = terms_of(agreement)
    return {
        "terms": terms,
        "earned": earned_so_far(agreement, terms),
    }
