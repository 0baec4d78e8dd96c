"""What a monitoring return needs before it is submitted, in words the provider can act on."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from monitoring.models import KpiActual, MonitoringReturn, ReturnState


def missing_period_end(monitoring_return: MonitoringReturn) -> list[str]:
    if monitoring_return.period_end >= timezone.localdate():
        first_day = monitoring_return.period_end + timedelta(days=1)
        return [f"The return can be submitted once its period has ended, from {first_day:%d/%m/%Y}"]
    return []


def missing_to_submit(monitoring_return: MonitoringReturn, rows: list[KpiActual], answer: str = "") -> list[str]:
    """Everything that stops the return being submitted, in words the provider can act on."""
    missing = [f"Enter the actual for ‘{row.kpi.description}’" for row in rows if row.actual is None]
    if not monitoring_return.outcomes_narrative.strip():
        missing.append("Describe the outcomes achieved in the period")
    if monitoring_return.spend_to_date is None:
        missing.append("Enter the spend to date")
    if monitoring_return.state == ReturnState.QUERIED and not answer.strip():
        missing.append("Answer the council's question")
    return missing
