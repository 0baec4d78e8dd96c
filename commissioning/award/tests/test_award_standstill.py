"""The standstill under the Procurement Act 2023 (s.51): counted from the day the contract award notice
(UK6) is published — not from the assessment summaries — over England and Wales bank holidays, by
the notice's day in London; mandatory above threshold after a competitive procedure, the officer's
choice for light touch and direct awards, 8 working days for representations under the Provider
Selection Regime, none below threshold or for grants. Signing waits for the notice and the standstill."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from commissioning.award import gates, services
from commissioning.award import standstill_selectors as standstill
from commissioning.models import Award, Commission, DeliveryRoute, Procedure, Regime
from commissioning.tests.award_factories import (
    approved_award,
    award_notice_published,
    confirm_regime,
    send_summaries,
    signed_off_evaluation,
)
from commissioning.tests.evaluation_factories import bidder
from councils.models import AuditEvent, Council, Role
from councils.workflow import TransitionRefused
from monitoring.agreements import steps as agreement_steps
from monitoring.models import Agreement, AgreementState

pytestmark = pytest.mark.django_db

LONDON, UTC = ZoneInfo("Europe/London"), ZoneInfo("UTC")


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=LONDON), tick=False)


def contract(council, price=230000, budget=240000, regime: str = "", procedure: str = ""):
    """A contract decided by the lead commissioner on Monday 2 March 2026: £230,000 is above the
    procurement threshold (£207,720 from 2026), below the key-decision threshold."""
    with at(date(2026, 3, 2)):
        world = signed_off_evaluation(
            council,
            bidders=[bidder("Moorside Youth Trust", price), bidder("Brightwork", price + 5000)],
            route=DeliveryRoute.CONTRACT,
            budget=Decimal(budget),
        )
        if regime:
            confirm_regime(world, regime, procedure)
        return approved_award(council, world=world)


def sign(world, people, on: date):
    upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    agreement = Agreement.objects.get(bid=world.bids[0])
    return agreement_steps.agreement_sign(
        by=people[Role.LEGAL_OFFICER], agreement=agreement, document=upload, signed_on=on
    )


def test_the_standstill_runs_from_the_award_notice_over_easter_and_holds_signing(council, people, client_for):
    """Summaries sent on Thursday 26 March 2026 start nothing. The UK6 published on Friday 27 March:
    8 working days (Good Friday and Easter Monday are bank holidays) end on Friday 10 April; the
    contract can be signed from Saturday 11 April."""
    world = contract(council)
    rule = standstill.standstill_rule(world.award)
    assert (rule.standstill, rule.notice, rule.summaries_required) == (standstill.MANDATORY, standstill.UK6, True)
    with at(date(2026, 3, 26)):
        assert gates.missing_before_award_notice(world.refresh_award()) == [
            "Send the assessment summaries to every supplier that submitted an assessed tender"
        ]
        award = send_summaries(world)
        assert (award.standstill_applies, award.standstill_ends_on) == (False, None)
        assert standstill.signing_blockers(Agreement.objects.get(bid=world.bids[0])) == [
            "The contract award notice (UK6) has not been published on Find a Tender: a standstill of 8 working "
            "days runs from the day it is published"
        ]
        page = client_for(people[Role.COMMISSIONING_OFFICER]).get(award.get_absolute_url()).content.decode()
        assert "The standstill starts when the contract award notice (UK6) is published on Find a Tender" in page
    with at(date(2026, 3, 27), 16):
        award = award_notice_published(world, date(2026, 3, 27))
        assert (award.award_notice_published_on, award.standstill_applies) == (date(2026, 3, 27), True)
        assert award.standstill_ends_on == date(2026, 4, 10)
        event = AuditEvent.objects.get(event_type="award.award_notice_published")
        assert event.extra["standstill_ends_on"] == "2026-04-10"
        # Recording the same day again changes nothing; another day is refused.
        assert award_notice_published(world, date(2026, 3, 27)).standstill_ends_on == date(2026, 4, 10)
        with pytest.raises(ValidationError, match="recorded as published on 27 March 2026"):
            award_notice_published(world, date(2026, 3, 26))
    with at(date(2026, 4, 10), 16), pytest.raises(TransitionRefused) as refused:
        sign(world, people, date(2026, 4, 10))
    assert refused.value.missing == [
        "The standstill period runs until the end of 10 April 2026: the agreement can be signed from 11 April 2026"
    ]
    with at(date(2026, 4, 10)):
        page = client_for(people[Role.LEGAL_OFFICER]).get(world.award.get_absolute_url()).content.decode()
        assert "The standstill period runs until the end of 10 April 2026" in page
    with at(date(2026, 4, 11)):
        assert sign(world, people, date(2026, 4, 11)).state == AgreementState.SIGNED


def test_the_notice_counts_by_its_day_in_london_across_the_change_of_clocks(council):
    """What counts is the day the notice was published in England. 23:30 on Sunday 29 March 2026 (British
    Summer Time began that morning) is that Sunday: 8 working days end on Friday 10 April. 23:30 UTC
    that evening is already 00:30 on Monday 30 March in London: they end on Monday 13 April, though
    the UTC date is still the Sunday. 23:30 on Sunday 25 October 2026 (the clocks went back that
    morning) is that Sunday: they end on Wednesday 4 November."""
    world = contract(council)
    with at(date(2026, 3, 20)):
        send_summaries(world)
    cases = [
        (datetime(2026, 3, 29, 23, 30, tzinfo=LONDON), date(2026, 3, 29), date(2026, 4, 10)),
        (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), date(2026, 3, 30), date(2026, 4, 13)),
        # A naive time is taken to be London time.
        (datetime(2026, 3, 29, 23, 30, tzinfo=LONDON).replace(tzinfo=None), date(2026, 3, 29), date(2026, 4, 10)),
        (datetime(2026, 10, 25, 23, 30, tzinfo=LONDON), date(2026, 10, 25), date(2026, 11, 4)),
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25), date(2026, 11, 4)),
    ]
    for published, day, ends in cases:
        with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=LONDON), tick=False), transaction.atomic():
            award = award_notice_published(world, published)
            assert (award.award_notice_published_on, award.standstill_ends_on) == (day, ends), published
            transaction.set_rollback(True)


def test_light_touch_standstill_is_the_officers_choice_before_the_notice(council, people, client_for):
    world = contract(council, regime=Regime.LIGHT_TOUCH)
    rule = standstill.standstill_rule(world.award)
    assert (rule.standstill, rule.notice, rule.summaries_required) == (standstill.VOLUNTARY, standstill.UK6, True)
    with at(date(2026, 3, 26)):
        send_summaries(world)
    standstill_url = reverse(
        "commissioning:award_standstill", kwargs={"council_slug": council.slug, "pk": world.opportunity.pk}
    )
    with at(date(2026, 3, 27)):
        # Without a standstill chosen, the contract can be signed once the notice is published.
        with transaction.atomic():
            award_notice_published(world, date(2026, 3, 27))
            assert (world.award.standstill_applies, world.award.standstill_ends_on) == (False, None)
            assert standstill.signing_blockers(Agreement.objects.get(bid=world.bids[0])) == []
            transaction.set_rollback(True)
        officer = client_for(people[Role.COMMISSIONING_OFFICER])
        assert "Choose about a voluntary standstill" in officer.get(world.award.get_absolute_url()).content.decode()
        assert officer.post(standstill_url, {"voluntary_standstill": "yes"}).status_code == 302
        assert world.refresh_award().voluntary_standstill
        assert AuditEvent.objects.filter(event_type="award.voluntary_standstill_chosen").count() == 1
        assert client_for(people[Role.PROCUREMENT_OFFICER]).get(standstill_url).status_code == 403
        award = award_notice_published(world, date(2026, 3, 27))
        assert (award.standstill_applies, award.standstill_ends_on) == (True, date(2026, 4, 10))
        # Settled with the notice: the choice is no longer offered.
        with pytest.raises(ValidationError, match="standstill was settled then"):
            services.voluntary_standstill_choose(by=people[Role.COMMISSIONING_OFFICER], award=award, chosen=False)
        assert client_for(people[Role.COMMISSIONING_OFFICER]).get(standstill_url).status_code == 302


def test_below_threshold_there_is_no_notice_and_no_standstill(council, people, client_for):
    world = contract(council, price=55000, budget=60000)
    rule = standstill.standstill_rule(world.award)
    assert (rule.standstill, rule.notice, rule.summaries_required) == (standstill.NONE, "", False)
    assert not standstill.award_notice_required(world.award)
    assert gates.missing_before_award_notice(world.award)[0].startswith("No award notice is published")
    with at(date(2026, 3, 26)):
        send_summaries(world)
        with pytest.raises(ValidationError, match="No award notice is published"):
            award_notice_published(world, date(2026, 3, 26))
        assert standstill.signing_blockers(Agreement.objects.get(bid=world.bids[0])) == []
        page = client_for(people[Role.COMMISSIONING_OFFICER]).get(world.award.get_absolute_url()).content.decode()
        assert "No standstill applies. A contract below the threshold" in page
        assert "Choose about a voluntary standstill" not in page


def test_who_records_the_notice_and_when(council, people):
    world = contract(council)
    with at(date(2026, 3, 26)):
        for role in (Role.SCRUTINY_MEMBER, Role.LEGAL_OFFICER):
            with pytest.raises(PermissionDenied):
                award_notice_published(world, date(2026, 3, 26), by=people[role])
        with pytest.raises(ValidationError, match="assessment summaries"):
            award_notice_published(world, date(2026, 3, 26))
        send_summaries(world)
        with pytest.raises(ValidationError, match="after today"):
            award_notice_published(world, date(2026, 3, 27))
        with pytest.raises(ValidationError, match="cannot be published before them"):
            award_notice_published(world, date(2026, 3, 25))
        assert standstill.award_notice_required(world.award)
        assert gates.missing_before_award_notice(world.refresh_award()) == []


@pytest.mark.parametrize(
    ("regime", "procedure", "expected"),
    [
        (Regime.ABOVE_THRESHOLD, Procedure.OPEN, (standstill.MANDATORY, standstill.UK6, True)),
        (Regime.ABOVE_THRESHOLD, Procedure.COMPETITIVE_FLEXIBLE, (standstill.MANDATORY, standstill.UK6, True)),
        (Regime.ABOVE_THRESHOLD, Procedure.DIRECT_AWARD, (standstill.VOLUNTARY, standstill.UK6, False)),
        (Regime.LIGHT_TOUCH, Procedure.OPEN, (standstill.VOLUNTARY, standstill.UK6, True)),
        (Regime.LIGHT_TOUCH, Procedure.DIRECT_AWARD, (standstill.VOLUNTARY, standstill.UK6, False)),
        (Regime.PROVIDER_SELECTION, "", (standstill.MANDATORY, standstill.PSR_INTENTION, False)),
        (Regime.BELOW_THRESHOLD, "", (standstill.NONE, "", False)),
        (Regime.GRANT, "", (standstill.NONE, "", False)),
        (Regime.EXEMPT, "", (standstill.NONE, "", False)),
    ],
)
def test_what_each_regime_asks_after_the_decision(regime, procedure, expected):
    award_regime = standstill.AwardRegime(regime=regime, procedure=procedure, confirmed=True)
    award = Award(commission=Commission(council=Council(standstill_working_days=8)))
    rule = standstill.standstill_rule(award, award_regime)
    assert (rule.standstill, rule.notice, rule.summaries_required) == expected
