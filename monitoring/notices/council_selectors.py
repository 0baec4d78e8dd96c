"""Reads behind the council's own periodic notices, for the notices and for the pages that show them:
the payments compliance figures of a reporting period (UK17, s.69), the payments over £30,000 of a
quarter (s.70) and the procurements a pipeline notice lists (UK1, s.93).

Only public contracts count: contracts procured under the Procurement Act 2023 above its thresholds,
light-touch services included (s.3), as the commission's confirmed regime records them. Grants,
below-threshold contracts, the Provider Selection Regime and work kept in-house are not public
contracts, and neither are contracts whose procurement started before the Act applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from commissioning.models import PUBLIC_CONTRACT_REGIMES, Commission, DeliveryRoute, State
from councils.formatting import money
from councils.models import Council
from monitoring.models import PAYMENT_TERM_DAYS, Agreement, Invoice, add_months
from monitoring.open_data.common import Period

# The Act applies to procurements started on or after this day (earlier ones stay under PCR 2015).
ACT_APPLIES_FROM = date(2025, 2, 24)
# s.70 covers payments under public contracts whose procurement started once it was in force.
PAYMENTS_OVER_30000_FROM = date(2026, 4, 1)
SIGNIFICANT_PAYMENT = Decimal("30000")
# s.93: the pipeline lists contracts of more than £2 million expected to be advertised (or directly
# awarded) in the 18 months from the start of the financial year.
PIPELINE_VALUE_OVER = Decimal("2000000")
PIPELINE_MONTHS = 18
# Commissioner keeps when the service starts, not when it will be advertised: the tender or
# transparency notice is taken to go out this long before (tendering, evaluation, award, standstill,
# mobilisation). The officer corrects the notice on Find a Tender where a procurement differs.
NOTICE_LEAD_MONTHS = 6
PIPELINE_STATES = (State.PLANNING, State.AWAITING_APPROVAL)

TENTH = Decimal("0.1")


def public_contract_invoices(council: Council, procured_from: date = ACT_APPLIES_FROM) -> QuerySet[Invoice]:
    """The council's invoices under public contracts whose procurement started on or after
    `procured_from`, wrong entries left out."""
    return Invoice.objects.filter(
        agreement__council=council,
        withdrawn_at__isnull=True,
        agreement__commission__procurement_regime__regime__in=PUBLIC_CONTRACT_REGIMES,
        agreement__commission__procurement_regime__threshold_on__gte=procured_from,
    )


def is_public_contract(agreement: Agreement) -> bool:
    """Whether the agreement's invoices count in the payments compliance notice."""
    return Agreement.objects.filter(
        pk=agreement.pk,
        commission__procurement_regime__regime__in=PUBLIC_CONTRACT_REGIMES,
        commission__procurement_regime__threshold_on__gte=ACT_APPLIES_FROM,
    ).exists()


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / whole).quantize(TENTH, rounding=ROUND_HALF_UP) if whole else Decimal("0.0")


@dataclass(frozen=True)
class PaymentsComplianceFigures:
    """What reg 38(2)(c)–(d) asks of a reporting period, with the counts behind each percentage."""

    period: Period
    payments: int
    within_30_days: int
    within_31_to_60_days: int
    after_60_days: int
    total_days: int
    amount_paid: Decimal
    # Sums that fell due in the period (the last day of their 30-day term was in it) ...
    fell_due: int
    # ... and of those, the ones still unpaid when the period ended.
    fell_due_unpaid: int

    @property
    def average_days(self) -> Decimal | None:
        if not self.payments:
            return None
        return (Decimal(self.total_days) / self.payments).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def within_30_days_percent(self) -> Decimal:
        return _percent(self.within_30_days, self.payments)

    @property
    def within_31_to_60_days_percent(self) -> Decimal:
        return _percent(self.within_31_to_60_days, self.payments)

    @property
    def after_60_days_percent(self) -> Decimal:
        return _percent(self.after_60_days, self.payments)

    @property
    def fell_due_unpaid_percent(self) -> Decimal:
        return _percent(self.fell_due_unpaid, self.fell_due)

    @property
    def has_activity(self) -> bool:
        """s.69(1): a notice is due when a payment was made, or a sum became payable, in the period."""
        return bool(self.payments or self.fell_due)

    def rows(self) -> list[tuple[str, str]]:
        """The figures as a page lists them: (what, value)."""
        average = "No payments" if self.average_days is None else f"{self.average_days} days"
        return [
            ("Payments made under public contracts", f"{self.payments} ({money(self.amount_paid)})"),
            ("Average days to pay", average),
            ("Paid within 30 days", f"{self.within_30_days_percent}% ({self.within_30_days})"),
            ("Paid in 31 to 60 days", f"{self.within_31_to_60_days_percent}% ({self.within_31_to_60_days})"),
            ("Paid in 61 days or more", f"{self.after_60_days_percent}% ({self.after_60_days})"),
            (
                "Fell due in the period but not paid in it",
                f"{self.fell_due_unpaid_percent}% ({self.fell_due_unpaid} of {self.fell_due})",
            ),
        ]

    def as_text(self) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.rows()) + "."


def payments_compliance_figures(council: Council, period: Period) -> PaymentsComplianceFigures:
    """Reg 38(2)(c)–(d) for one reporting period: the payments made in it under public contracts, by how
    many days after the invoice day each was made (day 1 is the day after; paid on day 30 is within
    30 days), and the sums that fell due in it but were not paid by its end."""
    invoices = public_contract_invoices(council)
    paid = list(
        invoices.filter(paid_on__gte=period.starts_on, paid_on__lte=period.ends_on).values_list(
            "received_on", "paid_on", "paid_amount"
        )
    )
    days = [(paid_on - received_on).days for received_on, paid_on, _amount in paid]
    term = timedelta(days=PAYMENT_TERM_DAYS)
    fell_due = invoices.filter(
        received_on__gte=period.starts_on - term, received_on__lte=period.ends_on - term
    ).values_list("paid_on", flat=True)
    fell_due = list(fell_due)
    return PaymentsComplianceFigures(
        period=period,
        payments=len(days),
        within_30_days=sum(1 for d in days if d <= PAYMENT_TERM_DAYS),
        within_31_to_60_days=sum(1 for d in days if PAYMENT_TERM_DAYS < d <= 2 * PAYMENT_TERM_DAYS),
        after_60_days=sum(1 for d in days if d > 2 * PAYMENT_TERM_DAYS),
        total_days=sum(days),
        amount_paid=sum((amount for _r, _p, amount in paid), Decimal("0")),
        fell_due=len(fell_due),
        fell_due_unpaid=sum(1 for paid_on in fell_due if paid_on is None or paid_on > period.ends_on),
    )


def payments_over_30000(council: Council, period: Period) -> list[Invoice]:
    """Each payment of more than £30,000 made in the period under a public contract procured once s.70
    applied, oldest first, with its contract and supplier."""
    return list(
        public_contract_invoices(council, procured_from=PAYMENTS_OVER_30000_FROM)
        .filter(paid_on__gte=period.starts_on, paid_on__lte=period.ends_on, paid_amount__gt=SIGNIFICANT_PAYMENT)
        .select_related("agreement__commission", "agreement__provider")
        .order_by("paid_on", "id")
    )


@dataclass(frozen=True)
class PipelineEntry:
    commission: Commission
    # When the tender or transparency notice is expected (see NOTICE_LEAD_MONTHS).
    notice_expected_on: date

    @property
    def estimated_value(self) -> Decimal:
        return self.commission.budget


def pipeline_window(year_start: date) -> Period:
    return Period(year_start, add_months(year_start, PIPELINE_MONTHS) - timedelta(days=1))


def pipeline_procurements(council: Council, year_start: date) -> list[PipelineEntry]:
    """The contracts over £2 million the council expects to advertise, or award directly, in the 18
    months from `year_start`: its commissions still being planned or awaiting approval, to be
    procured as contracts (not grants, in-house or partnership work, nor under the Provider Selection
    Regime), with a budget and a start date."""
    window = pipeline_window(year_start)
    commissions = (
        Commission.objects.filter(
            council=council,
            state__in=PIPELINE_STATES,
            delivery_route=DeliveryRoute.CONTRACT,
            budget__gt=PIPELINE_VALUE_OVER,
            starts_on__isnull=False,
        )
        .filter(Q(procurement_regime__isnull=True) | Q(procurement_regime__regime__in=PUBLIC_CONTRACT_REGIMES))
        .order_by("starts_on", "reference")
    )
    entries = []
    for commission in commissions:
        expected = max(add_months(commission.starts_on, -NOTICE_LEAD_MONTHS), year_start)
        if expected <= window.ends_on:
            entries.append(PipelineEntry(commission=commission, notice_expected_on=expected))
    return entries
