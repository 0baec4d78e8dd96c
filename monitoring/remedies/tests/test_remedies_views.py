"""The remedies log's pages: the agreement's editors record, the payment schedule shows the net amount,
the provider sees its own entries and responds; everyone else is refused (403), or never learns the
entry exists (404). And the open data publishes the payment net of its deductions."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.models import Notification, ReminderKind, Role
from monitoring.models import Deduction, RemedyPlan
from monitoring.open_data.tests.test_open_data_factories import TODAY, agreements_of, at, contract_live
from monitoring.tests.factories import draft_agreement

from .factories import deduct, providers_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(council, people):
    return providers_agreement(council, people["provider_admin"])


def url(name, agreement, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"council_slug": agreement.council.slug, "pk": agreement.pk, **kwargs})


def respond_url(entry):
    return reverse(
        "monitoring:provider_remedy_respond", kwargs={"pk": entry.agreement_id, "kind": entry.slug, "item_pk": entry.pk}
    )


def test_an_officer_records_a_deduction_and_the_schedule_shows_the_net_amount(client_for, agreement, people):
    payment, kpi = agreement.payments.order_by("due_on", "id").first(), agreement.kpis.first()
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    assert "Remedies log" in officer.get(agreement.get_absolute_url()).content.decode()
    form = officer.get(url("remedy_record", agreement, kind="deductions"))
    assert form.status_code == 200
    assert "The KPI that was missed" in form.content.decode()
    response = officer.post(
        url("remedy_record", agreement, kind="deductions"),
        {"payment": payment.pk, "amount": "£1,500", "reason": "Sessions below target", "kpi": kpi.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == url("remedies", agreement)
    assert Deduction.objects.get().kpi == kpi
    page = officer.get(agreement.get_absolute_url()).content.decode()
    net = f"£{payment.amount - 1500:,.0f}"
    assert "Net amount" in page
    assert net in page
    log = officer.get(url("remedies", agreement)).content.decode()
    assert "Sessions below target" in log
    assert "KPI missed: " + kpi.description in log


def test_a_deduction_larger_than_the_payment_shows_why_and_records_nothing(client_for, agreement, people):
    payment = agreement.payments.order_by("due_on", "id").first()
    officer = client_for(people[Role.LEAD_COMMISSIONER])
    response = officer.post(
        url("remedy_record", agreement, kind="deductions"),
        {"payment": payment.pk, "amount": str(payment.amount + 1), "reason": "Late"},
    )
    assert response.status_code == 200
    assert "more than what remains of the payment" in response.content.decode()
    assert not Deduction.objects.exists()


def test_a_remedy_plan_due_in_the_past_shows_why_then_one_due_today_is_closed_out(client_for, agreement, people):
    officer, today = client_for(people[Role.COMMISSIONING_OFFICER]), timezone.localdate()
    record = url("remedy_record", agreement, kind="remedy-plans")
    past = officer.post(record, {"actions": "Recruit", "due_on": (today - timedelta(days=1)).strftime("%d/%m/%Y")})
    assert "cannot be due in the past" in past.content.decode()
    assert not RemedyPlan.objects.exists()
    assert officer.post(record, {"actions": "Recruit", "due_on": today.strftime("%d/%m/%Y")}).status_code == 302
    plan = RemedyPlan.objects.get()
    close = url("remedy_plan_close", agreement, item_pk=plan.pk)
    assert officer.post(close, {"outcome": "met", "closed_on": today.strftime("%d/%m/%Y")}).status_code == 302
    plan.refresh_from_db()
    assert plan.outcome == "met"
    again = officer.get(close)
    assert again.status_code == 302  # closed already: back to the log, saying so


def test_withdrawing_an_entry_keeps_it_with_the_reason(client_for, agreement, people):
    deduction = deduct(agreement, "200")
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    withdraw = url("remedy_withdraw", agreement, kind="deductions", item_pk=deduction.pk)
    assert officer.post(withdraw, {"reason": "Wrong payment"}).status_code == 302
    log = officer.get(url("remedies", agreement)).content.decode()
    assert "Withdrawn entries (1)" in log
    assert "Wrong payment" in log
    assert officer.get(withdraw).status_code == 302


def test_who_may_read_and_record(client_for, council, agreement, people):
    deduction = deduct(agreement, "200")
    record = url("remedy_record", agreement, kind="deductions")
    withdraw = url("remedy_withdraw", agreement, kind="deductions", item_pk=deduction.pk)
    for role in (Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN):
        visitor = client_for(people[role])
        assert visitor.get(url("remedies", agreement)).status_code == 200
        assert visitor.get(record).status_code == 403
        assert visitor.post(withdraw, {"reason": "x"}).status_code == 403
    for outsider in ("other_council_officer", "provider_admin", "no_role"):
        assert client_for(people[outsider]).get(url("remedies", agreement)).status_code == 404
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    other = deduct(providers_agreement(council, people["other_provider_admin"]), "5")
    assert officer.get(url("remedy_withdraw", agreement, kind="deductions", item_pk=other.pk)).status_code == 404
    assert officer.get(url("remedy_record", agreement, kind="apologies")).status_code == 404
    # A draft has no remedies log to record in yet.
    draft = draft_agreement(council)
    assert officer.get(url("remedy_record", draft, kind="deductions")).status_code == 302
    assert not deduction.__class__.objects.filter(withdrawn_at__isnull=False).exists()


def test_the_provider_sees_its_deduction_and_responds_once(client_for, agreement, people):
    deduction = deduct(agreement, "750", reason="Two sessions cancelled")
    provider = client_for(people["provider_admin"])
    page = provider.get(reverse("monitoring:provider_agreement", kwargs={"pk": agreement.pk})).content.decode()
    assert "Two sessions cancelled" in page
    assert "£750" in page
    assert respond_url(deduction) in page
    assert client_for(people["other_provider_admin"]).get(respond_url(deduction)).status_code == 404
    assert client_for(people[Role.COMMISSIONING_OFFICER]).get(respond_url(deduction)).status_code == 404
    provider = client_for(people["provider_admin"])  # one test client: sign the provider in again
    empty = provider.post(respond_url(deduction), {"response": " "})
    assert empty.status_code == 200
    assert not Notification.objects.filter(kind=ReminderKind.REMEDY_RESPONDED).exists()
    assert provider.post(respond_url(deduction), {"response": "Staff were ill"}).status_code == 302
    deduction.refresh_from_db()
    assert deduction.response == "Staff were ill"
    assert Notification.objects.filter(kind=ReminderKind.REMEDY_RESPONDED).count() == 1
    assert provider.get(respond_url(deduction)).status_code == 302  # answered: nothing more to say here


def test_the_open_data_publishes_the_payment_net_of_its_deduction(client, council):
    world = contract_live(council)
    (agreement,) = agreements_of(world)
    first = agreement.payments.order_by("due_on", "id").first()
    with at(TODAY):
        deduct(agreement, "1000.25", payment=first, reason="Missed the attendance KPI")
        response = client.get(reverse("open_data:ocds", kwargs={"council_slug": council.slug}))
    package = json.loads(response.content)
    transactions = [
        t
        for release in package["releases"]
        if release["tag"] == ["implementation"]
        for contract in release["contracts"]
        for t in contract["implementation"]["transactions"]
    ]
    published = {t["id"]: Decimal(str(t["value"]["amount"])) for t in transactions}
    assert published[f"payment-{first.pk}"] == first.amount - Decimal("1000.25")
    assert all(
        value == p.amount
        for p in agreement.payments.exclude(pk=first.pk)
        if (value := published.get(f"payment-{p.pk}"))
    )
