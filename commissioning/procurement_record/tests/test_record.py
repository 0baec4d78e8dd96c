"""The procurement record of one procurement driven through the real services (see `worlds.py`): its
decisions and communications with suppliers in time order, in words, with links each reader may open;
nothing a bid says; nothing about a bid for a panellist who declared a conflict with it; the CSV as
the page; and in a fixed number of queries."""

from __future__ import annotations

import copy
import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Bid, Evaluation, PanelMember
from commissioning.procurement_record import registry
from commissioning.procurement_record.registry import Category
from commissioning.procurement_record.selectors import procurement_record
from commissioning.procurement_record.tests.worlds import CONFLICT, driven_procurement
from commissioning.tests.factories import create_commission
from councils.models import AuditEvent, Council, Role
from councils.services import audit_record
from councils.tests.factories import UserFactory
from monitoring.models import Agreement
from providers.models import ProviderRole
from providers.tests.factories import OrganisationMemberFactory
from tests.query_counts import assert_same_queries_on
from tests.worlds import make_council, make_other_council, make_people, module_transaction


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            council = make_council()
            people = make_people(council, make_other_council())
            driven = driven_procurement(council)
        yield {"council": council, "people": people, "driven": driven}


@pytest.fixture
def world(shared, db):
    """This test's own copy of the shared procurement (roles cached on people stay in the copy)."""
    return copy.deepcopy(shared)


def record_of(world, role):
    commission = world["driven"].commission
    commission.refresh_from_db()
    return procurement_record(world["people"][role], commission)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record_url(commission, name="commissioning:procurement_record", slug=None) -> str:
    return reverse(name, args=[slug or commission.council.slug, commission.pk])


def in_order(whats: list[str], expected: list[str]) -> None:
    """Each expected text starts an entry, after the entry the one before it started."""
    position = -1
    for text in expected:
        later = [i for i, what in enumerate(whats) if i > position and what.startswith(text)]
        assert later, f"no entry ‘{text}’ after {whats[position] if position >= 0 else 'the start'}"
        position = later[0]


def test_the_record_lists_the_procurements_decisions_and_communications_in_time_order(world):
    driven, people = world["driven"], world["people"]
    entries = record_of(world, Role.LEAD_COMMISSIONER).entries
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    whats = [e.what for e in entries]
    chair, legal = people[Role.COMMISSIONING_OFFICER], people[Role.LEGAL_OFFICER]
    in_order(
        whats,
        [
            "Commission started",
            "Decision to commission approved: delegated officer decision",
            "Opportunity drafted from the commission",
            "Conflicts assessment prepared (revision 1)",
            "Opportunity published: open for bids",
            "Bid submitted by Moorside Youth Trust (receipt ",
            "Bid submitted by Brightwork (receipt ",
            "Clarification question asked by Moorside Youth Trust",
            "Clarification answered and published to everyone following: “May bidders subcontract part of",
            "Clarification question asked by Brightwork",
            "Clarification answered privately to Brightwork",
            "Bid withdrawn by Brightwork before the deadline",
            "Bid submitted by Brightwork (receipt ",
            "Closed for bids at the deadline: 2 bids submitted",
            "Opening of the bids confirmed",
            "Bids opened: 2 bids",
            "Evaluation set up: quality only, 2 compliance checks",
            f"{chair} appointed to the panel as chair",
            f"{legal} appointed to the panel",
            "Conflicts assessment revised and waiting for review",
            "Declared a conflict of interest with the bid from Brightwork",
            "Declared no conflict of interest with the bid from Moorside Youth Trust",
            "Compliance checks started",
            "Compliance checks recorded for the bid from Moorside Youth Trust: passed",
            "Scoring started",
            "Scores submitted for the bid from Moorside Youth Trust",
            "Scoring closed and moderation started",
            "Moderated scores recorded for the bid from Moorside Youth Trust",
            "Moderation signed off: the ranking is fixed (2 bids ranked)",
            "Award recommendation started from the signed-off ranking",
            "Recommendation sent for decision",
            "Agreement drafted from the award",
            "Award approved: delegated officer decision",
            "Assessment summaries sent: 2",
            "Assessment summary sent to Moorside Youth Trust, the successful supplier",
            "Assessment summary sent to Brightwork, with its scores and why it did not win",
            "Contract entered into: the agreement was signed with Moorside Youth Trust",
            "Delivery started under the agreement",
        ],
    )
    by_what = {e.what: e for e in entries}
    first_bid = next(e for e in entries if e.what.startswith("Bid submitted by Moorside"))
    assert first_bid.who == f"{driven.bidders[0].user}, for Moorside Youth Trust"
    assert first_bid.category == Category.COMMUNICATION
    assert by_what["Closed for bids at the deadline: 2 bids submitted"].who == "The service"
    approved = next(e for e in entries if e.what.startswith("Award approved"))
    assert (approved.category, approved.who, approved.reason) == (
        Category.DECISION,
        str(people[Role.LEAD_COMMISSIONER]),
        "Agreed as recommended.",
    )
    assert {e.category for e in entries if "summary sent to" in e.what} == {Category.COMMUNICATION}
    winner = by_what["Assessment summary sent to Moorside Youth Trust, the successful supplier"]
    assert winner.reference == driven.opportunity.reference
    # Drafting, reading and draft scores are the full audit trail's, not the record's.
    assert AuditEvent.objects.filter(event_type="opportunity.question.added").exists()
    assert not [w for w in whats if "question" in w.lower() and not w.startswith("Clarification")]


def test_nothing_a_bid_says_is_on_the_page(world, client):
    driven, people = world["driven"], world["people"]
    page = signed_in(people[Role.LEAD_COMMISSIONER]).get(record_url(driven.commission)).content.decode()
    assert "Bid submitted by Brightwork" in page
    bids = Bid.objects.filter(opportunity=driven.opportunity)
    said = [a.text for bid in bids for a in bid.answers.all()] + [
        p.description for bid in bids for p in bid.price_lines.all()
    ]
    said += [o.description for bid in bids for o in bid.proposed_outcomes.all()]
    said += [r.digest for bid in bids for r in bid.receipts.all()]
    assert said
    assert not [text for text in said if text in page]
    # Nor what a panellist declared, nor the questions as the bidders wrote them.
    for private in (CONFLICT, "Moorside asks", "Is our insurance enough?"):
        assert private not in page


def test_each_link_opens_for_its_reader(world):
    people = world["people"]
    links = {}
    for role in (Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER):
        entries = record_of(world, role).entries
        links[role] = {e.link_label: e.link for e in entries if e.link}
        client = signed_in(people[role])
        for link in {entry.link for entry in entries if entry.link}:
            assert client.get(link).status_code == 200, (role, link)
    lead = set(links[Role.LEAD_COMMISSIONER])
    assert {
        "the conflicts assessment",
        "the evaluation",
        "the bid",
        "the assessment summary",
        "the clarification questions",
    } <= lead
    # Finance reads bids and awards but is not on the panel; scrutiny reads the award, never a bid.
    assert "the bid" in links[Role.FINANCE_OFFICER]
    assert "the evaluation" not in links[Role.FINANCE_OFFICER]
    scrutiny = set(links[Role.SCRUTINY_MEMBER])
    assert {"the award", "the assessment summary", "the agreement", "the opportunity"} <= scrutiny
    assert not scrutiny & {"the bid", "the evaluation", "the conflicts assessment", "the clarification questions"}


def test_a_panellist_sees_nothing_of_a_bid_they_declared_a_conflict_with(world):
    driven = world["driven"]
    brightwork = Bid.objects.get(opportunity=driven.opportunity, organisation=driven.bidders[1].organisation)
    lead = record_of(world, Role.LEAD_COMMISSIONER).entries
    legal = record_of(world, Role.LEGAL_OFFICER).entries
    assert [e for e in lead if e.bid_id == brightwork.pk]
    assert not [e for e in legal if e.bid_id == brightwork.pk]
    assert not [
        e for e in legal if e.what.startswith(("Bid submitted by Brightwork", "Assessment summary sent to Brightwork"))
    ]
    assert len(legal) == len(lead) - len([e for e in lead if e.bid_id == brightwork.pk])


def test_the_csv_is_the_page(world):
    driven, people = world["driven"], world["people"]
    client = signed_in(people[Role.PROCUREMENT_OFFICER])
    page = client.get(record_url(driven.commission))
    entries = page.context["record"].entries
    assert page.content.decode().count("data-entry=") == len(entries) > 40
    response = client.get(record_url(driven.commission, "commissioning:procurement_record_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert f"procurement-record-{driven.commission.reference}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Kind", "Who", "What", "Reason given", "About", "Link"]
    assert rows[1:] == [
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
            e.category_label,
            e.who,
            e.what,
            e.reason,
            e.reference,
            f"http://testserver{e.link}" if e.link else "",
        ]
        for e in entries
    ]
    exported = AuditEvent.objects.filter(event_type="export.run", object_id=str(driven.commission.pk))
    assert exported.get().extra == {"export": "procurement record", "format": "csv"}


def test_who_may_read_it(world):
    """Officers and scrutiny members read it; council administrators and portfolio holders are told no;
    providers, bidders, outsiders and other councils' officers never learn the commission exists."""
    driven, people = world["driven"], world["people"]
    commission = driven.commission
    readers = {Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER}
    readers |= {Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER}
    expected = dict.fromkeys(readers, 200) | {Role.COUNCIL_ADMIN: 403, Role.PORTFOLIO_HOLDER: 404}
    expected |= {"other_council_officer": 404, "no_role": 404, "provider_admin": 404, "other_provider_admin": 404}
    bidder = driven.bidders[0].user
    for name in ("commissioning:procurement_record", "commissioning:procurement_record_csv"):
        url = record_url(commission, name)
        got = {visitor: signed_in(people[visitor]).get(url).status_code for visitor in expected}
        assert got == expected, name
        assert signed_in(bidder).get(url).status_code == 404
        assert Client().get(url).status_code == 302
    # Read-only: nothing to post.
    assert signed_in(people[Role.SCRUTINY_MEMBER]).post(record_url(commission)).status_code == 405
    # Another council's commission: 404 through this council's address and through its own.
    theirs = create_commission(Council.objects.get(slug="otherton"))
    lead = signed_in(people[Role.LEAD_COMMISSIONER])
    assert lead.get(reverse("commissioning:procurement_record", args=["testshire", theirs.pk])).status_code == 404
    assert lead.get(record_url(theirs)).status_code == 404


def test_someone_acting_for_a_bidder_reads_none_of_it(world):
    driven, people = world["driven"], world["people"]
    OrganisationMemberFactory(
        organisation=driven.bidders[1].organisation, user=people[Role.FINANCE_OFFICER], role=ProviderRole.BID_WRITER
    )
    client = signed_in(people[Role.FINANCE_OFFICER])
    response = client.get(record_url(driven.commission))
    assert response.status_code == 403
    assert "You act for an organisation that has bid for" in response.content.decode()
    assert driven.opportunity.reference in response.content.decode()
    assert client.get(record_url(driven.commission, "commissioning:procurement_record_csv")).status_code == 403


def test_the_commission_page_links_to_it_for_its_readers(world):
    driven, people = world["driven"], world["people"]
    url, target = driven.commission.get_absolute_url(), record_url(driven.commission)
    assert target in signed_in(people[Role.SCRUTINY_MEMBER]).get(url).content.decode()
    assert target not in signed_in(people[Role.COUNCIL_ADMIN]).get(url).content.decode()


def test_the_record_and_its_csv_run_in_fixed_queries(world):
    """25 times as many panel appointments, declarations, clarification answers and agreement variations
    (each by someone else) cost no more queries."""
    driven, people = world["driven"], world["people"]
    commission, opportunity = driven.commission, driven.opportunity
    evaluation = Evaluation.objects.get(opportunity=opportunity)
    member = PanelMember.objects.filter(evaluation=evaluation).first()
    bid = Bid.objects.filter(opportunity=opportunity).first()
    clarification = opportunity.clarifications.first()
    agreement = Agreement.objects.get(commission=commission)
    council = commission.council

    def add_rows(count):
        for n in range(count):
            someone = UserFactory()
            audit_record(
                council=council,
                actor=someone,
                event_type="evaluation.panel.appointed",
                obj=evaluation,
                extra={"member": member.pk, "user": UserFactory().pk, "chair": False, "independent": False},
            )
            audit_record(
                council=council,
                actor=someone,
                event_type="evaluation.declaration.made",
                obj=evaluation,
                extra={"member": member.pk, "bid": bid.pk, "conflict": False},
            )
            audit_record(
                council=council,
                actor=someone,
                event_type="opportunity.clarification.answered_privately",
                obj=opportunity,
                extra={"clarification": clarification.pk, "organisation": bid.organisation_id},
            )
            audit_record(
                council=council,
                actor=someone,
                event_type="agreement.varied.value",
                obj=agreement,
                extra={"variation": n + 1, "changes": [f"Value: £{n}"]},
            )

    pages = {
        name: (signed_in(people[Role.LEAD_COMMISSIONER]), record_url(commission, name))
        for name in ("commissioning:procurement_record", "commissioning:procurement_record_csv")
    }
    for client, url in pages.values():
        client.get(url)  # content types and the like, cached for every later request
    _counts, responses = assert_same_queries_on(pages, add_rows)
    page = responses["commissioning:procurement_record"].content.decode()
    assert page.count("data-what>Agreement varied (variation") == 24


def test_another_area_adds_its_entries_from_its_own_source(world, monkeypatch):
    """As the notices will: a source registered under its own name, its entries in time order with the rest."""
    monkeypatch.setattr(registry, "_SOURCES", dict(registry._SOURCES))
    published = timezone.now()

    def notices(procurement):
        assert procurement.user == world["people"][Role.SCRUTINY_MEMBER]
        yield registry.Entry(
            at=published,
            category=Category.COMMUNICATION,
            who="The service",
            what="Contract award notice (UK6) published",
            reference=f"{procurement.commission.reference}-UK6",
        )

    registry.register("notices", entries=notices)
    entries = record_of(world, Role.SCRUTINY_MEMBER).entries
    assert entries[-1].what == "Contract award notice (UK6) published"
    assert entries[-2].what == "Delivery started under the agreement"
