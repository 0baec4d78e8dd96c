"""Who read an opened bid, downloaded a bid's document or ran an export: recorded every time, from
the page cache or not, append-only, and shown on the opportunity's record."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.html import escape

from commissioning.models import EvaluationState
from commissioning.sourcing.services import bids as bid_services
from commissioning.tests.bid_factories import (
    clock,
    close_and_open,
    complete_bid,
    open_opportunity,
    pdf_upload,
    start_bid,
)
from commissioning.tests.evaluation_factories import bidder, evaluation_in_state
from commissioning.tests.factories import create_commission
from councils import retention
from councils.audit_types import DOWNLOAD_BID_DOCUMENT, EXPORT_RUN, READ_BID
from councils.models import AuditEvent, Role
from councils.tasks import apply_retention
from councils.tombstone import tombstone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 60


def reads(event_type: str, user=None):
    events = AuditEvent.objects.filter(event_type=event_type)
    return events.filter(actor=user) if user is not None else events


@pytest.fixture
def opened(council, people):
    opportunity = open_opportunity(council, questions=1, word_limit=50)
    writer = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, writer), writer)
    bid_services.bid_save_answers(by=writer, bid=bid, answers={opportunity.questions.get().pk: "Our answer"})
    document = bid_services.bid_document_add(by=writer, bid=bid, title="Delivery plan", upload=pdf_upload())
    bid_services.bid_transition(by=writer, bid=bid, name="submit")
    with clock(opportunity.submission_deadline + datetime.timedelta(minutes=1)):
        close_and_open(opportunity)
    return {"opportunity": opportunity, "bid": bid, "document": document}


def test_reading_an_opened_bid_and_its_document_is_recorded_and_shown_on_the_record(client_for, people, opened):
    opportunity, bid = opened["opportunity"], opened["bid"]
    kwargs = {"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk}
    lead = people[Role.LEAD_COMMISSIONER]
    client = client_for(lead)
    assert client.get(reverse("bids:council_detail", kwargs={**kwargs, "bid_pk": bid.pk})).status_code == 200
    assert client.get(reverse("bids:document", kwargs={"pk": opened["document"].pk})).status_code == 200

    read = reads(READ_BID, lead).get()
    assert (read.object_id, read.council_id, read.extra["page"]) == (str(bid.pk), opportunity.council_id, "bid")
    assert reads(DOWNLOAD_BID_DOCUMENT, lead).get().extra["document"] == opened["document"].pk

    record = client.get(reverse("commissioning:opportunity", kwargs=kwargs)).content.decode()
    section = record.split('id="bid-readings"')[1]
    assert escape(lead.full_name) in section  # a name such as O'Neill is escaped in the page
    assert "Read the bid" in section
    assert "Downloaded a document of the bid" in section


def test_someone_turned_away_leaves_no_reading_record(client_for, people, opened):
    opportunity, bid = opened["opportunity"], opened["bid"]
    url = reverse(
        "bids:council_detail",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, "bid_pk": bid.pk},
    )
    assert client_for(people[Role.SCRUTINY_MEMBER]).get(url).status_code == 403
    assert client_for(people["other_provider_admin"]).get(url).status_code in (403, 404)
    assert not reads(READ_BID).exists()


def test_a_score_sheet_served_from_the_page_cache_is_still_recorded(council, client_for):
    world = evaluation_in_state(council, EvaluationState.SCORING)
    bid = world.bids[0]
    url = reverse(
        "commissioning:evaluation_bid",
        kwargs={"council_slug": council.slug, "opportunity_pk": world.opportunity.pk, "bid_pk": bid.pk},
    )
    client = client_for(world.panellist)
    answers = [client.get(url) for _ in range(3)]  # the first sets the CSRF cookie; pages are kept per cookie
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert answers[-1]["X-Page-Cache"] == "hit"  # recording a read did not empty the cache
    recorded = reads(READ_BID, world.panellist)
    assert recorded.count() == 3
    assert {e.object_id for e in recorded} == {str(bid.pk)}


def test_an_export_served_from_the_page_cache_is_still_recorded(council, people, client_for):
    create_commission(council, title="One")
    url = reverse("monitoring:export", kwargs={"council_slug": council.slug, "kind": "commissions", "fmt": "csv"})
    client = client_for(people[Role.LEAD_COMMISSIONER])
    answers = [client.get(url) for _ in range(3)]
    assert answers[-1]["X-Page-Cache"] == "hit"
    events = reads(EXPORT_RUN, people[Role.LEAD_COMMISSIONER])
    assert events.count() == 3
    assert {(e.extra["export"], e.extra["format"]) for e in events} == {("commissions", "csv")}


def test_reading_records_are_append_only_but_can_be_tombstoned(opened, people, client_for):
    opportunity, bid = opened["opportunity"], opened["bid"]
    url = reverse(
        "bids:council_detail",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, "bid_pk": bid.pk},
    )
    client_for(people[Role.PROCUREMENT_OFFICER]).get(url)
    event = reads(READ_BID).get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert tombstone(AuditEvent.objects.filter(pk=event.pk), text="Removed under retention on 1 January 2040") == 1
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None
    assert event.extra == {"opportunity": opportunity.pk, "page": "bid", "tombstone": event.object_repr}
    assert (event.event_type, event.object_id) == (READ_BID, str(bid.pk))  # what happened is kept
    assert tombstone(AuditEvent.objects.filter(pk=event.pk)) == 0  # once only


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_on_postgresql_the_trigger_lets_only_a_tombstone_through(opened, people, client_for):
    opportunity, bid = opened["opportunity"], opened["bid"]
    url = reverse(
        "bids:council_detail",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, "bid_pk": bid.pk},
    )
    client_for(people[Role.PROCUREMENT_OFFICER]).get(url)
    event = reads(READ_BID).get()
    statements = [
        ("UPDATE councils_auditevent SET reason = 'rewritten' WHERE id = %s", False),
        ("DELETE FROM councils_auditevent WHERE id = %s", False),
        # Even with the door open, a tombstone may not change what happened, nor delete.
        (
            "UPDATE councils_auditevent SET event_type = 'x', actor_id = NULL, "
            'extra = \'{"tombstone": "t"}\' WHERE id = %s',
            True,
        ),
        ("DELETE FROM councils_auditevent WHERE id = %s", True),
    ]
    for sql, door_open in statements:
        with transaction.atomic(), connection.cursor() as cursor:
            if door_open:
                cursor.execute("SET LOCAL commissioner.tombstone = 'on'")
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(sql, [event.pk])
    assert tombstone(AuditEvent.objects.filter(pk=event.pk)) == 1


def test_the_evaluations_bid_documents_and_ranking_downloads_are_recorded(council, client_for):
    bidders = [bidder("Moorside Youth Trust", 48000, document=True), bidder("Brightwork", 52000)]
    world = evaluation_in_state(council, EvaluationState.SIGNED_OFF, bidders=bidders)
    bid = world.bids[0]
    document = bid.documents.get()
    base = {"council_slug": council.slug, "opportunity_pk": world.opportunity.pk}
    chair = client_for(world.chair)
    url = reverse(
        "commissioning:evaluation_bid_document", kwargs={**base, "bid_pk": bid.pk, "document_pk": document.pk}
    )
    assert chair.get(url).status_code == 200
    assert chair.get(reverse("commissioning:evaluation_export", kwargs=base)).status_code == 200

    downloaded = reads(DOWNLOAD_BID_DOCUMENT, world.chair).get()
    assert (downloaded.object_id, downloaded.extra["document"]) == (str(bid.pk), document.pk)
    ranking = reads(EXPORT_RUN, world.chair).get()
    assert ranking.extra["export"] == "evaluation ranking"
    lead = client_for(world.lead)  # the lead commissioner sees the opportunity's record
    section = lead.get(reverse("commissioning:opportunity", kwargs=base)).content.decode().split('id="bid-readings"')[1]
    assert "Downloaded a document of the bid" in section
    assert "ranking" in section
    assert escape(world.chair.full_name) in section


def test_the_retention_task_does_nothing_unless_turned_on(settings, db):
    settings.COMMISSIONER_RETENTION_ENABLED = False
    assert apply_retention() is None
    settings.COMMISSIONER_RETENTION_ENABLED = True
    assert apply_retention() == dict.fromkeys(retention.SCHEDULE, 0)
