"""Writes for deliverables: setting them on an agreement, the provider reporting one achieved in a
monitoring return, and the commissioner's decision on it.

Rules kept here, in one place:
- Commissioners (`DELIVERABLE_MANAGERS`) set an agreement's deliverables while it is drafted, signed
  or live. Each is due within the agreement's dates and may trigger one milestone payment of the
  same agreement. Once reported, a deliverable no longer changes.
- The provider reports a deliverable achieved in a return still with them (due or queried) whose
  period ends on or after the deliverable's due date: the achieved date (not in the future, not
  before the agreement started) and evidence, in words, a file, or both.
- A commissioner accepts it or refuses it with the reason while reviewing that return (submitted or
  accepted). A refused deliverable may be reported again in a later return. A milestone payment linked
  to a deliverable is payable only once the deliverable is accepted (`payment_refusal`).
Every write is atomic and audited (steps through the workflow engine, which audits them).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from councils import workflow
from councils.models import User
from councils.permissions import DELIVERABLE_MANAGERS, has_any_role
from councils.services import audit_record
from councils.workflow import Effect, Step
from monitoring.delivery import rules as delivery_rules  # noqa: F401 (registers the area's permissions)
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    Agreement,
    AgreementState,
    Deliverable,
    DeliverableState,
    MonitoringReturn,
    PaymentKind,
    ReturnState,
    ScheduledPayment,
    payment_awaits_deliverable,
)

__all__ = [
    "adding_refusal",
    "deliverable_accept",
    "deliverable_refuse",
    "deliverable_report",
    "deliverable_save",
    "payment_refusal",
]

# Deliverables are set while the agreement is being agreed or delivered.
SETTABLE_STATES = frozenset({AgreementState.DRAFT, AgreementState.SIGNED, AgreementState.LIVE})
# The officer decides while reviewing the return the deliverable was reported in.
DECIDING_RETURN_STATES = frozenset({ReturnState.SUBMITTED, ReturnState.ACCEPTED})


def adding_refusal(agreement: Agreement) -> str:
    """Why no deliverable can be set on the agreement now ("" when one can)."""
    if agreement.state not in SETTABLE_STATES:
        return (
            f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: deliverables are set "
            "while it is drafted, signed or live."
        )
    return ""


def payment_refusal(payment: ScheduledPayment) -> str:
    """Why the scheduled payment is not payable yet because of its deliverable ("" when it is)."""
    waiting = payment_awaits_deliverable(payment)
    if waiting is None:
        return ""
    state = waiting.get_state_display().lower()
    return f"The payment is due once the deliverable ‘{waiting.title}’ is accepted; it is ‘{state}’."


def _validate(agreement: Agreement, deliverable: Deliverable) -> None:
    errors = {}
    if not (deliverable.title or "").strip():
        errors["title"] = "Enter what is to be delivered."
    if deliverable.due_on is None:
        errors["due_on"] = "Enter the date it is due."
    elif not agreement.starts_on <= deliverable.due_on <= agreement.ends_on:
        errors["due_on"] = (
            f"The deliverable must be due within the agreement, {agreement.starts_on:%d/%m/%Y} to "
            f"{agreement.ends_on:%d/%m/%Y}."
        )
    payment = deliverable.payment
    if payment is not None:
        if payment.agreement_id != agreement.pk:
            raise PermissionDenied  # another agreement's payment
        if payment.kind != PaymentKind.MILESTONE:
            errors["payment"] = "Choose a milestone payment: instalments are not triggered by a deliverable."
        elif Deliverable.objects.filter(payment=payment).exclude(pk=deliverable.pk).exists():
            errors["payment"] = f"‘{payment.description}’ is already triggered by another deliverable."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deliverable_save(
    *, by: User, agreement: Agreement, deliverable: Deliverable, changed: list[str] | None = None
) -> Deliverable:
    """Set a new deliverable on the agreement, or change one not yet reported."""
    if not has_any_role(by, agreement.council, DELIVERABLE_MANAGERS):
        raise PermissionDenied
    if deliverable.agreement_id != agreement.pk:
        raise PermissionDenied
    refusal = adding_refusal(Agreement.objects.select_for_update().get(pk=agreement.pk))
    if refusal:
        raise ValidationError(refusal)
    created = deliverable.pk is None
    if not created:
        current = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
        if current.state != DeliverableState.PENDING:
            raise ValidationError(
                f"‘{current.title}’ has been reported as achieved: what was agreed no longer changes."
            )
    else:
        deliverable.created_by = by
    deliverable.title = (deliverable.title or "").strip()
    _validate(agreement, deliverable)
    deliverable.full_clean(exclude=["state", "evidence_document", "created_by"])
    deliverable.save()
    audit_record(
        council=agreement.council,
        actor=by,
        event_type=f"agreement.deliverable.{'added' if created else 'changed'}",
        obj=agreement,
        extra={
            "deliverable": deliverable.title,
            "due_on": deliverable.due_on.isoformat(),
            "payment": deliverable.payment.description if deliverable.payment else None,
            "fields": sorted(changed or []),
        },
    )
    return deliverable


# ---- Reporting and deciding (steps of the deliverable's machine) ---------------------------------------


def deliverable_report(
    *,
    by: User,
    deliverable: Deliverable,
    monitoring_return: MonitoringReturn,
    achieved_on: date | None,
    evidence_text: str = "",
    evidence_document=None,
) -> Deliverable:
    """The provider reports the deliverable achieved in `monitoring_return`, with its evidence."""
    return workflow.run(
        by=by,
        obj=deliverable,
        name="report",
        internal=True,
        monitoring_return=monitoring_return,
        achieved_on=achieved_on,
        evidence_text=(evidence_text or "").strip(),
        evidence_document=evidence_document,
    )


def _stage_report(step: Step) -> None:
    deliverable, payload = step.obj, step.payload
    monitoring_return = MonitoringReturn.objects.select_for_update().get(pk=payload["monitoring_return"].pk)
    agreement = deliverable.agreement
    if monitoring_return.agreement_id != deliverable.agreement_id:
        raise PermissionDenied
    if monitoring_return.state not in AWAITING_PROVIDER_STATES:
        raise ValidationError(
            f"The return is ‘{monitoring_return.get_state_display().lower()}’: it can no longer be changed."
        )
    if deliverable.due_on > monitoring_return.period_end:
        raise ValidationError(
            f"‘{deliverable.title}’ is due on {deliverable.due_on:%d/%m/%Y}: report it in the return for the "
            "period it falls in, or a later one."
        )
    if deliverable.state == DeliverableState.REPORTED and deliverable.reported_in_id != monitoring_return.pk:
        raise ValidationError(f"‘{deliverable.title}’ was reported in another return and awaits the council.")
    errors = {}
    achieved_on, document = payload["achieved_on"], payload["evidence_document"]
    if achieved_on is None:
        errors["achieved_on"] = "Enter the date it was achieved."
    elif achieved_on > timezone.localdate():
        errors["achieved_on"] = "The date it was achieved cannot be in the future."
    elif achieved_on < agreement.starts_on:
        errors["achieved_on"] = (
            f"The date it was achieved cannot be before the agreement started, {agreement.starts_on:%d/%m/%Y}."
        )
    if not payload["evidence_text"] and not document and not deliverable.evidence_document:
        errors["evidence_text"] = "Describe the evidence that it was achieved, or upload a file, or both."
    if errors:
        raise ValidationError(errors)
    deliverable.achieved_on = achieved_on
    deliverable.evidence_text = payload["evidence_text"]
    if document:
        deliverable.evidence_document = document
        # The upload's checks (type by content, size, archives, virus scan) run here, before it is stored.
        deliverable.full_clean(exclude=["state", "payment", "created_by", "reported_in", "reported_by"])
    deliverable.reported_in = monitoring_return
    deliverable.reported_by, deliverable.reported_at = step.by, timezone.now()
    step.scratch["return"] = monitoring_return


def _reported(step: Step) -> dict:
    deliverable = step.obj
    return {
        "agreement": deliverable.agreement.reference,
        "deliverable": deliverable.title,
        "achieved_on": deliverable.achieved_on.isoformat(),
        "return": step.scratch["return"].period_start.isoformat(),
        "with_file": bool(deliverable.evidence_document),
    }


def _require_reported_in(deliverable: Deliverable, monitoring_return: MonitoringReturn) -> None:
    if deliverable.reported_in_id != monitoring_return.pk:
        raise PermissionDenied  # decided on the return it was reported in, nowhere else


def deliverable_accept(
    *, by: User, deliverable: Deliverable, monitoring_return: MonitoringReturn, comment: str = ""
) -> Deliverable:
    """Accept what the provider reported: a payment it triggers becomes payable."""
    _require_reported_in(deliverable, monitoring_return)
    return workflow.run(by=by, obj=deliverable, name="accept", reason=comment, internal=True)


def deliverable_refuse(
    *, by: User, deliverable: Deliverable, monitoring_return: MonitoringReturn, reason: str
) -> Deliverable:
    """Refuse it with the reason: the provider may report it again in a later return."""
    _require_reported_in(deliverable, monitoring_return)
    return workflow.run(by=by, obj=deliverable, name="refuse", reason=reason, internal=True)


def _stage_decision(step: Step) -> None:
    monitoring_return = MonitoringReturn.objects.filter(pk=step.obj.reported_in_id).first()
    if monitoring_return is None or monitoring_return.state not in DECIDING_RETURN_STATES:
        raise ValidationError(
            "A deliverable is accepted or refused while the return it was reported in is being reviewed."
        )
    step.obj.decided_by, step.obj.decided_at = step.by, timezone.now()


def _decided(step: Step) -> dict:
    deliverable = step.obj
    payment = deliverable.payment
    return {
        "agreement": deliverable.agreement.reference,
        "deliverable": deliverable.title,
        **({"payment_payable": payment.description} if payment and deliverable.is_accepted else {}),
    }


workflow.machine(Deliverable, noun="deliverable", event="deliverable")
workflow.effect(Deliverable, "report", Effect(validate=_stage_report, follow=_reported))
workflow.effect(Deliverable, "decision", Effect(validate=_stage_decision, follow=_decided))
