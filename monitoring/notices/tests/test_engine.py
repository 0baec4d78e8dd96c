"""The notice engine: notices follow the records while drafts, freeze when ready, and are recorded as
published only with Find a Tender's identifier and day; every step is the engine's."""

from __future__ import annotations

import dataclasses
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from commissioning.cycle import regime as regimes
from commissioning.models import DeliveryRoute, Procedure, Regime, State
from commissioning.tests.bid_factories import open_opportunity
from commissioning.tests.factories import commission_in_state
from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.notices import kinds, ocds, services

pytestmark = pytest.mark.django_db


def advertised(council, people, regime=Regime.ABOVE_THRESHOLD, procedure=Procedure.OPEN):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000))
    regimes.regime_confirm(
        by=people[Role.PROCUREMENT_OFFICER], commission=commission, regime=regime, procedure=procedure
    )
    open_opportunity(council, commission=commission)
    return commission


def tender_notice(commission) -> Notice:
    return next(n for n in services.notices_refresh(commission) if n.notice_type == NoticeType.UK4)


def test_the_patched_schema_has_the_uk_extensions_fields():
    definitions = ocds.release_schema()["definitions"]
    assert "noticeType" in definitions["Document"]["properties"]
    assert "standstillPeriod" in definitions["Award"]["properties"]
    assert "measureClassification" in definitions["Observation"]["properties"]
    assert "performanceFailures" in definitions["Implementation"]["properties"]
    assert ocds.release_errors({"ocid": 1})  # a broken release is caught


def test_a_tender_notice_is_generated_and_validates(council, people):
    commission = advertised(council, people)
    notices = services.notices_refresh(commission)
    notice = tender_notice(commission)
    assert notice.state == NoticeState.DRAFT
    assert ocds.release_errors(notice.data) == []
    assert notice.data["tender"]["documents"][0]["noticeType"] == "UK4"
    assert notice.data["tender"]["aboveThreshold"] is True
    assert notice.due_on == timezone.localdate()
    assert services.notices_refresh(commission) == notices  # idempotent
    assert Notice.objects.filter(notice_type=NoticeType.UK4).count() == 1
    assert AuditEvent.objects.filter(event_type="notice.required", object_id=str(notice.pk)).count() == 1


def test_ready_then_published_with_the_find_a_tender_identifier(council, people):
    commission = advertised(council, people)
    notice = tender_notice(commission)
    officer = people[Role.PROCUREMENT_OFFICER]
    with pytest.raises(PermissionDenied):
        services.notice_step(by=people[Role.SCRUTINY_MEMBER], notice=notice, name="mark_ready")
    services.notice_step(by=officer, notice=notice, name="mark_ready")
    with pytest.raises(ValidationError) as refused:
        services.notice_publish(
            by=officer, notice=notice, fat_identifier="UK4 please", published_on=timezone.localdate()
        )
    assert "fat_identifier" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.notice_publish(
            by=officer,
            notice=notice,
            fat_identifier="012345-2026",
            published_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY
    assert notice.fat_identifier == ""
    services.notice_publish(by=officer, notice=notice, fat_identifier="012345-2026", published_on=timezone.localdate())
    notice.refresh_from_db()
    assert (notice.state, notice.fat_identifier, notice.published_by) == (NoticeState.PUBLISHED, "012345-2026", officer)
    assert AuditEvent.objects.filter(event_type="notice.publish", object_id=str(notice.pk)).exists()


def test_a_notice_that_does_not_validate_cannot_be_marked_ready(council, people, monkeypatch):
    commission = advertised(council, people)
    notice = tender_notice(commission)
    monkeypatch.setattr(ocds, "release_errors", lambda release: ["tender/value: not a number"])
    with pytest.raises(TransitionRefused) as refused:
        services.notice_step(by=people[Role.PROCUREMENT_OFFICER], notice=notice, name="mark_ready")
    assert "tender/value: not a number" in refused.value.missing[0]


def test_not_needed_keeps_the_reason_and_a_draft_whose_rule_lapsed_is_withdrawn(council, people):
    commission = advertised(council, people)
    notice = tender_notice(commission)
    officer = people[Role.PROCUREMENT_OFFICER]
    with pytest.raises(ValidationError):
        services.notice_step(by=officer, notice=notice, name="set_aside")
    services.notice_step(by=officer, notice=notice, name="set_aside", reason="Advertised under a framework")
    notice.refresh_from_db()
    assert notice.not_needed_reason == "Advertised under a framework"
    services.notice_step(by=officer, notice=notice, name="restore", reason="It is needed after all")
    commission.procurement_regime.delete()
    assert services.notices_refresh(commission) == []
    assert not Notice.objects.exists()
    assert AuditEvent.objects.filter(event_type="notice.withdrawn").exists()


def test_the_state_is_protected(council, people):
    commission = advertised(council, people)
    notice = tender_notice(commission)
    with pytest.raises(AttributeError):
        notice.state = NoticeState.PUBLISHED


def test_check_notices_refreshes_and_validates_every_notice(council, people, monkeypatch):
    advertised(council, people)
    out = io.StringIO()
    call_command("check_notices", stdout=out)
    assert "2 of 2 notices validate." in out.getvalue()
    monkeypatch.setattr(ocds, "release_errors", lambda release: ["tender: broken"])
    with pytest.raises(CommandError, match="tender: broken"):
        call_command("check_notices", "--no-refresh", stdout=io.StringIO())


def test_the_nightly_refresh_skips_a_commission_it_cannot_build_and_carries_on(council, people, monkeypatch, caplog):
    broken = advertised(council, people)
    sound = advertised(council, people)
    tender = kinds.KINDS[NoticeType.UK4]

    def tender_notices(commission):
        if commission.pk == broken.pk:
            raise ValueError("a record the notice cannot read")
        return tender.for_commission(commission)

    monkeypatch.setitem(kinds.KINDS, NoticeType.UK4, dataclasses.replace(tender, for_commission=tender_notices))
    services.notices_refresh_all()
    assert Notice.objects.filter(commission=sound, notice_type=NoticeType.UK4).exists()
    assert not Notice.objects.filter(commission=broken).exists()
    assert "Could not bring the notices" in caplog.text
