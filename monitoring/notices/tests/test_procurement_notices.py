"""Each regime's procurement notices, driven through the services: which notices the records call for,
when they are due, and that each validates against OCDS 1.1.5 patched with the UK extension."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commissioning.cycle import regime as regimes
from commissioning.models import (
    DeliveryRoute,
    EngagementActivity,
    EngagementKind,
    Procedure,
    ProcurementRegime,
    Regime,
    State,
)
from commissioning.procurement_record.selectors import procurement_record
from commissioning.sourcing import gates as sourcing_gates
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.award_factories import approved_award, send_summaries
from commissioning.tests.bid_factories import open_opportunity
from commissioning.tests.factories import commission_in_state, staff
from councils.calendar import add_working_days
from councils.models import Role, ThresholdKind
from councils.workflow import TransitionRefused
from monitoring.models import NoticeType
from monitoring.notices import ocds, services

pytestmark = pytest.mark.django_db


def confirmed(commission, regime, procedure="", ground="", psr_route=""):
    """The regime as an officer confirmed it. Confirmation closes once the opportunity is out, and the
    award worlds publish theirs on the way, so the record is written as the confirmation would."""
    return ProcurementRegime.objects.update_or_create(
        commission=commission,
        defaults={
            "regime": regime,
            "proposed_regime": regime,
            "procedure": procedure,
            "direct_award_ground": ground,
            "psr_route": psr_route,
            "value": commission.budget,
            "cpv_code": commission.cpv_code,
            "threshold_kind": ThresholdKind.SUB_CENTRAL,
            "threshold_amount": Decimal("207720"),
            "threshold_on": timezone.localdate(),
            "confirmed_by": staff(commission.council, Role.PROCUREMENT_OFFICER),
        },
    )[0]


def types(commission) -> dict[str, object]:
    notices = services.notices_refresh(commission)
    for notice in notices:
        assert ocds.release_errors(notice.data) == [], notice.notice_type
    return {notice.notice_type: notice for notice in notices}


def awarded(council, regime, procedure="", ground="", psr_route="", budget=300000):
    world = approved_award(council, route=DeliveryRoute.CONTRACT, budget=Decimal(budget))
    commission = world.opportunity.commission
    confirmed(commission, regime, procedure, ground, psr_route)
    return world, commission


def test_above_threshold_open_procedure(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    officer = people[Role.PROCUREMENT_OFFICER]
    regimes.regime_confirm(by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN)
    assert set(types(commission)) == {NoticeType.UK3}
    assert types(commission)[NoticeType.UK3].optional
    EngagementActivity.objects.create(
        commission=commission,
        cycle=commission.cycle,
        kind=EngagementKind.PROVIDER_EVENT,
        held_on=timezone.localdate(),
        participants="Twelve providers",
        what_we_heard="Appetite for a two-lot model.",
    )
    open_opportunity(council, commission=commission)
    found = types(commission)
    assert set(found) == {NoticeType.UK2, NoticeType.UK3, NoticeType.UK4}
    assert found[NoticeType.UK2].due_on == timezone.localdate()
    assert "planning" not in found[NoticeType.UK4].data  # engagement was done: no rationale needed


def test_without_engagement_the_tender_notice_says_why(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    regimes.regime_confirm(
        by=people[Role.PROCUREMENT_OFFICER],
        commission=commission,
        regime=Regime.ABOVE_THRESHOLD,
        procedure=Procedure.OPEN,
    )
    open_opportunity(council, commission=commission)
    tender = types(commission)[NoticeType.UK4]
    assert "noEngagementNoticeRationale" in tender.data["planning"]


def test_an_award_under_the_act_needs_a_contract_award_notice(council):
    world, commission = awarded(council, Regime.ABOVE_THRESHOLD, Procedure.OPEN)
    found = types(commission)
    assert {NoticeType.UK4, NoticeType.UK6} <= set(found)
    award_notice = found[NoticeType.UK6]
    assert award_notice.subject == f"award:{world.award.pk}"
    assert award_notice.due_on == world.award.effective_from()
    (entry,) = award_notice.data["awards"]
    assert entry["aboveThreshold"] is True
    assert entry["documents"][0]["noticeType"] == "UK6"
    supplier = next(party for party in award_notice.data["parties"] if "supplier" in party["roles"])
    assert supplier["name"] == world.bids[0].organisation.legal_name
    assert "details" in supplier  # the SME / VCSE flags the UK6 carries


def test_a_direct_award_needs_a_transparency_notice_and_no_tender_notice(council):
    _world, commission = awarded(council, Regime.ABOVE_THRESHOLD, Procedure.DIRECT_AWARD, ground="Extreme urgency")
    found = types(commission)
    assert set(found) == {NoticeType.UK5, NoticeType.UK6}
    assert found[NoticeType.UK5].data["tender"]["procurementMethodRationale"] == "Extreme urgency"


def test_light_touch_is_marked_and_user_choice_needs_no_transparency_notice(council):
    _world, commission = awarded(council, Regime.LIGHT_TOUCH, Procedure.OPEN)
    found = types(commission)
    assert set(found) == {NoticeType.UK4, NoticeType.UK6}
    assert found[NoticeType.UK4].data["tender"]["specialRegime"] == ["lightTouch"]
    confirmed(commission, Regime.LIGHT_TOUCH, Procedure.DIRECT_AWARD, ground="User choice: the resident chose")
    assert set(types(commission)) == {NoticeType.UK6}


def test_below_threshold_advertised_needs_only_the_tender_notice(council):
    _world, commission = awarded(council, Regime.BELOW_THRESHOLD, budget=60000)
    found = types(commission)
    assert set(found) == {NoticeType.UK4}
    assert found[NoticeType.UK4].data["tender"]["aboveThreshold"] is False


def test_provider_selection_regime_has_its_own_notice(council):
    _world, commission = awarded(council, Regime.PROVIDER_SELECTION, psr_route="most_suitable")
    found = types(commission)
    assert set(found) == {NoticeType.PSR_INTENT}
    assert "Most Suitable Provider" in found[NoticeType.PSR_INTENT].data["awards"][0]["documents"][0]["title"]


@pytest.mark.parametrize("regime", [Regime.GRANT, Regime.EXEMPT])
def test_grants_and_arrangements_that_are_not_procured_need_no_notice(council, regime):
    _world, commission = awarded(council, regime)
    assert types(commission) == {}


def test_calling_off_an_announced_procurement_needs_a_termination_notice(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    officer = people[Role.PROCUREMENT_OFFICER]
    regimes.regime_confirm(by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN)
    opportunity = open_opportunity(council, commission=commission)
    tender = types(commission)[NoticeType.UK4]
    procurement = people[Role.PROCUREMENT_OFFICER]
    opportunity_services.opportunity_transition(
        by=people[Role.LEAD_COMMISSIONER], opportunity=opportunity, name="cancel", reason="No money this year"
    )
    assert NoticeType.UK12 not in types(commission)  # nothing was announced yet
    services.notice_step(by=procurement, notice=tender, name="mark_ready")
    services.notice_publish(
        by=procurement, notice=tender, fat_identifier="000111-2026", published_on=timezone.localdate()
    )
    termination = types(commission)[NoticeType.UK12]
    assert termination.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert termination.data["tender"]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("days_before", "refusal"), [(50, []), (20, ["at least 25 days"]), (400, ["at least 25 days"])]
)
def test_a_planned_procurement_notice_shortens_the_open_procedure(council, people, days_before, refusal):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    officer = people[Role.PROCUREMENT_OFFICER]
    regimes.regime_confirm(by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN)
    planned = types(commission)[NoticeType.UK3]
    services.notice_step(by=officer, notice=planned, name="mark_ready")
    published_on = timezone.localdate() - datetime.timedelta(days=days_before)
    services.notice_publish(by=officer, notice=planned, fat_identifier="000222-2026", published_on=published_on)
    opportunity = opportunity_services.opportunity_create(by=officer, commission=commission)
    opportunity.submission_deadline = timezone.now() + datetime.timedelta(days=12)
    refused = [line for line in sourcing_gates.missing_to_publish(opportunity) if "open procedure needs" in line]
    assert [words for words in refusal for line in refused if words in line] == refusal
    assert len(refused) == len(refusal)


def test_the_procurement_record_lists_notices_published_and_set_aside(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    officer = people[Role.PROCUREMENT_OFFICER]
    regimes.regime_confirm(by=officer, commission=commission, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN)
    open_opportunity(council, commission=commission)
    found = types(commission)
    services.notice_step(by=officer, notice=found[NoticeType.UK4], name="mark_ready")
    services.notice_publish(
        by=officer, notice=found[NoticeType.UK4], fat_identifier="000333-2026", published_on=timezone.localdate()
    )
    services.notice_step(by=officer, notice=found[NoticeType.UK3], name="set_aside", reason="Not worth it here")
    record = procurement_record(people[Role.SCRUTINY_MEMBER], commission)
    lines = {(entry.category, entry.what, entry.reason) for entry in record.entries if entry.link_label == "the notice"}
    assert lines == {
        ("communication", "UK4 tender notice published on Find a Tender (000333-2026)", ""),
        ("decision", "UK3 planned procurement notice recorded as not needed", "Not worth it here"),
    }


def test_recording_the_award_notice_as_published_starts_the_standstill(council, people):
    world, commission = awarded(council, Regime.ABOVE_THRESHOLD, Procedure.OPEN)
    award_notice = types(commission)[NoticeType.UK6]
    officer = people[Role.PROCUREMENT_OFFICER]
    with pytest.raises(TransitionRefused) as refused:
        services.notice_step(by=officer, notice=award_notice, name="mark_ready")
    assert any("assessment summar" in line for line in refused.value.missing)
    send_summaries(world)
    services.notice_step(by=officer, notice=award_notice, name="mark_ready")
    award_notice.refresh_from_db()
    assert "assessmentSummariesDateSent" in award_notice.data["awards"][0]
    today = timezone.localdate()
    assert award_notice.data["awards"][0]["standstillPeriod"]["endDate"].startswith(
        add_working_days(today, 8).isoformat()
    )
    services.notice_publish(by=officer, notice=award_notice, fat_identifier="000444-2026", published_on=today)
    award = world.refresh_award()
    assert award.award_notice_published_on == today
    assert award.standstill_ends_on == add_working_days(today, 8)
