"""Demo deliverables and agreement risks, through the real services, on one live agreement (Riverside
Residents Association's village hall grants, in its third year): one deliverable reported in an
earlier return and accepted in its review, one still to come, and a risk of the agreement's own
beside those carried over from the commission's register. Called from
`demo.agreements.seed_returns` while it files that agreement's returns, so each step happens on the
day it would have. Safe to run again: an agreement with deliverables is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from councils.models import Role
from demo.commissions import person
from monitoring.delivery import deliverables as services
from monitoring.delivery.risks import agreement_risk_save
from monitoring.models import Agreement, AgreementRisk, Deliverable, MonitoringReturn, ReturnState

DEMO_PROVIDER = "Riverside Residents Association"


def plan(agreement: Agreement, ended: list[MonitoringReturn]) -> dict[int, list[Deliverable]]:
    """Set the demo deliverables on the demo agreement (`ended`: its ended returns, latest first) and
    say which return each is reported in: {return's pk: deliverables}."""
    if agreement.provider.legal_name != DEMO_PROVIDER or len(ended) < 2 or agreement.deliverables.exists():
        return {}
    officer = agreement.commission.lead_officer
    reported_in = ended[1]
    opened = services.deliverable_save(
        by=officer,
        agreement=agreement,
        deliverable=Deliverable(
            agreement=agreement,
            title="Accessible toilets open at Riverside village hall",
            description="Open to hall users, with the building control completion certificate.",
            due_on=max(reported_in.period_end - timedelta(days=14), agreement.starts_on),
        ),
    )
    services.deliverable_save(
        by=officer,
        agreement=agreement,
        deliverable=Deliverable(
            agreement=agreement,
            title="Hall booking system open to community groups",
            due_on=min(timezone.localdate() + timedelta(days=60), agreement.ends_on),
        ),
    )
    agreement_risk_save(
        by=officer,
        agreement=agreement,
        risk=AgreementRisk(
            agreement=agreement,
            description="The hall's roof repair overruns into the winter bookings",
            likelihood=2,
            impact=4,
            owner=person(agreement.council, Role.COMMISSIONING_OFFICER) or officer,
            mitigation="Contractor tied to a programme with the parish council; the school hall held as a fall-back.",
        ),
    )
    return {reported_in.pk: [opened]}


def report(monitoring_return: MonitoringReturn, writer, clock, planned: dict) -> None:
    """The provider reports the return's deliverables achieved the day after its period ends."""
    for deliverable in planned.get(monitoring_return.pk, ()):
        with clock.on(monitoring_return.period_end + timedelta(days=1), 9):
            services.deliverable_report(
                by=writer,
                deliverable=deliverable,
                monitoring_return=monitoring_return,
                achieved_on=deliverable.due_on - timedelta(days=3),
                evidence_text="Opened on time; the completion certificate and photographs are with the return.",
            )


def decide(monitoring_return: MonitoringReturn, officer, clock, planned: dict) -> None:
    """The officer accepts them once the return is accepted."""
    if monitoring_return.state != ReturnState.ACCEPTED:
        return
    for deliverable in planned.get(monitoring_return.pk, ()):
        with clock.on(timezone.localdate(monitoring_return.reviewed_at), 16):
            services.deliverable_accept(by=officer, deliverable=deliverable, monitoring_return=monitoring_return)
