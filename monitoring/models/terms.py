"""An agreement's commercial terms: how the provider is paid (a fixed price, a price per unit delivered,
payment by results, or a mix of these) and the clauses that let either side end it or that protect staff
(a break clause, a get-out clause, TUPE).

`AgreementTerms` is one row per agreement; `ResultPayment` rows are its payment-by-results tariff: the
result, the price per result, the evidence the council asks for, and optionally the agreement KPI that
counts it (what has been earned is read from accepted monitoring returns, never stored here).

The extension option's notice period belongs to the agreement's renewal terms, not to this module.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.models import MONEY
from councils.formatting import money

__all__ = ["AgreementTerms", "ResultPayment", "describe_payment_terms_changes", "payment_terms_snapshot"]


class AgreementTerms(models.Model):
    """The payment model and the break, get-out and TUPE clauses of one agreement."""

    agreement = models.OneToOneField("monitoring.Agreement", on_delete=models.CASCADE, related_name="payment_terms")
    # The payment model: any mix of the three, at least one.
    pays_fixed = models.BooleanField("Fixed price", default=False)
    pays_per_unit = models.BooleanField("Per unit delivered", default=False)
    pays_by_results = models.BooleanField("Payment by results", default=False)
    unit_name = models.CharField(max_length=80, blank=True, help_text="For example: hour of care, night, session.")
    unit_price = models.DecimalField(**MONEY, null=True, blank=True)
    # Clauses. A notice period is in calendar days, as contracts state it.
    has_break_clause = models.BooleanField(default=False)
    break_notice_days = models.PositiveIntegerField(null=True, blank=True)
    has_get_out_clause = models.BooleanField(default=False)
    get_out_notice_days = models.PositiveIntegerField(null=True, blank=True)
    get_out_circumstances = models.TextField(blank=True)
    tupe_applies = models.BooleanField(default=False)
    tupe_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "agreement terms"
        verbose_name_plural = "agreement terms"
        # Each "set" branch says IS NOT NULL: a NULL comparison would let a CHECK pass.
        constraints = [
            models.CheckConstraint(
                condition=Q(pays_fixed=True) | Q(pays_per_unit=True) | Q(pays_by_results=True),
                name="terms_some_payment_model",
            ),
            models.CheckConstraint(
                condition=Q(pays_per_unit=False) | (~Q(unit_name="") & Q(unit_price__isnull=False, unit_price__gt=0)),
                name="terms_per_unit_priced",
            ),
            models.CheckConstraint(
                condition=Q(has_break_clause=False, break_notice_days__isnull=True)
                | Q(has_break_clause=True, break_notice_days__isnull=False, break_notice_days__gte=1),
                name="terms_break_notice",
            ),
            models.CheckConstraint(
                condition=Q(has_get_out_clause=False, get_out_notice_days__isnull=True, get_out_circumstances="")
                | (
                    Q(has_get_out_clause=True, get_out_notice_days__isnull=False, get_out_notice_days__gte=1)
                    & ~Q(get_out_circumstances="")
                ),
                name="terms_get_out_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"Terms of {self.agreement}"

    @property
    def payment_model_parts(self) -> list[str]:
        parts = []
        if self.pays_fixed:
            parts.append("Fixed price")
        if self.pays_per_unit:
            parts.append(f"Per unit: {money(self.unit_price)} per {self.unit_name}")
        if self.pays_by_results:
            parts.append("Payment by results")
        return parts


class ResultPayment(models.Model):
    """One line of the payment-by-results tariff."""

    terms = models.ForeignKey(AgreementTerms, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=300, help_text="For example: a person in work for 13 weeks.")
    price = models.DecimalField(**MONEY)
    evidence = models.TextField(help_text="What the provider supplies to claim the payment.")
    kpi = models.ForeignKey(
        "monitoring.AgreementKpi", null=True, blank=True, on_delete=models.SET_NULL, related_name="result_payments"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="result_payment_price_positive"),
            models.CheckConstraint(condition=~Q(result=""), name="result_payment_has_result"),
            models.CheckConstraint(condition=~Q(evidence=""), name="result_payment_has_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.result}: {money(self.price)}"


def payment_terms_snapshot(agreement) -> dict | None:
    """The payment terms as JSON, for a variation's before and after (None when none are recorded)."""
    terms = AgreementTerms.objects.filter(agreement=agreement).first()
    if terms is None:
        return None
    return {
        "fixed": terms.pays_fixed,
        "per_unit": [terms.unit_name, str(terms.unit_price)] if terms.pays_per_unit else None,
        "by_results": terms.pays_by_results,
        "results": [
            [row.pk, row.result, str(row.price), row.evidence, row.kpi_id]
            for row in terms.results.order_by("position", "id")
        ],
        "break_notice_days": terms.break_notice_days,
        "get_out": [terms.get_out_notice_days, terms.get_out_circumstances] if terms.has_get_out_clause else None,
        "tupe": [terms.tupe_applies, terms.tupe_note],
    }


def _model_text(snapshot: dict | None) -> str:
    if not snapshot:
        return "not recorded"
    parts = []
    if snapshot["fixed"]:
        parts.append("fixed price")
    if snapshot["per_unit"]:
        unit, price = snapshot["per_unit"]
        parts.append(f"{money(Decimal(price))} per {unit}")
    if snapshot["by_results"]:
        parts.append("payment by results")
    return ", ".join(parts)


def _days(value) -> str:
    return "none" if value is None else f"{value} days' notice"


def describe_payment_terms_changes(before: dict | None, after: dict | None) -> list[str]:
    """What a variation changed in the payment terms, in words."""
    if before == after:
        return []
    before, after = before or {}, after or {}
    changes = []
    if _model_text(before) != _model_text(after):
        changes.append(f"Payment model: {_model_text(before)} → {_model_text(after)}")
    old = {row[0]: row for row in before.get("results", [])}
    for pk, result, price, evidence, kpi in after.get("results", []):
        was = old.pop(pk, None)
        if was is None:
            changes.append(f"Result added: ‘{result}’ at {money(Decimal(price))}")
        elif was[1:] != [result, price, evidence, kpi]:
            changes.append(f"Result ‘{result}’ changed (was ‘{was[1]}’ at {money(Decimal(was[2]))})")
    changes.extend(f"Result removed: ‘{row[1]}’" for row in old.values())
    if before.get("break_notice_days") != after.get("break_notice_days"):
        changes.append(
            f"Break clause: {_days(before.get('break_notice_days'))} → {_days(after.get('break_notice_days'))}"
        )
    if before.get("get_out") != after.get("get_out"):
        was, now = before.get("get_out") or [None, ""], after.get("get_out") or [None, ""]
        changes.append(f"Get-out clause: {_days(was[0])} → {_days(now[0])}")
    if before.get("tupe") != after.get("tupe"):
        changes.append(f"TUPE applies: {'yes' if (after.get('tupe') or [False])[0] else 'no'}")
    return changes
