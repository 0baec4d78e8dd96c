"""Hand-offs: every step that makes it someone's turn tells them, once, in the step's own transaction,
with a link to a page they can open; the email follows from the outbox as their preferences say.

One award journey (built through the real services) and one return's review carry most hand-offs, so
the world is built once per test module."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.award import call_in as call_in_services
from commissioning.award import services as award_services
from commissioning.award.selectors import may_read_award
from commissioning.cycle import services as cycle_services
from commissioning.handoffs import may_open_evaluation
from commissioning.models import State
from commissioning.permissions import can_approve
from commissioning.tests.award_factories import approved_award, holder_portfolio
from commissioning.tests.evaluation_factories import (
    bidder,
    evaluation_in_state,
    independent_member,
    open_compliance,
    open_scoring,
)
from commissioning.tests.factories import commission_in_state, complete_plan, staff
from councils import handoffs
from councils.models import AuditEvent, EmailOptOut, Notification, ReminderKind, Role, SentReminder
from councils.notification_forms import EMAIL_GROUPS
from monitoring.reminders import emails
from monitoring.tests.factories import draft_agreement as make_draft_agreement
from monitoring.tests.factories import go_live, sign
from monitoring.tests.returns_factories import accept, query, returns_of, submit, writer
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory

pytestmark = pytest.mark.django_db


def told(kind: str, **filters) -> dict[str, list[str]]:
    """Each person told this kind of thing: their email → the links they were sent."""
    found: dict[str, list[str]] = {}
    for email, url in Notification.objects.filter(kind=kind, **filters).values_list("user__email", "url"):
        found.setdefault(email, []).append(url)
    return found


def on(day: date, hour: int = 11):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()), tick=False)


def test_every_kind_is_offered_once_on_the_preferences_page():
    offered = [kind for _, _, kinds in EMAIL_GROUPS for kind in kinds]
    assert sorted(offered) == sorted(ReminderKind.values)


def test_an_award_journey_tells_each_person_whose_turn_it_is(council, people):
    """A key decision: plan approved, bids ready to open, panel appointed, compliance and scoring
    opened, the award to decide, approved, called in and confirmed."""
    holder = people[Role.PORTFOLIO_HOLDER]
    world = approved_award(
        council,
        bidders=[bidder("Moorside Youth Trust", 270000), bidder("Brightwork", 280000)],
        budget=Decimal(300000),
        portfolio=holder_portfolio(council, holder),
    )
    award, opportunity, lead = world.award, world.opportunity, world.lead
    commission = award.commission
    officer = commission.lead_officer
    council.call_in_threshold = 1  # one member's request calls it in (the threshold has its own tests)
    council.save(update_fields=["call_in_threshold"])
    with on(award.decided_on + timedelta(days=2)):
        call_in_services.call_in_request(by=people[Role.SCRUTINY_MEMBER], award=world.refresh_award(), reason="Price.")
        award_services.award_transition(
            by=holder, award=world.refresh_award(), name="confirm_after_call_in", reason="Answered at committee."
        )
    award_page = award.get_absolute_url()
    evaluation_page = reverse(
        "commissioning:evaluation", kwargs={"council_slug": council.slug, "opportunity_pk": opportunity.pk}
    )

    # The plan: the decision-maker is told it waits, the lead officer that it was approved.
    approvers = told(ReminderKind.PLAN_TO_APPROVE)
    assert approvers == {holder.email: [commission.get_absolute_url()]}
    assert can_approve(commission, holder)
    assert told(ReminderKind.PLAN_DECIDED) == {officer.email: [commission.get_absolute_url()]}
    # Bids to open: the opening officers, never the bidders.
    opening = reverse(
        "commissioning:opportunity_opening", kwargs={"council_slug": council.slug, "opportunity_pk": opportunity.pk}
    )
    bids_to_open = told(ReminderKind.BIDS_TO_OPEN)
    assert staff(council, Role.PROCUREMENT_OFFICER).email in bids_to_open
    assert all(urls == [opening] for urls in bids_to_open.values())
    # Once opened, whoever holds the evaluation's next step: here none is set up yet, so the lead
    # commissioner, sent to set it up (had it been, its chair, sent to start the compliance checks).
    set_up = reverse(
        "commissioning:evaluation_setup", kwargs={"council_slug": council.slug, "opportunity_pk": opportunity.pk}
    )
    assert told(ReminderKind.BIDS_OPENED) == {lead.email: [set_up]}
    # The panel: each member once when appointed, then once per stage; not the lead who ran it.
    assert told(ReminderKind.PANEL_APPOINTED) == {
        world.chair.email: [evaluation_page],
        world.panellist.email: [evaluation_page],
    }
    assert told(ReminderKind.PANEL_TASKS_DUE) == {
        world.chair.email: [evaluation_page] * 2,
        world.panellist.email: [evaluation_page] * 2,
    }
    # The award: the holder of the commission's portfolio decides; the lead and the officer hear.
    assert told(ReminderKind.AWARD_TO_DECIDE) == {holder.email: [award_page]}
    decided = told(ReminderKind.AWARD_DECIDED)
    assert decided == {lead.email: [award_page] * 2, officer.email: [award_page] * 2}
    # "The decision-maker and the lead are told of a call-in."
    assert told(ReminderKind.AWARD_CALLED_IN) == {
        holder.email: [award_page],
        lead.email: [award_page],
        officer.email: [award_page],
    }
    # Everyone told can open what they were sent to; nobody of another council or any bidder was told.
    for notification in Notification.objects.filter(kind=ReminderKind.AWARD_CALLED_IN).select_related("user"):
        assert may_read_award(notification.user, opportunity)
    assert not Notification.objects.filter(user=people["other_council_officer"]).exists()
    assert not Notification.objects.filter(user__organisation_memberships__isnull=False).exists()
    # One outbox row per notification, each for its own step.
    assert Notification.objects.filter(reminder__isnull=True).count() == 0
    assert SentReminder.objects.count() == Notification.objects.count()

    # The delivery emails each once, however often it runs; a kind someone turned off is not emailed.
    EmailOptOut.objects.create(user=world.panellist, kind=ReminderKind.PANEL_TASKS_DUE)
    mail.outbox.clear()
    sent = emails.deliver_emails()
    assert emails.deliver_emails() == 0
    assert sent == len(mail.outbox) == SentReminder.objects.filter(email_skipped=False).count()
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(subjects) == len(set(subjects))
    assert not [m for m in mail.outbox if m.to == [world.panellist.email] and "Scoring open" in m.subject]
    assert [m for m in mail.outbox if m.to == [world.chair.email] and "Scoring open" in m.subject]
    assert Notification.objects.filter(user=world.panellist, kind=ReminderKind.PANEL_TASKS_DUE).count() == 2
    called_in = next(m for m in mail.outbox if m.to == [holder.email] and "called in" in m.subject)
    assert award_page in called_in.body


def test_an_independent_member_is_invited_and_linked_to_the_evaluation(council, people):
    world = evaluation_in_state(council)
    user, member = independent_member(world, list(world.opportunity.questions.all()[:1]))
    assert not user.memberships.exists()
    notice = Notification.objects.get(user=user)
    evaluation_page = reverse(
        "commissioning:evaluation", kwargs={"council_slug": council.slug, "opportunity_pk": world.opportunity.pk}
    )
    assert notice.kind == ReminderKind.PANEL_APPOINTED
    assert notice.url == evaluation_page
    assert may_open_evaluation(user, world.evaluation)
    emails.deliver_emails()
    message = next(m for m in mail.outbox if m.to == [user.email])
    assert f"You have been invited to the panel of {world.opportunity.reference}" in message.subject
    assert evaluation_page in message.body
    # Someone who cannot open the page is never sent to it.
    stranger = OrganisationMemberFactory().user
    assert not handoffs.tell(
        about=member,
        kind=ReminderKind.PANEL_APPOINTED,
        users=[stranger],
        title="x",
        body="x",
        path=evaluation_page,
        may_open=lambda u, _m: may_open_evaluation(u, world.evaluation),
    )


def test_a_step_rolled_back_tells_nobody(council, people):
    commission = commission_in_state(council, State.PLANNING)
    officer = commission.lead_officer
    complete_plan(commission, officer)

    def step_then_fail():
        with transaction.atomic():
            cycle_services.commission_transition(by=officer, commission=commission, name="submit_for_approval")
            assert Notification.objects.filter(kind=ReminderKind.PLAN_TO_APPROVE).exists()
            raise RuntimeError("the page failed after the step")

    with pytest.raises(RuntimeError):
        step_then_fail()

    assert not Notification.objects.exists()
    assert not SentReminder.objects.exists()
    commission.refresh_from_db()
    assert commission.state == State.PLANNING


def test_a_return_tells_the_contract_manager_then_the_providers_writers(council, people):
    with on(date(2026, 7, 10)):
        organisation = OrganisationFactory()
        contact = people[Role.COMMISSIONING_OFFICER]
        agreement = go_live(sign(make_draft_agreement(council, provider=organisation, council_contact=contact)))
        other = OrganisationMemberFactory().user  # another organisation's administrator
        provider_writer = writer(agreement)
        monitoring_return = returns_of(agreement)[0]
        SentReminder.objects.all().delete()  # what building the agreement told (its plan approved)
        submit(monitoring_return, by=provider_writer)
        council_page = reverse(
            "monitoring:return_detail", kwargs={"council_slug": council.slug, "pk": monitoring_return.pk}
        )
        assert told(ReminderKind.RETURN_TO_REVIEW) == {contact.email: [council_page]}

        query(monitoring_return, by=people[Role.LEAD_COMMISSIONER])
        submit(monitoring_return, by=provider_writer, answer="Twelve were new referrals.")
        accept(monitoring_return, by=contact)

    provider_page = reverse("monitoring:provider_return", kwargs={"pk": monitoring_return.pk})
    assert told(ReminderKind.RETURN_QUERIED) == {provider_writer.email: [provider_page]}
    assert told(ReminderKind.RETURN_ACCEPTED) == {provider_writer.email: [provider_page]}
    assert "Twelve" not in Notification.objects.get(kind=ReminderKind.RETURN_QUERIED).body
    assert "How many of the forty" in Notification.objects.get(kind=ReminderKind.RETURN_QUERIED).body
    assert told(ReminderKind.RETURN_TO_REVIEW) == {contact.email: [council_page] * 2}
    assert not Notification.objects.filter(user=other).exists()
    assert not Notification.objects.filter(user=people["other_council_officer"]).exists()
    # The audit event is each step's occasion: one row per person per step.
    events = set(AuditEvent.objects.filter(event_type__startswith="return.").values_list("pk", flat=True))
    occurrences = set(SentReminder.objects.values_list("occurrence", flat=True))
    assert occurrences <= {f"event:{pk}" for pk in events}


def test_choosing_which_kinds_are_emailed(client_for, people, client):
    user = people["finance_officer"]
    url = reverse("councils:notification_preferences")
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page

    browser = client_for(user)
    page = browser.get(url)
    assert page.context["form"].initial["email_plans_and_awards"] == list(EMAIL_GROUPS[0][2])
    assert b'type="checkbox"' in page.content
    assert b"Plans and award decisions: which do you want by email?" in page.content
    wanted = {f"email_{slug}": list(kinds) for slug, _, kinds in EMAIL_GROUPS}
    wanted["email_plans_and_awards"] = [ReminderKind.PLAN_TO_APPROVE]
    response = browser.post(url, {"emails": "individual", **wanted})

    assert response.status_code == 302
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    assert off == set(EMAIL_GROUPS[0][2]) - {ReminderKind.PLAN_TO_APPROVE}
    assert browser.get(url).context["form"].initial["email_plans_and_awards"] == [ReminderKind.PLAN_TO_APPROVE]

    # Told of a decided award: in the app, not by email; told of a plan to approve: both.
    subject = AuditEvent.objects.create(event_type="test.subject")  # any saved record will do
    for kind in (ReminderKind.AWARD_DECIDED, ReminderKind.PLAN_TO_APPROVE):
        handoffs.tell(about=subject, kind=kind, users=[user], title=f"About {kind}", body="Words.", path="/")
    mail.outbox.clear()
    assert emails.deliver_emails() == 1
    assert [m.subject for m in mail.outbox] == [f"About {ReminderKind.PLAN_TO_APPROVE}"]
    assert Notification.objects.filter(user=user).count() == 2
    # Turning it back on later sends no backlog.
    browser.post(url, {"emails": "individual", **{f"email_{s}": list(k) for s, _, k in EMAIL_GROUPS}})
    assert emails.deliver_emails() == 0


def test_an_independent_member_is_told_when_scores_are_due_but_not_of_compliance_checks(council, people):
    # Compliance checks are the officers' on the panel; an independent member only declares and scores.
    world = evaluation_in_state(council)
    user, _member = independent_member(world, list(world.opportunity.questions.all()[:1]))
    open_compliance(world, user)
    open_scoring(world)
    due = Notification.objects.filter(kind=ReminderKind.PANEL_TASKS_DUE)
    assert [n.title.split(":")[0] for n in due.filter(user=user)] == ["Scoring open"]
    assert sorted(n.title.split(":")[0] for n in due.filter(user=world.chair)) == [
        "Compliance checks open",
        "Scoring open",
    ]
