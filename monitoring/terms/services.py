"""Writes for an agreement's payment terms and clauses (`AgreementTerms`, `ResultPayment`).

The commissioners who edit the agreement set the terms while it is a draft or signed. Once delivery has
started the terms are part of a contract in force: they change only through a variation (kind "terms"),
with its reason, effective date and approval, and the variation keeps the terms before and after (see
`monitoring.agreements.variations.terms_snapshot`). Ended, terminated or cancelled agreements keep their
terms as they were.

Every write is atomic and audited; a refused write changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from councils.models import User
from councils.permissions import TERMS_EDITORS, has_any_role
from councils.services import audit_record
from monitoring.agreements.variations import Approval, _vary
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementTerms,
    ResultPayment,
    VariationKind,
    payment_terms_snapshot,
)

__all__ = [
    "DIRECT_STATES",
    "TermsVariation",
    "contract_days",
    "editing_refusal",
    "needs_variation",
    "notice_refusal",
    "result_remove",
    "result_save",
    "terms_save",
]

# Set and changed directly until delivery starts; after that, by variation.
DIRECT_STATES = frozenset({AgreementState.DRAFT, AgreementState.SIGNED})
VARIED_STATES = frozenset({AgreementState.LIVE})


@dataclass(frozen=True)
class TermsVariation:
    """Why a live agreement's terms change, from when, and who approved it."""

    reason: str
    effective_on: date | None
    approval: Approval


def editing_refusal(agreement: Agreement) -> str:
    """Why the terms cannot change now ("" when they can)."""
    if agreement.state in DIRECT_STATES | VARIED_STATES:
        return ""
    return (
        f"Agreement {agreement.reference} is ‘{agreement.get_state_display().lower()}’: its payment terms and "
        "clauses can no longer change."
    )


def needs_variation(agreement: Agreement) -> bool:
    return agreement.state in VARIED_STATES


def contract_days(agreement: Agreement) -> int:
    """How long the agreement runs, in days, counting its first and last day."""
    return (agreement.ends_on - agreement.starts_on).days + 1


def notice_refusal(agreement: Agreement, days: int | None, clause: str) -> str:
    """Why `days` of notice cannot be the `clause`'s notice period ("" when it can)."""
    if days is None:
        return f"Enter the {clause}'s notice period in days."
    if days < 1:
        return f"The {clause}'s notice period must be at least 1 day."
    length = contract_days(agreement)
    if days > length:
        return (
            f"The {clause}'s notice period must not be longer than the agreement: it runs {length:,} days, from "
            f"{agreement.starts_on:%-d %B %Y} to {agreement.ends_on:%-d %B %Y}."
        )
    return ""


def _require_editor(agreement: Agreement, by: User) -> None:
    if not has_any_role(by, agreement.council, TERMS_EDITORS):
        raise PermissionDenied


def _check_result(agreement: Agreement, row: ResultPayment) -> ResultPayment:
    """Tidy and check one tariff line; raises with the form's field names."""
    row.result = (row.result or "").strip()
    row.evidence = (row.evidence or "").strip()
    errors = {}
    if not row.result:
        errors["result"] = "Enter the result that is paid for."
    if row.price is None or row.price <= 0:
        errors["price"] = "The price per result must be more than £0."
    if not row.evidence:
        errors["evidence"] = "Say what evidence the provider gives to claim the payment."
    if (
        row.kpi_id is not None
        and not AgreementKpi.objects.filter(pk=row.kpi_id, agreement=agreement, retired_on__isnull=True).exists()
    ):
        errors["kpi"] = "Choose one of this agreement's current KPIs, or none."
    if errors:
        raise ValidationError(errors)
    return row


def _apply(*, by: User, agreement: Agreement, change, event: str, variation: TermsVariation | None, extra: dict):
    """Run `change` directly (draft or signed) or as a variation (live), all or nothing."""
    _require_editor(agreement, by)
    refusal = editing_refusal(agreement)
    if refusal:
        raise ValidationError(refusal)
    if needs_variation(agreement):
        if variation is None:
            raise ValidationError(
                f"Agreement {agreement.reference} is live: its payment terms and clauses change only through a "
                "variation, with its reason and approval."
            )
        result = {}

        def as_variation():
            result["value"] = change()

        _vary(
            by=by,
            agreement=agreement,
            kind=VariationKind.TERMS,
            reason=variation.reason,
            approval=variation.approval,
            effective_on=variation.effective_on,
            change=as_variation,
            states=VARIED_STATES,
        )
        return result["value"]
    with transaction.atomic():
        Agreement.objects.select_for_update().filter(pk=agreement.pk).exists()
        agreement.refresh_from_db()
        if agreement.state not in DIRECT_STATES:
            raise ValidationError(
                f"Agreement {agreement.reference} has just changed state: open its terms again to see what applies."
            )
        before = payment_terms_snapshot(agreement)
        value = change()
        audit_record(
            council=agreement.council,
            actor=by,
            event_type=f"agreement.terms.{event}",
            obj=agreement,
            extra={**extra, "before": before, "after": payment_terms_snapshot(agreement)},
        )
        return value


def terms_save(
    *,
    by: User,
    agreement: Agreement,
    pays_fixed: bool,
    pays_per_unit: bool,
    pays_by_results: bool,
    unit_name: str = "",
    unit_price: Decimal | None = None,
    has_break_clause: bool = False,
    break_notice_days: int | None = None,
    has_get_out_clause: bool = False,
    get_out_notice_days: int | None = None,
    get_out_circumstances: str = "",
    tupe_applies: bool = False,
    tupe_note: str = "",
    first_result: ResultPayment | None = None,
    variation: TermsVariation | None = None,
) -> AgreementTerms:
    """Record (or change) the payment model and clauses. Payment by results needs a priced result: the
    first one comes with the terms (`first_result`) when the tariff is empty. Turning payment by results
    off removes its tariff."""
    unit_name = (unit_name or "").strip()
    get_out_circumstances = (get_out_circumstances or "").strip()
    tupe_note = (tupe_note or "").strip()

    def change() -> AgreementTerms:
        errors = {}
        if not (pays_fixed or pays_per_unit or pays_by_results):
            errors["payment_model"] = "Choose how the provider is paid: fixed, per unit, by results, or a mix."
        if pays_per_unit:
            if not unit_name:
                errors["unit_name"] = "Enter the unit paid for, for example ‘hour of care’."
            if unit_price is None or unit_price <= 0:
                errors["unit_price"] = "The price per unit must be more than £0."
        if has_break_clause and (refusal := notice_refusal(agreement, break_notice_days, "break clause")):
            errors["break_notice_days"] = refusal
        if has_get_out_clause:
            if refusal := notice_refusal(agreement, get_out_notice_days, "get-out clause"):
                errors["get_out_notice_days"] = refusal
            if not get_out_circumstances:
                errors["get_out_circumstances"] = "Say in what circumstances the get-out clause can be used."
        terms = AgreementTerms.objects.filter(agreement=agreement).first()
        has_results = terms is not None and terms.results.exists()
        adding_first = pays_by_results and not has_results
        if adding_first:
            if first_result is None:
                errors["result"] = "Payment by results needs at least one result with its price."
            else:
                try:
                    _check_result(agreement, first_result)
                except ValidationError as error:
                    errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        terms = terms or AgreementTerms(agreement=agreement)
        terms.pays_fixed, terms.pays_per_unit, terms.pays_by_results = pays_fixed, pays_per_unit, pays_by_results
        terms.unit_name, terms.unit_price = (unit_name, unit_price) if pays_per_unit else ("", None)
        terms.has_break_clause = has_break_clause
        terms.break_notice_days = break_notice_days if has_break_clause else None
        terms.has_get_out_clause = has_get_out_clause
        terms.get_out_notice_days, terms.get_out_circumstances = (
            (get_out_notice_days, get_out_circumstances) if has_get_out_clause else (None, "")
        )
        terms.tupe_applies, terms.tupe_note = tupe_applies, tupe_note
        terms.updated_by = by
        terms.save()
        if not pays_by_results:
            terms.results.all().delete()
        elif adding_first:
            first_result.terms = terms
            first_result.save()
        return terms

    return _apply(
        by=by,
        agreement=agreement,
        change=change,
        event="saved",
        variation=variation,
        extra={"payment_model": [p for p, on in _model_flags(pays_fixed, pays_per_unit, pays_by_results) if on]},
    )


def _model_flags(fixed: bool, per_unit: bool, by_results: bool):
    return (("fixed", fixed), ("per_unit", per_unit), ("by_results", by_results))


def _terms_with_results(agreement: Agreement) -> AgreementTerms:
    terms = AgreementTerms.objects.filter(agreement=agreement).first()
    if terms is None or not terms.pays_by_results:
        raise ValidationError("Record payment by results in the agreement's payment model first.")
    return terms


def result_save(
    *, by: User, agreement: Agreement, result: ResultPayment, variation: TermsVariation | None = None
) -> ResultPayment:
    """Add a line to the payment-by-results tariff, or change one."""

    def change() -> ResultPayment:
        terms = _terms_with_results(agreement)
        if result.pk is not None and result.terms_id != terms.pk:
            raise PermissionDenied
        _check_result(agreement, result)
        result.terms = terms
        if result.pk is None:
            result.position = terms.results.count()
        result.save()
        return result

    return _apply(
        by=by,
        agreement=agreement,
        change=change,
        event="result_saved",
        variation=variation,
        extra={"result": result.result, "price": str(result.price)},
    )


def result_remove(
    *, by: User, agreement: Agreement, result: ResultPayment, variation: TermsVariation | None = None
) -> None:
    """Take a line off the tariff; the last one stays while payment by results applies."""

    def change() -> None:
        terms = _terms_with_results(agreement)
        if result.terms_id != terms.pk:
            raise PermissionDenied
        if not terms.results.exclude(pk=result.pk).exists():
            raise ValidationError(
                "Payment by results needs at least one result: add another first, or change the payment model."
            )
        result.delete()

    _apply(
        by=by,
        agreement=agreement,
        change=change,
        event="result_removed",
        variation=variation,
        extra={"result": result.result, "price": str(result.price)},
    )
