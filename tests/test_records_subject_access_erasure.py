"""Subject access (a provider's own data, as a ZIP, and nobody else's) and erasure (done where the
law allows it, refused with reasons where records must be kept)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from axes.models import AccessLog
from django.core.management import CommandError, call_command
from django.urls import reverse

from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import complete_bid, open_opportunity, start_bid
from councils import erasure
from councils.audit_types import EXPORT_RUN
from councils.models import AuditEvent, Membership, Notification, Role, User
from providers.models import OrganisationMember, ProviderRole
from providers.tests.factories import OrganisationMemberFactory

pytestmark = pytest.mark.django_db

ANSWER = "Our youth workers run sessions five nights a week"
QUESTION = "Can volunteers count towards the staffing ratio?"
THEIRS = "Brightwork's confidential approach"


@pytest.fixture
def provider_world(council, people):
    opportunity = open_opportunity(council, questions=1, word_limit=50)
    question = opportunity.questions.get()
    me, other = people["provider_admin"], people["other_provider_admin"]
    mine = complete_bid(start_bid(opportunity, me), me)
    bid_services.bid_save_answers(by=me, bid=mine, answers={question.pk: ANSWER})
    bid_services.bid_transition(by=me, bid=mine, name="submit")
    theirs = complete_bid(start_bid(opportunity, other), other)
    bid_services.bid_save_answers(by=other, bid=theirs, answers={question.pk: THEIRS})
    organisation = me.organisation_memberships.get().organisation
    opportunity_services.clarification_ask(by=me, opportunity=opportunity, organisation=organisation, question=QUESTION)
    Notification.objects.create(user=me, kind="opportunity_deadline", title="Deadline soon for you")
    Notification.objects.create(user=other, kind="opportunity_deadline", title="Deadline soon for them")
    AccessLog.objects.create(username=me.email, ip_address="192.0.2.1", user_agent="My browser")
    AccessLog.objects.create(username=other.email, ip_address="198.51.100.7", user_agent="Their browser")
    return {"me": me, "other": other, "mine": mine, "theirs": theirs, "opportunity": opportunity}


def open_zip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_provider_downloads_their_data_and_nobody_elses(client_for, provider_world):
    me, other = provider_world["me"], provider_world["other"]
    client = client_for(me)
    page = client.get(reverse("account:account"))
    assert page.status_code == 200
    assert "Download your data" in page.content.decode()
    response = client.get(reverse("account:data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    files = open_zip(response.content)

    for section in ("account", "organisations", "bids", "bid_receipts", "clarification_questions", "notifications"):
        assert f"{section}.json" in files
        assert f"{section}.csv" in files
    assert "README.txt" in files
    assert json.loads(files["account.json"])[0]["email"] == me.email
    assert [row["organisation"] for row in json.loads(files["organisations.json"])] == ["Moorside Youth Trust"]
    bids = json.loads(files["bids.json"])
    assert [(b["bid"], b["state"]) for b in bids] == [(str(provider_world["mine"]), "Submitted")]
    assert json.loads(files["clarification_questions.json"])[0]["question"] == QUESTION
    assert [n["title"] for n in json.loads(files["notifications.json"])] == ["Deadline soon for you"]
    sign_ins = [(s["ip_address"], s["browser"]) for s in json.loads(files["sign_ins.json"])]
    assert ("192.0.2.1", "My browser") in sign_ins  # (with the test client's own sign-in)
    rows = list(csv.DictReader(io.StringIO(files["bids.csv"])))
    assert rows[0]["organisation"] == "Moorside Youth Trust"
    assert any(e["what"] == "bid.submit" for e in json.loads(files["audit_events_by_you.json"]))

    everything = "\n".join(files.values())
    # Nobody else's data, and not the bid's business content (the organisation's).
    foreign_data = (
        other.email,
        other.full_name,
        "Brightwork",
        THEIRS,
        "Deadline soon for them",
        ANSWER,
        "198.51.100.7",
    )
    for foreign in foreign_data:
        assert foreign not in everything, foreign

    event = AuditEvent.objects.get(event_type=EXPORT_RUN)
    assert (event.actor, event.object_id, event.extra["export"]) == (me, str(me.pk), "subject access")


def test_the_data_protection_officer_exports_by_command_and_signed_out_visitors_cannot(
    client, provider_world, tmp_path
):
    out = tmp_path / "export.zip"
    call_command(
        "subject_access_export", provider_world["me"].email, str(out), "--by", "lead_commissioner@testshire.example"
    )
    files = open_zip(out.read_bytes())
    assert json.loads(files["account.json"])[0]["email"] == provider_world["me"].email
    assert AuditEvent.objects.get(event_type=EXPORT_RUN).actor.email == "lead_commissioner@testshire.example"
    with pytest.raises(CommandError, match="already exists"):
        call_command("subject_access_export", provider_world["me"].email, str(out))
    with pytest.raises(CommandError, match="Nobody has"):
        call_command("subject_access_export", "nobody@nowhere.example", str(tmp_path / "x.zip"))
    assert client.get(reverse("account:data")).status_code == 302


def test_erasure_is_refused_with_reasons_while_records_must_be_kept(provider_world, people):
    me = provider_world["me"]
    # A colleague (not an administrator) makes them the organisation's only administrator for others.
    OrganisationMemberFactory(organisation=me.organisation_memberships.get().organisation, role=ProviderRole.BID_WRITER)
    reasons = erasure.reasons_to_keep(me)
    assert any(str(provider_world["mine"]) in r for r in reasons)  # their submitted bid, within retention
    assert any("only organisation administrator" in r for r in reasons)
    with pytest.raises(erasure.ErasureRefused):
        erasure.erase(user=me)
    with pytest.raises(CommandError, match="Cannot erase this person"):
        call_command("erase_person", me.email)
    me.refresh_from_db()
    assert me.email == "admin@moorside.example"  # nothing half-applied
    assert OrganisationMember.objects.filter(user=me).exists()

    lead = people[Role.LEAD_COMMISSIONER]
    # No live commission of theirs in this world, but they approved the procurement under way in it,
    # whose record (s.98) names them.
    reasons = erasure.reasons_to_keep(lead)
    assert len(reasons) == 1
    assert reasons[0].startswith("They acted in the procurement of ")
    admin = people[Role.COUNCIL_ADMIN]
    assert any("only council administrator" in r for r in erasure.reasons_to_keep(admin))


def test_erasure_where_lawful_anonymises_and_tombstones(people, council):
    person = people["no_role"]
    Membership.objects.create(user=person, council=council, role=Role.SCRUTINY_MEMBER)
    granted = AuditEvent.objects.create(
        council=council, actor=people[Role.COUNCIL_ADMIN], event_type="membership.granted", extra={"user": person.email}
    )
    did = AuditEvent.objects.create(council=council, actor=person, event_type="commission.viewed", reason="my words")
    Notification.objects.create(user=person, kind="opportunity_deadline", title="Hello")
    AccessLog.objects.create(username=person.email, ip_address="192.0.2.9", user_agent="A browser")

    call_command("erase_person", person.email, "--reason", "Request from the person")

    person = User.objects.get(pk=person.pk)
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert (person.full_name, person.is_active, person.has_usable_password()) == ("Erased person", False, False)
    assert not Membership.objects.filter(user=person).exists()
    assert not Notification.objects.filter(user=person).exists()
    assert not AccessLog.objects.filter(ip_address="192.0.2.9").exists()
    for event in (AuditEvent.objects.get(pk=granted.pk), AuditEvent.objects.get(pk=did.pk)):
        assert event.actor is None
        assert "tombstone" in event.extra
        assert "user" not in event.extra
        assert event.reason in ("", event.extra["tombstone"])
    assert AuditEvent.objects.get(pk=granted.pk).event_type == "membership.granted"  # what happened is kept
    assert AuditEvent.objects.filter(event_type="account.erased", object_id=str(person.pk)).exists()
    with pytest.raises(CommandError, match="already been erased"):
        call_command("erase_person", person.email)
