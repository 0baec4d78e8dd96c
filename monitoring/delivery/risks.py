"""Writes for the agreement risk register: the commission's risks carried over when an agreement is
drafted, and commissioners (`AGREEMENT_RISK_EDITORS`) adding and changing risks after that.

A carried-over risk starts as the commission's did (description, likelihood, impact, mitigation),
open, owned by the agreement's council contact (the commission's register names owners in words;
that name is kept in `carried_from` with the commission and cycle it came from). The commission's
register has no status: every risk of the agreement's cycle is treated as open and carried over.
Every write is atomic and audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from commissioning.models import Risk
from councils.models import User
from councils.permissions import AGREEMENT_RISK_EDITORS, OFFICER, has_any_role
from councils.services import audit_record
from monitoring.delivery import rules as delivery_rules  # noqa: F401 (registers the area's permissions)
from monitoring.models import Agreement, AgreementRisk, AgreementRiskStatus

__all__ = ["agreement_risk_save", "carry_over_commission_risks"]


def _carried_from(risk: Risk) -> str:
    commission = risk.commission
    where = f"Commission {commission.reference} risk register, cycle {risk.cycle}"
    return f"{where}; owner there: {risk.owner}"[:300] if risk.owner else where


def carry_over_commission_risks(agreement: Agreement, *, by: User) -> list[AgreementRisk]:
    """Copy the commission's risks of the agreement's cycle as the agreement's starting register. Called
    in the transaction that drafts the agreement (from the award or directly), so it is all or nothing."""
    risks = list(
        Risk.objects.filter(commission_id=agreement.commission_id, cycle=agreement.cycle)
        .select_related("commission")
        .order_by("id")
    )
    if not risks:
        return []
    carried = AgreementRisk.objects.bulk_create(
        AgreementRisk(
            agreement=agreement,
            description=risk.description,
            likelihood=risk.likelihood,
            impact=risk.impact,
            mitigation=risk.mitigation,
            owner_id=agreement.council_contact_id,
            status=AgreementRiskStatus.OPEN,
            commission_risk=risk,
            carried_from=_carried_from(risk),
            created_by=by,
        )
        for risk in risks
    )
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="agreement.risks_carried_over",
        obj=agreement,
        extra={"commission": agreement.commission.reference, "risks": len(carried)},
    )
    return carried


@transaction.atomic
def agreement_risk_save(
    *, by: User, agreement: Agreement, risk: AgreementRisk, changed: list[str] | None = None
) -> AgreementRisk:
    """Add a risk to the agreement's register, or change one (its scores, owner, mitigation, status)."""
    if not has_any_role(by, agreement.council, AGREEMENT_RISK_EDITORS):
        raise PermissionDenied
    if risk.agreement_id != agreement.pk:
        raise PermissionDenied
    created = risk.pk is None
    if created:
        risk.created_by = by
    risk.description = (risk.description or "").strip()
    errors = {}
    if not risk.description:
        errors["description"] = "Describe the risk."
    if risk.owner_id is not None and not has_any_role(risk.owner, agreement.council, OFFICER):
        errors["owner"] = "The risk owner must be an officer of this council."
    if errors:
        raise ValidationError(errors)
    risk.full_clean(exclude=["created_by", "commission_risk"])
    risk.save()
    audit_record(
        council=agreement.council,
        actor=by,
        event_type=f"agreement.risk.{'added' if created else 'changed'}",
        obj=agreement,
        extra={
            "risk": str(risk),
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "status": risk.status,
            "fields": sorted(changed or []),
        },
    )
    return risk
