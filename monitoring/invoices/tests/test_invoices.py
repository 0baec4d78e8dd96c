"""Invoices under an agreement: recorded on receipt and paid once, validated, never changed (only
withdrawn with the reason), written by finance officers and commissioners, read by officers and by the
provider on its own agreement's page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from councils.models import AuditEvent, Role
from monitoring.invoices import services
from monitoring.models import Invoice
from monitoring.tests.factories import draft_agreement, live_agreement

from .factories import invoice

pytestmark = pytest.mark.django_db


def url(name, agreement, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"council_slug": agreement.council.slug, "pk": agreement.pk, **kwargs})


def test_an_invoice_is_recorded_paid_once_and_withdrawn_never_changed(council, people):
    agreement = live_agreement(council)  # signed on 20 March 2026
    finance, officer = people[Role.FINANCE_OFFICER], people[Role.COMMISSIONING_OFFICER]
    entry = services.invoice_record(
        by=officer,
        agreement=agreement,
        supplier_reference=" INV-001 ",
        received_on=date(2026, 5, 1),
        amount=Decimal("5000"),
        scheduled_payment=agreement.payments.first(),
    )
    assert (entry.supplier_reference, entry.is_paid, entry.payable_by) == ("INV-001", False, date(2026, 5, 31))
    paid = services.invoice_pay(by=finance, invoice=entry, paid_on=date(2026, 5, 31))
    assert (paid.paid_amount, paid.days_to_pay, paid.payment_recorded_by) == (Decimal("5000"), 30, finance)
    with pytest.raises(ValidationError, match="recorded already"):
        services.invoice_pay(by=finance, invoice=entry, paid_on=date(2026, 6, 1))
    with pytest.raises(PermissionError):
        Invoice.objects.get(pk=entry.pk).save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(ValidationError) as refused:
        services.invoice_withdraw(by=finance, invoice=entry, reason=" ")
    assert "reason" in refused.value.message_dict
    services.invoice_withdraw(by=finance, invoice=entry, reason="Entered against the wrong agreement")
    # Withdrawn, the same invoice number may be entered again.
    invoice(agreement, "INV-001", date(2026, 5, 1), "5000")
    events = AuditEvent.objects.filter(event_type__startswith="invoice.").values_list("event_type", flat=True)
    assert sorted(events) == ["invoice.paid", "invoice.recorded", "invoice.recorded", "invoice.withdrawn"]


def test_what_an_invoice_may_not_say(council, people):
    agreement = live_agreement(council)
    finance = people[Role.FINANCE_OFFICER]
    tomorrow = timezone.localdate() + timedelta(days=1)

    def refused(**values):
        terms = {"supplier_reference": "INV-9", "received_on": date(2026, 5, 1), "amount": Decimal("100"), **values}
        with pytest.raises(ValidationError) as error:
            services.invoice_record(by=finance, agreement=agreement, **terms)
        return error.value.message_dict

    assert "received_on" in refused(received_on=tomorrow)
    assert "received_on" in refused(received_on=date(2026, 3, 19))  # before the agreement was signed
    assert "paid_on" in refused(paid_on=date(2026, 4, 30))  # before it was received
    assert "paid_on" in refused(paid_on=tomorrow)
    assert "paid_amount" in refused(paid_on=date(2026, 5, 2), paid_amount=Decimal("101"))
    assert "amount" in refused(amount=Decimal("0"))
    assert "supplier_reference" in refused(supplier_reference="  ")
    invoice(agreement, "INV-9", date(2026, 5, 1), "100")
    assert "supplier_reference" in refused()  # entered already
    with pytest.raises(ValidationError, match="once it has been signed"):
        services.invoice_record(
            by=finance,
            agreement=draft_agreement(council),
            supplier_reference="INV-1",
            received_on=date(2026, 5, 1),
            amount=Decimal("100"),
        )
    for role in (Role.SCRUTINY_MEMBER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER):
        with pytest.raises(PermissionDenied):
            services.invoice_record(
                by=people[role],
                agreement=agreement,
                supplier_reference="INV-2",
                received_on=date(2026, 5, 1),
                amount=Decimal("100"),
            )
    assert Invoice.objects.count() == 1


def test_officers_read_the_invoices_page_and_finance_records_through_it(client_for, council, people):
    agreement = live_agreement(council)
    invoice(agreement, "INV-OLD", date(2026, 4, 1), "2500")  # unpaid, past its 30 days
    page = url("invoices", agreement)
    expected = {
        Role.FINANCE_OFFICER: 200,
        Role.PROCUREMENT_OFFICER: 200,
        Role.SCRUTINY_MEMBER: 403,
        Role.COUNCIL_ADMIN: 403,
        Role.PORTFOLIO_HOLDER: 404,
        "other_council_officer": 404,
        "provider_admin": 404,
    }
    assert {who: client_for(people[who]).get(page).status_code for who in expected} == expected

    client = client_for(people[Role.FINANCE_OFFICER])
    body = client.get(page).content.decode()
    assert "INV-OLD" in body
    assert "Overdue" in body
    assert "not a public contract" in body
    record = url("invoice_record", agreement)
    response = client.post(record, {"supplier_reference": "INV-7", "received_on": "01/06/2026", "amount": "£1,200"})
    assert response.status_code == 302
    new = Invoice.objects.get(supplier_reference="INV-7")
    response = client.post(
        url("invoice_pay", agreement, invoice_pk=new.pk), {"paid_on": "31/05/2026", "paid_amount": ""}
    )
    assert "cannot be before the invoice was received" in response.content.decode()
    response = client.post(url("invoice_pay", agreement, invoice_pk=new.pk), {"paid_on": "15/06/2026"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.paid_on, new.paid_amount) == (date(2026, 6, 15), Decimal("1200"))
    # Paid already: the payment page sends the officer back.
    assert client.get(url("invoice_pay", agreement, invoice_pk=new.pk)).status_code == 302

    # A draft has no invoices yet; another agreement's invoice is not found under this one.
    draft = draft_agreement(council)
    assert client.get(url("invoice_record", draft)).status_code == 302
    assert client.get(url("invoice_pay", draft, invoice_pk=new.pk)).status_code == 404

    client = client_for(people[Role.PROCUREMENT_OFFICER])
    assert client.get(record).status_code == 403
    assert client.post(url("invoice_withdraw", agreement, invoice_pk=new.pk), {"reason": "x"}).status_code == 403
    assert Invoice.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_the_provider_sees_its_own_agreements_invoices(client_for, council, people):
    provider = people["provider_admin"].organisation_memberships.get().organisation
    agreement = live_agreement(council, provider=provider)
    invoice(agreement, "INV-42", date(2026, 5, 1), "5000", paid_on=date(2026, 5, 20))
    page = reverse("monitoring:provider_agreement", kwargs={"pk": agreement.pk})
    body = client_for(people["provider_admin"]).get(page).content.decode()
    assert "INV-42" in body
    assert "19 days" in body
    assert client_for(people["other_provider_admin"]).get(page).status_code == 404
