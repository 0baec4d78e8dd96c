"""Officers' opportunity pages through HTTP: the commission page's sourcing section, drafting and
editing, the publishing gate on the page, publishing, documents, clarifications, the opening page
that shows only a count, and the ethical wall."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissioning.models import (
    Bid,
    DeliveryRoute,
    Interest,
    Opportunity,
    OpportunityState,
    State,
)
from commissioning.sourcing.services import opportunities as services
from commissioning.tests import bid_factories
from commissioning.tests.factories import commission_in_state
from councils.models import AuditEvent, Role
from demo import opportunities as opportunity_demo
from demo.conflicts import prepare_conflicts_assessment
from providers.models import OrganisationMember, ProviderRole


@pytest.fixture
def contract(council):
    return commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))


@pytest.fixture
def opportunity(contract, people):
    return opportunity_demo.opportunity_for(contract, officer=people[Role.COMMISSIONING_OFFICER])


def url(opportunity, name="opportunity", *args):
    return reverse(f"commissioning:{name}", args=[opportunity.council.slug, opportunity.pk, *args])


def organisation_of(user):
    return OrganisationMember.objects.get(user=user).organisation


def bid_from(opportunity, user):
    # Through the bid services, as a provider would submit it.
    return bid_factories.submitted_bid(opportunity, user)


def past_deadline(opportunity):
    now = timezone.now()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        clarification_deadline=now - datetime.timedelta(days=2), submission_deadline=now - datetime.timedelta(hours=1)
    )
    opportunity.refresh_from_db()
    return opportunity


def test_the_commission_page_offers_to_create_the_opportunity(client_for, contract, people):
    create = reverse("commissioning:opportunity_create", args=[contract.council.slug, contract.pk])
    body = client_for(people[Role.PROCUREMENT_OFFICER]).get(contract.get_absolute_url()).content.decode()
    assert "Create the opportunity" in body
    assert create in body
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(contract.get_absolute_url()).content.decode()
    assert create not in body
    assert client_for(people[Role.SCRUTINY_MEMBER]).post(create).status_code == 403


def test_an_officer_drafts_edits_and_publishes(client_for, contract, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    create = reverse("commissioning:opportunity_create", args=[contract.council.slug, contract.pk])
    assert "Two different officers must confirm" in client.get(create).content.decode()
    response = client.post(create)
    opportunity = Opportunity.objects.get(commission=contract)
    assert response["Location"] == url(opportunity)
    body = client.get(url(opportunity)).content.decode()
    assert "Before you can publish" in body
    assert "Add at least one question for bidders to answer" in body
    response = client.post(
        url(opportunity, "opportunity_edit"),
        {
            "title": "Debt advice service",
            "summary": "Free advice.",
            "outcomes_sought": "Fewer people in problem debt.",
            "eligibility": "Advice charities.",
            "budget_envelope": "£140,000",
        },
    )
    assert response.status_code == 302
    criterion = contract.criteria.first()
    # The other criteria are scored on the whole bid, so one question against the first is enough.
    contract.criteria.exclude(pk=criterion.pk).update(scored_on_whole_bid=True)
    response = client.post(
        url(opportunity, "opportunity_record_add", "questions"),
        {"criterion": criterion.pk, "text": "How will you reach people?", "guidance": "", "word_limit": "500"},
    )
    assert response.status_code == 302
    response = client.post(
        url(opportunity, "opportunity_dates"),
        {
            "clarification_deadline": (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d/%m/%Y"),
            "clarification_time": "5:30pm",
            "submission_deadline": (timezone.localdate() + datetime.timedelta(days=20)).strftime("%d/%m/%Y"),
            "submission_time": "noon",
            "expected_award_on": (timezone.localdate() + datetime.timedelta(days=40)).strftime("%d/%m/%Y"),
            "service_starts_on": (timezone.localdate() + datetime.timedelta(days=60)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "Debt advice service"
    assert opportunity.budget_envelope == Decimal(140000)
    assert opportunity.two_person_opening  # the commission's budget still decides
    assert timezone.localtime(opportunity.clarification_deadline).time() == datetime.time(17, 30)
    assert timezone.localtime(opportunity.submission_deadline).time() == datetime.time(12, 0)
    publish = url(opportunity, "opportunity_transition", "publish")
    assert "Prepare the conflicts assessment" in client.get(publish).content.decode()
    prepare_conflicts_assessment(opportunity, people[Role.COMMISSIONING_OFFICER])
    assert client.get(publish).status_code == 200
    response = client.post(publish, {"from_state": "draft", "reason": ""})
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.PUBLISHED


def test_a_blocked_publish_shows_the_gate_on_the_page(client_for, contract, people):
    draft = opportunity_demo.opportunity_for(
        contract, officer=people[Role.COMMISSIONING_OFFICER], questions=0, publish=False
    )
    body = client_for(people[Role.COMMISSIONING_OFFICER]).get(url(draft, "opportunity_transition", "publish"))
    assert "Add at least one question for bidders to answer" in body.content.decode()
    assert "govuk-error-summary" in body.content.decode()


def test_dates_form_shows_the_dates_and_reports_errors(client_for, opportunity, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    form = client.get(url(opportunity, "opportunity_dates")).content.decode()
    deadline = timezone.localtime(opportunity.submission_deadline).strftime("%d/%m/%Y")
    assert f'value="{deadline}"' in form
    assert 'value="12pm"' in form
    response = client.post(
        url(opportunity, "opportunity_dates"),
        {
            "clarification_deadline": "31/02/2030",
            "clarification_time": "25pm",
            "submission_deadline": "",
            "submission_time": "noon",
            "expected_award_on": "01/01/2031",
            "service_starts_on": "01/02/2031",
        },
    )
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "must be a real date" in body
    assert "must be a real time, like 12pm or 5:30pm" in body


def test_details_are_fixed_once_published(client_for, opportunity, people):
    response = client_for(people[Role.COMMISSIONING_OFFICER]).get(url(opportunity, "opportunity_edit"))
    assert response.status_code == 302
    assert response["Location"] == url(opportunity)


def test_uploading_a_document_to_a_published_opportunity_tells_followers(
    client_for, opportunity, people, django_capture_on_commit_callbacks
):
    provider = people["provider_admin"]
    services.interest_register(by=provider, opportunity=opportunity, organisation=organisation_of(provider))
    upload = SimpleUploadedFile("terms.pdf", b"%PDF-1.4 terms", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people[Role.PROCUREMENT_OFFICER]).post(
            url(opportunity, "opportunity_record_add", "documents"),
            {"kind": "terms", "title": "Terms and conditions", "file": upload},
        )
    assert response.status_code == 302
    document = opportunity.documents.get()
    assert [m.to for m in mail.outbox] == [[provider.email]]
    assert "Added document: Terms and conditions" in mail.outbox[0].body
    officer_download = client_for(people[Role.SCRUTINY_MEMBER]).get(
        url(opportunity, "opportunity_document", document.pk)
    )
    assert officer_download.status_code == 200


def test_answering_a_clarification_through_the_inbox(client_for, opportunity, people):
    asker = people["provider_admin"]
    question = services.clarification_ask(
        by=asker, opportunity=opportunity, organisation=organisation_of(asker), question="We are Moorside: TUPE?"
    )
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    inbox = client.get(url(opportunity, "opportunity_clarifications")).content.decode()
    assert "We are Moorside: TUPE?" in inbox
    assert "Moorside Youth Trust" in inbox  # officers see who asked, to reply privately
    answer = url(opportunity, "opportunity_clarification_answer", question.pk)
    response = client.post(
        answer, {"visibility": "published", "published_question": "Will TUPE apply?", "answer": "No."}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.visibility, question.published_question) == ("published", "Will TUPE apply?")
    assert client.get(answer).status_code == 302  # published answers are final
    public = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Will TUPE apply?" in public


def test_the_opening_page_shows_only_the_count(client_for, opportunity, people):
    bid_from(opportunity, people["provider_admin"])
    Bid.objects.create(
        opportunity=opportunity,
        organisation=organisation_of(people["other_provider_admin"]),
        created_by=people["other_provider_admin"],
    )  # a draft bid is not counted
    past_deadline(opportunity)
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    body = client.get(url(opportunity, "opportunity_opening")).content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.CLOSED  # closed lazily
    assert '<dd class="govuk-summary-list__value" data-bid-count>1</dd>' in body
    assert "Moorside" not in body
    assert "Brightwork" not in body
    response = client.post(url(opportunity, "opportunity_opening"), {"from_state": "closed", "declaration": "on"})
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.CLOSED
    again = client.post(url(opportunity, "opportunity_opening"), {"from_state": "closed", "declaration": "on"})
    assert again.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.CLOSED
    second = client_for(people[Role.LEGAL_OFFICER])
    second.post(url(opportunity, "opportunity_opening"), {"from_state": "closed", "declaration": "on"})
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.OPENED


def test_ethical_wall_for_an_officer_who_acts_for_a_bidder(client_for, opportunity, people):
    officer = people[Role.LEAD_COMMISSIONER]
    bid_from(opportunity, people["provider_admin"])
    OrganisationMember.objects.create(
        organisation=organisation_of(people["provider_admin"]), user=officer, role=ProviderRole.BID_WRITER
    )
    past_deadline(opportunity)
    client = client_for(officer)
    for name in ("opportunity", "opportunity_opening", "opportunity_clarifications"):
        response = client.get(url(opportunity, name))
        assert response.status_code == 403
        assert "You act for an organisation that has bid" in response.content.decode()
    response = client.post(url(opportunity, "opportunity_opening"), {"from_state": "closed", "declaration": "on"})
    assert response.status_code == 403
    commission_page = client.get(opportunity.commission.get_absolute_url()).content.decode()
    assert "Hidden: you act for a bidder" in commission_page
    assert not AuditEvent.objects.filter(event_type__startswith="opportunity.opening").exists()


def test_the_commission_page_shows_each_opportunity_with_its_count(client_for, opportunity, people):
    bid_from(opportunity, people["provider_admin"])
    Interest.objects.create(
        opportunity=opportunity,
        organisation=organisation_of(people["provider_admin"]),
        registered_by=people[Role.LEAD_COMMISSIONER],
    )
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(opportunity.commission.get_absolute_url()).content.decode()
    assert url(opportunity) in body
    assert opportunity.reference in body
    assert "Open for bids" in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in body
    assert "Moorside" not in body


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (Role.SCRUTINY_MEMBER, 403),
        (Role.FINANCE_OFFICER, 403),
        (Role.PORTFOLIO_HOLDER, 404),
        ("provider_admin", 404),
        ("other_council_officer", 404),
    ],
)
def test_officer_pages_refuse_everyone_else(client_for, opportunity, people, who, status):
    client = client_for(people[who])
    assert client.get(url(opportunity, "opportunity_dates")).status_code == status
    assert client.post(url(opportunity, "opportunity_transition", "cancel"), {"reason": "x"}).status_code == status
    assert Opportunity.objects.get(pk=opportunity.pk).state == OpportunityState.PUBLISHED


def test_lots_and_documents_are_added_changed_and_removed(client_for, contract, people):
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    draft = opportunity_demo.opportunity_for(
        contract, officer=people[Role.LEAD_COMMISSIONER], document=True, publish=False
    )
    for title in ("North", "South"):
        client.post(url(draft, "opportunity_record_add", "lots"), {"title": title, "budget": "£75,000"})
    north, south = draft.lots.order_by("number")
    assert (north.number, south.number, south.budget) == (1, 2, Decimal(75000))
    client.post(url(draft, "opportunity_record_edit", "lots", north.pk), {"title": "North and moors", "budget": ""})
    north.refresh_from_db()
    assert (north.title, north.budget) == ("North and moors", None)
    document = draft.documents.get()
    remove = url(draft, "opportunity_record_remove", "documents", document.pk)
    assert "Are you sure you want to remove this document?" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not draft.documents.exists()
    event = AuditEvent.objects.get(event_type="opportunity.document.removed")
    assert (event.actor, event.extra["record"]) == (people[Role.PROCUREMENT_OFFICER], "Service specification")
    assert client.get(url(draft, "opportunity_record_edit", "risks", north.pk)).status_code == 404
