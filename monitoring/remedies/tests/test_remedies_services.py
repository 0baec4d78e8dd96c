"""The remedies log's services: deductions never take more than what remains of their payment, remedy
plans are never due in the past, nothing is changed or deleted (only withdrawn with the reason), every
write is audited and tells the other side."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councils.models import AuditEvent, Notification, ReminderKind, Role
from monitoring.invoices.tests.factories import invoice
from monitoring.models import Deduction, DefaultNotice, PlanOutcome, RemedyPlan, deducted_from, net_amount
from monitoring.remedies import services
from monitoring.remedies.selectors import remedies_log
from monitoring.tests.factories import draft_agreement

from .factories import deduct, providers_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(council, people):
    return providers_agreement(council, people["provider_admin"])


def first_payment(agreement):
    return agreement.payments.order_by("due_on", "id").first()


def test_a_deduction_for_a_missed_kpi_reduces_its_payment_and_tells_the_provider(agreement, people):
    payment, kpi = first_payment(agreement), agreement.kpis.first()
    deduction = deduct(agreement, "1250.50", payment=payment, reason="Sessions 20% below target", kpi=kpi)
    assert (deduction.kpi, deduction.payment, deduction.amount) == (kpi, payment, Decimal("1250.50"))
    assert net_amount(payment) == payment.amount - Decimal("1250.50")
    event = AuditEvent.objects.get(event_type="remedy.deduction_recorded")
    assert event.extra["net"] == str(payment.amount - Decimal("1250.50"))
    told = Notification.objects.get(kind=ReminderKind.REMEDY_RECORDED)
    assert told.user == people["provider_admin"]
    assert "£1,250.50" in told.title
    assert f"/provider/agreements/{agreement.pk}/" in told.url


def test_a_deduction_larger_than_what_remains_is_refused_and_changes_nothing(agreement):
    payment = first_payment(agreement)
    deduct(agreement, payment.amount - 100, payment=payment)
    with pytest.raises(ValidationError) as refused:
        deduct(agreement, "100.01", payment=payment)
    assert "more than what remains of the payment: £100" in str(refused.value.message_dict["amount"])
    assert Deduction.objects.filter(payment=payment).count() == 1
    assert AuditEvent.objects.filter(event_type="remedy.deduction_recorded").count() == 1
    deduct(agreement, "100", payment=payment)  # exactly what remains is allowed
    assert net_amount(payment) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own check is a PostgreSQL trigger")
def test_the_database_itself_refuses_deductions_beyond_the_payment(agreement, people):
    payment = first_payment(agreement)
    deduct(agreement, payment.amount - 1, payment=payment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deduction.objects.create(
            agreement=agreement, payment=payment, amount=2, reason="Past the service", recorded_by=people["no_role"]
        )
    assert Deduction.objects.filter(payment=payment).count() == 1


def test_a_withdrawn_deduction_gives_its_payment_back(agreement, people):
    payment = first_payment(agreement)
    deduction = deduct(agreement, payment.amount, payment=payment)
    services.remedy_withdraw(by=people[Role.LEAD_COMMISSIONER], entry=deduction, reason="Wrong quarter")
    assert net_amount(payment) == payment.amount
    deduct(agreement, "10", payment=payment)
    with pytest.raises(ValidationError):
        services.remedy_withdraw(by=people[Role.LEAD_COMMISSIONER], entry=deduction, reason="Again")
    log = remedies_log(agreement)
    assert [d.amount for d in log["deductions"]] == [Decimal("10")]
    assert log["withdrawn"] == [deduction]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"reason": "  "}, "reason"),
        ({"payment": None}, "payment"),
    ],
)
def test_a_deduction_needs_an_amount_a_reason_and_one_of_the_agreements_payments(agreement, people, change, field):
    kwargs = {"payment": first_payment(agreement), "amount": Decimal("10"), "reason": "Late"} | change
    with pytest.raises(ValidationError) as refused:
        services.deduction_record(by=people[Role.COMMISSIONING_OFFICER], agreement=agreement, **kwargs)
    assert field in refused.value.message_dict
    assert not Deduction.objects.exists()


def test_a_deduction_from_another_agreements_payment_or_kpi_is_refused(council, agreement, people):
    other = draft_agreement(council)
    with pytest.raises(ValidationError) as refused:
        deduct(agreement, "10", payment=first_payment(other))
    assert "payment" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        deduct(agreement, "10", kpi=other.kpis.first())
    assert "kpi" in refused.value.message_dict
    assert not Deduction.objects.exists()


def test_a_payment_already_paid_takes_no_deduction(agreement):
    payment = first_payment(agreement)
    today = timezone.localdate()
    invoice(agreement, "INV-9", today, str(payment.amount), paid_on=today, scheduled_payment=payment)
    with pytest.raises(ValidationError) as refused:
        deduct(agreement, "10", payment=payment)
    assert "paid already (invoice INV-9" in str(refused.value.message_dict["payment"])


def test_an_invoice_paid_without_an_amount_pays_the_payment_less_its_deductions(agreement):
    payment = first_payment(agreement)
    deduct(agreement, "500", payment=payment)
    today = timezone.localdate()
    paid = invoice(agreement, "INV-1", today, str(payment.amount), paid_on=today, scheduled_payment=payment)
    assert paid.paid_amount == payment.amount - 500


def test_nothing_is_recorded_before_signature_nor_by_anyone_but_the_agreements_editors(council, agreement, people):
    draft = draft_agreement(council)
    with pytest.raises(ValidationError, match="once it has been signed"):
        deduct(draft, "10")
    for role in (Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER):
        with pytest.raises(PermissionDenied):
            services.deduction_record(
                by=people[role], agreement=agreement, payment=first_payment(agreement), amount=Decimal(1), reason="x"
            )
    with pytest.raises(PermissionDenied):
        services.default_notice_issue(
            by=people["other_council_officer"],
            agreement=agreement,
            issued_on=timezone.localdate(),
            breach="x",
            required_action="y",
            remedy_by=timezone.localdate(),
        )
    assert not Deduction.objects.exists()
    assert not DefaultNotice.objects.exists()


def test_a_remedy_plan_due_in_the_past_is_refused_and_changes_nothing(agreement, people):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.remedy_plan_agree(
            by=people[Role.COMMISSIONING_OFFICER], agreement=agreement, actions="Recruit volunteers", due_on=yesterday
        )
    assert "cannot be due in the past" in str(refused.value.message_dict["due_on"])
    assert not RemedyPlan.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="remedy.").exists()


def test_a_default_notice_then_a_remedy_plan_closed_out_once(agreement, people):
    officer, today = people[Role.COMMISSIONING_OFFICER], timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.default_notice_issue(
            by=officer,
            agreement=agreement,
            issued_on=today,
            breach="x",
            required_action="y",
            remedy_by=today - timedelta(1),
        )
    assert "remedy_by" in refused.value.message_dict
    notice = services.default_notice_issue(
        by=officer,
        agreement=agreement,
        issued_on=today,
        breach="No safeguarding lead in post (clause 12)",
        required_action="Appoint a safeguarding lead",
        remedy_by=today + timedelta(days=28),
    )
    plan = services.remedy_plan_agree(
        by=officer, agreement=agreement, actions="Appoint and train a lead", due_on=today, default_notice=notice
    )
    closed = services.remedy_plan_close(by=officer, plan=plan, closed_on=today, outcome=PlanOutcome.MET, note="In post")
    assert (closed.is_closed, closed.closed_by, closed.outcome) == (True, officer, "met")
    with pytest.raises(ValidationError, match="closed already"):
        services.remedy_plan_close(by=officer, plan=plan, closed_on=today, outcome=PlanOutcome.NOT_MET)
    assert set(AuditEvent.objects.filter(event_type__startswith="remedy.").values_list("event_type", flat=True)) == {
        "remedy.default_notice_issued",
        "remedy.plan_agreed",
        "remedy.plan_closed",
    }
    assert Notification.objects.filter(kind=ReminderKind.REMEDY_RECORDED, user=people["provider_admin"]).count() == 3


def test_the_provider_responds_once_and_the_contract_manager_is_told(agreement, people):
    deduction = deduct(agreement, "10")
    with pytest.raises(PermissionDenied):
        services.remedy_respond(by=people["other_provider_admin"], entry=deduction, response="Not ours")
    with pytest.raises(PermissionDenied):
        services.remedy_respond(by=people[Role.COMMISSIONING_OFFICER], entry=deduction, response="Officer")
    answered = services.remedy_respond(by=people["provider_admin"], entry=deduction, response="Two staff were off sick")
    assert answered.response == "Two staff were off sick"
    assert answered.responded_by == people["provider_admin"]
    manager = agreement.council_contact or agreement.commission.lead_officer
    told = Notification.objects.get(kind=ReminderKind.REMEDY_RESPONDED)
    assert told.user == manager
    assert "Two staff were off sick" in told.body
    with pytest.raises(ValidationError, match="responded to this deduction already"):
        services.remedy_respond(by=people["provider_admin"], entry=deduction, response="And another thing")
    assert AuditEvent.objects.filter(event_type="remedy.deduction_responded").count() == 1


def test_the_log_is_never_changed_nor_deleted(agreement):
    deduction = deduct(agreement, "10")
    deduction.amount = Decimal("5")
    with pytest.raises(PermissionError):
        deduction.save()
    with pytest.raises(PermissionError):
        deduction.delete()
    assert Deduction.objects.get().amount == Decimal("10")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.decimals(min_value="0.01", max_value="20000", places=2), st.booleans()), min_size=1, max_size=6
    )
)
def test_a_payment_is_never_net_negative_nor_its_deductions_more_than_it(agreement, people, steps):
    """Whatever deductions are tried and withdrawn, in any order, the standing ones add up to no more
    than the payment, and a refused one changes nothing."""
    payment = first_payment(agreement)
    saved = transaction.savepoint()
    try:
        for amount, withdraw_first in steps:
            standing = list(Deduction.objects.filter(payment=payment, withdrawn_at__isnull=True))
            if withdraw_first and standing:
                services.remedy_withdraw(by=people[Role.LEAD_COMMISSIONER], entry=standing[0], reason="Wrong")
            before = deducted_from(payment)
            try:
                deduct(agreement, amount, payment=payment)
            except ValidationError:
                assert before + amount > payment.amount
                assert deducted_from(payment) == before
            else:
                assert deducted_from(payment) == before + amount
            assert 0 <= net_amount(payment) <= payment.amount
            assert deducted_from(payment) <= payment.amount
    finally:
        transaction.savepoint_rollback(saved)
