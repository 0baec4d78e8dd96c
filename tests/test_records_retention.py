"""The retention schedule on the whole demo: a dry run changes nothing; the real run, years later,
does exactly what the dry run said, keeps every audit event (tombstoned, but for the procurements still
under way, whose record is kept as it was), and has nothing left to do when run again."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from commissioning.models import Bid, BidAnswer, BidDocument
from commissioning.sourcing.services.retention import with_content
from councils import erasure, retention
from councils.models import AuditEvent, Membership, User
from monitoring.models import Agreement, MonitoringReturn
from monitoring.records import procurement_events_kept

pytestmark = pytest.mark.django_db


def fingerprint() -> dict:
    """What retention may change, in full."""
    return {
        "events": list(
            AuditEvent.objects.order_by("pk").values_list("pk", "actor_id", "object_repr", "reason", "extra")
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "full_name", "is_active", "password")),
        "memberships": Membership.objects.count(),
        "answers": list(BidAnswer.objects.order_by("pk").values_list("pk", "text")),
        "documents": BidDocument.objects.count(),
        "bids": list(Bid.objects.order_by("pk").values_list("pk", "summary", "conflicts_declared")),
        "agreements": list(Agreement.objects.order_by("pk").values_list("pk", "provider_contact_email")),
        "returns": list(MonitoringReturn.objects.order_by("pk").values_list("pk", "case_study", "outcomes_narrative")),
    }


def command(*args) -> dict[str, int]:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    text = out.getvalue()
    if "--apply" in args:
        return {slug: int(done) for slug, done in re.findall(r"^  (\w+): .*?: (\d+) of \d+ past", text, re.M)}
    return {slug: int(due) for slug, due in re.findall(r"^  (\w+): .*?: (\d+) past retention", text, re.M)}


def test_a_dry_run_and_a_real_run_on_the_demo(demo_data):
    today = timezone.localdate()
    # Today, nothing in the demo is past retention (it is all recent).
    assert command() == dict.fromkeys(retention.SCHEDULE, 0)

    later = timezone.make_aware(dt.datetime.combine(today.replace(year=today.year + 12), dt.time(9)))
    with time_machine.travel(later, tick=False):
        before = fingerprint()
        said = command()
        assert fingerprint() == before  # the dry run changed nothing
        assert set(said) == set(retention.SCHEDULE)
        for slug in ("unsuccessful_bids", "successful_bids", "agreements", "returns", "audit_personal_data"):
            assert said[slug] > 0, slug
        assert said["inactive_accounts"] > 0
        kept = set(AuditEvent.objects.filter(procurement_events_kept(later.date())).values_list("pk", flat=True))
        assert kept, "the demo's procurements still under way keep their record"
        held = [u for u in User.objects.all() if erasure.reasons_to_keep(u)]
        assert held, "some demo people are still named on live commissions, so they are kept"

        done = command("--apply")
        assert done == said  # the real run did what the dry run said
        assert command() == dict.fromkeys(retention.SCHEDULE, 0)  # and left nothing to do

    events_before = len(before["events"])
    assert AuditEvent.objects.count() >= events_before  # no event deleted (erasures add their own)
    assert AuditEvent.objects.filter(extra__has_key="tombstone").count() >= said["audit_personal_data"]
    assert [row for row in fingerprint()["events"] if row[0] in kept] == [
        row for row in before["events"] if row[0] in kept
    ]
    old = AuditEvent.objects.filter(pk__in=[pk for pk, *_ in before["events"]]).exclude(pk__in=kept)
    assert not old.filter(actor__isnull=False).exists()
    assert {e.extra["tombstone"] for e in old} <= {f"Removed under retention on {later:%-d %B %Y}"} | {
        e.extra["tombstone"] for e in old if e.extra["tombstone"].startswith("Erased on")
    }
    assert not with_content(Bid.objects.all()).exists()
    assert not BidAnswer.objects.exclude(text="").exists()
    assert not BidDocument.objects.exists()
    assert Bid.objects.count() == len(before["bids"])  # emptied, not deleted
    erased = User.objects.filter(email__endswith="@erased.invalid")
    assert (
        erased.count() == said["inactive_accounts"] + said["unaccepted_invitations"] + said["unverified_registrations"]
    )
    assert not Membership.objects.filter(user__in=erased).exists()
    assert all(erasure.reasons_to_keep(u) for u in User.objects.exclude(pk__in=erased).filter(is_superuser=False))
