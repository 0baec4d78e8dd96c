"""The award's services: starting it from the signed-off ranking, the recommendation's items (split
awards included), who decides (the council's thresholds), the forward plan, and what approval does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning.award import forward_plan, selectors, services
from commissioning.cycle.services import Decision
from commissioning.models import (
    AwardState,
    DecisionMaker,
    DeliveryRoute,
    EvaluationState,
    ForwardPlanEntry,
    State,
)
from commissioning.tests.award_factories import (
    decide,
    holder_portfolio,
    key_decision,
    signed_off_evaluation,
    started_award,
    submitted_award,
)
from commissioning.tests.evaluation_factories import bidder, evaluation_in_state
from councils.calendar import add_working_days
from councils.models import AuditEvent, Role
from councils.tests.factories import MembershipFactory
from councils.workflow import TransitionRefused
from monitoring.models import Agreement, AgreementState
from tests.worlds import make_world, shared_world

pytestmark = pytest.mark.django_db


def signed_off(built: dict) -> dict:
    """Two signed-off evaluations, each on an opportunity of its own: one lot (`world`) and two lots
    (`two_lots`)."""
    council = built["council"]
    return {**built, "world": signed_off_evaluation(council), "two_lots": with_two_lots(council)}


# ---- Starting the award --------------------------------------------------------------------------------


def test_the_award_starts_from_the_top_ranked_bid_at_its_price(world, people):
    award = services.award_start(by=people[Role.COMMISSIONING_OFFICER], opportunity=world.opportunity)
    assert award.state == AwardState.DRAFT
    [item] = selectors.award_items(award)
    assert (item.bid, item.lot, item.value) == (world.bids[0], None, Decimal("48000.00"))
    assert "Moorside Youth Trust for £48,000 (ranked 1 with 80.00 points" in award.recommendation
    # Idempotent: starting again returns the same award.
    again = services.award_start(by=people[Role.LEAD_COMMISSIONER], opportunity=world.opportunity)
    assert again.pk == award.pk
    assert AuditEvent.objects.filter(event_type="award.started").count() == 1


@pytest.mark.parametrize("role", [Role.PROCUREMENT_OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER])
def test_only_commissioners_start_the_award(world, people, role):
    with pytest.raises(PermissionDenied):
        services.award_start(by=people[role], opportunity=world.opportunity)


def test_the_award_waits_for_the_evaluation_to_be_signed_off(council, people):
    moderation = evaluation_in_state(council, EvaluationState.MODERATION)
    with pytest.raises(ValidationError, match="once the evaluation has been signed off"):
        services.award_start(by=people[Role.LEAD_COMMISSIONER], opportunity=moderation.opportunity)


# ---- The recommendation --------------------------------------------------------------------------------


def with_two_lots(council):
    """Two lots: the first bidder bids for lot 1 only, the second for both (and ranks second)."""
    return signed_off_evaluation(
        council,
        [bidder("Moorside Youth Trust"), bidder("Brightwork")],
        budget=Decimal(80000),
        lots=[Decimal(40000), Decimal(40000)],
        lot_prices={0: {0: 30000}, 1: {0: 35000, 1: 38000}},
    )


def test_a_split_award_gives_each_lot_its_best_bid_and_makes_an_agreement_for_each(two_lots, people):
    world = two_lots
    award = started_award(world)
    items = selectors.award_items(award)
    assert [(i.lot.number, i.bid, i.value) for i in items] == [
        (1, world.bids[0], Decimal("30000.00")),
        (2, world.bids[1], Decimal("38000.00")),
    ]
    submitted_award(world)
    decide(world)
    agreements = list(Agreement.objects.filter(bid__opportunity=world.opportunity).order_by("reference"))
    assert [(a.provider, a.lot.number, a.value, a.state) for a in agreements] == [
        (world.bids[0].organisation, 1, Decimal("30000.00"), AgreementState.DRAFT),
        (world.bids[1].organisation, 2, Decimal("38000.00"), AgreementState.DRAFT),
    ]
    world.opportunity.commission.refresh_from_db()
    assert world.opportunity.commission.state == State.AGREEING


def test_shared_delivery_of_a_lot_and_the_items_rules(two_lots, people):
    world = two_lots
    award = started_award(world)
    officer = people[Role.COMMISSIONING_OFFICER]
    first, second = world.lots
    a, b = world.bids

    def save(*items):
        keys = ("bid", "lot", "value", "note")
        return services.award_items_save(
            by=officer, award=award, items=[dict(zip(keys, item, strict=False)) for item in items], recommendation="x"
        )

    with pytest.raises(ValidationError) as error:
        save((a, first, Decimal(30000)))
    assert error.value.messages == ["Award Lot 2: Ward 2 to at least one bid"]
    with pytest.raises(ValidationError) as error:
        save((a, first, Decimal(30000)), (a, second, Decimal(30000)))
    assert error.value.messages == ["Moorside Youth Trust's bid does not cover Lot 2: Ward 2"]
    with pytest.raises(ValidationError) as error:
        save((a, first, Decimal(-1)), (b, second, Decimal(90000)))
    assert error.value.messages == [
        "The value awarded to Moorside Youth Trust's bid cannot be negative",
        "The awards add up to £89,999, more than the budget envelope of £80,000",
    ]
    save(
        (a, first, Decimal(20000), "Sessions in the village halls"),
        (b, first, Decimal(15000), "Detached youth work"),
        (b, second, Decimal(38000)),
    )
    assert [(i.lot.number, i.bid, i.value, i.note) for i in selectors.award_items(award)] == [
        (1, a, Decimal("20000.00"), "Sessions in the village halls"),
        (1, b, Decimal("15000.00"), "Detached youth work"),
        (2, b, Decimal("38000.00"), ""),
    ]


def test_an_excluded_bid_cannot_be_awarded(council, people):
    world = signed_off_evaluation(council, failing={1: {"Eligible organisation": "Not constituted"}})
    award = started_award(world)
    with pytest.raises(ValidationError, match="excluded at the compliance checks"):
        services.award_items_save(
            by=people[Role.LEAD_COMMISSIONER],
            award=award,
            items=[{"bid": world.bids[1], "lot": None, "value": Decimal(1000)}],
            recommendation="Award to the excluded bid.",
        )


def test_the_recommendation_is_fixed_once_sent(world, people):
    award = submitted_award(world)
    assert award.state == AwardState.AWAITING_DECISION
    with pytest.raises(ValidationError, match="fixed"):
        services.award_items_save(
            by=people[Role.LEAD_COMMISSIONER],
            award=award,
            items=[{"bid": world.bids[1], "lot": None, "value": Decimal(1000)}],
            recommendation="Changed my mind.",
        )


def test_submitting_needs_a_written_recommendation(world, people):
    award = services.award_items_save(
        by=people[Role.COMMISSIONING_OFFICER],
        award=started_award(world),
        items=[{"bid": world.bids[0], "lot": None, "value": Decimal(48000)}],
        recommendation="  ",
    )
    with pytest.raises(TransitionRefused) as refused:
        services.award_transition(by=people[Role.COMMISSIONING_OFFICER], award=award, name="submit")
    assert refused.value.missing == ["Write the recommendation to the decision-maker"]


# ---- Routing: delegated officer decision below the key-decision threshold ------------------------------


def test_below_the_threshold_the_lead_commissioner_decides(world, people):
    award = submitted_award(world)
    assert not award.is_key_decision
    assert (award.value_at_submission, award.threshold_at_submission) == (Decimal("48000"), Decimal("250000"))
    assert award.evaluation_digest == world.refresh().result_digest
    assert selectors.decision_route(award).decision_maker == "The lead commissioner (delegated officer decision)"
    with pytest.raises(PermissionDenied):
        services.award_transition(
            by=people[Role.PORTFOLIO_HOLDER],
            award=award,
            name="approve",
            decision=Decision(decision_maker=DecisionMaker.PORTFOLIO_HOLDER, decided_on=timezone.localdate()),
        )
    with pytest.raises(ValidationError) as error:
        services.award_transition(
            by=people[Role.LEAD_COMMISSIONER], award=award, name="approve", decision=key_decision(world)
        )
    assert "delegated officer decision" in error.value.message_dict["decision_maker"][0]
    award = decide(world, by=people[Role.LEAD_COMMISSIONER])
    assert award.state == AwardState.APPROVED
    assert (award.decision_maker, award.decided_by) == (DecisionMaker.DELEGATED_OFFICER, people[Role.LEAD_COMMISSIONER])
    # An officer decision cannot be called in: it has effect the day it is taken.
    assert award.call_in_ends_on is None
    assert award.effective_on == timezone.localdate()
    assert award.has_effect()
    event = AuditEvent.objects.get(event_type="award.approve")
    assert event.extra["decision"]["key_decision"] is False
    assert event.extra["agreements"] == [f"{world.opportunity.commission.reference}-A1"]
    recorded = AuditEvent.objects.filter(event_type="commission.record_award", actor=people[Role.LEAD_COMMISSIONER])
    assert recorded.exists()


def test_referring_back_returns_the_recommendation_to_the_officers(world, people):
    award = submitted_award(world)
    with pytest.raises(ValidationError):
        services.award_transition(by=people[Role.LEAD_COMMISSIONER], award=award, name="refer_back")
    award = services.award_transition(
        by=people[Role.LEAD_COMMISSIONER], award=award, name="refer_back", reason="Explain the value for money."
    )
    assert award.state == AwardState.DRAFT
    assert AuditEvent.objects.get(event_type="award.refer_back").reason == "Explain the value for money."


# ---- Routing: a key decision at or above the threshold -----------------------------------------------


@pytest.fixture
def key(council, people):
    """An award of exactly the key-decision threshold (£250,000) in a portfolio held by the people's
    portfolio holder; its opportunity went on the forward plan when it was published, today."""
    portfolio = holder_portfolio(council, people[Role.PORTFOLIO_HOLDER])
    world = signed_off_evaluation(
        council,
        [bidder("Moorside Youth Trust", 250000), bidder("Brightwork", 260000)],
        budget=Decimal(300000),
        portfolio=portfolio,
    )
    submitted_award(world)
    return world


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, world, two_lots = shared_world(
    lambda: signed_off(make_world()), "world", "two_lots"
)


def test_a_key_decision_is_for_the_portfolio_holder_of_that_portfolio_only(key, council, people):
    award = key.award
    assert award.is_key_decision
    assert "portfolio holder" in selectors.decision_route(award).decision_maker
    other_holder = MembershipFactory(council=council, role=Role.PORTFOLIO_HOLDER).user
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        for refused in (people[Role.LEAD_COMMISSIONER], other_holder, people[Role.SCRUTINY_MEMBER]):
            with pytest.raises(PermissionDenied):
                services.award_transition(by=refused, award=award, name="approve", decision=key_decision(key))
        with pytest.raises(ValidationError) as error:
            services.award_transition(
                by=people[Role.PORTFOLIO_HOLDER],
                award=award,
                name="approve",
                decision=Decision(decided_on=timezone.localdate()),
            )
        assert set(error.value.message_dict) == {"decision_maker", "reference", "minute_url"}
        award = decide(key, by=people[Role.PORTFOLIO_HOLDER])
    assert award.state == AwardState.APPROVED
    assert award.call_in_ends_on == add_working_days(award.decided_on, 5)
    assert award.effective_on is None


def test_a_key_decision_waits_28_clear_days_on_the_forward_plan(key, people):
    entry = ForwardPlanEntry.objects.get(opportunity=key.opportunity)
    assert entry.published_on == timezone.localdate()
    assert entry.reference == f"FP/TCC/{entry.published_on.year}/001"
    holder = people[Role.PORTFOLIO_HOLDER]
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=28), tick=False):
        # 28 days later only 27 clear days have passed.
        with pytest.raises(TransitionRefused) as refused:
            services.award_transition(by=holder, award=key.refresh_award(), name="approve", decision=key_decision(key))
        earliest = selectors.day(entry.published_on + timedelta(days=29))
        assert refused.value.missing == [
            f"The forward plan entry {entry.reference} was published on {selectors.day(entry.published_on)}: "
            f"with 28 clear days' notice the decision can be taken from {earliest}"
        ]
    with time_machine.travel(start + timedelta(days=40), tick=False):
        # Today is late enough, but a decision dated too early is still refused.
        too_early = key_decision(key, decided_on=entry.published_on + timedelta(days=20))
        with pytest.raises(ValidationError) as error:
            services.award_transition(by=holder, award=key.refresh_award(), name="approve", decision=too_early)
        assert "28 clear days" in error.value.message_dict["decided_on"][0]
    with time_machine.travel(start + timedelta(days=29), tick=False):
        award = decide(key, by=holder)
    assert award.decided_on == entry.published_on + timedelta(days=29)
    entry.refresh_from_db()
    assert entry.decided_on == award.decided_on


def test_a_key_decision_needs_a_forward_plan_entry(key, people):
    entry = ForwardPlanEntry.objects.get(opportunity=key.opportunity)
    forward_plan.forward_plan_withdraw(by=people[Role.COMMISSIONING_OFFICER], entry=entry, reason="Re-timed.")
    with (
        time_machine.travel(timezone.now() + timedelta(days=40), tick=False),
        pytest.raises(TransitionRefused) as refused,
    ):
        services.award_transition(
            by=people[Role.PORTFOLIO_HOLDER], award=key.refresh_award(), name="approve", decision=key_decision(key)
        )
    assert refused.value.missing == [
        "Publish this key decision on the forward plan: it must be there at least 28 clear days before it is taken"
    ]


# ---- The forward plan ----------------------------------------------------------------------------------


def test_officers_publish_and_withdraw_forward_plan_entries(council, people):
    commission = signed_off_evaluation(council).opportunity.commission
    officer = people[Role.COMMISSIONING_OFFICER]
    soon = timezone.localdate() + timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        forward_plan.forward_plan_publish(
            by=officer,
            commission=commission,
            matter="",
            decision_maker=DecisionMaker.DELEGATED_OFFICER,
            expected_on=soon,
        )
    assert set(error.value.message_dict) == {"matter", "decision_maker", "expected_on"}
    with pytest.raises(PermissionDenied):
        forward_plan.forward_plan_publish(
            by=people[Role.SCRUTINY_MEMBER],
            commission=commission,
            matter="Award",
            decision_maker=DecisionMaker.CABINET,
            expected_on=soon + timedelta(days=30),
        )
    entry = forward_plan.forward_plan_publish(
        by=officer,
        commission=commission,
        matter="Award of the befriending grant",
        decision_maker=DecisionMaker.CABINET,
        expected_on=soon + timedelta(days=30),
    )
    assert entry.reference.endswith("/001")
    assert entry.is_current
    assert list(selectors.forward_plan(council)) == [entry]
    with pytest.raises(ValidationError):
        forward_plan.forward_plan_withdraw(by=officer, entry=entry, reason="")
    forward_plan.forward_plan_withdraw(by=officer, entry=entry, reason="Decision now below the threshold.")
    entry.refresh_from_db()
    assert entry.withdrawn_on == timezone.localdate()
    assert not entry.is_current
    assert list(selectors.forward_plan(council)) == []


def test_only_key_decisions_go_on_the_forward_plan_when_published(council, people):
    signed_off_evaluation(council)  # £60,000: an officer decision
    assert not ForwardPlanEntry.objects.exists()
    contract = signed_off_evaluation(
        council,
        [bidder("Big Provider Ltd", 280000)],
        route=DeliveryRoute.CONTRACT,
        budget=Decimal(300000),
    )
    entry = ForwardPlanEntry.objects.get()
    assert entry.opportunity == contract.opportunity
    assert entry.expected_on >= timezone.localdate() + timedelta(days=29)
    assert "£300,000" in entry.matter
