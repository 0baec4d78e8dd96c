"""Opportunity services: drafting from a commission, the publishing gate, permissions, audit,
optimistic locking, closing on schedule, the two-officer opening, the ethical wall, interest,
clarifications and the emails they send."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning.models import (
    BidOpening,
    ClarificationVisibility,
    DeliveryRoute,
    FormType,
    Lot,
    Opportunity,
    OpportunityQuestion,
    OpportunityState,
    State,
)
from commissioning.sourcing.selectors import opportunities as opportunity_selectors
from commissioning.sourcing.services import opportunities as services
from commissioning.tasks import close_due_opportunities
from commissioning.tests import bid_factories
from commissioning.tests.factories import commission_in_state
from councils.calendar import is_working_day, working_days_between
from councils.models import AuditEvent, Role
from councils.workflow import TransitionConflict, TransitionRefused
from demo import opportunities as opportunity_demo
from demo.conflicts import prepare_conflicts_assessment
from providers.models import Organisation, OrganisationMember, ProviderRole

OUTSIDERS = [
    Role.SCRUTINY_MEMBER,
    Role.PORTFOLIO_HOLDER,
    Role.FINANCE_OFFICER,
    "provider_admin",
    "other_council_officer",
]


@pytest.fixture
def contract(council):
    """A contract above the tender threshold (£100,000), sourcing providers."""
    return commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))


@pytest.fixture
def opportunity(contract, people):
    return opportunity_demo.opportunity_for(contract, officer=people[Role.COMMISSIONING_OFFICER])


def move(opportunity, **dates):
    """Time passes: move the dates (never the state) and reload."""
    Opportunity.objects.filter(pk=opportunity.pk).update(**dates)
    opportunity.refresh_from_db()
    return opportunity


def past_deadline(opportunity):
    now = timezone.now()
    return move(
        opportunity,
        clarification_deadline=now - datetime.timedelta(days=3),
        submission_deadline=now - datetime.timedelta(hours=1),
    )


def organisation_of(user) -> Organisation:
    return OrganisationMember.objects.get(user=user).organisation


def submitted_bid(opportunity, user):
    # Through the bid services, as a provider would submit it.
    return bid_factories.submitted_bid(opportunity, user)


def test_proportionate_rules_follow_route_and_value(council):
    small_grant = commission_in_state(council, State.SOURCING, budget=Decimal(60000))
    assert services.form_type_for(small_grant) == FormType.SHORT_GRANT
    assert not services.needs_two_person_opening(small_grant)
    assert services.form_type_for(small_grant, Decimal(100000)) == FormType.FULL_TENDER


def test_a_drafts_default_dates_count_working_days(contract, people):
    # Drafted on Friday 20 March 2026: Good Friday (3 April) and Easter Monday (6 April) are skipped.
    friday = datetime.datetime(2026, 3, 20, 10, tzinfo=datetime.UTC)
    with time_machine.travel(friday, tick=False):
        opportunity = services.opportunity_create(by=people[Role.PROCUREMENT_OFFICER], commission=contract)
    start = friday.date()
    clarifications = timezone.localdate(opportunity.clarification_deadline)
    bids = timezone.localdate(opportunity.submission_deadline)
    assert (clarifications, bids, opportunity.expected_award_on) == (
        datetime.date(2026, 4, 14),
        datetime.date(2026, 4, 21),
        datetime.date(2026, 5, 20),
    )
    for day, working in ((clarifications, 15), (bids, 20), (opportunity.expected_award_on, 40)):
        assert is_working_day(day)
        assert working_days_between(start, day) == working
    assert bids - start > datetime.timedelta(days=28)  # four calendar weeks would have been 17 April
    assert timezone.localtime(opportunity.submission_deadline).hour == 12


def test_draft_is_prefilled_from_the_commission_and_audited(contract, people):
    officer = people[Role.PROCUREMENT_OFFICER]
    opportunity = services.opportunity_create(by=officer, commission=contract)
    assert opportunity.reference == f"{contract.reference}-OPP1"
    assert opportunity.state == OpportunityState.DRAFT
    assert opportunity.title == contract.title
    assert opportunity.budget_envelope == Decimal(150000)
    assert "Fewer people feel isolated" in opportunity.outcomes_sought
    assert opportunity.form_type == FormType.FULL_TENDER
    assert opportunity.two_person_opening
    event = AuditEvent.objects.get(event_type="opportunity.created")
    assert (event.council, event.actor, event.to_state) == (contract.council, officer, OpportunityState.DRAFT)
    with pytest.raises(TransitionRefused, match="already has an opportunity"):
        services.opportunity_create(by=officer, commission=contract)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_sourcing_officers_draft_and_publish(contract, people, who):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(by=people[who], commission=contract)
    draft = opportunity_demo.opportunity_for(contract, officer=people[Role.LEAD_COMMISSIONER], publish=False)
    with pytest.raises(PermissionDenied):
        services.opportunity_transition(by=people[who], opportunity=draft, name="publish")
    assert Opportunity.objects.get(pk=draft.pk).state == OpportunityState.DRAFT


def test_a_commission_not_sourcing_cannot_have_an_opportunity(council, people):
    planning = commission_in_state(council, State.PLANNING)
    with pytest.raises(TransitionRefused, match="must be approved and sourcing"):
        services.opportunity_create(by=people[Role.COMMISSIONING_OFFICER], commission=planning)


def test_publishing_is_refused_with_what_is_missing(contract, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    draft = opportunity_demo.opportunity_for(contract, officer=officer, questions=0, publish=False)
    move(draft, clarification_deadline=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(TransitionRefused) as refused:
        services.opportunity_transition(by=officer, opportunity=draft, name="publish")
    assert "Add at least one question for bidders to answer" in refused.value.missing
    assert "Set a clarification deadline in the future" in refused.value.missing
    assert Opportunity.objects.get(pk=draft.pk).state == OpportunityState.DRAFT
    assert not AuditEvent.objects.filter(event_type="opportunity.published").exists()


def test_publishing_is_atomic_and_audited(contract, people):
    officer = people[Role.PROCUREMENT_OFFICER]
    draft = opportunity_demo.opportunity_for(contract, officer=officer, publish=False)
    prepare_conflicts_assessment(draft, officer)
    services.opportunity_transition(by=officer, opportunity=draft, name="publish", reason="Ready")
    stored = Opportunity.objects.get(pk=draft.pk)
    assert stored.state == OpportunityState.PUBLISHED
    assert stored.published_at is not None
    event = AuditEvent.objects.get(event_type="opportunity.published")
    assert event.council == contract.council
    assert event.actor == officer
    assert (event.from_state, event.to_state, event.reason) == ("draft", "published", "Ready")
    assert event.object_id == str(draft.pk)


def test_two_officers_publishing_at_once_cannot_both_win(opportunity, people):
    stale = Opportunity.objects.get(pk=opportunity.pk)
    services.opportunity_transition(
        by=people[Role.LEAD_COMMISSIONER], opportunity=opportunity, name="cancel", reason="Market has changed"
    )
    with pytest.raises(TransitionConflict):
        services.opportunity_transition(
            by=people[Role.COMMISSIONING_OFFICER], opportunity=stale, name="cancel", reason="Duplicate"
        )
    assert AuditEvent.objects.filter(event_type="opportunity.cancelled").count() == 1


def test_cancelling_needs_a_reason(opportunity, people):
    with pytest.raises(ValidationError):
        services.opportunity_transition(by=people[Role.LEAD_COMMISSIONER], opportunity=opportunity, name="cancel")


def test_closing_belongs_to_the_scheduler(opportunity, people):
    past_deadline(opportunity)
    with pytest.raises(PermissionDenied):
        services.opportunity_transition(by=people[Role.LEAD_COMMISSIONER], opportunity=opportunity, name="close")


def test_the_task_closes_only_opportunities_past_their_deadline(council, contract, people):
    due = past_deadline(opportunity_demo.opportunity_for(contract, officer=people[Role.COMMISSIONING_OFFICER]))
    grant = commission_in_state(council, State.SOURCING, budget=Decimal(60000), title="Holiday clubs")
    open_one = opportunity_demo.opportunity_for(grant, officer=people[Role.COMMISSIONING_OFFICER])
    draft = past_deadline(
        opportunity_demo.opportunity_for(
            commission_in_state(council, State.SOURCING, title="Draft"),
            officer=people[Role.LEAD_COMMISSIONER],
            publish=False,
        )
    )
    assert close_due_opportunities() == 1
    states = dict(Opportunity.objects.values_list("pk", "state"))
    assert states == {due.pk: "closed", open_one.pk: "published", draft.pk: "draft"}
    event = AuditEvent.objects.get(event_type="opportunity.closed")
    assert (event.actor, event.from_state, event.to_state) == (None, "published", "closed")
    assert close_due_opportunities() == 0


def test_bids_cannot_be_opened_before_the_deadline(opportunity, people):
    with pytest.raises(TransitionRefused, match="after the deadline"):
        services.bids_open(by=people[Role.LEAD_COMMISSIONER], opportunity=opportunity)


def test_two_person_opening_needs_a_different_second_officer(opportunity, people):
    submitted_bid(opportunity, people["provider_admin"])
    past_deadline(opportunity)
    first, second = people[Role.PROCUREMENT_OFFICER], people[Role.LEGAL_OFFICER]
    opening = services.bids_open(by=first, opportunity=opportunity)  # closes it lazily, then records
    assert opportunity.state == OpportunityState.CLOSED
    assert opening.first_officer == first
    assert opening.second_officer is None
    with pytest.raises(TransitionRefused, match="different opening officer"):
        services.bids_open(by=first, opportunity=opportunity)
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.CLOSED
    services.bids_open(by=second, opportunity=opportunity)
    opening = BidOpening.objects.get(opportunity=opportunity)
    assert (opening.first_officer, opening.second_officer, opening.bids_opened) == (first, second, 1)
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.OPENED
    events = list(AuditEvent.objects.filter(event_type__startswith="opportunity.opening").order_by("id"))
    assert [(e.event_type, e.actor) for e in events] == [
        ("opportunity.opening.first_confirmed", first),
        ("opportunity.opening.second_confirmed", second),
    ]
    opened = AuditEvent.objects.get(event_type="opportunity.bids_opened")
    assert (opened.from_state, opened.to_state, opened.extra["bids_opened"]) == ("closed", "opened", 1)


def test_one_officer_opens_a_grant(council, people):
    grant = commission_in_state(council, State.SOURCING, budget=Decimal(60000))
    opportunity = past_deadline(opportunity_demo.opportunity_for(grant, officer=people[Role.COMMISSIONING_OFFICER]))
    assert not opportunity.two_person_opening
    services.bids_open(by=people[Role.LEAD_COMMISSIONER], opportunity=opportunity)
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.OPENED


@pytest.mark.parametrize("who", [Role.COMMISSIONING_OFFICER, Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER])
def test_only_opening_officers_open_bids(opportunity, people, who):
    past_deadline(opportunity)
    with pytest.raises(PermissionDenied):
        services.bids_open(by=people[who], opportunity=opportunity)


def test_ethical_wall_refuses_an_officer_who_acts_for_a_bidder(opportunity, people):
    officer = people[Role.PROCUREMENT_OFFICER]
    submitted_bid(opportunity, people["provider_admin"])
    OrganisationMember.objects.create(
        organisation=organisation_of(people["provider_admin"]), user=officer, role=ProviderRole.BID_WRITER
    )
    past_deadline(opportunity)
    assert opportunity_selectors.has_bidder_conflict(officer, opportunity)
    with pytest.raises(PermissionDenied):
        services.bids_open(by=officer, opportunity=opportunity)
    assert not BidOpening.objects.filter(opportunity=opportunity).exists()


def test_lots_and_questions_are_fixed_once_published(opportunity, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.record_save(by=officer, opportunity=opportunity, instance=Lot(opportunity=opportunity, title="Late"))
    question = opportunity.questions.first()
    question.word_limit = 50
    with pytest.raises(ValidationError):
        services.record_save(by=officer, opportunity=opportunity, instance=question)


def test_a_question_must_use_this_commissions_criteria(council, contract, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    draft = opportunity_demo.opportunity_for(contract, officer=officer, publish=False)
    foreign = commission_in_state(council, State.SOURCING, title="Another").criteria.first()
    question = OpportunityQuestion(opportunity=draft, criterion=foreign, text="Why?", word_limit=100)
    with pytest.raises(ValidationError):
        services.record_save(by=officer, opportunity=draft, instance=question)


def test_changing_dates_after_publication_emails_interested_providers(
    opportunity, people, django_capture_on_commit_callbacks
):
    provider = people["provider_admin"]
    services.interest_register(by=provider, opportunity=opportunity, organisation=organisation_of(provider))
    new_deadline = opportunity.submission_deadline + datetime.timedelta(days=7)
    opportunity.submission_deadline = new_deadline
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_update_dates(by=people[Role.COMMISSIONING_OFFICER], opportunity=opportunity)
    assert [m.to for m in mail.outbox] == [[provider.email]]
    assert opportunity_selectors.when(new_deadline) in mail.outbox[0].body
    assert "The deadline for bids is now" in mail.outbox[0].body


def test_a_published_deadline_cannot_be_moved_into_the_past(opportunity, people):
    opportunity.submission_deadline = timezone.now() - datetime.timedelta(minutes=5)
    opportunity.clarification_deadline = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.opportunity_update_dates(by=people[Role.COMMISSIONING_OFFICER], opportunity=opportunity)
    assert "submission_deadline" in error.value.error_dict


def test_interest_is_for_members_of_the_organisation(opportunity, people):
    with pytest.raises(PermissionDenied):
        services.interest_register(
            by=people["other_provider_admin"],
            opportunity=opportunity,
            organisation=organisation_of(people["provider_admin"]),
        )


def test_clarifications_are_asked_before_the_deadline_only(opportunity, people):
    provider = people["provider_admin"]
    organisation = organisation_of(provider)
    asked = services.clarification_ask(by=provider, opportunity=opportunity, organisation=organisation, question="Q?")
    assert asked.visibility == ClarificationVisibility.PENDING
    move(opportunity, clarification_deadline=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="The deadline for clarification questions was"):
        services.clarification_ask(by=provider, opportunity=opportunity, organisation=organisation, question="Late?")
    assert opportunity.clarifications.count() == 1


def test_publishing_a_clarification_emails_everyone_following(opportunity, people, django_capture_on_commit_callbacks):
    asker, follower = people["provider_admin"], people["other_provider_admin"]
    services.interest_register(by=follower, opportunity=opportunity, organisation=organisation_of(follower))
    services.interest_register(by=asker, opportunity=opportunity, organisation=organisation_of(asker))
    question = services.clarification_ask(
        by=asker, opportunity=opportunity, organisation=organisation_of(asker), question="We are Moorside. Lots?"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.clarification_answer(
            by=people[Role.PROCUREMENT_OFFICER],
            clarification=question,
            visibility=ClarificationVisibility.PUBLISHED,
            published_question="Can we bid for one lot?",
            answer="Yes.",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([asker.email, follower.email])
    assert all("Can we bid for one lot?" in m.body and "Moorside" not in m.body for m in mail.outbox)
    event = AuditEvent.objects.get(event_type="opportunity.clarification.published")
    assert (event.actor, event.from_state, event.to_state) == (people[Role.PROCUREMENT_OFFICER], "pending", "published")


def test_publishing_needs_the_anonymised_question(opportunity, people):
    asker = people["provider_admin"]
    question = services.clarification_ask(
        by=asker, opportunity=opportunity, organisation=organisation_of(asker), question="Q?"
    )
    with pytest.raises(ValidationError) as error:
        services.clarification_answer(
            by=people[Role.COMMISSIONING_OFFICER], clarification=question, visibility="published", answer="A."
        )
    assert "published_question" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        services.clarification_answer(
            by=people[Role.SCRUTINY_MEMBER], clarification=question, visibility="private", answer="A."
        )


def test_a_private_answer_is_seen_only_by_the_asking_organisation(
    opportunity, people, django_capture_on_commit_callbacks
):
    asker, other = people["provider_admin"], people["other_provider_admin"]
    question = services.clarification_ask(
        by=asker, opportunity=opportunity, organisation=organisation_of(asker), question="Our own case?"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.clarification_answer(
            by=people[Role.COMMISSIONING_OFFICER], clarification=question, visibility="private", answer="Private."
        )
    assert [m.to for m in mail.outbox] == [[asker.email]]
    mine = opportunity_selectors.clarifications_for_organisation(organisation_of(asker), opportunity)
    theirs = opportunity_selectors.clarifications_for_organisation(organisation_of(other), opportunity)
    assert [c.answer for c in mine] == ["Private."]
    assert list(theirs) == []
    assert opportunity_selectors.opportunity_content(opportunity)["published_clarifications"] == []
