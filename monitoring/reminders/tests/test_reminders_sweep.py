"""The reminder sweep, kind by kind, with a frozen London clock.

Christmas 2026 is the calendar the working-day tests lean on: Friday 25 December and Monday 28 December
(the substitute for Boxing Day, a Saturday) are bank holidays in England and Wales, and so is Friday
1 January 2027.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commissioning.cycle.services import commission_transition
from commissioning.models import State
from commissioning.sourcing.services.opportunities import interest_register
from commissioning.tests.evaluation_factories import bidder, published_with_bids
from commissioning.tests.factories import staff
from councils.calendar import add_working_days
from councils.models import AuditEvent, Notification, ReminderKind, ReminderRule, Role, SentReminder
from councils.tests.factories import CouncilFactory
from monitoring.models import MonitoringReturn
from monitoring.reminders import services as reminders
from monitoring.returns import services as returns_services
from monitoring.tests.reminder_factories import (
    agreement_with,
    at,
    occurrences,
    provider,
    recipients,
    return_due,
    sent,
    sweep_on,
)
from providers.models import ComplianceDocumentKind, ProviderRole
from providers.tests.factories import ComplianceDocumentFactory, OrganisationMemberFactory

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 24)  # Thursday, the day before Christmas


@pytest.fixture
def moorside(council, people):
    """Moorside Youth Trust: an administrator, a monitoring contact, and a live agreement with it."""
    organisation, admin, contact = provider("Moorside Youth Trust Returns")
    agreement = agreement_with(council, organisation, holder=people[Role.PORTFOLIO_HOLDER])
    return {"organisation": organisation, "admin": admin, "contact": contact, "agreement": agreement}


# ---- Due soon and due today ------------------------------------------------------------------------


def test_due_soon_counts_working_days_skipping_christmas_and_the_weekend(moorside):
    # Due Tuesday 29 December: five working days before is Friday 18 December, not Thursday 24th.
    monitoring_return = return_due(moorside["agreement"], date(2026, 12, 29))

    sweep_on(date(2026, 12, 17))
    assert not sent(ReminderKind.RETURN_DUE_SOON, monitoring_return).exists()

    sweep_on(date(2026, 12, 18))
    assert recipients(ReminderKind.RETURN_DUE_SOON, monitoring_return) == {moorside["contact"].email}
    notification = Notification.objects.get(kind=ReminderKind.RETURN_DUE_SOON, reminder__object_id=monitoring_return.pk)
    assert notification.title.startswith("Monitoring return due on 29 December 2026")
    assert "in 5 working days" in notification.body
    assert notification.url == f"/monitoring/provider/agreements/{moorside['agreement'].pk}/"


def test_calendar_days_when_the_council_says_so(council, moorside):
    ReminderRule.objects.create(council=council, kind=ReminderKind.RETURN_DUE_SOON, days_before=5, working_days=False)
    monitoring_return = return_due(moorside["agreement"], date(2026, 12, 29))

    sweep_on(date(2026, 12, 23))
    assert not sent(ReminderKind.RETURN_DUE_SOON, monitoring_return).exists()
    sweep_on(date(2026, 12, 24))
    assert "in 5 days" in Notification.objects.get(reminder__object_id=monitoring_return.pk).body


def test_due_today_goes_to_the_monitoring_contact_only(moorside):
    monitoring_return = return_due(moorside["agreement"], DUE)

    sweep_on(DUE)

    assert recipients(ReminderKind.RETURN_DUE_TODAY, monitoring_return) == {moorside["contact"].email}
    assert occurrences(ReminderKind.RETURN_DUE_TODAY, monitoring_return) == ["2026-12-24"]


def test_today_is_the_date_in_london_not_in_utc(moorside):
    # 00:30 on 1 July in London (British Summer Time) is still 30 June in UTC.
    monitoring_return = return_due(moorside["agreement"], date(2026, 7, 1))

    with at(date(2026, 7, 1), 0, 30):
        reminders.sweep()

    assert occurrences(ReminderKind.RETURN_DUE_TODAY, monitoring_return) == ["2026-07-01"]


def test_without_a_monitoring_contact_the_administrators_are_reminded(council):
    organisation, admin, _ = provider("Brightwork Returns", monitoring_contact=False)
    monitoring_return = return_due(agreement_with(council, organisation), DUE)

    sweep_on(DUE)

    assert recipients(ReminderKind.RETURN_DUE_TODAY, monitoring_return) == {admin.email}


def test_an_in_house_team_has_its_council_contact_reminded(council, people):
    from monitoring.tests.factories import agreeing_commission, live_agreement

    contact = people[Role.COMMISSIONING_OFFICER]
    agreement = live_agreement(
        council, commission=agreeing_commission(council), internal_team_name="Leisure team", council_contact=contact
    )
    monitoring_return = return_due(agreement, DUE)

    sweep_on(DUE)

    assert recipients(ReminderKind.RETURN_DUE_TODAY, monitoring_return) == {contact.email}
    url = Notification.objects.get(kind=ReminderKind.RETURN_DUE_TODAY, reminder__object_id=monitoring_return.pk).url
    assert url == f"/monitoring/council/{council.slug}/agreements/{agreement.pk}/"


# ---- Overdue, repeated, and escalated ------------------------------------------------------------------


def test_overdue_is_counted_from_the_due_date_which_never_moves(moorside):
    monitoring_return = return_due(moorside["agreement"], DUE)

    # Christmas Day, the weekend and the substitute bank holiday are not working days: nothing yet.
    for day in (date(2026, 12, 25), date(2026, 12, 27), date(2026, 12, 28)):
        sweep_on(day)
    assert not sent(ReminderKind.RETURN_OVERDUE, monitoring_return).exists()

    sweep_on(date(2026, 12, 29))  # 1 working day late
    assert occurrences(ReminderKind.RETURN_OVERDUE, monitoring_return) == ["2026-12-24:overdue-1"]
    body = Notification.objects.get(kind=ReminderKind.RETURN_OVERDUE).body
    assert "was due on 24 December 2026 and is 1 working day overdue" in body

    # Every 5 working days by default: the second reminder on Wednesday 6 January (6 working days late).
    for day in (date(2026, 12, 30), date(2027, 1, 4), date(2027, 1, 5)):
        sweep_on(day)
    assert occurrences(ReminderKind.RETURN_OVERDUE, monitoring_return) == ["2026-12-24:overdue-1"]
    sweep_on(date(2027, 1, 6))
    assert occurrences(ReminderKind.RETURN_OVERDUE, monitoring_return) == [
        "2026-12-24:overdue-1",
        "2026-12-24:overdue-2",
    ]
    monitoring_return.refresh_from_db()
    assert monitoring_return.due_on == DUE


def test_a_missed_sweep_still_sends_the_overdue_reminder_late_rather_than_never(moorside):
    monitoring_return = return_due(moorside["agreement"], DUE)

    sweep_on(date(2027, 1, 8))  # the first sweep since before Christmas: 8 working days late

    assert occurrences(ReminderKind.RETURN_OVERDUE, monitoring_return) == ["2026-12-24:overdue-2"]


def test_escalation_after_ten_working_days_goes_to_the_lead_officer_and_the_portfolio_holder(moorside, people):
    monitoring_return = return_due(moorside["agreement"], DUE)
    lead_officer = moorside["agreement"].commission.lead_officer

    sweep_on(date(2027, 1, 11))  # 9 working days late
    assert not sent(ReminderKind.RETURN_ESCALATED, monitoring_return).exists()

    sweep_on(date(2027, 1, 12))  # 10
    assert recipients(ReminderKind.RETURN_ESCALATED, monitoring_return) == {
        lead_officer.email,
        people[Role.PORTFOLIO_HOLDER].email,
    }
    escalation = Notification.objects.get(user=lead_officer, kind=ReminderKind.RETURN_ESCALATED)
    assert "Moorside Youth Trust Returns has not submitted" in escalation.body
    agreement = moorside["agreement"]
    assert escalation.url == f"/monitoring/council/{agreement.council.slug}/agreements/{agreement.pk}/"
    # The provider is reminded, never told it has been escalated.
    assert not sent(ReminderKind.RETURN_ESCALATED, recipient=moorside["contact"]).exists()

    sweep_on(date(2027, 1, 20))
    assert sent(ReminderKind.RETURN_ESCALATED, monitoring_return).count() == 2


def test_a_council_configures_repetition_and_escalation(council, moorside):
    ReminderRule.objects.create(
        council=council, kind=ReminderKind.RETURN_OVERDUE, repeat_every_days=0, escalate_after_days=0
    )
    monitoring_return = return_due(moorside["agreement"], DUE)

    for day in (date(2026, 12, 29), date(2027, 1, 6), date(2027, 1, 29)):
        sweep_on(day)

    assert occurrences(ReminderKind.RETURN_OVERDUE, monitoring_return) == ["2026-12-24:overdue-1"]
    assert not sent(ReminderKind.RETURN_ESCALATED).exists()


def test_rules_are_per_council(council, other_council, moorside):
    ReminderRule.objects.create(council=other_council, kind=ReminderKind.RETURN_DUE_TODAY, enabled=False)
    ReminderRule.objects.create(council=council, kind=ReminderKind.RETURN_DUE_SOON, enabled=False)
    theirs = agreement_with(other_council, provider("Otherton Returns")[0])
    ours_soon, ours_today = (
        return_due(moorside["agreement"], DUE + timedelta(days=5)),
        return_due(moorside["agreement"], DUE, period_start=date(2025, 6, 1)),
    )
    theirs_soon, theirs_today = (
        return_due(theirs, DUE + timedelta(days=5)),
        return_due(theirs, DUE, period_start=date(2025, 6, 1)),
    )

    sweep_on(DUE)

    assert sent(ReminderKind.RETURN_DUE_TODAY, ours_today).exists()
    assert not sent(ReminderKind.RETURN_DUE_SOON, ours_soon).exists()
    assert not sent(ReminderKind.RETURN_DUE_TODAY, theirs_today).exists()
    assert sent(ReminderKind.RETURN_DUE_SOON, theirs_soon).exists()


# ---- Waiting for review ----------------------------------------------------------------------------------


def submit(monitoring_return, user):
    kpis = monitoring_return.agreement.kpis.all()
    return returns_services.return_submit(
        by=user,
        monitoring_return=monitoring_return,
        content={"outcomes_narrative": "Forty young people took part.", "spend_to_date": Decimal("1000")},
        actuals={kpi.pk: (Decimal("10"), "") for kpi in kpis},
    )


def test_a_submitted_return_waiting_too_long_reminds_the_council_contact(moorside):
    agreement = moorside["agreement"]
    monitoring_return = agreement.returns.get()  # scheduled when it went live: 1 April 2026 to 31 March 2027
    submitted_on = date(2027, 4, 1)
    with at(submitted_on, 15):
        submit(monitoring_return, moorside["contact"])
    ten_working_days = add_working_days(submitted_on, 10)  # past Easter Monday, 5 April 2027

    sweep_on(ten_working_days - timedelta(days=1))
    assert not sent(ReminderKind.RETURN_AWAITING_REVIEW).exists()

    sweep_on(ten_working_days)
    assert recipients(ReminderKind.RETURN_AWAITING_REVIEW, monitoring_return) == {agreement.council_contact.email}
    assert occurrences(ReminderKind.RETURN_AWAITING_REVIEW, monitoring_return) == [
        "2027-04-01T14:00:00+00:00:waiting-1"  # 3pm in British Summer Time
    ]
    # A submitted return is no longer overdue or due: the provider hears nothing more about it.
    assert not sent(ReminderKind.RETURN_OVERDUE, monitoring_return).exists()


def test_a_queried_return_is_back_with_the_provider_and_reminded_but_never_escalated(moorside):
    agreement = moorside["agreement"]
    monitoring_return = agreement.returns.get()
    with at(date(2027, 4, 1)):
        submit(monitoring_return, moorside["contact"])
        returns_services.return_query(
            by=staff(agreement.council, Role.LEAD_COMMISSIONER),
            monitoring_return=monitoring_return,
            question="How many of the forty were new to the service?",
        )
    late = add_working_days(monitoring_return.due_on, 12)

    sweep_on(late)

    assert (
        "has a question about the monitoring return" in Notification.objects.get(kind=ReminderKind.RETURN_OVERDUE).body
    )
    assert not sent(ReminderKind.RETURN_ESCALATED).exists()
    assert not sent(ReminderKind.RETURN_AWAITING_REVIEW).exists()


# ---- Agreements ending -------------------------------------------------------------------------------


def test_an_agreement_ending_in_six_months_reminds_the_lead_officer_and_council_contact(council, people):
    # A council's own single lead time, as a rule from before lead times were several keeps it.
    ReminderRule.objects.create(
        council=council, kind=ReminderKind.AGREEMENT_ENDING, days_before=183, lead_times=[183], working_days=False
    )
    organisation = provider("Lantern Arts Ending")[0]
    contact = people[Role.PROCUREMENT_OFFICER]
    agreement = agreement_with(council, organisation, council_contact=contact)  # ends 31 March 2027

    sweep_on(date(2026, 9, 28))
    assert not sent(ReminderKind.AGREEMENT_ENDING, agreement).exists()

    sweep_on(date(2026, 9, 29))  # 183 days before
    assert recipients(ReminderKind.AGREEMENT_ENDING, agreement) == {
        agreement.commission.lead_officer.email,
        contact.email,
    }
    notification = Notification.objects.filter(kind=ReminderKind.AGREEMENT_ENDING).first()
    assert notification.title == f"Agreement ends on 31 March 2027: review {agreement.commission.reference}"
    assert occurrences(ReminderKind.AGREEMENT_ENDING, agreement) == ["2027-03-31:183", "2027-03-31:183"]


def test_no_ending_reminder_once_the_commission_is_in_review(council):
    agreement = agreement_with(council, provider("Open Doors Ending")[0])
    commission = agreement.commission
    commission.refresh_from_db()
    assert commission.state == State.DELIVERING
    commission_transition(by=commission.lead_officer, commission=commission, name="start_review")

    sweep_on(date(2026, 12, 1))

    assert not sent(ReminderKind.AGREEMENT_ENDING, agreement).exists()


# ---- Opportunities ---------------------------------------------------------------------------------------


def test_the_deadline_for_bids_reminds_followers_who_have_not_bid(council):
    applicant = bidder("Riverside Bidders")
    opportunity = published_with_bids(council, [applicant])
    follower, follower_admin, _ = provider("Green Lanes Followers", monitoring_contact=False)
    writer = OrganisationMemberFactory(organisation=follower, role=ProviderRole.BID_WRITER).user
    OrganisationMemberFactory(organisation=follower, role=ProviderRole.MONITORING_CONTACT)
    for organisation, user in ((follower, follower_admin), (applicant.organisation, applicant.user)):
        interest_register(by=user, opportunity=opportunity, organisation=organisation)
    deadline_day = timezone.localdate(opportunity.submission_deadline)

    sweep_on(add_working_days(deadline_day, -6))
    assert not sent(ReminderKind.OPPORTUNITY_DEADLINE).exists()

    sweep_on(add_working_days(deadline_day, -5))
    assert recipients(ReminderKind.OPPORTUNITY_DEADLINE, opportunity) == {follower_admin.email, writer.email}
    notification = Notification.objects.filter(kind=ReminderKind.OPPORTUNITY_DEADLINE).first()
    assert notification.url == f"/opportunities/{opportunity.reference}/"
    assert "12:00pm" in notification.title


# ---- Compliance documents ----------------------------------------------------------------------------


def test_an_expiring_compliance_document_reminds_the_organisations_administrators(council):
    organisation, admin, contact = provider("Age Concern Documents")
    today = date(2026, 12, 1)
    expiring = ComplianceDocumentFactory(
        organisation=organisation,
        kind=ComplianceDocumentKind.PUBLIC_LIABILITY_INSURANCE,
        expires_on=today + timedelta(30),
    )
    replaced = ComplianceDocumentFactory(
        organisation=organisation, kind=ComplianceDocumentKind.DBS_POLICY, expires_on=today + timedelta(10)
    )
    ComplianceDocumentFactory(
        organisation=organisation, kind=ComplianceDocumentKind.DBS_POLICY, expires_on=today + timedelta(400)
    )
    later = ComplianceDocumentFactory(organisation=organisation, expires_on=today + timedelta(31))

    sweep_on(today)

    assert recipients(ReminderKind.COMPLIANCE_EXPIRING, expiring) == {admin.email}
    assert not sent(ReminderKind.COMPLIANCE_EXPIRING, replaced).exists()
    assert not sent(ReminderKind.COMPLIANCE_EXPIRING, later).exists()
    notification = Notification.objects.get(kind=ReminderKind.COMPLIANCE_EXPIRING)
    assert notification.title == "Public liability insurance expires on 31 December 2026"
    assert contact.email not in recipients(ReminderKind.COMPLIANCE_EXPIRING)


# ---- Across kinds -----------------------------------------------------------------------------------------


def test_people_whose_accounts_are_closed_are_not_reminded(moorside):
    monitoring_return = return_due(moorside["agreement"], DUE)
    moorside["contact"].is_active = False
    moorside["contact"].save()

    sweep_on(DUE)

    assert recipients(ReminderKind.RETURN_DUE_TODAY, monitoring_return) == {moorside["admin"].email}


def test_each_new_reminder_has_one_notification_and_the_sweep_is_audited_per_council(council, moorside):
    return_due(moorside["agreement"], DUE)

    result = sweep_on(DUE)

    assert result.total == SentReminder.objects.count() == Notification.objects.count()
    assert not Notification.objects.filter(reminder__isnull=True).exists()
    event = AuditEvent.objects.get(event_type="reminders.sent", council=council)
    assert event.extra["date"] == "2026-12-24"
    assert event.extra["counts"][ReminderKind.RETURN_DUE_TODAY] == 1


def test_returns_of_agreements_not_yet_live_are_left_alone(council):
    from monitoring.tests.factories import draft_agreement

    draft = draft_agreement(council, provider=provider("Draft Only")[0])
    MonitoringReturn.objects.create(
        agreement=draft, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30), due_on=DUE
    )

    assert sweep_on(DUE).total == 0


def test_a_new_council_with_no_rules_gets_the_defaults():
    from councils.notification_selectors import ReminderRules

    rules = ReminderRules()
    council = CouncilFactory()
    assert rules.get(council.pk, ReminderKind.RETURN_OVERDUE).repeat_every_days == 5
    assert rules.get(council.pk, ReminderKind.RETURN_OVERDUE).escalate_after_days == 10
    assert rules.get(council.pk, ReminderKind.AGREEMENT_ENDING).leads == (274, 183, 91)
