"""Social value committed and delivered, from the agreements' social value KPIs and the returns the
council has accepted (submitted or queried figures do not count until accepted).

`social_value_delivered(agreements)` is the one rollup: dashboards and outcome pages pass any set of
agreements they may show and get a row per measure with the quantity committed and delivered and
their proxy £ values (quantity × the proxy £ per unit agreed; never negative).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from commissioning.models import BidMatchFunding, BidSocialValueCommitment, proxy_value
from monitoring.models import Agreement, AgreementKpi, KpiActual, KpiSource, ReturnState

ZERO = Decimal("0")
PENNY = Decimal("0.01")


@dataclass
class MeasureDelivery:
    """One social value measure across the agreements: committed (live KPIs' targets) and delivered."""

    code: str
    title: str
    theme: str
    unit: str
    committed: Decimal = ZERO
    delivered: Decimal = ZERO
    proxy_committed: Decimal | None = None
    proxy_delivered: Decimal | None = None

    def add(self, committed: Decimal, delivered: Decimal, per_unit: Decimal | None) -> None:
        self.committed += committed
        self.delivered += delivered
        if per_unit is not None:
            self.proxy_committed = (self.proxy_committed or ZERO) + proxy_value(committed, per_unit)
            self.proxy_delivered = (self.proxy_delivered or ZERO) + proxy_value(delivered, per_unit)

    @property
    def percent_delivered(self) -> int | None:
        if not self.committed:
            return None
        return int(min(self.delivered / self.committed * 100, Decimal("999")))


@dataclass
class SocialValueDelivered:
    measures: list[MeasureDelivery] = field(default_factory=list)

    @property
    def proxy_committed(self) -> Decimal:
        return sum((m.proxy_committed or ZERO for m in self.measures), ZERO)

    @property
    def proxy_delivered(self) -> Decimal:
        return sum((m.proxy_delivered or ZERO for m in self.measures), ZERO)

    def __bool__(self) -> bool:
        return bool(self.measures)


def _agreement_ids(agreements: QuerySet[Agreement] | Iterable) -> QuerySet | list[int]:
    if isinstance(agreements, QuerySet):
        return agreements.values("pk")
    return [getattr(agreement, "pk", agreement) for agreement in agreements]


def social_value_kpis(agreements) -> QuerySet[AgreementKpi]:
    """The social value KPIs in force (not dropped by a variation) of these agreements."""
    return AgreementKpi.objects.filter(
        agreement__in=_agreement_ids(agreements), source=KpiSource.SOCIAL_VALUE, retired_on__isnull=True
    )


def delivered_by_kpi(kpis: QuerySet[AgreementKpi]) -> dict[int, Decimal]:
    """What accepted returns report against each KPI, in total (a period reported below nothing counts as nothing)."""
    rows = (
        KpiActual.objects.filter(kpi__in=kpis.values("pk"), monitoring_return__state=ReturnState.ACCEPTED, actual__gt=0)
        .values("kpi_id")
        .annotate(total=Sum("actual"))
    )
    return {row["kpi_id"]: row["total"].quantize(PENNY) for row in rows}


def social_value_delivered(agreements) -> SocialValueDelivered:
    """Social value committed and delivered across `agreements` (a queryset or a list of agreements
    or their ids), one row per measure in the council's order, in two queries."""
    kpis = social_value_kpis(agreements)
    delivered = delivered_by_kpi(kpis)
    by_measure: dict[object, MeasureDelivery] = {}
    rows = kpis.select_related("social_value_measure__theme").order_by(
        "social_value_measure__theme__position", "social_value_measure__position", "social_value_measure__code", "id"
    )
    for kpi in rows:
        measure = kpi.social_value_measure
        key = measure.pk if measure else ("kpi", kpi.description, kpi.unit)
        if key not in by_measure:
            by_measure[key] = MeasureDelivery(
                code=measure.code if measure else "",
                title=measure.title if measure else kpi.description,
                theme=str(measure.theme) if measure else "",
                unit=kpi.unit,
            )
        by_measure[key].add(max(kpi.target, ZERO), delivered.get(kpi.pk, ZERO), kpi.proxy_value_per_unit)
    return SocialValueDelivered(measures=list(by_measure.values()))


@dataclass
class KpiDelivery:
    kpi: AgreementKpi
    delivered: Decimal

    @property
    def proxy_committed(self) -> Decimal | None:
        return proxy_value(self.kpi.target, self.kpi.proxy_value_per_unit)

    @property
    def proxy_delivered(self) -> Decimal | None:
        return proxy_value(self.delivered, self.kpi.proxy_value_per_unit)


def agreement_social_value(agreement: Agreement) -> dict:
    """The agreement page's social value section: each social value KPI committed against delivered,
    the bid's commitments not (or no longer) accepted, and the match funding the winning bid brought."""
    kpis = social_value_kpis([agreement.pk]).select_related("social_value_measure").order_by("position", "id")
    delivered = delivered_by_kpi(kpis)
    rows = [KpiDelivery(kpi=kpi, delivered=delivered.get(kpi.pk, ZERO)) for kpi in kpis]
    not_accepted, match_funding = [], []
    if agreement.bid_id:
        accepted = {row.kpi.social_value_commitment_id for row in rows}
        not_accepted = [
            commitment
            for commitment in BidSocialValueCommitment.objects.filter(bid_id=agreement.bid_id).select_related("measure")
            if commitment.pk not in accepted
        ]
        match_funding = list(BidMatchFunding.objects.filter(bid_id=agreement.bid_id))
    return {
        "rows": rows,
        "proxy_committed": sum((row.proxy_committed or ZERO for row in rows), ZERO),
        "proxy_delivered": sum((row.proxy_delivered or ZERO for row in rows), ZERO),
        "not_accepted": not_accepted,
        "match_funding": match_funding,
        "match_funding_total": sum((funding.amount for funding in match_funding), ZERO),
        "match_funding_confirmed": sum((funding.amount for funding in match_funding if funding.confirmed), ZERO),
        "shown": bool(rows or not_accepted or match_funding),
    }
