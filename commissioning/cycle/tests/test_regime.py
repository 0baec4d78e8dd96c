"""The procurement regime: proposed from value, main CPV code and route against the threshold of the
day, confirmed by an officer (with a reason when they choose otherwise), and the open procedure's
25-day minimum checked before an opportunity is published."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle import regime as regimes
from commissioning.cycle import services
from commissioning.models import (
    Commission,
    DeliveryRoute,
    Procedure,
    ProcurementRegime,
    PsrKeyCriterion,
    PsrRoute,
    Regime,
    State,
)
from commissioning.sourcing import gates
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.factories import commission_in_state, create_commission
from councils.models import AuditEvent, Role, ThresholdKind

pytestmark = pytest.mark.django_db

NEW_YEAR_EVE, NEW_YEAR = date(2025, 12, 31), date(2026, 1, 1)
ELDERLY_WELFARE, CONSTRUCTION, CLEANING = "85311100", "45000000", "90910000"


def proposed(council, *, route=DeliveryRoute.CONTRACT, budget, cpv_code="", on=NEW_YEAR) -> regimes.RegimeProposal:
    commission = Commission(council=council, delivery_route=route, budget=Decimal(budget), cpv_code=cpv_code)
    return regimes.propose_regime(commission, on)


def test_the_proposal_follows_the_threshold_of_the_day(council):
    # £210,000 of cleaning: below the £214,904 of 2025, above the £207,720 of 2026.
    before = proposed(council, budget=210000, cpv_code=CLEANING, on=NEW_YEAR_EVE)
    after = proposed(council, budget=210000, cpv_code=CLEANING, on=NEW_YEAR)
    assert (before.regime, before.threshold_amount) == (Regime.BELOW_THRESHOLD, Decimal("214904"))
    assert (after.regime, after.threshold_amount) == (Regime.ABOVE_THRESHOLD, Decimal("207720"))
    assert "in force on 1 January 2026" in after.reasons[-1]


def test_light_touch_and_works_are_measured_against_their_own_thresholds(council):
    care = proposed(council, budget=600000, cpv_code=ELDERLY_WELFARE)
    assert (care.regime, care.threshold_kind) == (Regime.BELOW_THRESHOLD, ThresholdKind.LIGHT_TOUCH)
    assert proposed(council, budget=700000, cpv_code=ELDERLY_WELFARE).regime == Regime.LIGHT_TOUCH
    works = proposed(council, budget=1000000, cpv_code=CONSTRUCTION)
    assert (works.regime, works.threshold_kind) == (Regime.BELOW_THRESHOLD, ThresholdKind.WORKS)
    assert proposed(council, budget=6000000, cpv_code=CONSTRUCTION).regime == Regime.ABOVE_THRESHOLD
    small = proposed(council, budget=40000, cpv_code=CLEANING)
    assert "contract details notice" in small.reasons[-1]


def test_a_grant_is_not_procurement_and_is_flagged_for_the_subsidy_database_from_100000(council):
    small = proposed(council, route=DeliveryRoute.GRANT, budget=99999)
    large = proposed(council, route=DeliveryRoute.GRANT, budget=100000)
    assert (small.regime, small.subsidy_database) == (Regime.GRANT, False)
    assert (large.regime, large.subsidy_database) == (Regime.GRANT, True)


def test_in_house_and_shared_services_are_not_procured(council):
    for route in (DeliveryRoute.IN_HOUSE, DeliveryRoute.SHARED_SERVICE, DeliveryRoute.PARTNERSHIP):
        assert proposed(council, route=route, budget=450000).regime == Regime.EXEMPT


def contract(council, people, budget=Decimal(250000), cpv_code=CLEANING) -> Commission:
    officer = people[Role.COMMISSIONING_OFFICER]
    commission = create_commission(council, officer=officer)
    commission.delivery_route, commission.budget, commission.cpv_code = DeliveryRoute.CONTRACT, budget, cpv_code
    return services.commission_update(by=officer, commission=commission, changed=["delivery_route", "budget"])


def test_an_officer_confirms_the_proposal_and_its_procedure(council, people):
    commission = contract(council, people)
    officer = people[Role.PROCUREMENT_OFFICER]
    with pytest.raises(ValidationError) as refused:
        regimes.regime_confirm(by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD)
    assert set(refused.value.message_dict) == {"procedure"}
    with pytest.raises(ValidationError) as refused:
        regimes.regime_confirm(
            by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.DIRECT_AWARD
        )
    assert set(refused.value.message_dict) == {"direct_award_ground"}
    record = regimes.regime_confirm(
        by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN
    )
    assert (record.regime, record.proposed_regime, record.reason) == (Regime.ABOVE_THRESHOLD,) * 2 + ("",)
    assert (record.threshold_kind, record.threshold_amount, record.value) == (
        ThresholdKind.SUB_CENTRAL,
        Decimal("207720"),
        Decimal("250000"),
    )
    assert record.minimum_tendering_days(timezone.localdate()) == 25
    assert AuditEvent.objects.filter(event_type="commission.regime_confirmed").count() == 1


def test_choosing_another_regime_needs_a_reason(council, people):
    commission = contract(council, people)
    officer = people[Role.LEAD_COMMISSIONER]
    with pytest.raises(ValidationError, match="not procured as proposed"):
        regimes.regime_confirm(by=officer, commission=commission, regime=Regime.LIGHT_TOUCH)
    assert not ProcurementRegime.objects.exists()
    record = regimes.regime_confirm(
        by=officer, commission=commission, regime=Regime.LIGHT_TOUCH, reason="Care at home: a Schedule 1 service"
    )
    assert (record.regime, record.proposed_regime) == (Regime.LIGHT_TOUCH, Regime.ABOVE_THRESHOLD)
    assert record.reason == "Care at home: a Schedule 1 service"


def test_the_provider_selection_regime_records_its_process_decision_and_key_criteria(council, people):
    commission = contract(council, people)
    officer = people[Role.COMMISSIONING_OFFICER]
    psr = {"regime": Regime.PROVIDER_SELECTION, "reason": "Sexual health services: a health care service"}
    with pytest.raises(ValidationError) as refused:
        regimes.regime_confirm(by=officer, commission=commission, **psr)
    assert set(refused.value.message_dict) == {"psr_route", "psr_decision", "psr_key_criteria"}
    record = regimes.regime_confirm(
        by=officer,
        commission=commission,
        **psr,
        psr_route=PsrRoute.MOST_SUITABLE,
        psr_decision="The current provider is the most suitable, assessed against the key criteria.",
        psr_key_criteria=[PsrKeyCriterion.QUALITY, PsrKeyCriterion.VALUE],
        procedure=Procedure.OPEN,  # not the Act's: dropped
    )
    assert (record.psr_route, record.procedure, record.psr_key_criteria) == (
        PsrRoute.MOST_SUITABLE,
        "",
        ["quality", "value"],
    )


def test_only_sourcing_officers_confirm_and_only_until_sourcing_is_over(council, people):
    commission = contract(council, people)
    for who in (Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER, "other_council_officer"):
        with pytest.raises(PermissionDenied):
            regimes.regime_confirm(by=people[who], commission=commission, regime=Regime.ABOVE_THRESHOLD)
    live = commission_in_state(council, State.DELIVERING)
    with pytest.raises(ValidationError, match="cannot be changed"):
        regimes.regime_confirm(by=people[Role.LEAD_COMMISSIONER], commission=live, regime=Regime.GRANT)
    assert not ProcurementRegime.objects.exists()


def test_the_open_procedure_needs_25_days_before_publishing(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    officer = people[Role.PROCUREMENT_OFFICER]
    opportunity = opportunity_services.opportunity_create(by=officer, commission=commission)
    now = timezone.now()
    opportunity.submission_deadline = now + datetime.timedelta(days=20)
    too_short = "The open procedure needs at least 25 days"
    assert not any(too_short in line for line in gates.missing_to_publish(opportunity))  # no regime yet
    regimes.regime_confirm(by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN)
    assert any(too_short in line for line in gates.missing_to_publish(opportunity))
    opportunity.submission_deadline = now + datetime.timedelta(days=26)
    assert not any(too_short in line for line in gates.missing_to_publish(opportunity))


def test_the_regime_page_shows_the_proposal_and_confirms(council, people, client_for):
    commission = contract(council, people)
    url = reverse("commissioning:regime", kwargs={"council_slug": council.slug, "pk": commission.pk})
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    page = client.get(url).content.decode()
    assert "Proposed: <strong>Procurement Act, above threshold</strong>" in page
    bad = client.post(url, {"regime": Regime.ABOVE_THRESHOLD})
    assert bad.status_code == 200
    assert "Choose the procedure." in bad.content.decode()
    assert client.post(url, {"regime": Regime.ABOVE_THRESHOLD, "procedure": Procedure.OPEN}).status_code == 302
    assert (
        "Procurement Act, above threshold, open procedure" in client.get(commission.get_absolute_url()).content.decode()
    )
    assert client_for(people[Role.FINANCE_OFFICER]).get(url).status_code == 403
