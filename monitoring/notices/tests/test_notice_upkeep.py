"""Notices kept in step with the records: the workflow engine tells its listeners after the commit of
every step (and of changes announced outside it), the notices' listener refreshes the stepped object's
commission, and a nightly task refreshes every council's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.models import Bid, Commission, DeliveryRoute, Evaluation, Opportunity, State
from commissioning.tests.award_factories import decide, signed_off_evaluation, submitted_award
from commissioning.tests.bid_factories import open_opportunity, start_bid
from commissioning.tests.factories import commission_in_state
from config.celery import app as celery_app
from councils import workflow
from councils.models import Role
from demo.opportunities import opportunity_for
from monitoring import tasks
from monitoring.agreements import variations
from monitoring.models import Agreement, MonitoringReturn, Notice, NoticeState, NoticeType
from monitoring.notices import services, upkeep
from monitoring.tests.factories import approval, live_agreement
from monitoring.tests.notice_factories import advertised_commission, advertised_notice, confirm_regime
from providers.models import Organisation

pytestmark = pytest.mark.django_db


def uk4_of(commission) -> Notice | None:
    return Notice.objects.filter(commission=commission, notice_type=NoticeType.UK4).first()


# ---- The engine's listeners -------------------------------------------------------------------------


def test_listeners_hear_of_a_step_only_once_it_is_committed(
    council, people, monkeypatch, django_capture_on_commit_callbacks
):
    heard = []
    monkeypatch.setattr(workflow, "LISTENERS", [])
    workflow.listen(heard.append)
    workflow.listen(heard.append)  # registered once
    notice = advertised_notice(council)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_step(by=people[Role.PROCUREMENT_OFFICER], notice=notice, name="mark_ready")
        assert heard == []  # not before the commit
    assert [(step.obj, step.name, step.source) for step in heard] == [(notice, "mark_ready", NoticeState.DRAFT)]
    # A step refused changes nothing and tells nobody.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.TransitionRefused):
        services.notice_step(by=people[Role.PROCUREMENT_OFFICER], notice=notice, name="restore", reason="Why not")
    assert len(heard) == 1
    # A change outside the engine is announced the same way.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.announce(obj=notice.commission, name="regime_confirmed", by=people[Role.PROCUREMENT_OFFICER])
    assert (heard[-1].obj, heard[-1].name, heard[-1].custom) == (
        notice.commission,
        "regime_confirmed",
        {"announced": True},
    )


def test_a_listener_that_fails_neither_undoes_the_step_nor_silences_the_others(
    council, people, monkeypatch, django_capture_on_commit_callbacks
):
    heard = []

    def broken(step):
        raise RuntimeError("a listener's bug")

    monkeypatch.setattr(workflow, "LISTENERS", [broken, heard.append])
    notice = advertised_notice(council)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_step(by=people[Role.PROCUREMENT_OFFICER], notice=notice, name="mark_ready")
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY
    assert [step.name for step in heard] == ["mark_ready"]


# ---- Which commission a step is about ----------------------------------------------------------------------


def test_the_commission_of_a_stepped_object_is_found_from_its_own_keys():
    assert upkeep.path_to_commission(Commission) == ""
    assert upkeep.path_to_commission(Opportunity) == "commission"
    assert upkeep.path_to_commission(Agreement) == "commission"
    assert upkeep.path_to_commission(Bid) == "opportunity__commission"
    assert upkeep.path_to_commission(Evaluation) == "opportunity__commission"
    assert upkeep.path_to_commission(MonitoringReturn) == "agreement__commission"
    assert upkeep.path_to_commission(Organisation) is None


def test_finding_it_costs_a_query_at_most_and_notices_are_left_alone(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT)
    opportunity = open_opportunity(council, commission=commission)
    bid = start_bid(opportunity, people["provider_admin"])
    with CaptureQueriesContext(connection) as queries:
        assert upkeep.commission_id_of(commission) == commission.pk
        assert upkeep.commission_id_of(opportunity) == commission.pk
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert upkeep.commission_id_of(bid) == commission.pk
    assert len(queries) == 1
    notice = advertised_notice(council)
    assert upkeep.commission_id_of(notice) is None


# ---- Steps that call for notices ---------------------------------------------------------------------------


def test_publishing_an_opportunity_makes_its_tender_notice_after_the_commit(
    council, people, django_capture_on_commit_callbacks
):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    confirm_regime(commission, people[Role.PROCUREMENT_OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = opportunity_for(
            commission, officer=people[Role.COMMISSIONING_OFFICER], submission_in=datetime.timedelta(days=30)
        )
        assert opportunity.state == "published"
        assert uk4_of(commission) is None  # not before the commit
    notice = uk4_of(commission)
    assert notice is not None
    assert notice.state == NoticeState.DRAFT
    assert notice.data["tender"]["id"] == opportunity.reference


def test_confirming_the_regime_refreshes_the_notices_after_the_commit(
    council, people, django_capture_on_commit_callbacks
):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    open_opportunity(council, commission=commission)
    services.notices_refresh(commission)
    assert uk4_of(commission) is None  # no regime confirmed: no notices
    with django_capture_on_commit_callbacks(execute=True):
        confirm_regime(commission, people[Role.PROCUREMENT_OFFICER])
    assert uk4_of(commission) is not None


def test_approving_an_award_refreshes_the_notices_after_the_commit(council, people, django_capture_on_commit_callbacks):
    world = signed_off_evaluation(council, route=DeliveryRoute.CONTRACT, budget=Decimal(90000))
    commission = world.opportunity.commission
    confirm_regime(commission, people[Role.PROCUREMENT_OFFICER])
    before = {notice.subject for notice in services.notices_refresh(commission)}
    submitted_award(world)
    with django_capture_on_commit_callbacks(execute=True):
        award = decide(world)
    after = set(Notice.objects.filter(commission=commission).values_list("subject", flat=True))
    assert f"award:{award.pk}" in after - before


def test_recording_a_variation_is_announced_for_the_agreements_commission(council, django_capture_on_commit_callbacks):
    agreement = live_agreement(council)
    with django_capture_on_commit_callbacks() as callbacks:
        variations.agreement_vary_value(
            by=agreement.commission.lead_officer,
            agreement=agreement,
            value=agreement.value + Decimal(1000),
            reason="More sessions in the summer",
            approval=approval(council),
            effective_on=agreement.starts_on,
        )
    told = [c.step for c in callbacks if getattr(c, "__wrapped__", None) is upkeep.refresh_after_step]
    assert [(step.obj, step.name) for step in told] == [(agreement, "varied.value")]
    assert upkeep.commission_id_of(agreement) == agreement.commission_id


# ---- Nightly ---------------------------------------------------------------------------------------------


def test_the_nightly_task_refreshes_every_councils_notices(council, people):
    commission = advertised_commission(council)
    assert uk4_of(commission) is None  # the steps' after-commit work never ran in this test
    assert tasks.refresh_notices() >= 1
    assert uk4_of(commission) is not None
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "monitoring.tasks.refresh_notices" in schedule
