"""Demo invoices and their payment, recorded through the real services by each council's finance officer,
and the council notices they call for.

Every live demo agreement gets an invoice for each scheduled payment already due, received a few days
before it fell due; most are paid within 30 days, a few later, and the latest may still be waiting. The
demo's live agreements are grants and partnerships: their invoices show on the agreements' pages but
count in no Procurement Act notice. So that the payments compliance notice (UK17) and the payments over
£30,000 (s.70) have something to say, Kirkby Moor also procures a home support contract under the Act's
light-touch regime: eight months ago, with the clock moved back (`time_machine`, demo only) through the
real procurement, and invoiced monthly since delivery started. Safe to run again.
"""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone

from commissioning.cycle import regime, services
from commissioning.models import Commission, DeliveryRoute, FundingPot, FundingSource, Portfolio, State
from councils.models import Council, Role
from demo import procurement
from demo.agreements import seed_returns
from demo.commissions import advance, person
from demo.fit import outcome_for
from monitoring.invoices import services as invoice_services
from monitoring.models import Agreement, AgreementState, Invoice, add_months
from monitoring.notices import services as notice_services

# Days from receipt to payment, in turn: most within 30 days, some in the second band, one after 60.
DAYS_TO_PAY = (14, 21, 9, 28, 35, 18, 26, 12, 44, 23, 30, 16, 67, 20)
RECEIVED_BEFORE_DUE = 4

CONTRACT_COUNCIL = "kirkby-moor"
CONTRACT_TITLE = "Home support for older people"
CONTRACT_CPV = "85312400"  # welfare services not delivered through residential institutions: light touch
CONTRACT_BUDGET = Decimal("1800000")
# Recent enough that s.70 applies (procurements started from 1 April 2026), long enough to have been paid.
PROCURED_MONTHS_AGO = 8


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _care_pot(council: Council, first_day: datetime.date) -> FundingPot:
    pot, _ = FundingPot.objects.get_or_create(
        council=council,
        name="Adult social care budget",
        defaults={
            "source": FundingSource.COUNCIL_BUDGET,
            "amount": Decimal("6000000"),
            "starts_on": first_day,
            "ends_on": add_months(first_day, 60) - timedelta(days=1),
        },
    )
    return pot


def _procure_home_support(council: Council) -> Agreement | None:
    """The light-touch contract, procured with the clock set back so it has been delivered for months."""
    officer = person(council, Role.COMMISSIONING_OFFICER)
    started = add_months(timezone.localdate(), -PROCURED_MONTHS_AGO)
    outcome = outcome_for(council, CONTRACT_TITLE)
    if officer is None or outcome is None:
        return None
    with time_machine.travel(_at(started), tick=False):
        commission = services.commission_create(
            by=officer,
            council=council,
            title=CONTRACT_TITLE,
            summary="Care and support at home for older people, so that they can keep living independently.",
            lead_officer=officer,
            portfolio=outcome.portfolio,
            outcomes=[outcome],
        )
        services.commission_set_cpv_code(by=officer, commission=commission, code=CONTRACT_CPV)
        commission = advance(
            commission,
            State.SOURCING,
            route=DeliveryRoute.CONTRACT,
            budget=CONTRACT_BUDGET,
            pot=_care_pot(council, started),
            council_outcome=outcome,
            portfolio=outcome.portfolio or Portfolio.objects.filter(council=council).first(),
        )
        commission = Commission.objects.get(pk=commission.pk)
        proposal = regime.propose_regime(commission)
        regime.regime_confirm(by=officer, commission=commission, regime=proposal.regime)
        procurement.award_approved(commission, timed=True)
    award = commission.awards.get(cycle=commission.cycle)
    # A key decision: the agreements are made once it has effect (the standstill is waited out there).
    with time_machine.travel(_at(award.effective_from() or started), tick=False):
        procurement.agreements_live(commission)
    return Agreement.objects.filter(commission=commission).first()


def _pay_on(received_on: datetime.date, turn: int) -> datetime.date | None:
    """When the `turn`th invoice was paid (None while its payment run is still to come)."""
    paid_on = received_on + timedelta(days=DAYS_TO_PAY[turn % len(DAYS_TO_PAY)])
    return paid_on if paid_on <= timezone.localdate() else None


def _invoice_schedule(agreement: Agreement) -> list[tuple[str, datetime.date, Decimal, object]]:
    """(number, received on, amount, scheduled payment) for the invoices received by today."""
    today = timezone.localdate()
    prefix = agreement.reference.rsplit("-", 1)[-1]
    found = []
    if agreement.commission.title == CONTRACT_TITLE:
        # Invoiced monthly in arrears: a month's care, a few days after each month of delivery.
        monthly = (agreement.value / 36).quantize(Decimal("1"))
        month = 1
        while (received := add_months(agreement.starts_on, month) + timedelta(days=RECEIVED_BEFORE_DUE)) <= today:
            found.append((f"HS-{received:%Y%m}", received, monthly, None))
            month += 1
        return found
    for number, payment in enumerate(agreement.payments.filter(amount__gt=0).order_by("due_on", "id"), start=1):
        received = max(payment.due_on - timedelta(days=RECEIVED_BEFORE_DUE), agreement.signed_on or payment.due_on)
        if received <= today:
            found.append((f"{prefix}-{number:03d}", received, payment.amount, payment))
    return found


def _invoice(agreement: Agreement) -> int:
    finance = person(agreement.council, Role.FINANCE_OFFICER)
    if finance is None or Invoice.objects.filter(agreement=agreement).exists():
        return 0
    schedule = _invoice_schedule(agreement)
    for turn, (number, received, amount, payment) in enumerate(schedule):
        # The latest invoice is often still waiting for its payment run.
        paid_on = None if turn == len(schedule) - 1 and turn % 2 == 0 else _pay_on(received, turn + agreement.pk)
        invoice_services.invoice_record(
            by=finance,
            agreement=agreement,
            supplier_reference=number,
            received_on=received,
            amount=amount,
            scheduled_payment=payment,
            paid_on=paid_on,
        )
    return len(schedule)


@transaction.atomic
def seed_invoices() -> int:
    council = Council.objects.filter(slug=CONTRACT_COUNCIL).first()
    if council is not None and not Commission.objects.filter(council=council, title=CONTRACT_TITLE).exists():
        _procure_home_support(council)
        # Live now, as the agreements `seed_agreements` made are: its ended returns filed and reviewed
        # like theirs (otherwise only a second run of the demo would file them).
        seed_returns()
    recorded = 0
    invoiced = {}
    agreements = Agreement.objects.filter(state=AgreementState.LIVE).select_related("council", "commission")
    for agreement in agreements:
        count = _invoice(agreement)
        if count:
            invoiced[agreement.council_id] = agreement.council
        recorded += count
    # The notices the new invoices call for (the nightly refresh would make them by tomorrow).
    for council in invoiced.values():
        notice_services.council_notices_refresh(council)
    return recorded
