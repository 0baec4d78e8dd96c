"""Social value in the OCDS releases, through the OCDS metrics extension: the measures an opportunity
asks for as the tender's `targets`, the commitments the council accepted as the contract's
`agreedMetrics` (the quantity due by its date, and its proxy £ value), and what accepted monitoring
returns report as the implementation's `metrics`, one observation per reporting period.

Match funding has no natural place: OCDS budgets are the buyer's sources of money, not what a supplier
brings, so a winning bid's match funding is shown on the agreement page and not published here.
"""

from __future__ import annotations

from monitoring.open_data.common import day_end, day_start, json_amount

METRICS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json"
)


def _unit(unit: str) -> dict:
    return {"name": unit}


def tender_targets(opportunity) -> list[dict]:
    """The social value measures asked for (prefetched `social_value_asks` with their measures)."""
    targets = []
    for ask in opportunity.social_value_asks.all():
        measure = ask.measure
        metric = {
            "id": f"social-value-{measure.code}",
            "title": measure.title,
            "description": f"Social value asked for ({measure.theme}), in {measure.unit}.",
        }
        if ask.hoped_for is not None:
            metric["observations"] = [
                {"id": f"{measure.code}-hoped-for", "measure": json_amount(ask.hoped_for), "unit": _unit(measure.unit)}
            ]
        targets.append(metric)
    return targets


def agreed_metrics(agreement) -> list[dict]:
    """The social value commitments accepted as KPIs (prefetched into `social_value_kpis`)."""
    metrics = []
    for kpi in agreement.social_value_kpis:
        period = {"startDate": day_start(agreement.starts_on), "endDate": day_end(kpi.due_by or agreement.ends_on)}
        observations = [
            {"id": "committed", "period": period, "measure": json_amount(kpi.target), "unit": _unit(kpi.unit)}
        ]
        if kpi.proxy_value_per_unit is not None:
            proxy = max(kpi.target, 0) * kpi.proxy_value_per_unit
            observations.append(
                {
                    "id": "committed-proxy-value",
                    "period": period,
                    "value": {"amount": json_amount(proxy), "currency": "GBP"},
                    "notes": f"Proxy value at £{kpi.proxy_value_per_unit:,.2f} a unit, as agreed.",
                }
            )
        metrics.append(
            {
                "id": f"social-value-{kpi.pk}",
                "title": kpi.description,
                "description": "Social value committed in the bid and accepted by the council.",
                "observations": observations,
            }
        )
    return metrics


def delivered_metrics(agreement) -> list[dict]:
    """What accepted returns report against each social value KPI (prefetched `accepted_actuals`)."""
    metrics = []
    for kpi in agreement.social_value_kpis:
        observations = [
            {
                "id": f"return-{actual.monitoring_return_id}",
                "period": {
                    "startDate": day_start(actual.monitoring_return.period_start),
                    "endDate": day_end(actual.monitoring_return.period_end),
                },
                "measure": json_amount(max(actual.actual, 0)),
                "unit": _unit(kpi.unit),
            }
            for actual in kpi.accepted_actuals
        ]
        if observations:
            metrics.append({"id": f"social-value-{kpi.pk}", "title": kpi.description, "observations": observations})
    return metrics


def uses_metrics(releases: list[dict]) -> bool:
    for release in releases:
        if release.get("tender", {}).get("targets"):
            return True
        for contract in release.get("contracts", []):
            if contract.get("agreedMetrics") or contract.get("implementation", {}).get("metrics"):
                return True
    return False
