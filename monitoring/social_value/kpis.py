"""The winning bid's social value commitments, as KPIs of the agreement drafted from the award.

Every commitment is drafted as a KPI; the council accepts a commitment by keeping its KPI in the
agreement it signs (officers remove, or change, the ones it does not accept while the agreement is a
draft). Each KPI keeps the measure, the proxy £ per unit as the council's list has it now (what was
agreed does not move when the list changes) and the date it is due by. Social value is a total over
the agreement, spread across the reporting periods like any other total."""

from __future__ import annotations

from commissioning.models import Bid, BidSocialValueCommitment
from monitoring.models import Agreement, AgreementKpi, KpiSource, TargetKind


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


def kpis_from_commitments(agreement: Agreement, bid: Bid) -> list[AgreementKpi]:
    commitments = BidSocialValueCommitment.objects.filter(bid=bid).select_related("measure__theme")
    return [
        AgreementKpi(
            agreement=agreement,
            outcome=f"Social value ({commitment.measure.theme}): committed in the bid, by {_day(commitment.by_when)}",
            description=f"{commitment.measure.code} {commitment.measure.title}"[:300],
            unit=commitment.measure.unit,
            target=commitment.quantity,
            target_kind=TargetKind.TOTAL,
            source=KpiSource.SOCIAL_VALUE,
            social_value_measure=commitment.measure,
            social_value_commitment=commitment,
            proxy_value_per_unit=commitment.measure.proxy_value,
            due_by=commitment.by_when,
        )
        for commitment in commitments
    ]
