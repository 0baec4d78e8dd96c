"""Issue 21, "done when" 1: an officer records a deduction for a missed KPI against a scheduled payment;
the payment schedule shows the reduced amount and the open data (OCDS transactions) publishes it; the
provider sees the deduction on its own agreement's page and responds. Every page passes axe-core."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from councils.formatting import money
from councils.models import Notification, ReminderKind, Role
from councils.tests.factories import PASSWORD
from monitoring.tests.returns_factories import recent_live_agreement
from providers.models import Organisation
from tests.browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_deduction_for_a_missed_kpi_reaches_the_schedule_the_open_data_and_the_provider(page, council, people):
    provider_user, officer = people["provider_admin"], people[Role.COMMISSIONING_OFFICER]
    agreement = recent_live_agreement(
        council, provider=Organisation.objects.get(members__user=provider_user), title="Lunch clubs for older people"
    )
    payment, kpi = agreement.payments.order_by("due_on", "id").first(), agreement.kpis.first()
    net = payment.amount - Decimal("1250")

    sign_in(page, officer.email, PASSWORD)
    page.goto(agreement.get_absolute_url())
    page.get_by_role("link", name="Remedies log").click()
    page.get_by_role("heading", name="Remedies log", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Record a deduction").click()
    page.get_by_label("From which scheduled payment").select_option(str(payment.pk))
    page.get_by_label("Amount deducted").fill(f"£{payment.amount + 1}")  # more than the payment: refused
    page.get_by_label("Why it is deducted").fill("Sessions delivered were a fifth below the quarter's target.")
    page.get_by_label("The KPI that was missed (optional)").select_option(str(kpi.pk))
    page.get_by_role("button", name="Record the deduction").click()
    page.locator(".govuk-error-summary").get_by_text("more than what remains of the payment").wait_for()
    assert_accessible(page)
    page.get_by_label("Amount deducted").fill("£1,250")
    page.get_by_role("button", name="Record the deduction").click()
    page.get_by_text("Deduction of £1,250 recorded").wait_for()

    # The payment schedule shows the payment net of the deduction.
    page.goto(agreement.get_absolute_url())
    expect(page.locator(f'[data-net="{payment.pk}"]')).to_have_text(money(net))
    assert_accessible(page)

    # So does the open data: the payment's OCDS transaction carries the net amount.
    ocds = page.request.get(
        reverse(
            "open_data:ocds_commission", kwargs={"council_slug": council.slug, "key": agreement.commission.reference}
        )
    )
    transactions = [
        transaction
        for release in ocds.json()["releases"]
        for contract in release.get("contracts", [])
        for transaction in contract.get("implementation", {}).get("transactions", [])
    ]
    published = {t["id"]: Decimal(str(t["value"]["amount"])) for t in transactions}
    assert published[f"payment-{payment.pk}"] == net
    end_session(page)

    # The provider sees the deduction on its agreement and responds; the contract manager is told.
    sign_in(page, provider_user.email, PASSWORD)
    page.goto(reverse("monitoring:provider_agreement", kwargs={"pk": agreement.pk}))
    remedies = page.locator("#remedies").locator("xpath=..")
    expect(remedies).to_contain_text("Sessions delivered were a fifth below")
    expect(remedies).to_contain_text(f"KPI missed: {kpi.description}")
    assert_accessible(page)
    remedies.get_by_role("link", name="Respond").click()
    page.get_by_label("Your response").fill("Two session leaders were off sick; cover is now in place.")
    assert_accessible(page)
    page.get_by_role("button", name="Send your response").click()
    page.get_by_text("Your response was sent").wait_for()
    expect(page.locator("#remedies").locator("xpath=..")).to_contain_text("cover is now in place")
    assert Notification.objects.filter(kind=ReminderKind.REMEDY_RESPONDED).exists()
