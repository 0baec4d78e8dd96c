"""The publish gate and the criteria: every weighted criterion goes out with a question of the bid
marked against it, or is marked as scored on the whole bid, so that no panel scores a criterion
against nothing. The panel's score sheet says which."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissioning.models import (
    BidAnswer,
    DeliveryRoute,
    EvaluationCriterion,
    EvaluationState,
    OpportunityQuestion,
    OpportunityState,
    State,
)
from commissioning.sourcing import gates
from commissioning.sourcing.services import opportunities as services
from commissioning.tests.evaluation_factories import evaluation_in_state
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from councils.workflow import TransitionRefused
from demo import opportunities as opportunity_demo
from demo.commissions import WHOLE_BID_CRITERIA
from demo.conflicts import prepare_conflicts_assessment

pytestmark = pytest.mark.django_db

ADDED_VALUE = "Added value / additionality"
NOT_ASKED = (
    "Criterion 5, ‘Added value / additionality’ (10%), has no question marked against it: mark a question "
    "against it, or mark the criterion as scored on the whole bid"
)


@pytest.fixture
def contract(council):
    return commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))


def draft_of(contract, officer, questions: int):
    """A draft with the demo's first `questions` questions and everything else it needs to publish."""
    draft = opportunity_demo.opportunity_for(contract, officer=officer, questions=questions, publish=False)
    prepare_conflicts_assessment(draft, officer)
    return draft


def criterion(commission, title) -> EvaluationCriterion:
    return commission.criteria.get(cycle=commission.cycle, title=title)


def test_a_weighted_criterion_with_no_question_stops_publishing(contract, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    # Three of the demo's four questions: none is marked against ‘Added value / additionality’.
    draft = draft_of(contract, officer, 3)
    assert gates.missing_to_publish(draft) == [NOT_ASKED]
    with pytest.raises(TransitionRefused) as refused:
        services.opportunity_transition(by=officer, opportunity=draft, name="publish")
    assert NOT_ASKED in refused.value.missing
    draft.refresh_from_db()
    assert draft.state == OpportunityState.DRAFT


def test_a_criterion_scored_on_the_whole_bid_needs_no_question(contract, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    draft = draft_of(contract, officer, 3)
    EvaluationCriterion.objects.filter(pk=criterion(contract, ADDED_VALUE).pk).update(scored_on_whole_bid=True)
    assert gates.missing_to_publish(draft) == []


def test_a_criterion_with_a_question_needs_nothing_more(contract, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    draft = draft_of(contract, officer, 3)
    services.record_save(
        by=officer,
        opportunity=draft,
        instance=OpportunityQuestion(
            opportunity=draft,
            criterion=criterion(contract, ADDED_VALUE),
            text="What will you add?",
            word_limit=300,
            position=4,
        ),
    )
    assert gates.missing_to_publish(draft) == []
    services.opportunity_transition(by=officer, opportunity=draft, name="publish")
    draft.refresh_from_db()
    assert draft.state == OpportunityState.PUBLISHED


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_gate_names_exactly_the_weighted_criteria_with_neither(contract, people, data):
    """Whatever the questions and the marks: the gate names a criterion, by its number in the plan and
    its title, if and only if it carries weight, has no question and is not scored on the whole bid."""
    officer = people[Role.COMMISSIONING_OFFICER]
    criteria = list(contract.criteria.filter(cycle=contract.cycle).order_by("position", "id"))
    with transaction.atomic():
        draft = opportunity_demo.opportunity_for(contract, officer=officer, questions=0, publish=False)
        whole = data.draw(st.lists(st.booleans(), min_size=len(criteria), max_size=len(criteria)))
        asked = data.draw(st.sets(st.sampled_from(range(len(criteria)))))
        for index, (row, is_whole) in enumerate(zip(criteria, whole, strict=True)):
            EvaluationCriterion.objects.filter(pk=row.pk).update(scored_on_whole_bid=is_whole)
            if index in asked:
                OpportunityQuestion.objects.create(
                    opportunity=draft, criterion=row, text=f"About {row.title}", word_limit=100, position=index
                )
        named = [line for line in gates.missing_to_publish(draft) if line.startswith("Criterion ")]
        expected = [
            f"Criterion {index + 1}, ‘{row.title}’"
            for index, row in enumerate(criteria)
            if row.weight and not whole[index] and index not in asked
        ]
        assert [line.split(" (")[0] for line in named] == expected
        transaction.set_rollback(True)


def test_the_demo_marks_the_criteria_it_does_not_ask_about(contract):
    marked = set(contract.criteria.filter(scored_on_whole_bid=True).values_list("title", flat=True))
    assert marked == set(WHOLE_BID_CRITERIA)


def test_the_criterion_form_offers_the_mark_with_its_hint(council, people, client_for):
    commission = commission_in_state(council, State.PLANNING, route=DeliveryRoute.CONTRACT)
    page = client_for(people[Role.COMMISSIONING_OFFICER]).get(
        reverse(
            "commissioning:record_add",
            kwargs={"council_slug": council.slug, "pk": commission.pk, "kind": "criteria"},
        )
    )
    text = page.content.decode()
    assert 'name="scored_on_whole_bid"' in text
    assert "judges this criterion on the bid as a whole" in text


def test_the_score_sheet_says_a_criterion_is_scored_on_the_whole_bid(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.SCORING)
    opportunity = world.opportunity
    # An opportunity published before the gate asked for a question against every criterion: two have none.
    whole, bare = [criterion(opportunity.commission, title) for title in ("Sustainability", "Collaboration")]
    questions = OpportunityQuestion.objects.filter(opportunity=opportunity, criterion__in=[whole, bare])
    BidAnswer.objects.filter(question__in=questions).delete()
    questions.delete()
    EvaluationCriterion.objects.filter(pk=whole.pk).update(scored_on_whole_bid=True)
    EvaluationCriterion.objects.filter(pk=bare.pk).update(scored_on_whole_bid=False)
    sheet_url = reverse(
        "commissioning:evaluation_bid",
        kwargs={"council_slug": council.slug, "opportunity_pk": opportunity.pk, "bid_pk": world.bids[0].pk},
    )
    page = client_for(world.chair).get(sheet_url).content.decode()
    assert page.count("Scored on the whole bid.") == 1
    assert page.count("No question of the bid is marked against this criterion") == 1
