"""Variations: every change to an agreement after signing, append-only, with the full terms before
and after, and what changed told in words.

Its models keep the page-cache family they had when they lived in `agreements.py`,
`monitoring.agreements` (`page_cache_family`; `councils.page_cache.family_of`): templates and views
name that family.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from councils.formatting import money
from monitoring.models.agreements import Agreement, AgreementState
from monitoring.models.terms import describe_payment_terms_changes


class VariationKind(models.TextChoices):
    VALUE = "value", "Change of value"
    DATES = "dates", "Change of dates"
    KPIS = "kpis", "Change of KPIs"
    EXTENSION = "extension", "Extension"
    TERMINATION = "termination", "Early termination"
    TERMS = "terms", "Change of payment terms or clauses"


class ModificationGround(models.TextChoices):
    """What permits a change to an above-threshold contract (Procurement Act 2023, s.74 and Schedule 8),
    as its contract change notice (UK10) gives it."""

    PROVIDED_FOR = "provided_for", "Provided for in the contract (Schedule 8, paragraph 1)"
    URGENCY = "urgency", "Urgency or the protection of life (Schedule 8, paragraph 2)"
    UNFORESEEABLE = "unforeseeable", "Unforeseeable circumstances (Schedule 8, paragraph 4)"
    KNOWN_RISK = "known_risk", "A known risk has materialised (Schedule 8, paragraph 5)"
    ADDITIONAL = "additional", "Additional goods, services or works (Schedule 8)"
    RESTRUCTURING = "restructuring", "Novation or assignment on corporate restructuring (Schedule 8, paragraph 9)"
    NOT_SUBSTANTIAL = "not_substantial", "Not a substantial modification (section 74)"
    BELOW_THRESHOLD = "below_threshold", "A below-threshold modification (section 74)"
    OTHER = "other", "Another ground in Schedule 8"


def _money_text(value: str) -> str:
    return money(Decimal(value))


def _date_text(value: str | None) -> str:
    if not value:
        return "none"
    day = date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def describe_changes(before: dict, after: dict) -> list[str]:
    """What a variation changed, in words: "Value: £60,000 → £65,000"."""
    changes = []
    if before.get("value") != after.get("value"):
        changes.append(f"Value: {_money_text(before['value'])} → {_money_text(after['value'])}")
    for key, label in (("starts_on", "Start date"), ("ends_on", "End date"), ("ended_on", "Ended on")):
        if before.get(key) != after.get(key):
            changes.append(f"{label}: {_date_text(before.get(key))} → {_date_text(after.get(key))}")
    if before.get("state") != after.get("state"):
        changes.append(f"State: {AgreementState(before['state']).label} → {AgreementState(after['state']).label}")
    old = {kpi["id"]: kpi for kpi in before.get("kpis", [])}
    for kpi in after.get("kpis", []):
        was = old.pop(kpi["id"], None)
        name = kpi["description"]
        if was is None:
            changes.append(f"KPI added: ‘{name}’, target {Decimal(kpi['target']).normalize():f} {kpi['unit']}")
            continue
        if was["description"] != name:
            changes.append(f"KPI renamed: ‘{was['description']}’ → ‘{name}’")
        if was["target"] != kpi["target"] or was["unit"] != kpi["unit"]:
            changes.append(
                f"KPI ‘{name}’ target: {Decimal(was['target']).normalize():f} {was['unit']} → "
                f"{Decimal(kpi['target']).normalize():f} {kpi['unit']}"
            )
        if was["retired_on"] != kpi["retired_on"]:
            changes.append(f"KPI ‘{name}’ dropped from {_date_text(kpi['retired_on'])}")
        elif was["targets"] != kpi["targets"] and was["target"] == kpi["target"]:
            changes.append(f"KPI ‘{name}’: targets per period changed")
    for kpi in old.values():
        changes.append(f"KPI removed: ‘{kpi['description']}’")
    if before.get("payments_total") != after.get("payments_total"):
        changes.append(
            f"Payment schedule total: {_money_text(before['payments_total'])} → {_money_text(after['payments_total'])}"
        )
    changes.extend(describe_payment_terms_changes(before.get("payment_terms"), after.get("payment_terms")))
    return changes


class AgreementVariation(models.Model):
    """One change to a signed agreement: why, who approved it and when, and the full terms before
    and after. Append-only: the model refuses updates and deletes."""

    page_cache_family = "monitoring.agreements"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="variations")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=VariationKind.choices)
    reason = models.TextField()
    effective_on = models.DateField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField()
    approval_reference = models.CharField(max_length=60, blank=True)
    # Asked for changes of value or dates to above-threshold contracts, which need a contract change notice.
    modification_ground = models.CharField(max_length=16, choices=ModificationGround.choices, blank=True)
    before = models.JSONField()
    after = models.JSONField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_variation_number_unique"),
            models.CheckConstraint(condition=Q(kind__in=VariationKind.values), name="agreement_variation_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Variation {self.number}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Variations are never changed: record a new variation instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Variations are never deleted.")

    @property
    def changes(self) -> list[str]:
        """What changed, in words, from the before and after terms."""
        return describe_changes(self.before, self.after)
