"""The demo tells one believable story: a council evaluating the product stops trusting it at the first
befriending service tied to "More local people in good jobs", deadline at 5am on a Sunday, or approval
dated today for an agreement live since 2024. These rules are checked over the whole seeded demo."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from commissioning.models import ApprovalDecision, Commission, Opportunity, OutcomeSought, State
from councils.calendar import is_working_day
from councils.models import AuditEvent
from demo.fit import SERVICES
from demo.timeline import Timeline, noon_deadline, working_day
from monitoring.models import Agreement, AgreementState

pytestmark = pytest.mark.django_db


def test_every_deadline_is_at_noon_on_a_working_day(demo_data):
    opportunities = list(Opportunity.objects.select_related("commission"))
    assert opportunities
    wrong = []
    for opportunity in opportunities:
        for name in ("clarification_deadline", "submission_deadline"):
            local = timezone.localtime(getattr(opportunity, name))
            if local.time() != datetime.time(12) or not is_working_day(local.date()):
                wrong.append(f"{opportunity.commission.title}: {name} {local:%a %d %b %Y %H:%M}")
    assert wrong == []


def test_no_commission_in_review_has_a_timetable_in_the_future(demo_data):
    today = timezone.localdate()
    reviewing = list(Commission.objects.filter(state=State.REVIEWING).prefetch_related("opportunities"))
    assert reviewing
    for commission in reviewing:
        assert commission.starts_on <= today, commission.title
        for opportunity in commission.opportunities.all():
            dates = [
                timezone.localdate(opportunity.published_at),
                timezone.localdate(opportunity.clarification_deadline),
                timezone.localdate(opportunity.submission_deadline),
                opportunity.expected_award_on,
                opportunity.service_starts_on,
            ]
            assert max(dates) <= today, commission.title


def test_agreements_in_delivery_were_approved_and_awarded_before_they_started(demo_data):
    """For every live agreement, the commission's approval and its award were decided (and recorded)
    before the agreement started, and it was signed before it went live."""
    commission_type = ContentType.objects.get_for_model(Commission)
    live = list(Agreement.objects.filter(state=AgreementState.LIVE).select_related("commission"))
    assert any(agreement.starts_on.year < timezone.localdate().year for agreement in live)
    for agreement in live:
        commission = agreement.commission
        name = f"{agreement.reference} ({commission.title})"
        assert agreement.signed_on <= agreement.live_on, name
        approvals = ApprovalDecision.objects.filter(commission=commission, cycle=agreement.cycle)
        assert approvals, name
        for approval in approvals:
            assert approval.decided_on < agreement.starts_on, name
            assert timezone.localdate(approval.created_at) < agreement.starts_on, name
        approved = AuditEvent.objects.filter(
            content_type=commission_type, object_id=str(commission.pk), from_state=State.AWAITING_APPROVAL
        )
        assert approved, name
        assert all(timezone.localdate(event.created_at) < agreement.starts_on for event in approved), name
        for award in commission.awards.filter(cycle=agreement.cycle):
            assert award.decided_on < agreement.starts_on, name
            assert timezone.localdate(award.approved_at) < agreement.starts_on, name


def test_every_commission_serves_the_outcome_that_fits_it(demo_data):
    commissions = list(Commission.objects.prefetch_related("outcomes"))
    assert len(commissions) > 20
    for commission in commissions:
        # Every demo commission is in the table: a new one must say what it is for.
        fit = SERVICES[commission.title]
        assert [outcome.title for outcome in commission.outcomes.all()] == [fit.outcome], commission.title
        sought = OutcomeSought.objects.filter(commission=commission).select_related("council_outcome")
        assert all(item.council_outcome.title == fit.outcome for item in sought), commission.title


def test_befriending_is_tied_to_older_people_not_jobs(demo_data):
    befriending = Commission.objects.get(title="Befriending for older people living alone")
    assert list(befriending.outcomes.values_list("title", flat=True)) == ["Fewer older people isolated and lonely"]
    sought = OutcomeSought.objects.get(commission=befriending)
    assert sought.council_outcome.title == "Fewer older people isolated and lonely"
    assert "Older people" in sought.description
    # A service that is not about older people is not tied to their outcome.
    youth = Commission.objects.get(title="Youth work in the rural wards")
    assert list(youth.outcomes.values_list("title", flat=True)) == ["Children and young people are active and healthy"]


def test_timeline_steps_fall_in_order_and_deadlines_skip_weekends_and_bank_holidays():
    today = datetime.date(2026, 12, 6)  # a Sunday
    for state in (State.SOURCING, State.AGREEING, State.DELIVERING, State.REVIEWING, State.DECOMMISSIONED):
        timeline = Timeline.reaching(state, today)
        steps = [timeline.began, timeline.planning, timeline.submitted, timeline.approved, timeline.sourcing]
        assert steps == sorted(steps), state
        assert timeline.sourcing < timeline.goes_live < timeline.starts_on, state
        assert all(is_working_day(day) for day in [*steps, timeline.goes_live]), state
    for state in (State.REVIEWING, State.DECOMMISSIONED, State.DELIVERING):
        assert Timeline.reaching(state, today).starts_on < today, state
    # Christmas Day 2026 is a Friday; the next working day is Tuesday 29 December.
    deadline = timezone.localtime(noon_deadline(datetime.date(2026, 12, 25)))
    assert (deadline.date(), deadline.time()) == (datetime.date(2026, 12, 29), datetime.time(12))
    assert working_day(datetime.date(2026, 12, 27), back=True) == datetime.date(2026, 12, 24)
