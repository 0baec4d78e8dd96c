"""The demo's invoices: recorded by the finance officers through the services, most paid within 30 days
and some later, and Kirkby Moor's light-touch contract gives its council notices something to say."""

from __future__ import annotations

import pytest

from demo.invoices import CONTRACT_TITLE, seed_invoices
from monitoring.models import PAYMENT_TERM_DAYS, Agreement, Invoice, Notice, NoticeType
from monitoring.notices import ocds
from monitoring.notices.council_selectors import is_public_contract

pytestmark = pytest.mark.django_db


def test_demo_invoices_are_mostly_paid_on_time_and_fill_the_council_notices(demo_data):
    paid = [invoice for invoice in Invoice.objects.all() if invoice.is_paid]
    late = [invoice for invoice in paid if invoice.days_to_pay > PAYMENT_TERM_DAYS]
    assert late
    assert len(late) < len(paid) / 3
    assert Invoice.objects.filter(paid_on__isnull=True).exists()

    contract = Agreement.objects.get(commission__title=CONTRACT_TITLE)
    assert is_public_contract(contract)
    assert contract.invoices.exists()
    notices = Notice.objects.filter(council=contract.council, commission__isnull=True)
    assert {NoticeType.UK17, NoticeType.PAYMENTS} <= set(notices.values_list("notice_type", flat=True))
    assert all(ocds.release_errors(notice.data) == [] for notice in notices)
    assert seed_invoices() == 0
