"""Reads for deliverables and the agreement risk register, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from councils.models import User
from monitoring.agreements.selectors import provider_agreement_for_user
from monitoring.delivery import rules as delivery_rules  # noqa: F401 (registers the area's permissions)
from monitoring.models import Agreement, AgreementRisk, Deliverable, DeliverableState, MonitoringReturn

DELIVERABLE_RELATED = ("payment", "reported_in", "reported_by", "decided_by")


def agreement_deliverables(agreement: Agreement) -> list[Deliverable]:
    """The agreement's deliverables by due date, with the payment each triggers and who reported and
    decided it (one query)."""
    return list(
        Deliverable.objects.filter(agreement=agreement).select_related(*DELIVERABLE_RELATED).order_by("due_on", "id")
    )


def agreement_risks(agreement: Agreement) -> list[AgreementRisk]:
    """The register, open risks first and the highest rated first within each status (one query)."""
    risks = list(AgreementRisk.objects.filter(agreement=agreement).select_related("owner", "commission_risk"))
    order = {"open": 0, "managed": 1, "closed": 2}
    return sorted(risks, key=lambda r: (order.get(r.status, 3), -r.rating, r.pk))


def in_return(monitoring_return: MonitoringReturn) -> Q:
    """The deliverables a return deals with: those reported in it (whatever the council decided), and
    those due by the end of its period still to be reported (or reported again after a refusal)."""
    still_open = Q(
        due_on__lte=monitoring_return.period_end, state__in=[DeliverableState.PENDING, DeliverableState.NOT_ACCEPTED]
    )
    return Q(reported_in=monitoring_return) | still_open


def deliverable_of(agreement: Agreement, pk: int) -> Deliverable:
    return get_object_or_404(Deliverable.objects.filter(agreement=agreement).select_related("payment"), pk=pk)


def risk_of(agreement: Agreement, pk: int) -> AgreementRisk:
    return get_object_or_404(AgreementRisk.objects.filter(agreement=agreement), pk=pk)


def return_deliverables(monitoring_return: MonitoringReturn) -> list[Deliverable]:
    """For the return's pages: its deliverables by due date."""
    agreement_id = monitoring_return.agreement_id
    rows = (
        Deliverable.objects.filter(agreement_id=agreement_id)
        .filter(in_return(monitoring_return))
        .select_related(*DELIVERABLE_RELATED)
        .order_by("due_on", "id")
    )
    return list(rows)


def reported_deliverable_of(monitoring_return: MonitoringReturn, pk: int) -> Deliverable:
    """A deliverable the provider may report in this return, or one reported in it; else 404."""
    found = get_object_or_404(
        Deliverable.objects.filter(agreement_id=monitoring_return.agreement_id).filter(in_return(monitoring_return)),
        pk=pk,
    )
    found.agreement = monitoring_return.agreement
    return found


# ---- Provider staff ------------------------------------------------------------------------------


def provider_deliverables(user: User, pk: int) -> tuple[Agreement, list[Deliverable]]:
    """One of the user's organisations' agreements (404 otherwise) and its deliverables."""
    agreement = provider_agreement_for_user(user, pk)
    return agreement, agreement_deliverables(agreement)


def provider_deliverable_of(user: User, pk: int, deliverable_pk: int) -> Deliverable:
    agreement = provider_agreement_for_user(user, pk)
    return deliverable_of(agreement, deliverable_pk)
