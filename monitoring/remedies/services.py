"""Writes for an agreement's remedies log: recording a deduction from a scheduled payment, issuing a
default notice, agreeing a remedy plan and closing it out, withdrawing a wrong entry, and the provider's
response. The agreement's editors (REMEDY_RECORDERS) record; the provider's people answer. Every write
is atomic, leaves an audit event and tells the other side in the same transaction (REMEDY_RECORDED to
the provider's return writers, REMEDY_RESPONDED to the contract manager).

Nothing is changed or deleted: the figures the open data published from a payment's deductions can
always be traced to the entries behind them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from councils.formatting import money
from councils.models import ReminderKind, User
from councils.notification_services import notify
from councils.permissions import REMEDY_RECORDERS, has_any_role
from councils.services import audit_record
from monitoring.agreements.gates import unsigned_refusal
from monitoring.models import (
    Agreement,
    AgreementKpi,
    Deduction,
    DefaultNotice,
    Invoice,
    MonitoringReturn,
    PlanOutcome,
    RemedyPlan,
    ScheduledPayment,
)
from monitoring.returns.handoffs import provider_return_writers

__all__ = [
    "deduction_record",
    "default_notice_issue",
    "recording_refusal",
    "remedy_plan_agree",
    "remedy_plan_close",
    "remedy_respond",
    "remedy_withdraw",
]

RemedyEntry = Deduction | DefaultNotice | RemedyPlan


def _require_recorder(by: User, agreement: Agreement) -> None:
    if not has_any_role(by, agreement.council, REMEDY_RECORDERS):
        raise PermissionDenied


def recording_refusal(agreement: Agreement) -> str:
    """Why nothing can be recorded in the agreement's remedies log now ("" when it can)."""
    return unsigned_refusal(agreement, "remedies are")


def _require_open(agreement: Agreement) -> None:
    refusal = recording_refusal(agreement)
    if refusal:
        raise ValidationError(refusal)


def _provider_page(agreement: Agreement) -> str:
    return reverse("monitoring:provider_agreement", kwargs={"pk": agreement.pk}) + "#remedies"


def _log_page(agreement: Agreement) -> str:
    return reverse("monitoring:remedies", kwargs={"council_slug": agreement.council.slug, "pk": agreement.pk})


def _tell_provider(entry: RemedyEntry, title: str, body: str) -> None:
    """The provider's people who send its returns hear of every entry about them (an in-house team has
    no provider account: nobody is told)."""
    agreement = entry.agreement
    if agreement.provider_id is None:
        return
    notify(
        users=provider_return_writers(agreement.provider_id),
        about=entry,
        kind=ReminderKind.REMEDY_RECORDED,
        title=title,
        body=body,
        path=_provider_page(agreement),
    )


def _about(agreement: Agreement) -> str:
    return f"{agreement.reference}: {agreement.title}"


def _standing_total(payment: ScheduledPayment) -> Decimal:
    return Deduction.objects.filter(payment=payment, withdrawn_at__isnull=True).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0")


@transaction.atomic
def deduction_record(
    *,
    by: User,
    agreement: Agreement,
    payment: ScheduledPayment | None,
    amount: Decimal | None,
    reason: str,
    kpi: AgreementKpi | None = None,
    monitoring_return: MonitoringReturn | None = None,
) -> Deduction:
    """Keep back part of one scheduled payment. Refused (and nothing changes) when it would take more
    than what remains of the payment after its other deductions: checked with the payment row locked,
    so two officers deducting at once cannot together go past it."""
    _require_recorder(by, agreement)
    _require_open(agreement)
    reason = (reason or "").strip()
    errors = {}
    if payment is None or payment.agreement_id != agreement.pk:
        errors["payment"] = "Choose one of this agreement's scheduled payments."
    if amount is None or amount <= 0:
        errors["amount"] = "The deduction must be more than £0."
    if not reason:
        errors["reason"] = "Say why the deduction is made: the provider sees it."
    if kpi is not None and kpi.agreement_id != agreement.pk:
        errors["kpi"] = "Choose one of this agreement's KPIs."
    if monitoring_return is not None and monitoring_return.agreement_id != agreement.pk:
        errors["monitoring_return"] = "Choose one of this agreement's monitoring returns."
    if errors:
        raise ValidationError(errors)
    locked = ScheduledPayment.objects.select_for_update().get(pk=payment.pk)
    paid = Invoice.objects.filter(scheduled_payment=locked, withdrawn_at__isnull=True, paid_on__isnull=False).first()
    if paid is not None:
        raise ValidationError(
            {
                "payment": (
                    f"This payment was paid already (invoice {paid.supplier_reference}, paid on "
                    f"{paid.paid_on:%d/%m/%Y}): take the deduction from a payment still to be made."
                )
            }
        )
    already = _standing_total(locked)
    remaining = max(locked.amount - already, Decimal("0"))
    if amount > remaining:
        already_text = f", less {money(already)} already deducted" if already else ""
        raise ValidationError(
            {
                "amount": (
                    f"The deduction of {money(amount)} is more than what remains of the payment: "
                    f"{money(remaining)} (of {money(locked.amount)}{already_text})."
                )
            }
        )
    deduction = Deduction(
        agreement=agreement,
        payment=locked,
        amount=amount,
        reason=reason,
        kpi=kpi,
        monitoring_return=monitoring_return,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            deduction.save()
    except IntegrityError:
        # The database's own check (PostgreSQL): reached only by a write that bypassed the lock.
        raise ValidationError({"amount": "The deductions would add up to more than the payment."}) from None
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="remedy.deduction_recorded",
        obj=deduction,
        reason=reason,
        extra={
            "agreement": agreement.reference,
            "payment": locked.pk,
            "amount": str(amount),
            "net": str(locked.amount - already - amount),
            **({"kpi": kpi.pk} if kpi else {}),
            **({"monitoring_return": monitoring_return.pk} if monitoring_return else {}),
        },
    )
    missed = f"\nWhat was missed: {kpi.description}" if kpi else ""
    _tell_provider(
        deduction,
        f"A deduction of {money(amount)} under {agreement.reference}",
        f"The council has deducted {money(amount)} from the payment “{locked}” under {_about(agreement)}.\n"
        f"Why: {reason}{missed}\n\nThe payment is now {money(locked.amount - already - amount)}. You can respond "
        "on the agreement's page.",
    )
    return deduction


@transaction.atomic
def default_notice_issue(
    *, by: User, agreement: Agreement, issued_on: date, breach: str, required_action: str, remedy_by: date
) -> DefaultNotice:
    """Record the default notice served on the provider: the breach, and what it must do by when."""
    _require_recorder(by, agreement)
    _require_open(agreement)
    breach, required_action = (breach or "").strip(), (required_action or "").strip()
    errors = {}
    if not breach:
        errors["breach"] = "Say what the provider failed to do, and under which term."
    if not required_action:
        errors["required_action"] = "Say what the provider must do to put it right."
    if issued_on is None:
        errors["issued_on"] = "Enter the day the notice was issued."
    elif issued_on > timezone.localdate():
        errors["issued_on"] = "The day the notice was issued cannot be in the future."
    elif agreement.signed_on and issued_on < agreement.signed_on:
        errors["issued_on"] = (
            f"The notice cannot be before the agreement was signed, on {agreement.signed_on:%d/%m/%Y}."
        )
    if remedy_by is None:
        errors["remedy_by"] = "Enter the day by which it must be put right."
    elif issued_on is not None and remedy_by < issued_on:
        errors["remedy_by"] = "The day it must be put right by cannot be before the notice was issued."
    if errors:
        raise ValidationError(errors)
    notice = DefaultNotice.objects.create(
        agreement=agreement,
        issued_on=issued_on,
        breach=breach,
        required_action=required_action,
        remedy_by=remedy_by,
        recorded_by=by,
    )
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="remedy.default_notice_issued",
        obj=notice,
        reason=breach,
        extra={
            "agreement": agreement.reference,
            "issued_on": issued_on.isoformat(),
            "remedy_by": remedy_by.isoformat(),
        },
    )
    _tell_provider(
        notice,
        f"A default notice under {agreement.reference}",
        f"The council has issued a default notice under {_about(agreement)} on {issued_on:%d/%m/%Y}.\n"
        f"The breach: {breach}\nWhat must be done by {remedy_by:%d/%m/%Y}: {required_action}\n\n"
        "You can respond on the agreement's page.",
    )
    return notice


@transaction.atomic
def remedy_plan_agree(
    *, by: User, agreement: Agreement, actions: str, due_on: date, default_notice: DefaultNotice | None = None
) -> RemedyPlan:
    """Record the provider's remedy plan: what it will do, by when (never a day already past)."""
    _require_recorder(by, agreement)
    _require_open(agreement)
    actions = (actions or "").strip()
    errors = {}
    if not actions:
        errors["actions"] = "Say what the provider will do."
    if due_on is None:
        errors["due_on"] = "Enter the day the plan is due to be completed."
    elif due_on < timezone.localdate():
        errors["due_on"] = "A remedy plan cannot be due in the past: enter today or a later day."
    if default_notice is not None and (default_notice.agreement_id != agreement.pk or default_notice.is_withdrawn):
        errors["default_notice"] = "Choose one of this agreement's standing default notices."
    if errors:
        raise ValidationError(errors)
    plan = RemedyPlan.objects.create(
        agreement=agreement, actions=actions, due_on=due_on, default_notice=default_notice, recorded_by=by
    )
    audit_record(
        council=agreement.council,
        actor=by,
        event_type="remedy.plan_agreed",
        obj=plan,
        extra={
            "agreement": agreement.reference,
            "due_on": due_on.isoformat(),
            **({"default_notice": default_notice.pk} if default_notice else {}),
        },
    )
    _tell_provider(
        plan,
        f"A remedy plan under {agreement.reference}",
        f"The council has recorded a remedy plan under {_about(agreement)}, due by {due_on:%d/%m/%Y}.\n"
        f"What you will do: {actions}\n\nYou can respond on the agreement's page.",
    )
    return plan


def _locked(entry: RemedyEntry) -> RemedyEntry:
    fresh = type(entry).objects.select_for_update().select_related("agreement__council").get(pk=entry.pk)
    if fresh.is_withdrawn:
        raise ValidationError(f"This {entry.noun} was withdrawn: it can no longer change.")
    return fresh


@transaction.atomic
def remedy_plan_close(*, by: User, plan: RemedyPlan, closed_on: date, outcome: str, note: str = "") -> RemedyPlan:
    """Close a remedy plan out: whether it was met, on which day, by whom. Once."""
    _require_recorder(by, plan.agreement)
    fresh = _locked(plan)
    if fresh.is_closed:
        raise ValidationError(f"This remedy plan was closed already, on {fresh.closed_on:%d/%m/%Y}.")
    errors = {}
    if outcome not in PlanOutcome.values:
        errors["outcome"] = "Say whether the plan was met."
    if closed_on is None:
        errors["closed_on"] = "Enter the day it was closed."
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The day it was closed cannot be in the future."
    elif closed_on < timezone.localtime(fresh.recorded_at).date():
        errors["closed_on"] = "The plan cannot be closed before it was recorded."
    if errors:
        raise ValidationError(errors)
    fresh.closed_on, fresh.closed_by, fresh.outcome, fresh.close_note = closed_on, by, outcome, (note or "").strip()
    fresh.save(update_fields=sorted(RemedyPlan.LATER_FIELDS))
    audit_record(
        council=fresh.agreement.council,
        actor=by,
        event_type="remedy.plan_closed",
        obj=fresh,
        reason=fresh.close_note,
        extra={"closed_on": closed_on.isoformat(), "outcome": outcome},
    )
    _tell_provider(
        fresh,
        f"Your remedy plan under {fresh.agreement.reference} was closed: {fresh.get_outcome_display().lower()}",
        f"The council closed the remedy plan due {fresh.due_on:%d/%m/%Y} under {_about(fresh.agreement)} on "
        f"{closed_on:%d/%m/%Y}: {fresh.get_outcome_display().lower()}.\n{fresh.close_note}",
    )
    return fresh


@transaction.atomic
def remedy_withdraw(*, by: User, entry: RemedyEntry, reason: str) -> RemedyEntry:
    """Take a wrong entry out of the log's figures (a deduction no longer reduces its payment), keeping
    it, and why, on the record."""
    _require_recorder(by, entry.agreement)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what was wrong with the entry: it is kept with it."})
    fresh = _locked(entry)
    fresh.withdrawn_at, fresh.withdrawn_by, fresh.withdrawn_reason = timezone.now(), by, reason
    fresh.save(update_fields=sorted(type(fresh).WITHDRAWAL_FIELDS))
    audit_record(
        council=fresh.agreement.council,
        actor=by,
        event_type=f"remedy.{type(fresh).__name__.lower()}_withdrawn",
        obj=fresh,
        reason=reason,
    )
    _tell_provider(
        fresh,
        f"A {fresh.noun} under {fresh.agreement.reference} was withdrawn",
        f"The council withdrew the {fresh} under {_about(fresh.agreement)}.\nWhy: {reason}",
    )
    return fresh


@transaction.atomic
def remedy_respond(*, by: User, entry: RemedyEntry, response: str) -> RemedyEntry:
    """The provider's answer to an entry about it: one response, given once. The contract manager (the
    agreement's council contact, else the commission's lead officer) is told."""
    agreement = entry.agreement
    if not by.has_perm("monitoring.respond_to_remedy", agreement):
        raise PermissionDenied
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": "Enter your response."})
    fresh = _locked(entry)
    if fresh.has_response:
        raise ValidationError(
            f"Your organisation responded to this {fresh.noun} already, on {fresh.responded_at:%d/%m/%Y}."
        )
    fresh.response, fresh.responded_at, fresh.responded_by = response, timezone.now(), by
    fresh.save(update_fields=sorted(type(fresh).RESPONSE_FIELDS))
    audit_record(
        council=agreement.council,
        actor=by,
        event_type=f"remedy.{type(fresh).__name__.lower()}_responded",
        obj=fresh,
        extra={"agreement": agreement.reference},
    )
    manager = agreement.council_contact or agreement.commission.lead_officer
    if manager is not None:
        notify(
            users=[manager],
            about=fresh,
            kind=ReminderKind.REMEDY_RESPONDED,
            title=f"{agreement.party_name} responded to a {fresh.noun} under {agreement.reference}",
            body=f"{by} responded to the {fresh} under {_about(agreement)}:\n\n{response}",
            path=_log_page(agreement),
        )
    return fresh
