"""The one workflow engine: every machine registered once, every declaration resolvable, and the
cross-stage rules no button can break."""

from __future__ import annotations

import contextlib
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from commissioning.cycle import gates as cycle_gates
from commissioning.cycle import services as cycle_services
from commissioning.models import (
    Award,
    Bid,
    Commission,
    DeliveryRoute,
    Evaluation,
    FundingCommitment,
    FundingPot,
    Opportunity,
    Programme,
    Review,
    State,
    spent_commitments,
)
from commissioning.tests.factories import FundingPotFactory, commission_in_state, create_commission, staff
from councils import workflow
from councils.models import AuditEvent, Role
from councils.state_field import StateField
from councils.tests.factories import OutcomeFactory, PortfolioFactory
from councils.workflow import TransitionConflict, TransitionRefused
from demo import commissions as demo_commissions
from monitoring.models import Agreement, Deliverable, MonitoringReturn, Notice

MACHINES = {
    Commission,
    Opportunity,
    Bid,
    Evaluation,
    Award,
    Agreement,
    MonitoringReturn,
    Notice,
    Programme,
    Review,
    Deliverable,
}


def test_all_eleven_machines_run_through_the_one_engine():
    assert set(workflow.MACHINES) == MACHINES


@pytest.mark.parametrize("model", sorted(MACHINES, key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_what_each_transition_declares_is_registered(model):
    """A gate, a lock or an effect named on a transition that nothing provides would fail at the worst
    moment: in front of an officer. Each one resolves here."""
    machine = workflow.machine_of(model)
    field = model._meta.get_field("state")
    assert field.protected, f"{model.__name__}.state must be protected: only the engine writes it"
    assert isinstance(field, StateField), f"{model.__name__}.state must be a StateField"
    for transition in field.get_all_transitions(model):
        custom = transition.custom
        assert custom.get("label"), f"{model.__name__}.{transition.name} has no label"
        if custom.get("gate"):
            assert callable(getattr(machine.gates, custom["gate"])), (model, transition.name)
        for locker in custom.get("locks", ()):
            assert locker in machine.lockers, (model, transition.name, locker)
        for effect in custom.get("effects", ()):
            assert (model, effect) in workflow.EFFECTS, (model, transition.name, effect)


@pytest.mark.django_db
def test_the_award_and_delivery_steps_have_no_button_and_refuse_a_person(council, people):
    commission = commission_in_state(council, State.SOURCING)
    steps = {step["name"] for step in cycle_services.available_transitions(commission, people[Role.LEAD_COMMISSIONER])}
    assert "record_award" not in steps
    agreeing = commission_in_state(council, State.AGREEING, route=DeliveryRoute.IN_HOUSE)
    for pressed, name in ((commission, "record_award"), (agreeing, "start_delivery")):
        with pytest.raises(PermissionDenied):
            cycle_services.commission_transition(
                by=people[Role.LEAD_COMMISSIONER], commission=pressed, name=name, reason="Pressed anyway."
            )
    assert Commission.objects.get(pk=commission.pk).state == State.SOURCING
    assert Commission.objects.get(pk=agreeing.pk).state == State.AGREEING


@pytest.mark.django_db
def test_sourcing_ends_only_with_an_approved_award(council, people):
    commission = commission_in_state(council, State.SOURCING)
    with pytest.raises(TransitionRefused) as refused:
        workflow.run(by=people[Role.LEAD_COMMISSIONER], obj=commission, name="record_award", internal=True)
    assert refused.value.missing == ["The award must be approved first"]


@pytest.mark.django_db
def test_a_commission_goes_into_delivery_only_with_a_live_agreement(council, people):
    commission = commission_in_state(council, State.AGREEING, route=DeliveryRoute.IN_HOUSE)
    assert cycle_gates.missing_to_start_delivery(commission) == ["At least one agreement must be live"]
    with pytest.raises(TransitionRefused):
        workflow.run(by=people[Role.COMMISSIONING_OFFICER], obj=commission, name="start_delivery", internal=True)


@pytest.mark.django_db
def test_a_step_taken_on_a_stale_page_is_a_conflict(council, people):
    commission = create_commission(council)
    with pytest.raises(TransitionConflict):
        cycle_services.commission_transition(
            by=people[Role.COMMISSIONING_OFFICER],
            commission=commission,
            name="start_planning",
            seen_state=State.PLANNING,
        )
    assert not AuditEvent.objects.filter(event_type__startswith="commission.start_planning").exists()


# ---- Two approvals drawing on one pot at the same moment ------------------------------------------


def _awaiting_approval(council, pot, title):
    commission = create_commission(council, title=title)
    return demo_commissions.advance(
        commission,
        State.AWAITING_APPROVAL,
        budget=Decimal("60000"),
        pot=pot,
        council_outcome=OutcomeFactory(priority__plan__council=council),
        portfolio=PortfolioFactory(council=council),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_approvals_against_one_pot_exactly_one_wins(council, people, monkeypatch):
    """The pot holds £100,000; each commission needs £60,000 of it. Both approvals reach the funding
    check at once (held at a barrier just after it): without the pot's lock both would read the other's
    commitment as not yet made, and both would pass."""
    staff(council, Role.LEAD_COMMISSIONER)
    pot = FundingPotFactory(council=council, amount=Decimal("100000"))
    first = _awaiting_approval(council, pot, "Befriending")
    second = _awaiting_approval(council, pot, "Lunch clubs")
    lead = people[Role.LEAD_COMMISSIONER]
    barrier = threading.Barrier(2, timeout=3)
    checked = cycle_gates.funding_shortfalls

    def racing(commission):
        shortfalls = checked(commission)
        # The other approval may be waiting for the pot's lock, as it should: then the barrier breaks.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return shortfalls

    monkeypatch.setattr(cycle_gates, "funding_shortfalls", racing)
    outcomes = {}

    def approve(commission):
        try:
            cycle_services.commission_transition(
                by=lead,
                commission=Commission.objects.get(pk=commission.pk),
                name="approve",
                decision=cycle_services.Decision(decided_on=timezone.localdate()),
            )
            outcomes[commission.pk] = "approved"
        except TransitionRefused as refused:
            outcomes[commission.pk] = refused.missing
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(str(o) for o in outcomes.values()).count("approved") == 1, outcomes
    (refused,) = [o for o in outcomes.values() if o != "approved"]
    assert any("left" in item for item in refused), refused
    committed = FundingCommitment.objects.filter(spent_commitments(), pot=pot)
    assert sum(c.amount for c in committed) <= FundingPot.objects.get(pk=pot.pk).amount
