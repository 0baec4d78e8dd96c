"""Invoices received under agreements, and their payment: what the payments compliance notice (UK17,
Procurement Act 2023 s.69) and the publication of payments over £30,000 (s.70) are built from.

An invoice is recorded when it arrives (its invoice day, Procurement Regulations 2024 reg 38(3)) and
its payment is recorded once, when the money is paid. Neither is ever changed afterwards: a wrong entry
is withdrawn with the reason and entered again, so the figures a published notice gave can always be
traced to the invoices behind them. Only `monitoring.invoices.services` writes here.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from commissioning.models import MONEY
from councils.models import Council
from monitoring.models.agreements import Agreement
from monitoring.models.payment_schedule import ScheduledPayment

__all__ = ["PAYMENT_TERM_DAYS", "Invoice"]

# The implied payment term (s.68(2)): paid by day 30, where day 1 is the day after the invoice day.
PAYMENT_TERM_DAYS = 30


class Invoice(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="invoices")
    scheduled_payment = models.ForeignKey(
        ScheduledPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    supplier_reference = models.CharField("Invoice number", max_length=60)
    received_on = models.DateField("Invoice received on")
    # Including VAT, as the supplier invoiced it (s.70's £30,000 is measured including VAT).
    amount = models.DecimalField(**MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The day the supplier received the money (reg 38(4)), and how much: both set once, together.
    paid_on = models.DateField(null=True, blank=True)
    paid_amount = models.DecimalField(**MONEY, null=True, blank=True)
    payment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_recorded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    # The only columns a saved invoice may change, and only through the services (once each).
    PAYMENT_FIELDS = frozenset({"paid_on", "paid_amount", "payment_recorded_by", "payment_recorded_at"})
    WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawn_reason"})

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=(Q(paid_on__isnull=True) & Q(paid_amount__isnull=True))
                | (Q(paid_on__gte=F("received_on")) & Q(paid_amount__gt=0) & Q(paid_amount__lte=F("amount"))),
                name="invoice_paid_after_receipt",
            ),
            # The same supplier invoice is entered once (a withdrawn entry may be entered again).
            models.UniqueConstraint(
                fields=["agreement", "supplier_reference"],
                condition=Q(withdrawn_at__isnull=True),
                name="invoice_entered_once",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "received_on"]),
            models.Index(fields=["paid_on"]),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.supplier_reference} received {self.received_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        changing = kwargs.get("update_fields")
        allowed = self.PAYMENT_FIELDS | self.WITHDRAWAL_FIELDS
        if self.pk is not None and (changing is None or not set(changing) <= allowed):
            raise PermissionError("An invoice is never changed: withdraw it and enter it again.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Invoices are never deleted: withdraw it with the reason instead.")

    @property
    def council(self) -> Council:
        return self.agreement.council

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def payable_by(self):
        """The last day of the 30-day payment term."""
        return self.received_on + timedelta(days=PAYMENT_TERM_DAYS)

    @property
    def days_to_pay(self) -> int | None:
        """Counted as reg 38(2)(c) counts: day 1 is the first day after the invoice day."""
        return (self.paid_on - self.received_on).days if self.paid_on else None
