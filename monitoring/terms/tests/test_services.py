"""Agreement terms: the payment model and clauses recorded whole or not at all, notice periods no longer
than the agreement, changes after go-live only by variation, and payment by results earned from accepted
returns only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councils.models import AuditEvent, Role
from monitoring.agreements import steps
from monitoring.models import (
    Agreement,
    AgreementTerms,
    AgreementVariation,
    ResultPayment,
    TargetKind,
    VariationKind,
    add_months,
    describe_changes,
)
from monitoring.terms import selectors, services
from monitoring.terms.tests.factories import record_terms, result_line
from monitoring.tests.factories import approval, draft_agreement, go_live, sign
from monitoring.tests.returns_factories import accept, returns_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(council, people):
    return draft_agreement(council)


def test_a_mix_of_unit_price_and_results_with_a_break_clause_and_tupe(draft, people):
    terms = record_terms(draft, by=people[Role.COMMISSIONING_OFFICER])

    assert terms.payment_model_parts == ["Per unit: £24.50 per hour of support", "Payment by results"]
    assert terms.break_notice_days == 90
    assert terms.tupe_applies
    assert [(r.result, r.price) for r in terms.results.all()] == [("A person in work for 13 weeks", Decimal("1500"))]
    event = AuditEvent.objects.get(event_type="agreement.terms.saved")
    assert event.extra["before"] is None
    assert event.extra["after"]["per_unit"] == ["hour of support", "24.50"]


def test_changing_the_terms_keeps_one_row_and_turning_results_off_removes_the_tariff(draft, people):
    record_terms(draft)
    terms = record_terms(draft, pays_fixed=True, pays_per_unit=False, pays_by_results=False, has_break_clause=False)

    assert AgreementTerms.objects.count() == 1
    assert terms.unit_name == ""
    assert terms.unit_price is None
    assert terms.break_notice_days is None
    assert not ResultPayment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pays_per_unit": False, "pays_by_results": False}, "payment_model"),
        ({"unit_name": " "}, "unit_name"),
        ({"unit_price": Decimal("0")}, "unit_price"),
        ({"unit_price": None}, "unit_price"),
        ({"first_result": None}, "result"),
        ({"first_result": result_line(price="0")}, "price"),
        ({"first_result": result_line(evidence="")}, "evidence"),
        ({"break_notice_days": None}, "break_notice_days"),
        ({"break_notice_days": 366}, "break_notice_days"),
        ({"has_get_out_clause": True, "get_out_notice_days": 30}, "get_out_circumstances"),
        ({"has_get_out_clause": True, "get_out_circumstances": "Funding withdrawn"}, "get_out_notice_days"),
    ],
)
def test_invalid_terms_are_refused_whole(draft, overrides, field):
    with pytest.raises(ValidationError) as caught:
        record_terms(draft, **overrides)

    assert field in caught.value.message_dict
    assert not AgreementTerms.objects.exists()
    assert not ResultPayment.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="agreement.terms").exists()


def test_a_notice_period_longer_than_the_agreement_says_how_long_it_runs(draft):
    # 1 April 2026 to 31 March 2027: 365 days.
    with pytest.raises(ValidationError) as caught:
        record_terms(draft, break_notice_days=366)
    assert caught.value.message_dict["break_notice_days"] == [
        "The break clause's notice period must not be longer than the agreement: it runs 365 days, from "
        "1 April 2026 to 31 March 2027."
    ]
    assert record_terms(draft, break_notice_days=365).break_notice_days == 365


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    start=st.integers(min_value=0, max_value=6000),
    length=st.integers(min_value=0, max_value=3000),
    days=st.integers(min_value=-5, max_value=3100),
)
def test_a_notice_period_fits_when_notice_given_on_the_first_day_runs_out_by_the_end(start, length, days):
    starts_on = date(2020, 1, 1) + timedelta(days=start)
    agreement = Agreement(starts_on=starts_on, ends_on=starts_on + timedelta(days=length))
    fits = days >= 1 and starts_on + timedelta(days=days - 1) <= agreement.ends_on
    assert (services.notice_refusal(agreement, days, "break clause") == "") is fits


@pytest.mark.parametrize("role", [Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, Role.LEGAL_OFFICER, Role.COUNCIL_ADMIN])
def test_only_commissioners_record_terms(draft, people, role):
    with pytest.raises(PermissionDenied):
        record_terms(draft, by=people[role])


def test_another_councils_commissioner_cannot_record_terms(draft, people):
    with pytest.raises(PermissionDenied):
        record_terms(draft, by=people["other_council_officer"])


def test_the_database_refuses_what_must_always_hold(draft, people):
    user = people[Role.COMMISSIONING_OFFICER]
    bad = [
        {"pays_fixed": False},
        {"pays_fixed": True, "pays_per_unit": True, "unit_name": "night", "unit_price": Decimal("0")},
        {"pays_per_unit": True, "unit_name": "night"},
        {"pays_fixed": True, "has_break_clause": True},
        {"pays_fixed": True, "has_get_out_clause": True, "get_out_notice_days": 30},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementTerms.objects.create(agreement=draft, updated_by=user, **fields)
    terms = AgreementTerms.objects.create(agreement=draft, updated_by=user, pays_by_results=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultPayment.objects.create(terms=terms, result="A tenancy kept", price=Decimal("0"), evidence="Rent account")


def test_results_are_added_and_the_last_one_stays(draft, people):
    record_terms(draft)
    by = people[Role.LEAD_COMMISSIONER]
    second = services.result_save(by=by, agreement=draft, result=result_line("A tenancy kept for a year", "800"))
    assert second.position == 1
    first = draft.payment_terms.results.first()
    services.result_remove(by=by, agreement=draft, result=first)
    with pytest.raises(ValidationError, match="at least one result"):
        services.result_remove(by=by, agreement=draft, result=second)
    assert list(draft.payment_terms.results.all()) == [second]


def test_a_result_is_measured_by_a_kpi_of_this_agreement_only(council, draft, people):
    other = draft_agreement(council)
    with pytest.raises(ValidationError) as caught:
        record_terms(draft, first_result=result_line(kpi=other.kpis.first()))
    assert "kpi" in caught.value.message_dict


def test_results_need_payment_by_results_first(draft, people):
    record_terms(draft, pays_fixed=True, pays_per_unit=False, pays_by_results=False)
    with pytest.raises(ValidationError, match="payment by results"):
        services.result_save(by=people[Role.LEAD_COMMISSIONER], agreement=draft, result=result_line())


def test_signed_terms_change_directly_live_ones_only_by_variation(council, draft, people):
    signed = sign(draft)
    record_terms(signed)
    live = go_live(signed)
    with pytest.raises(ValidationError, match="only through a variation"):
        record_terms(live, break_notice_days=60)
    assert live.payment_terms.break_notice_days == 90

    variation = services.TermsVariation(
        reason="Break notice cut to 60 days", effective_on=date(2026, 6, 1), approval=approval(council)
    )
    record_terms(live, break_notice_days=60, variation=variation)

    row = AgreementVariation.objects.get(agreement=live)
    assert row.kind == VariationKind.TERMS
    assert row.before["payment_terms"]["break_notice_days"] == 90
    assert row.after["payment_terms"]["break_notice_days"] == 60
    assert "Break clause: 90 days' notice → 60 days' notice" in describe_changes(row.before, row.after)
    assert AuditEvent.objects.filter(event_type="agreement.varied.terms").exists()


def test_a_refused_variation_changes_nothing(council, draft, people):
    live = go_live(sign(draft))
    variation = services.TermsVariation(reason="", effective_on=date(2026, 6, 1), approval=approval(council))
    with pytest.raises(ValidationError):
        record_terms(live, variation=variation)
    assert not AgreementTerms.objects.exists()
    assert not AgreementVariation.objects.exists()


def test_ended_agreements_keep_their_terms(council, draft, people):
    record_terms(draft)
    steps.agreement_cancel(by=people[Role.LEAD_COMMISSIONER], agreement=draft, reason="Provider withdrew")
    with pytest.raises(ValidationError, match="can no longer change"):
        record_terms(draft, break_notice_days=30)


def test_earned_so_far_counts_accepted_returns_only(council, people):
    starts_on = add_months(timezone.localdate().replace(day=1), -7)
    agreement = draft_agreement(council, starts_on=starts_on, ends_on=add_months(starts_on, 24) - timedelta(days=1))
    kpi = agreement.kpis.first()
    record_terms(agreement, first_result=result_line(price="100", kpi=kpi))
    services.result_save(
        by=people[Role.COMMISSIONING_OFFICER], agreement=agreement, result=result_line("Case study", "50")
    )
    live = go_live(sign(agreement), live_on=starts_on)
    first, second = returns_of(live)[:2]
    accept(submit(first, actual=Decimal("12")))
    submit(second, actual=Decimal("30"))  # submitted, not yet accepted: earns nothing

    earned = selectors.earned_so_far(live, selectors.terms_of(live))

    measured, by_evidence = earned["rows"]
    assert kpi.target_kind == TargetKind.TOTAL
    assert (measured["counted"], measured["earned"]) == (Decimal("12"), Decimal("1200.00"))
    assert by_evidence["earned"] is None
    assert earned["total"] == Decimal("1200.00")
    assert earned["returns"] == 1
