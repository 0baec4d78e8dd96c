"""The remedies log of an agreement: deductions from scheduled payments, default notices and remedy plans.

A contract manager records them when the provider falls short; the provider sees those about its own
agreements and may answer each one, once. Like invoices, nothing here is ever changed or deleted: a
wrong entry is withdrawn with the reason and stays on the record, and the only other changes are the
provider's response and a remedy plan's close-out, each set once. Only `monitoring.remedies.services`
writes here.

A deduction reduces the scheduled payment it is applied to: the payment schedule, the invoices page and
the open data show the payment's net amount (`payments_with_net`, `net_amount`). The deductions on one
payment never add up to more than it: the service checks it with the payment row locked.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissioning.models import MONEY
from councils.models import Council
from monitoring.models.agreements import Agreement
from monitoring.models.kpis import AgreementKpi
from monitoring.models.payment_schedule import ScheduledPayment
from monitoring.models.returns import MonitoringReturn

__all__ = [
    "DefaultNotice",
    "Deduction",
    "REMEDY_KINDS",
    "PlanOutcome",
    "RemedyPlan",
    "deducted_from",
    "net_amount",
    "payments_with_net",
]

ZERO = Decimal("0")


class RemedyItem(models.Model):
    """What every entry of the remedies log has: who recorded it and when, its withdrawal, and the
    provider's response."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)
    # The provider's answer: one response per entry, given once and never changed.
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawn_reason"})
    RESPONSE_FIELDS = frozenset({"response", "responded_at", "responded_by"})
    # What else a subclass lets the services set once (a remedy plan's close-out).
    LATER_FIELDS: frozenset[str] = frozenset()

    # The URL slug and the words the pages use, per kind.
    slug = ""
    noun = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        changing = kwargs.get("update_fields")
        allowed = self.WITHDRAWAL_FIELDS | self.RESPONSE_FIELDS | self.LATER_FIELDS
        if self.pk is not None and (changing is None or not set(changing) <= allowed):
            raise PermissionError("The remedies log is never changed: withdraw the entry and record it again.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The remedies log is never deleted from: withdraw the entry with the reason instead.")

    @property
    def council(self) -> Council:
        return self.agreement.council

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def has_response(self) -> bool:
        return self.responded_at is not None


class Deduction(RemedyItem):
    """Money kept back from one scheduled payment, for a shortfall in performance."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="deductions")
    payment = models.ForeignKey(ScheduledPayment, on_delete=models.PROTECT, related_name="deductions")
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    # What was missed, when it was a KPI or a monitoring return.
    kpi = models.ForeignKey(AgreementKpi, null=True, blank=True, on_delete=models.PROTECT, related_name="deductions")
    monitoring_return = models.ForeignKey(
        MonitoringReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="deductions"
    )

    slug = "deductions"
    noun = "deduction"

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            # The sum per payment is the service's to check, under the payment's row lock.
            models.CheckConstraint(condition=Q(amount__gt=0), name="deduction_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Deduction of £{self.amount:,.2f} from {self.payment}"


class DefaultNotice(RemedyItem):
    """Formal notice to the provider that it is in breach, and what it must do by when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="default_notices")
    issued_on = models.DateField()
    breach = models.TextField(help_text="What the provider failed to do, under which term.")
    required_action = models.TextField(help_text="What must be done to put it right.")
    remedy_by = models.DateField()

    slug = "default-notices"
    noun = "default notice"

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(remedy_by__gte=F("issued_on")), name="default_notice_remedy_after_issue")
        ]

    def __str__(self) -> str:
        return f"Default notice issued {self.issued_on:%d/%m/%Y}"


class PlanOutcome(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class RemedyPlan(RemedyItem):
    """What the provider has agreed to do to recover, by when, and (once it is due) whether it did."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="remedy_plans")
    default_notice = models.ForeignKey(
        DefaultNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="remedy_plans"
    )
    actions = models.TextField(help_text="What the provider will do.")
    due_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=PlanOutcome.choices, blank=True)
    close_note = models.TextField(blank=True)

    LATER_FIELDS = frozenset({"closed_on", "closed_by", "outcome", "close_note"})
    slug = "remedy-plans"
    noun = "remedy plan"

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # Closed with an outcome, on a day, by someone; or still open with none of them.
            models.CheckConstraint(
                condition=(Q(closed_on__isnull=True) & Q(closed_by__isnull=True) & Q(outcome=""))
                | (Q(closed_on__isnull=False) & Q(closed_by__isnull=False) & Q(outcome__in=PlanOutcome.values)),
                name="remedy_plan_closed_whole",
            )
        ]

    def __str__(self) -> str:
        return f"Remedy plan due {self.due_on:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


# The log's three kinds of entry, by the slug their pages' URLs use.
REMEDY_KINDS = {model.slug: model for model in (Deduction, DefaultNotice, RemedyPlan)}


def deducted_from(payment: ScheduledPayment) -> Decimal:
    """What the payment's standing deductions add up to (annotated by `payments_with_net`, or counted)."""
    found = getattr(payment, "deducted", None)
    if found is None:
        found = Deduction.objects.filter(payment=payment, withdrawn_at__isnull=True).aggregate(
            total=Coalesce(Sum("amount"), Value(ZERO))
        )["total"]
    return found


def net_amount(payment: ScheduledPayment) -> Decimal:
    """The payment less its standing deductions: what is due to the provider."""
    return payment.amount - deducted_from(payment)


def payments_with_net(queryset: models.QuerySet[ScheduledPayment]) -> models.QuerySet[ScheduledPayment]:
    """Scheduled payments with `deducted` and `net` annotated, in the same query (withdrawn deductions
    do not count)."""
    money = DecimalField(**MONEY)
    standing = (
        Deduction.objects.filter(payment=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        deducted=Coalesce(Subquery(standing, output_field=money), Value(ZERO), output_field=money)
    ).annotate(net=ExpressionWrapper(F("amount") - F("deducted"), output_field=money))
