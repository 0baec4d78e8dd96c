"""The procurement record is kept 3 years after the contract is entered into (s.98), or after the
procurement ended without one, whatever the retention schedule says of its parts: its audit events
keep who acted and why, and the people who acted are not erased. After that the schedule applies.

Each procurement here takes over 3 years, so its first events are more than 6 years old (past the
schedule's "personal data in audit events") before the 3 years after its end are up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from commissioning.cycle import services as cycle_services
from commissioning.procurement_record import registry
from commissioning.procurement_record.selectors import procurement_record
from commissioning.procurement_record.tests.worlds import driven_procurement, sign_and_go_live
from commissioning.tests.evaluation_factories import bidder, published_with_bids
from councils import erasure, retention
from councils.models import AuditEvent, Role, User
from monitoring.models import Agreement

pytestmark = pytest.mark.django_db

STARTED = dt.date(2026, 1, 12)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=True)


def record_events(commission) -> list[tuple]:
    events = AuditEvent.objects.filter(registry.events_q([commission.pk])).order_by("pk")
    return list(events.values_list("pk", "actor_id", "object_repr", "reason", "extra"))


def seen(commission, reader) -> list[tuple[str, str, str]]:
    """The record as a reader sees it: who, what and why, in order."""
    commission.refresh_from_db()
    return [(e.who, e.what, e.reason) for e in procurement_record(reader, commission).entries]


def run_retention(day: dt.date) -> None:
    with at(day, 2):
        retention.run(apply=True)


def kept_for(user: User, day: dt.date) -> list[str]:
    return [reason for reason in erasure.reasons_to_keep(user, day) if "acted in the procurement of" in reason]


def test_kept_until_3_years_after_the_contract_then_the_schedule_applies(council, people):
    with at(STARTED):
        driven = driven_procurement(council, contract=False)
    commission, opening_officer = driven.commission, people[Role.PROCUREMENT_OFFICER]
    signed_on = dt.date(2029, 3, 12)  # 3 years and 2 months later
    with at(signed_on):
        sign_and_go_live(Agreement.objects.get(bid=driven.world.bids[0]), on=signed_on)
    commission.refresh_from_db()
    assert commission.state == "delivering"
    before, shown = record_events(commission), seen(commission, people[Role.LEAD_COMMISSIONER])
    assert AuditEvent.objects.get(event_type="opportunity.bids_opened").actor == opening_officer

    # 2 years 11 months after signing: the procurement's first events are over 6 years old.
    almost = dt.date(2032, 2, 12)
    assert AuditEvent.objects.filter(
        pk__in=[pk for pk, *_ in before], created_at__lt=retention.cutoff_moment("audit_personal_data", almost)
    ).exists()
    assert kept_for(opening_officer, almost) == [
        f"They acted in the procurement of {commission.reference}, whose record is kept until 3 years after its "
        "contract is entered into (Procurement Act 2023, s.98)."
    ]
    run_retention(almost)
    assert record_events(commission) == before
    assert seen(commission, people[Role.LEAD_COMMISSIONER]) == shown
    assert not erasure.is_erased(User.objects.get(pk=opening_officer.pk))

    # 3 years 1 month after signing: the schedule applies (events over 6 years old are tombstoned).
    past = dt.date(2032, 4, 12)
    assert kept_for(opening_officer, past) == []
    run_retention(past)
    opened = AuditEvent.objects.get(event_type="opportunity.bids_opened")
    assert opened.actor is None
    assert opened.extra["tombstone"] == "Removed under retention on 12 April 2032"
    signing = AuditEvent.objects.get(event_type="agreement.sign")
    assert signing.actor is not None  # only 3 years old: the schedule keeps it 6
    after = seen(commission, people[Role.LEAD_COMMISSIONER])
    assert len(after) == len(shown)  # every event is still there, without who did it or the details
    assert [what for _, what, _ in after if what.startswith("Bids opened")] == ["Bids opened"]


def test_a_procurement_cancelled_without_a_contract_is_kept_3_years_after(council, people):
    with at(STARTED):
        opportunity = published_with_bids(council, [bidder("Moorside Youth Trust", 48000)])
    commission = opportunity.commission
    officer = people[Role.COMMISSIONING_OFFICER]
    cancelled_on = dt.date(2029, 3, 12)
    with at(cancelled_on):
        cycle_services.commission_transition(
            by=people[Role.LEAD_COMMISSIONER],
            commission=commission,
            name="cancel",
            reason="The service is now run by the NHS trust.",
        )
    before = record_events(commission)
    published = AuditEvent.objects.get(event_type="opportunity.published")
    assert published.created_at.date() == STARTED

    almost = dt.date(2032, 2, 12)
    assert kept_for(officer, almost)
    run_retention(almost)
    assert record_events(commission) == before

    past = dt.date(2032, 4, 12)
    assert kept_for(officer, past) == []
    run_retention(past)
    published.refresh_from_db()
    assert published.actor is None
    assert "tombstone" in published.extra
