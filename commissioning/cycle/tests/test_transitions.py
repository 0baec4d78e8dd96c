"""The commissioning cycle as a guarded, audited state machine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning.cycle import services
from commissioning.models import (
    ApprovalDecision,
    Commission,
    DecisionMaker,
    DeliveryRoute,
    EvaluationCriterion,
    FundingCommitment,
    OutcomeSought,
    Recommendation,
    Stage,
    State,
)
from commissioning.tests.factories import (
    FundingPotFactory,
    commission_in_state,
    complete_plan,
    complete_understand,
    create_commission,
    write_review,
)
from councils import workflow
from councils.models import AuditEvent, Role
from councils.workflow import TransitionConflict, TransitionRefused


def events(commission):
    return list(
        AuditEvent.objects.filter(object_id=str(commission.pk), event_type__startswith="commission.").order_by("id")
    )


def test_a_new_commission_starts_in_understand_cycle_one_with_a_reference(council, people):
    commission = create_commission(council, officer=people[Role.COMMISSIONING_OFFICER])
    assert (commission.state, commission.stage, commission.cycle) == (State.UNDERSTANDING, Stage.UNDERSTAND, 1)
    assert commission.reference.startswith(f"TCC-{timezone.localdate().year}-0001")
    second = create_commission(council, officer=people[Role.COMMISSIONING_OFFICER])
    assert second.reference.endswith("0002")


def test_the_state_field_cannot_be_written_directly(council, people):
    commission = create_commission(council)
    with pytest.raises(AttributeError):
        commission.state = State.DELIVERING


@pytest.mark.parametrize(
    ("state", "stage"),
    [
        (State.UNDERSTANDING, Stage.UNDERSTAND),
        (State.PLANNING, Stage.PLAN),
        (State.AWAITING_APPROVAL, Stage.PLAN),
        (State.SOURCING, Stage.DO),
        (State.AGREEING, Stage.DO),
        (State.DELIVERING, Stage.DO),
        (State.REVIEWING, Stage.REVIEW),
        (State.DECOMMISSIONED, Stage.CLOSED),
        (State.CANCELLED, Stage.CLOSED),
    ],
)
def test_every_state_is_reachable_through_the_services(council, people, state, stage):
    commission = commission_in_state(council, state)
    assert commission.state == state
    assert Commission.objects.get(pk=commission.pk).state == state
    assert commission.stage == stage


def test_leaving_understand_needs_needs_assessment_evidence_and_gap_analysis(council, people):
    commission = create_commission(council)
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(
            by=people[Role.COMMISSIONING_OFFICER], commission=commission, name="start_planning"
        )
    assert refused.value.missing == [
        "Record the needs assessment",
        "Add at least one piece of evidence for the needs assessment",
        "Record the gap analysis",
    ]
    assert Commission.objects.get(pk=commission.pk).state == State.UNDERSTANDING
    complete_understand(commission)
    services.commission_transition(by=people[Role.COMMISSIONING_OFFICER], commission=commission, name="start_planning")
    assert commission.state == State.PLANNING


def test_leaving_plan_lists_everything_missing(council, people):
    commission = commission_in_state(council, State.PLANNING)
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(
            by=people[Role.COMMISSIONING_OFFICER], commission=commission, name="submit_for_approval"
        )
    assert refused.value.missing == [
        "Appraise at least two delivery options (doing nothing can be one)",
        "Choose a delivery route",
        "Set the budget",
        "Set the start and end dates",
        "Add at least one outcome sought",
    ]


def test_every_outcome_needs_a_success_measure_and_weights_must_total_100(council, people):
    commission = commission_in_state(council, State.PLANNING)
    complete_plan(commission)
    officer = people[Role.COMMISSIONING_OFFICER]
    outcome = OutcomeSought.objects.filter(commission=commission).first()
    services.stage_record_save(
        by=officer,
        commission=commission,
        instance=OutcomeSought(
            commission=commission, council_outcome=outcome.council_outcome, description="More volunteering"
        ),
    )
    criterion = EvaluationCriterion.objects.filter(commission=commission).first()
    criterion.weight -= 10
    services.stage_record_save(by=officer, commission=commission, instance=criterion)
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(by=officer, commission=commission, name="submit_for_approval")
    assert refused.value.missing == [
        "Add at least one success measure to the outcome ‘More volunteering’",
        "Make the evaluation criteria weights total 100% (they total 90%)",
    ]


def test_funding_must_cover_the_budget(council, people):
    commission = commission_in_state(council, State.PLANNING)
    complete_plan(commission, budget=Decimal("60000"))
    commitment = FundingCommitment.objects.get(commission=commission)
    commitment.amount = Decimal("20000")
    services.stage_record_save(by=people[Role.COMMISSIONING_OFFICER], commission=commission, instance=commitment)
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(
            by=people[Role.COMMISSIONING_OFFICER], commission=commission, name="submit_for_approval"
        )
    assert refused.value.missing == ["Commit funding to cover the budget (£20,000 of £60,000 committed)"]


def test_in_house_routes_need_no_evaluation_criteria_and_skip_sourcing(council, people):
    commission = commission_in_state(council, State.AGREEING, route=DeliveryRoute.IN_HOUSE)
    assert not EvaluationCriterion.objects.filter(commission=commission).exists()
    history = [(e.from_state, e.to_state) for e in events(commission) if e.from_state]
    assert (State.AWAITING_APPROVAL, State.AGREEING) in history
    assert all(State.SOURCING not in pair for pair in history)


def test_competitive_routes_go_out_to_the_market_on_approval(council, people):
    assert commission_in_state(council, State.SOURCING).state == State.SOURCING


def test_lead_commissioner_approves_below_the_key_decision_threshold(council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL, budget=Decimal("60000"))
    services.commission_transition(
        by=people[Role.LEAD_COMMISSIONER],
        commission=commission,
        name="approve",
        reason="Good evidence",
        decision=services.Decision(decided_on=timezone.localdate()),
    )
    decision = ApprovalDecision.objects.get(commission=commission)
    assert decision.decision_maker == DecisionMaker.DELEGATED_OFFICER
    assert decision.value_at_decision == Decimal("60000")
    assert decision.threshold_at_decision == council.key_decision_threshold


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.SCRUTINY_MEMBER,
        Role.PORTFOLIO_HOLDER,
        "other_council_officer",
    ],
)
def test_only_the_lead_commissioner_approves_below_the_threshold(council, people, role):
    commission = commission_in_state(council, State.AWAITING_APPROVAL)
    with pytest.raises(PermissionDenied):
        services.commission_transition(
            by=people[role],
            commission=commission,
            name="approve",
            decision=services.Decision(decided_on=timezone.localdate()),
        )
    assert Commission.objects.get(pk=commission.pk).state == State.AWAITING_APPROVAL


def test_at_the_key_decision_threshold_a_cabinet_decision_is_needed(council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL, budget=council.key_decision_threshold)
    assert commission.is_key_decision
    for role in (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER):
        with pytest.raises(PermissionDenied):
            services.commission_transition(
                by=people[role],
                commission=commission,
                name="approve",
                decision=services.Decision(decided_on=timezone.localdate()),
            )
    with pytest.raises(ValidationError) as invalid:
        services.commission_transition(
            by=people[Role.PORTFOLIO_HOLDER],
            commission=commission,
            name="approve",
            decision=services.Decision(decision_maker=DecisionMaker.CABINET, decided_on=timezone.localdate()),
        )
    assert set(invalid.value.message_dict) == {"reference", "minute_url"}
    services.commission_transition(
        by=people[Role.PORTFOLIO_HOLDER],
        commission=commission,
        name="approve",
        decision=services.Decision(
            decision_maker=DecisionMaker.CABINET,
            reference="CAB/2026/041",
            decided_on=timezone.localdate(),
            minute_url="https://democracy.testshire.example/cab-2026-041",
        ),
    )
    assert commission.state == State.SOURCING
    event = events(commission)[-1]
    assert event.extra["decision"]["reference"] == "CAB/2026/041"


def test_a_commission_cannot_be_approved_beyond_what_its_pot_holds(council, people):
    pot = FundingPotFactory(council=council, amount=Decimal("100000"))
    first = commission_in_state(council, State.PLANNING)
    complete_plan(first, budget=Decimal("70000"), pot=pot)
    second = commission_in_state(council, State.PLANNING)
    complete_plan(second, budget=Decimal("50000"), pot=pot)
    for commission in (first, second):
        services.commission_transition(
            by=people[Role.COMMISSIONING_OFFICER], commission=commission, name="submit_for_approval"
        )
    decision = services.Decision(decided_on=timezone.localdate())
    services.commission_transition(
        by=people[Role.LEAD_COMMISSIONER], commission=first, name="approve", decision=decision
    )
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(
            by=people[Role.LEAD_COMMISSIONER], commission=second, name="approve", decision=decision
        )
    assert refused.value.missing == [f"{pot.name} has £30,000 left, but this commission needs £50,000 from it"]


@pytest.mark.parametrize("name", ["return_to_understand", "refer_back", "cancel"])
def test_back_steps_and_cancellation_need_a_reason(council, people, name):
    commission = commission_in_state(council, State.AWAITING_APPROVAL)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.commission_transition(by=people[Role.LEAD_COMMISSIONER], commission=commission, name=name, reason="  ")
    assert Commission.objects.get(pk=commission.pk).state == State.AWAITING_APPROVAL


def test_back_to_understand_when_the_evidence_is_thin_is_audited_with_its_reason(council, people):
    commission = commission_in_state(council, State.PLANNING)
    services.commission_transition(
        by=people[Role.COMMISSIONING_OFFICER],
        commission=commission,
        name="return_to_understand",
        reason="The options appraisal shows we know too little about rural demand.",
    )
    event = events(commission)[-1]
    assert (event.event_type, event.from_state, event.to_state) == (
        "commission.return_to_understand",
        State.PLANNING,
        State.UNDERSTANDING,
    )
    assert event.reason.startswith("The options appraisal")
    assert event.actor == people[Role.COMMISSIONING_OFFICER]
    assert event.council == council
    assert event.created_at is not None


def test_cannot_cancel_after_award(council, people):
    commission = commission_in_state(council, State.DELIVERING)
    with pytest.raises(TransitionRefused):
        services.commission_transition(
            by=people[Role.LEAD_COMMISSIONER], commission=commission, name="cancel", reason="x"
        )


@pytest.mark.parametrize(
    "role", [Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER, Role.FINANCE_OFFICER, Role.COUNCIL_ADMIN]
)
def test_councillors_and_other_officers_cannot_move_a_commission(council, people, role):
    commission = create_commission(council)
    complete_understand(commission)
    with pytest.raises(PermissionDenied):
        services.commission_transition(by=people[role], commission=commission, name="start_planning")


def test_an_unknown_step_is_refused(council, people):
    commission = create_commission(council)
    with pytest.raises(TransitionRefused):
        services.commission_transition(by=people[Role.LEAD_COMMISSIONER], commission=commission, name="delete")


def test_review_recommending_recommission_starts_the_next_cycle_and_carries_lessons_forward(council, people):
    commission = commission_in_state(council, State.REVIEWING)
    lead = people[Role.LEAD_COMMISSIONER]
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(by=lead, commission=commission, name="begin_next_cycle")
    assert refused.value.missing == ["Record the review report with a recommendation"]
    write_review(commission, Recommendation.RECOMMISSION)
    services.commission_transition(by=lead, commission=commission, name="begin_next_cycle")
    commission.refresh_from_db()
    assert (commission.state, commission.cycle) == (State.UNDERSTANDING, 2)
    assert commission.lessons_carried_over.startswith("Rural transport was the main barrier")
    carried = OutcomeSought.objects.get(commission=commission, cycle=2)
    assert carried.success_measures.count() == 1
    assert EvaluationCriterion.objects.filter(commission=commission, cycle=2).count() == 8
    # Needs are assessed afresh each cycle.
    assert services.gates.missing_to_plan(commission)[0] == "Record the needs assessment"


def test_review_recommending_extension_returns_to_delivery(council, people):
    commission = commission_in_state(council, State.REVIEWING)
    write_review(commission, Recommendation.EXTEND)
    with pytest.raises(TransitionRefused):
        services.commission_transition(
            by=people[Role.LEAD_COMMISSIONER], commission=commission, name="begin_next_cycle"
        )
    services.commission_transition(
        by=people[Role.LEAD_COMMISSIONER], commission=commission, name="extend_delivery", reason="One more year"
    )
    assert commission.state == State.DELIVERING


def test_decommissioning_needs_rationale_impact_and_notice(council, people):
    commission = commission_in_state(council, State.REVIEWING)
    write_review(commission, Recommendation.DECOMMISSION)
    with pytest.raises(TransitionRefused) as refused:
        services.commission_transition(by=people[Role.LEAD_COMMISSIONER], commission=commission, name="decommission")
    assert refused.value.missing == [
        "Record the decommissioning rationale, the impact on service users and when providers were told"
    ]
    assert commission_in_state(council, State.DECOMMISSIONED).state == State.DECOMMISSIONED


def test_two_officers_pressing_at_once_cannot_both_win(council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL)
    mine = Commission.objects.get(pk=commission.pk)
    theirs = Commission.objects.get(pk=commission.pk)
    services.commission_transition(
        by=people[Role.LEAD_COMMISSIONER], commission=mine, name="refer_back", reason="Needs more detail"
    )
    with pytest.raises(TransitionConflict):
        services.commission_transition(
            by=people[Role.LEAD_COMMISSIONER],
            commission=theirs,
            name="approve",
            decision=services.Decision(decided_on=timezone.localdate()),
        )
    assert Commission.objects.get(pk=commission.pk).state == State.PLANNING
    assert not ApprovalDecision.objects.filter(commission=commission).exists()
    assert theirs.state == State.PLANNING  # the loser's object is brought back in line


def test_a_failure_part_way_through_changes_nothing(council, people, monkeypatch):
    commission = commission_in_state(council, State.AWAITING_APPROVAL)
    before = len(events(commission))

    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(workflow, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        services.commission_transition(
            by=people[Role.LEAD_COMMISSIONER],
            commission=commission,
            name="approve",
            decision=services.Decision(decided_on=timezone.localdate()),
        )
    assert Commission.objects.get(pk=commission.pk).state == State.AWAITING_APPROVAL
    assert not ApprovalDecision.objects.filter(commission=commission).exists()
    assert len(events(commission)) == before


def test_plan_details_are_fixed_once_submitted(council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL)
    commission.budget = Decimal("1")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.commission_update(by=people[Role.COMMISSIONING_OFFICER], commission=commission)


def test_every_transition_is_audited(council, people):
    commission = commission_in_state(council, State.DELIVERING)
    moves = [(e.from_state, e.to_state) for e in events(commission) if e.to_state and e.from_state]
    assert moves == [
        (State.UNDERSTANDING, State.PLANNING),
        (State.PLANNING, State.AWAITING_APPROVAL),
        (State.AWAITING_APPROVAL, State.SOURCING),
        (State.SOURCING, State.AGREEING),
        (State.AGREEING, State.DELIVERING),
    ]


def test_money_spent_in_an_earlier_cycle_stays_committed_and_the_new_cycle_is_funded_afresh(council, people):
    from commissioning.cycle.selectors import funding_pots_for_council

    commission = commission_in_state(council, State.REVIEWING)
    pot = FundingCommitment.objects.get(commission=commission).pot
    write_review(commission, Recommendation.RECOMMISSION)
    services.commission_transition(by=people[Role.LEAD_COMMISSIONER], commission=commission, name="begin_next_cycle")
    listed = funding_pots_for_council(council).get(pk=pot.pk)
    assert (listed.committed, listed.proposed) == (Decimal("60000"), Decimal("0"))
    assert "Commit funding to cover the budget (£0 of £60,000 committed)" in services.gates.missing_for_approval(
        commission
    )
