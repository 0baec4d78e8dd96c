"""Opportunity alerts, the council's side: publishing an opportunity tells the bid writers and
administrators of the organisations it matches, in the app and by email as each chose, once per
opportunity, in the step's own transaction; nobody else hears of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.cycle import services as cycle_services
from commissioning.models import DeliveryRoute, OpportunityState, State
from commissioning.sourcing import alerts
from commissioning.sourcing.services import opportunities as services
from commissioning.tests.factories import FundingPotFactory, create_commission
from councils import workflow
from councils.models import EmailOptOut, Notification, NotificationPreference, ReminderKind, Role, SentReminder
from councils.tests.factories import OutcomeFactory, PortfolioFactory
from demo import commissions as demo_commissions
from demo import opportunities as opportunity_demo
from demo.conflicts import prepare_conflicts_assessment
from monitoring.reminders import emails
from providers.models import CpvInterest, ProviderRole
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory

pytestmark = pytest.mark.django_db


def ready_to_publish(council, officer, *, outcome=None, cpv_code: str = "85311000"):
    """A draft contract opportunity for a commission buying `cpv_code` towards `outcome`, ready for
    `officer` (a procurement officer) to publish; built through the services, as the officers would."""
    commission = create_commission(council)
    # What is bought is said while planning.
    cycle_services.commission_set_cpv_code(by=commission.lead_officer, commission=commission, code=cpv_code)
    commission = demo_commissions.advance(
        commission,
        State.SOURCING,
        route=DeliveryRoute.CONTRACT,
        budget=Decimal(150000),
        pot=FundingPotFactory(council=council),
        council_outcome=outcome or OutcomeFactory(priority__plan__council=council),
        portfolio=commission.portfolio or PortfolioFactory(council=council),
    )
    opportunity = opportunity_demo.opportunity_for(commission, officer=officer, publish=False)
    prepare_conflicts_assessment(opportunity, officer)
    return opportunity


@pytest.fixture
def draft(council, people):
    """A draft opportunity for a contract buying social work (CPV 85311000)."""
    return ready_to_publish(council, people[Role.PROCUREMENT_OFFICER])


def publish(opportunity, people):
    return services.opportunity_transition(by=people[Role.PROCUREMENT_OFFICER], opportunity=opportunity, name="publish")


def interested(name: str, *, alerts: bool = True, cpv: str = "", outcomes=(), councils=(), roles=None):
    """An organisation with its interests, and one person in each of `roles` (all three by default)."""
    organisation = OrganisationFactory(legal_name=name, opportunity_alerts=alerts)
    if cpv:
        CpvInterest.objects.create(organisation=organisation, code=cpv)
    organisation.outcomes_of_interest.set(outcomes)
    organisation.alert_councils.set(councils)
    people = {
        role: OrganisationMemberFactory(organisation=organisation, role=role).user
        for role in (roles or list(ProviderRole))
    }
    return organisation, people


def alerts_for(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=ReminderKind.OPPORTUNITY_ALERT))


def test_publishing_tells_only_the_bidding_people_of_matching_organisations(draft, people, other_council):
    outcome = draft.commission.outcomes.get()
    _, by_outcome = interested("Outcome Trust", outcomes=[outcome])
    _, by_cpv = interested("Social Work Co-op", cpv="85300000")
    _, by_council = interested("Local Friends", councils=[draft.council])
    _, elsewhere = interested("Otherton Builders", cpv="45000000", councils=[other_council])
    _, opted_out = interested("Quiet Trust", alerts=False, outcomes=[outcome], cpv="85000000")

    publish(draft, people)

    for told, why in (
        (by_outcome, f"the outcome ‘{outcome.title}’"),
        (by_cpv, "CPV 85300000 Social work and related services"),
        (by_council, f"opportunities from {draft.council.name}"),
    ):
        for role in (ProviderRole.ORGANISATION_ADMIN, ProviderRole.BID_WRITER):
            [alert] = alerts_for(told[role])
            assert alert.title == f"New opportunity: {draft.reference}: {draft.title}"
            assert f"matches your interest in: {why}" in alert.body
            assert alert.url == draft.get_absolute_url()
        assert alerts_for(told[ProviderRole.MONITORING_CONTACT]) == []
    for nobody in (*elsewhere.values(), *opted_out.values()):
        assert alerts_for(nobody) == []
    # Nobody on the council's side, and not the public: only the six bidding people.
    assert Notification.objects.filter(kind=ReminderKind.OPPORTUNITY_ALERT).count() == 6


def test_each_person_is_told_once_even_for_two_organisations_and_a_retried_publish(draft, people, monkeypatch):
    organisation, members = interested("Outcome Trust", cpv="85000000", roles=[ProviderRole.ORGANISATION_ADMIN])
    admin = members[ProviderRole.ORGANISATION_ADMIN]
    second = OrganisationFactory(legal_name="Second Trust", opportunity_alerts=True)
    second.alert_councils.add(draft.council)
    OrganisationMemberFactory(organisation=second, user=admin, role=ProviderRole.BID_WRITER)

    # The step fails after the alerts were written: it rolls back, and nobody was told.
    def fails(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(workflow, "audit_record", fails)
        with pytest.raises(RuntimeError):
            publish(draft, people)
    assert draft.state == OpportunityState.DRAFT
    assert not SentReminder.objects.filter(kind=ReminderKind.OPPORTUNITY_ALERT).exists()

    publish(draft, people)
    [alert] = alerts_for(admin)
    assert "For Outcome Trust: matches your interest in: CPV 85000000" in alert.body
    assert f"For Second Trust: matches your interest in: opportunities from {draft.council.name}" in alert.body
    # Told again (a second sweep, a retried effect): nothing new, the outbox knows.
    assert alerts.alert_providers(draft) == []
    assert SentReminder.objects.filter(kind=ReminderKind.OPPORTUNITY_ALERT, occurrence="published").count() == 1


def test_emails_follow_each_persons_choices(draft, people):
    _, members = interested("Outcome Trust", cpv="85300000")
    admin, writer = members[ProviderRole.ORGANISATION_ADMIN], members[ProviderRole.BID_WRITER]
    EmailOptOut.objects.create(user=writer, kind=ReminderKind.OPPORTUNITY_ALERT)
    _, digested = interested("Digest Trust", cpv="85000000", roles=[ProviderRole.ORGANISATION_ADMIN])
    digest_reader = digested[ProviderRole.ORGANISATION_ADMIN]
    NotificationPreference.objects.create(user=digest_reader, daily_digest=True)

    emails.deliver_emails()  # what building the commission told its officers
    publish(draft, people)
    mail.outbox.clear()
    emails.deliver_emails()

    assert [m.to for m in mail.outbox] == [[admin.email]]
    assert draft.reference in mail.outbox[0].subject
    assert "matches your interest in: CPV 85300000" in mail.outbox[0].body
    # The others still have it in the app; the digest reader gets it with tomorrow's digest.
    assert alerts_for(writer)
    assert alerts_for(digest_reader)
    assert emails.send_digests() == 1
    assert mail.outbox[-1].to == [digest_reader.email]


def test_matching_takes_the_same_queries_however_many_organisations_match(draft, people):
    outcome = draft.commission.outcomes.get()
    interested("First Trust", outcomes=[outcome])
    workflow.reload(draft)

    def queries() -> int:
        SentReminder.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            told = alerts.alert_providers(draft)
        return len(captured), len(told)

    one, told_one = queries()
    for n in range(12):
        interested(f"Trust {n}", outcomes=[outcome], cpv="85300000", councils=[draft.council])
    many, told_many = queries()
    assert (told_one, told_many) == (2, 26)
    assert many == one
