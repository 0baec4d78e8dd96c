"""The return schedule: one return per reporting period from the day an agreement goes live, due a
number of (working) days after the period ends, and regenerated — never rewritten — when the
agreement is varied, extended or terminated."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from commissioning.tests.factories import staff
from councils.models import AuditEvent, Role
from monitoring.agreements import variations
from monitoring.models import MonitoringFrequency, MonitoringReturn, MonitoringSettings, ReturnState
from monitoring.returns import services as returns_services
from monitoring.tests.factories import approval, draft_agreement, go_live, live_agreement, sign
from monitoring.tests.returns_factories import accept, returns_of, submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def july_2026():
    with time_machine.travel(datetime(2026, 7, 10, 10, tzinfo=LONDON), tick=False):
        yield


def schedule(agreement) -> list[tuple[date, date, date, str]]:
    return [
        (r.period_start, r.period_end, r.due_on, r.state)
        for r in MonitoringReturn.objects.filter(agreement=agreement).order_by("period_start", "id")
    ]


def test_going_live_schedules_a_return_per_quarter_due_20_working_days_after_it_ends(council, july_2026):
    agreement = live_agreement(council)  # 1 April 2026 to 31 March 2027, quarterly

    assert schedule(agreement) == [
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 28), ReturnState.DUE),
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 28), ReturnState.DUE),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 29), ReturnState.DUE),  # New Year's Day skipped
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 28), ReturnState.DUE),
    ]
    event = AuditEvent.objects.get(event_type="agreement.returns_scheduled")
    assert len(event.extra["created"]) == 4


def test_a_draft_or_signed_agreement_has_no_returns(council, july_2026):
    agreement = sign(draft_agreement(council))
    assert returns_services.schedule_returns(agreement, by=staff(council, Role.COMMISSIONING_OFFICER)).created == []
    assert not MonitoringReturn.objects.exists()


def test_monthly_returns_skip_bank_holidays_and_follow_short_months(council, july_2026):
    agreement = live_agreement(
        council,
        starts_on=date(2026, 3, 31),
        ends_on=date(2026, 6, 29),
        monitoring_frequency=MonitoringFrequency.MONTHLY,
    )
    assert schedule(agreement) == [
        # Each period is counted from the start date, so month ends do not drift (31st → 30th → 31st).
        (date(2026, 3, 31), date(2026, 4, 29), date(2026, 5, 29), ReturnState.DUE),  # 4 and 25 May skipped
        (date(2026, 4, 30), date(2026, 5, 30), date(2026, 6, 26), ReturnState.DUE),
        (date(2026, 5, 31), date(2026, 6, 29), date(2026, 7, 27), ReturnState.DUE),
    ]


def test_calendar_days_and_29_february(council, july_2026):
    MonitoringSettings.objects.create(council=council, return_due_days=10, due_days_are_working_days=False)
    agreement = draft_agreement(
        council,
        starts_on=date(2026, 4, 1),
        ends_on=date(2028, 3, 31),
        monitoring_frequency=MonitoringFrequency.SIX_MONTHLY,
    )
    go_live(sign(agreement))
    assert [(r[1], r[2]) for r in schedule(agreement)] == [
        (date(2026, 9, 30), date(2026, 10, 10)),
        (date(2027, 3, 31), date(2027, 4, 10)),
        (date(2027, 9, 30), date(2027, 10, 10)),
        (date(2028, 3, 31), date(2028, 4, 10)),
    ]


def test_annual_periods_from_29_february(council):
    with time_machine.travel(datetime(2028, 3, 10, 10, tzinfo=LONDON), tick=False):
        agreement = draft_agreement(
            council,
            starts_on=date(2028, 2, 29),
            ends_on=date(2031, 2, 27),
            monitoring_frequency=MonitoringFrequency.ANNUAL,
        )
        go_live(sign(agreement, signed_on=date(2028, 2, 20)), live_on=date(2028, 2, 29))
    assert [(r[0], r[1]) for r in schedule(agreement)] == [
        (date(2028, 2, 29), date(2029, 2, 27)),
        (date(2029, 2, 28), date(2030, 2, 27)),
        (date(2030, 2, 28), date(2031, 2, 27)),
    ]


def test_scheduling_again_changes_nothing_and_due_dates_never_move_when_overdue(council, july_2026):
    agreement = live_agreement(council)
    before = schedule(agreement)
    lead = staff(council, Role.LEAD_COMMISSIONER)
    # The council now gives longer, but returns already scheduled keep their dates.
    returns_services.monitoring_settings_save(
        by=lead, settings=MonitoringSettings(council=council, return_due_days=40), changed=["return_due_days"]
    )
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=LONDON), tick=False):
        changes = returns_services.schedule_returns(agreement, by=lead)
        assert returns_of(agreement)[0].is_overdue
    assert not changes
    assert schedule(agreement) == before
    assert AuditEvent.objects.filter(event_type="agreement.returns_scheduled").count() == 1


def test_bringing_the_end_forward_cuts_the_last_period_and_drops_later_returns(council, july_2026):
    agreement = live_agreement(council)
    first = returns_of(agreement)[0]
    submit(first)
    variations.agreement_vary_dates(
        by=staff(council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        starts_on=agreement.starts_on,
        ends_on=date(2026, 11, 15),
        reason="The funding ends early.",
        approval=approval(council),
        effective_on=date(2026, 7, 10),
    )
    assert schedule(agreement) == [
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 28), ReturnState.SUBMITTED),
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 28), ReturnState.DUE),
        (date(2026, 10, 1), date(2026, 11, 15), date(2026, 12, 11), ReturnState.DUE),  # moved with its period
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 28), ReturnState.NOT_REQUIRED),
    ]
    dropped = MonitoringReturn.objects.get(state=ReturnState.NOT_REQUIRED)
    event = AuditEvent.objects.get(event_type="return.mark_not_required")
    assert event.object_id == str(dropped.pk)
    assert event.reason == "Variation 1: The funding ends early."


def test_an_extension_adds_periods_and_lengthens_a_short_last_one(council, july_2026):
    agreement = live_agreement(council, ends_on=date(2027, 2, 15), max_extensions=1, extension_period_months=12)
    assert schedule(agreement)[-1][:2] == (date(2027, 1, 1), date(2027, 2, 15))
    variations.agreement_extend(
        by=staff(council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        ends_on=date(2027, 6, 30),
        reason="Demand is still rising.",
        approval=approval(council),
    )
    assert [(r[0], r[1], r[3]) for r in schedule(agreement)][-3:] == [
        (date(2026, 10, 1), date(2026, 12, 31), ReturnState.DUE),
        (date(2027, 1, 1), date(2027, 3, 31), ReturnState.DUE),
        (date(2027, 4, 1), date(2027, 6, 30), ReturnState.DUE),
    ]


def test_shortening_then_extending_brings_a_period_back_as_a_new_return(council, july_2026):
    agreement = live_agreement(council, max_extensions=1, extension_period_months=12)
    officer = staff(council, Role.COMMISSIONING_OFFICER)
    variations.agreement_vary_dates(
        by=officer,
        agreement=agreement,
        starts_on=agreement.starts_on,
        ends_on=date(2026, 12, 31),
        reason="Paused.",
        approval=approval(council),
        effective_on=date(2026, 7, 10),
    )
    variations.agreement_extend(
        by=officer, agreement=agreement, ends_on=date(2027, 3, 31), reason="Resumed.", approval=approval(council)
    )
    last_quarter = MonitoringReturn.objects.filter(agreement=agreement, period_start=date(2027, 1, 1))
    assert sorted(last_quarter.values_list("state", flat=True)) == [ReturnState.DUE, ReturnState.NOT_REQUIRED]


def test_termination_cuts_the_current_period_and_never_touches_submitted_returns(council):
    with time_machine.travel(datetime(2026, 8, 20, 10, tzinfo=LONDON), tick=False):
        agreement = live_agreement(council)
        first = returns_of(agreement)[0]
        submit(first)
        accept(first)
        variations.agreement_terminate(
            by=staff(council, Role.LEAD_COMMISSIONER),
            agreement=agreement,
            terminated_on=date(2026, 8, 31),
            reason="The provider has closed its befriending service.",
        )
    assert schedule(agreement) == [
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 28), ReturnState.ACCEPTED),
        (date(2026, 7, 1), date(2026, 8, 31), date(2026, 9, 28), ReturnState.DUE),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 29), ReturnState.NOT_REQUIRED),
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 28), ReturnState.NOT_REQUIRED),
    ]


def test_only_a_commissioner_can_drop_a_period(council, people, july_2026):
    agreement = live_agreement(council)
    agreement.ends_on = date(2026, 9, 30)  # as a variation would, but recorded by the wrong person
    agreement.save(update_fields=["ends_on"])
    with pytest.raises(PermissionDenied):
        returns_services.schedule_returns(agreement, by=people[Role.SCRUTINY_MEMBER])
    assert not MonitoringReturn.objects.filter(state=ReturnState.NOT_REQUIRED).exists()


def test_value_variation_leaves_the_schedule_alone(council, july_2026):
    agreement = live_agreement(council)
    before = schedule(agreement)
    variations.agreement_vary_value(
        by=staff(council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        value=Decimal("65000"),
        reason="More sessions.",
        approval=approval(council),
        effective_on=date(2026, 7, 10),
    )
    assert schedule(agreement) == before
