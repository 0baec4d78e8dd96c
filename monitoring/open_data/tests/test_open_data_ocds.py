"""OCDS: each commission as a release package, valid against the standard's own schemas at every stage,
publishing nothing before its time (plans not yet approved, sealed bids, called-in awards, drafts)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import Commission, DeliveryRoute, State
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role
from monitoring.open_data.tests.test_open_data_factories import (
    LONDON,
    PLANNED,
    TODAY,
    agreements_of,
    at,
    awarded,
    called_in,
    contract_live,
    errors,
    key_decision,
    not_yet_approved,
    ocds_package_validator,
    planning_only,
    sealed_bids,
    tender_open,
)
from monitoring.tests.factories import draft_agreement, go_live, sign

pytestmark = pytest.mark.django_db

VALIDATOR = ocds_package_validator()


def commission_url(council, key) -> str:
    return reverse("open_data:ocds_commission", kwargs={"council_slug": council.slug, "key": key})


def fetch(client, url, **query) -> dict:
    with at(TODAY):
        response = client.get(url, query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="ocds-')
    package = json.loads(response.content)
    assert errors(VALIDATOR, package) == []
    return package


def tags(package) -> list[list[str]]:
    return [release["tag"] for release in package["releases"]]


def only(package, tag: str) -> dict:
    found = [release for release in package["releases"] if release["tag"][-1] == tag]
    assert len(found) == 1, tags(package)
    return found[0]


def test_planning_only(client, council, settings):
    settings.OCDS_PREFIX = "ocds-a1b2c3"
    commission = planning_only(council)
    package = fetch(client, commission_url(council, commission.reference))
    assert tags(package) == [["planning"]]
    release = package["releases"][0]
    assert release["ocid"] == f"ocds-a1b2c3-{commission.reference}"
    assert release["id"] == f"ocds-a1b2c3-{commission.reference}-planning-c1-{commission.approvals.get().pk}-20260112"
    assert release["date"] == "2026-01-12T00:00:00+00:00"
    assert release["buyer"] == {"id": "360G-commissioner-TCC", "name": "Testshire County Council"}
    assert release["parties"][0]["roles"] == ["buyer"]
    assert release["parties"][0]["contactPoint"] == {
        "name": "Testshire County Council commissioning team",
        "email": "commissioning@testshire.example",
    }
    assert release["planning"]["budget"]["amount"] == {"amount": 60000, "currency": "GBP"}
    assert release["planning"]["milestones"][0]["type"] == "approval"
    assert release["tender"]["status"] == "planned"
    assert package["version"] == "1.1"
    assert package["publisher"] == {"name": "Testshire County Council"}
    # The same package by the commission's number.
    assert fetch(client, commission_url(council, str(commission.pk)))["releases"] == package["releases"]


def test_tender_open_with_a_lot_and_a_document(client, council):
    opportunity = tender_open(council)
    package = fetch(client, commission_url(council, opportunity.commission.reference))
    assert tags(package) == [["planning"], ["tender"]]
    tender = only(package, "tender")["tender"]
    assert tender["id"] == opportunity.reference
    assert tender["status"] == "active"
    assert tender["lots"] == [
        {
            "id": "1",
            "title": "Area 1",
            "description": "Delivery in area 1.",
            "value": {"amount": 60000, "currency": "GBP"},
        }
    ]
    assert tender["items"] == [{"id": "1", "description": "Area 1", "relatedLot": "1"}]
    assert [d["documentType"] for d in tender["documents"]] == ["tenderNotice", "technicalSpecifications"]
    assert tender["documents"][1]["url"].startswith("http://testserver/opportunities/")
    assert "awardCriteriaDetails" in tender
    assert "tenderers" not in tender
    assert package["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
    ]


def test_sealed_bids_are_never_published(client, council):
    opportunity = sealed_bids(council)
    body = json.dumps(fetch(client, commission_url(council, opportunity.commission.reference)))
    assert "tenderers" not in body
    assert "numberOfTenderers" not in body
    assert "Sealed Bidder Trust" not in body
    assert "Hidden Bids CIC" not in body


def test_awarded_publishes_who_bid_and_the_award_but_not_the_draft_agreement(client, council):
    world = awarded(council)
    package = fetch(client, commission_url(council, world.opportunity.commission.reference))
    assert tags(package) == [["planning"], ["tender"], ["tenderUpdate"], ["award"]]
    update = only(package, "tenderUpdate")["tender"]
    assert [t["name"] for t in update["tenderers"]] == ["Moorside Youth Trust", "Brightwork Training Ltd"]
    assert update["numberOfTenderers"] == 2
    assert update["status"] == "complete"
    # Both bidders gave the same charity number: still two parties, each a tenderer.
    tenderers = {p["name"]: p for p in only(package, "tenderUpdate")["parties"] if "tenderer" in p["roles"]}
    assert set(tenderers) == {"Moorside Youth Trust", "Brightwork Training Ltd"}
    assert [t["id"] for t in update["tenderers"]] == [tenderers[t["name"]]["id"] for t in update["tenderers"]]
    assert len({t["id"] for t in update["tenderers"]}) == 2
    award = only(package, "award")
    assert award["date"] == "2026-03-02T00:00:00+00:00"
    (entry,) = award["awards"]
    assert entry["status"] == "active"
    assert entry["value"] == {"amount": 48000, "currency": "GBP"}
    assert entry["suppliers"][0]["name"] == "Moorside Youth Trust"
    supplier = next(p for p in award["parties"] if p["name"] == "Moorside Youth Trust")
    assert supplier["roles"] == ["supplier"]
    assert supplier["identifier"]["scheme"] == "GB-CHC"
    body = json.dumps(package)
    assert agreements_of(world)[0].reference not in body
    assert "answers question" not in body  # what the bids say


def test_contract_live_with_payments(client, council):
    world = contract_live(council)
    (agreement,) = agreements_of(world)
    package = fetch(client, commission_url(council, world.opportunity.commission.reference))
    assert tags(package) == [["planning"], ["tender"], ["tenderUpdate"], ["award"], ["contract"], ["implementation"]]
    award_id = only(package, "award")["awards"][0]["id"]
    (contract,) = only(package, "contract")["contracts"]
    assert contract["id"] == agreement.reference
    assert contract["awardID"] == award_id
    assert contract["status"] == "active"
    assert contract["dateSigned"] == "2026-03-02T00:00:00+00:00"
    assert contract["value"] == {"amount": 48000, "currency": "GBP"}
    implementation = only(package, "implementation")
    (done,) = implementation["contracts"]
    due = [p for p in agreement.payments.order_by("due_on") if p.due_on <= TODAY.date()]
    assert [t["value"]["amount"] for t in done["implementation"]["transactions"]] == [float(p.amount) for p in due]
    assert len(due) == 3
    assert {m["type"] for m in done["implementation"]["milestones"]} == {"payment"}
    assert len(done["implementation"]["milestones"]) == agreement.payments.count() - 3
    assert implementation["date"] == f"{due[-1].due_on.isoformat()}T00:00:00+01:00"
    roles = {p["name"]: p["roles"] for p in implementation["parties"]}
    assert roles == {"Testshire County Council": ["buyer", "payer"], "Moorside Youth Trust": ["payee"]}
    body = json.dumps(package)
    lead = staff(council, Role.LEAD_COMMISSIONER)
    officer = Commission.objects.get(pk=world.opportunity.commission_id).lead_officer
    for person in (lead, officer):
        assert person.email not in body
        assert person.full_name not in body


def test_a_key_decision_is_published_once_its_call_in_period_is_over(client, council):
    world = key_decision(council)
    award = world.refresh_award()
    url = commission_url(council, world.opportunity.commission.reference)
    with at(datetime.combine(award.call_in_ends_on, time(16), tzinfo=LONDON)):
        during = json.loads(client.get(url).content)
        assert (
            client.get(reverse("open_data:awards", kwargs={"council_slug": council.slug}))
            .context["page_obj"]
            .paginator.count
            == 0
        )
    assert ["award"] not in tags(during)
    after = fetch(client, url)
    release = only(after, "award")
    assert release["date"] == f"{award.call_in_ends_on + timedelta(days=1)}T00:00:00+00:00"
    assert release["awards"][0]["date"] == f"{award.decided_on}T00:00:00+00:00"
    assert release["awards"][0]["documents"][0]["url"] == award.minute_url


def test_a_called_in_award_is_not_published(client, council):
    world = called_in(council)
    package = fetch(client, commission_url(council, world.opportunity.commission.reference))
    assert ["award"] not in tags(package)
    assert ["contract"] not in tags(package)
    assert "PH/2026/017" not in json.dumps(package)


def test_direct_agreements_are_their_own_award(client, council):
    with at(PLANNED):
        commission = commission_in_state(council, State.AGREEING, route=DeliveryRoute.IN_HOUSE)
    with at(TODAY):
        go_live(
            sign(draft_agreement(council, commission=commission, provider=None, internal_team_name="Leisure Services"))
        )
        draft_agreement(council, commission=commission, title="Not yet signed")
    package = fetch(client, commission_url(council, commission.reference))
    release = only(package, "contract")
    assert release["tag"] == ["award", "contract"]
    assert release["awards"][0]["suppliers"][0]["name"] == "Leisure Services (Testshire County Council in-house team)"
    assert release["contracts"][0]["awardID"] == release["awards"][0]["id"]
    assert "Not yet signed" not in json.dumps(package)


def test_unpublished_and_foreign_commissions_are_not_found(client, council, other_council):
    waiting = not_yet_approved(council)
    elsewhere = planning_only(other_council)
    with at(TODAY):
        assert client.get(commission_url(council, waiting.reference)).status_code == 404
        assert client.get(commission_url(council, elsewhere.reference)).status_code == 404
        assert client.get(commission_url(council, str(elsewhere.pk))).status_code == 404
        assert client.get(commission_url(other_council, elsewhere.reference)).status_code == 200


def test_bulk_package_by_period(client, council):
    first = planning_only(council)
    opportunity = tender_open(council)
    url = reverse("open_data:ocds", kwargs={"council_slug": council.slug})
    everything = fetch(client, url)
    assert {r["ocid"].rsplit("-", 3)[-3:][0] for r in everything["releases"]} == {council.short_code}
    assert len(everything["releases"]) == 3
    # The opportunity was published on 12 January 2026 too: a period of that day has all three.
    assert len(fetch(client, url, **{"from": "2026-01-12", "to": "2026-01-12"})["releases"]) == 3
    with at(TODAY):
        assert client.get(url, {"from": "2026-01-13"}).status_code == 404
        for query, message in (
            ({"from": "12/01/2026"}, "‘from’ must be a date written as YYYY-MM-DD"),
            ({"to": "2026-02-30"}, "‘to’ must be a date written as YYYY-MM-DD"),
            ({"from": "2026-02-01", "to": "2026-01-01"}, "‘from’ must be the same as or before ‘to’"),
        ):
            response = client.get(url, query)
            assert response.status_code == 400
            assert message in response.content.decode()
    assert first.reference in json.dumps(everything)
    assert opportunity.reference in json.dumps(everything)


def partnerships_with_live_agreements(council, count: int) -> None:
    with at(PLANNED):
        commissions = [
            commission_in_state(council, State.AGREEING, route=DeliveryRoute.PARTNERSHIP) for _ in range(count)
        ]
    with at(TODAY):
        for commission in commissions:
            go_live(sign(draft_agreement(council, commission=commission)))


def test_bulk_package_queries_do_not_grow_with_commissions(client, council, django_assert_max_num_queries):
    url = reverse("open_data:ocds", kwargs={"council_slug": council.slug})
    partnerships_with_live_agreements(council, 1)
    with at(TODAY), CaptureQueriesContext(connection) as one:
        assert len(json.loads(client.get(url).content)["releases"]) == 3
    partnerships_with_live_agreements(council, 24)
    with at(TODAY), CaptureQueriesContext(connection) as many:
        package = json.loads(client.get(url).content)
    # Planning, the agreement as its own award and contract, and its payments due: per commission.
    assert len(package["releases"]) == 75
    assert len(many) == len(one)
    with at(TODAY), django_assert_max_num_queries(12):
        client.get(url)
