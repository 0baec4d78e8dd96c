"""Once the chair signs off, the evaluation is fixed: the services refuse every change, every
record's save() and delete() refuse too, and the stored ranking is what the award step reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.evaluation import services
from commissioning.evaluation import summary as results
from commissioning.models import (
    ComplianceResult,
    Declaration,
    EvaluationLocked,
    EvaluationState,
    ModeratedScore,
    PanelMember,
    Score,
    ScoreSheet,
)
from commissioning.tests.evaluation_factories import evaluation_in_state, moderate, step
from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db


def build_signed_off(council, people):
    return evaluation_in_state(council, EvaluationState.SIGNED_OFF)


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, signed_off = shared_world(
    world_with(signed_off=build_signed_off), "signed_off"
)


def test_only_the_chair_signs_off(council, people):
    world = evaluation_in_state(council, EvaluationState.MODERATION)
    for bid in world.bids:
        moderate(world, bid, {c.pk: 3 for c in world.criteria})
    for someone in (world.lead, world.panellist):
        with pytest.raises(PermissionDenied):
            step(world, "sign_off", by=someone)
    step(world, "sign_off", by=world.chair)
    evaluation = world.refresh()
    assert (evaluation.state, evaluation.signed_off_by) == (EvaluationState.SIGNED_OFF, world.chair)
    event = AuditEvent.objects.get(event_type="evaluation.sign_off", object_id=str(evaluation.pk))
    assert event.extra["digest"] == evaluation.result_digest


def test_sign_off_needs_every_moderated_score(council, people):
    world = evaluation_in_state(council, EvaluationState.MODERATION)
    moderate(world, world.bids[0], {c.pk: 3 for c in world.criteria})
    with pytest.raises(TransitionRefused) as refused:
        step(world, "sign_off", by=world.chair)
    assert refused.value.missing == [f"Moderate Brightwork's bid: {len(world.criteria)} criteria to go"]


def test_after_sign_off_every_service_refuses(signed_off, people):
    world = signed_off
    bid, criteria = world.bids[0], world.criteria
    checks = world.evaluation.compliance_checks
    attempts = [
        lambda: moderate(world, bid, {c.pk: 5 for c in criteria}),
        lambda: services.compliance_record(
            by=world.chair, evaluation=world.evaluation, bid=bid, results=dict.fromkeys(checks, (True, ""))
        ),
        lambda: services.score_sheet_save(
            by=world.panellist, evaluation=world.evaluation, bid=bid, scores={c.pk: (1, "x") for c in criteria}
        ),
        lambda: services.declarations_record(
            by=world.chair, evaluation=world.evaluation, answers={bid.pk: (True, "Late conflict.")}
        ),
        lambda: services.panel_appoint(by=world.lead, evaluation=world.evaluation, user=people[Role.LEGAL_OFFICER]),
        lambda: services.panel_name_chair(
            by=world.lead, evaluation=world.evaluation, member=world.members["panellist"]
        ),
        lambda: services.evaluation_set_up(
            by=world.lead, opportunity=world.opportunity, price_method="quality_only", compliance_checks=["x"]
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="signed off|fixed"):
            attempt()
    with pytest.raises(TransitionRefused):
        step(world, "open_moderation")


@pytest.mark.parametrize("model", [ComplianceResult, Declaration, ModeratedScore, PanelMember, Score, ScoreSheet])
def test_after_sign_off_no_record_can_be_saved_or_deleted(signed_off, model):
    record = model.objects.first()
    assert record is not None
    with pytest.raises(EvaluationLocked):
        record.save()
    with pytest.raises(EvaluationLocked):
        record.delete()
    assert model.objects.filter(pk=record.pk).exists()


def test_the_evaluation_itself_cannot_change_or_go(signed_off):
    evaluation = signed_off.refresh()
    evaluation.compliance_checks = ["Something else"]
    with pytest.raises(EvaluationLocked):
        evaluation.save()
    with pytest.raises(EvaluationLocked):
        evaluation.delete()


def test_the_award_step_reads_the_stored_ranking(signed_off):
    world = signed_off
    summary = results.evaluation_summary(world.opportunity)
    evaluation = world.refresh()
    assert summary.digest == evaluation.result_digest == results.summary_digest(evaluation.result)
    assert summary.signed_off_by == str(world.chair)
    assert summary.complete
    assert summary.winner.rank == 1
    assert summary.winner.bid_id == world.bids[0].pk
    # Recomputed from the records it is the same ranking: the stored copy only guards against later drift.
    live = results.compute_summary(evaluation)
    assert [(r.bid_id, r.total) for r in live.ranked] == [(r.bid_id, r.total) for r in summary.ranked]
    assert [c.score for c in summary.winner.criteria] == [c.score for c in live.ranked[0].criteria]
