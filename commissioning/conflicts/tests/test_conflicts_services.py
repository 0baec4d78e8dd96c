"""The conflicts assessment (Procurement Act 2023, s.83): prepared from the declarations before the
tender notice, a gate on publishing, revised whenever someone joins, and confirmed for the UK7."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.conflicts import selectors, services
from commissioning.evaluation import services as evaluation_services
from commissioning.models import (
    ConflictRisk,
    ConflictsAssessmentRevision,
    DeliveryRoute,
    Opportunity,
    OpportunityState,
    PriceMethod,
    State,
)
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.evaluation_factories import bidder, declare_all, opened_opportunity, panel_set_up
from commissioning.tests.factories import commission_in_state
from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from demo import opportunities as opportunity_demo
from demo.conflicts import prepare_conflicts_assessment
from providers.tests.factories import OrganisationMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))
    return opportunity_demo.opportunity_for(commission, officer=people[Role.COMMISSIONING_OFFICER], publish=False)


def nobody_conflicted(opportunity):
    return {row.person.pk: (ConflictRisk.NONE, "") for row in selectors.people_involved(opportunity)}


def publish(opportunity, officer):
    return opportunity_services.opportunity_transition(by=officer, opportunity=opportunity, name="publish")


def test_publishing_waits_for_the_conflicts_assessment(draft, people):
    officer = people[Role.PROCUREMENT_OFFICER]
    with pytest.raises(TransitionRefused) as refused:
        publish(draft, officer)
    assert refused.value.missing == ["Prepare the conflicts assessment"]
    assert Opportunity.objects.get(pk=draft.pk).state == OpportunityState.DRAFT
    assert selectors.confirmation(draft) is None
    revision = services.assessment_review(by=officer, opportunity=draft, answers=nobody_conflicted(draft))
    assert (revision.number, revision.reason, revision.reviewed_by) == (1, "Prepared before the tender notice", officer)
    assert publish(draft, officer).state == OpportunityState.PUBLISHED
    confirmed = selectors.confirmation(draft)
    assert confirmed.prepared_at == revision.reviewed_at
    assert confirmed.up_to_date
    assert AuditEvent.objects.filter(event_type="conflicts_assessment.reviewed", actor=officer).exists()


def test_the_assessment_lists_the_lead_officer_the_decision_maker_and_officers_acting_for_providers(
    council, people, draft
):
    portfolio = draft.commission.portfolio
    lead = draft.commission.lead_officer
    OrganisationMemberFactory(user=lead, organisation__legal_name="Kirkby Youth Trust")
    rows = {row.person: row for row in selectors.people_involved(draft)}
    assert rows[lead].capacity == "Lead officer for the commission"
    assert "Acts for Kirkby Youth Trust as organisation administrator" in rows[lead].interests
    if portfolio is not None and portfolio.holder_id:
        assert "takes the award if it is a key decision" in rows[portfolio.holder].capacity


def test_a_declared_interest_needs_a_risk_and_a_mitigation_and_nothing_is_half_saved(people, draft):
    officer = people[Role.COMMISSIONING_OFFICER]
    lead = draft.commission.lead_officer
    answers = nobody_conflicted(draft)
    answers[lead.pk] = (ConflictRisk.LOW, "  ")
    with pytest.raises(ValidationError) as refused:
        services.assessment_review(by=officer, opportunity=draft, answers=answers)
    assert f"Say how the conflict for {lead} is managed" in str(refused.value)
    del answers[lead.pk]
    with pytest.raises(ValidationError, match="Choose the risk of a conflict"):
        services.assessment_review(by=officer, opportunity=draft, answers=answers)
    assert not ConflictsAssessmentRevision.objects.exists()


@pytest.mark.parametrize(
    "who",
    [Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER, Role.FINANCE_OFFICER, "provider_admin", "other_council_officer"],
)
def test_only_sourcing_officers_prepare_it(people, draft, who):
    with pytest.raises(PermissionDenied):
        services.assessment_review(by=people[who], opportunity=draft, answers=nobody_conflicted(draft))
    assert not ConflictsAssessmentRevision.objects.exists()


def test_joining_the_panel_and_declaring_a_conflict_revise_it_for_review(council, people):
    opportunity = opened_opportunity(council, [bidder("Harbour Lights"), bidder("Moor Cycles")])
    assert selectors.latest_revision(opportunity).is_reviewed  # prepared before publishing
    world = panel_set_up(opportunity, PriceMethod.QUALITY_ONLY)
    latest = selectors.latest_revision(opportunity)
    # Two joined one after the other: one revision waits for review, naming both.
    assert (latest.number, latest.is_reviewed) == (2, False)
    assert f"{world.chair} joined the evaluation panel" in latest.reason
    assert f"{world.panellist} joined the evaluation panel" in latest.reason
    people_now = {entry.person for entry in latest.entries.all()}
    assert {world.chair, world.panellist} <= people_now
    assert latest.entries.get(person=world.panellist).risk == ""
    assert selectors.missing_to_publish(opportunity)[0].startswith("Review the conflicts assessment")
    assert not selectors.confirmation(opportunity).up_to_date

    prepare_conflicts_assessment(opportunity, people[Role.PROCUREMENT_OFFICER])
    assert selectors.latest_revision(opportunity).number == 2  # the waiting revision, now reviewed
    assert selectors.confirmation(opportunity).up_to_date

    declare_all(world, world.panellist, {world.bids[0].pk: "My sister chairs its trustees"})
    latest = selectors.latest_revision(opportunity)
    assert (latest.number, latest.is_reviewed) == (3, False)
    entry = latest.entries.get(person=world.panellist)
    assert "My sister chairs its trustees" in entry.interests
    assert entry.risk == ""  # a new interest: assessed afresh
    declare_all(world, world.chair)  # no conflict: nothing new to assess
    assert selectors.latest_revision(opportunity).number == 3
    assert [r.number for r in selectors.revisions(opportunity)] == [3, 2, 1]
    assert AuditEvent.objects.filter(event_type="conflicts_assessment.revised").count() == 3


def test_replacing_a_panellist_revises_it(council, people):
    opportunity = opened_opportunity(council, [bidder("Harbour Lights")])
    world = panel_set_up(opportunity, PriceMethod.QUALITY_ONLY)
    prepare_conflicts_assessment(opportunity, people[Role.PROCUREMENT_OFFICER])
    replacement = people[Role.LEGAL_OFFICER]
    evaluation_services.panel_replace(
        by=world.lead,
        evaluation=world.evaluation,
        member=world.members["panellist"],
        user=replacement,
        reason="On leave",
    )
    latest = selectors.latest_revision(opportunity)
    assert not latest.is_reviewed
    assert f"{replacement} joined the evaluation panel in place of {world.panellist}" in latest.reason
    people_now = {entry.person for entry in latest.entries.all()}
    assert replacement in people_now
    assert world.panellist not in people_now
    assert latest.entries.get(person=replacement).risk == ""  # new: to be assessed
    unchanged = latest.entries.exclude(person=replacement)
    assert unchanged.exists()
    assert {entry.risk for entry in unchanged} == {ConflictRisk.NONE}  # carried over from the review
