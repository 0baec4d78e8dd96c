"""Scale data, third family: agreements with the winning bidders, their KPIs and payments, and the
monitoring returns that the reminder sweep and the dashboards are measured against.

Returns are by far the largest table at scale, so how many there are and which states they are in
is decided here, apart from the rest. Reads what `demo.scale_people` and `demo.scale_cycle` built.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from commissioning.models import DeliveryRoute, State
from demo.scale_base import COPY_BATCH, Family, at
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementType,
    KpiSource,
    KpiTarget,
    MonitoringFrequency,
    MonitoringReturn,
    ReturnState,
    ScheduledPayment,
    add_months,
)

AGREED_STATES = {State.AGREEING, State.AWARD_CALLED_IN, State.DELIVERING, State.REVIEWING, State.DECOMMISSIONED}


class MonitoringFamily(Family):
    def agreements(self) -> None:
        self.progress("agreements, KPIs and payments")
        rows = []
        for c in self.commission_list:
            if c.state not in AGREED_STATES or c.pk not in self.winners:
                continue
            bid_id, provider_id = self.winners[c.pk]
            if c.state in (State.AGREEING, State.AWARD_CALLED_IN):
                state = AgreementState.DRAFT
            elif c.state == State.DECOMMISSIONED:
                state = AgreementState.ENDED
            else:
                state = AgreementState.LIVE
            rows.append(
                Agreement(
                    council_id=c.council_id,
                    commission=c,
                    reference=f"{c.reference}-AG1",
                    title=c.title,
                    agreement_type=AgreementType.GRANT_AGREEMENT
                    if c.delivery_route == DeliveryRoute.GRANT
                    else AgreementType.CONTRACT,
                    provider_id=provider_id,
                    bid_id=bid_id,
                    value=c.budget,
                    starts_on=c.starts_on,
                    ends_on=c.ends_on,
                    monitoring_frequency=MonitoringFrequency.MONTHLY,
                    council_contact=c.lead_officer,
                    state=state,
                    live_on=c.starts_on if state != AgreementState.DRAFT else None,
                    ended_on=c.ends_on if state == AgreementState.ENDED else None,
                    created_by=c.lead_officer,
                )
            )
        self.agreement_list = self._count("agreements", self.bulk(Agreement, rows))
        kpis = self.bulk(
            AgreementKpi,
            [
                AgreementKpi(
                    agreement=a,
                    position=i,
                    description=description,
                    unit=unit,
                    target=target,
                    source=KpiSource.SPECIFICATION,
                )
                for a in self.agreement_list
                for i, (description, unit, target) in enumerate(
                    [("People supported", "people", Decimal(480)), ("Satisfaction", "%", Decimal(90))]
                )
            ],
        )
        self._count("kpis", kpis)
        self.kpis_by_agreement: dict[int, list[AgreementKpi]] = {}
        for kpi in kpis:
            self.kpis_by_agreement.setdefault(kpi.agreement_id, []).append(kpi)
        payments = []
        for a in self.agreement_list:
            instalments = 4
            amount = (a.value / instalments).quantize(Decimal("0.01"))
            for i in range(instalments):
                payments.append(
                    {
                        "agreement_id": a.pk,
                        "description": f"Instalment {i + 1}",
                        "due_on": add_months(a.starts_on, 6 * i),
                        "amount": amount if i < instalments - 1 else a.value - amount * (instalments - 1),
                    }
                )
        self._count("payments", self.bulk_values(ScheduledPayment, payments))

    def returns(self) -> None:
        """Monthly returns on agreements in force, oldest first, until the requested number: past periods
        mostly accepted, recent ones submitted, queried or overdue, the rest due. Written a batch at a time
        and not kept: at national size there are millions."""
        self.progress("monitoring returns and KPI targets")
        agreements = [a for a in self.agreement_list if a.state in (AgreementState.LIVE, AgreementState.ENDED)]
        if not agreements:
            return
        per = max(1, -(-self.sizes.returns // len(agreements)))
        returns, targets, total = [], [], 0
        for a in agreements:
            provider = self.provider_users.get(a.provider_id)
            submitter = provider.pk if provider else None
            for i in range(per):
                if total >= self.sizes.returns:
                    break
                first = add_months(a.starts_on, i)
                last = add_months(a.starts_on, i + 1) - timedelta(days=1)
                due = last + timedelta(days=28)
                if due < self.today - timedelta(days=60):
                    state = ReturnState.ACCEPTED if self.rng.random() < 0.97 else ReturnState.DUE
                elif due < self.today:
                    state = self.rng.choice([ReturnState.SUBMITTED, ReturnState.QUERIED, ReturnState.DUE])
                else:
                    state = ReturnState.DUE
                submitted = state in (ReturnState.ACCEPTED, ReturnState.SUBMITTED, ReturnState.QUERIED)
                returns.append(
                    {
                        "agreement_id": a.pk,
                        "period_start": first,
                        "period_end": last,
                        "due_on": due,
                        "state": state,
                        "submitted_at": at(due - timedelta(days=2)) if submitted else None,
                        "submitted_by_id": submitter if submitted else None,
                    }
                )
                total += 1
                if i < 12:
                    for kpi in self.kpis_by_agreement.get(a.pk, []):
                        targets.append(
                            {"kpi_id": kpi.pk, "period_start": first, "period_end": last, "target": kpi.target / 12}
                        )
            if len(returns) >= COPY_BATCH:
                self._count("returns", self.bulk_values(MonitoringReturn, returns))
                self._count("kpi_targets", self.bulk_values(KpiTarget, targets))
                returns, targets = [], []
        self._count("returns", self.bulk_values(MonitoringReturn, returns))
        self._count("kpi_targets", self.bulk_values(KpiTarget, targets))
