"""The public opportunity pages: the list with its filters and fixed query count, the page of one
opportunity (no sign-in, no bidder names), its documents, the Atom feed, and what providers do there:
follow an opportunity and ask clarification questions."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import DeliveryRoute, Interest, Opportunity, OpportunityState, State
from commissioning.sourcing.services import opportunities as services
from commissioning.tests.bid_factories import open_opportunity
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from demo import opportunities as opportunity_demo
from providers.models import OrganisationMember
from providers.tests.factories import OrganisationMemberFactory
from tests.query_counts import assert_same_queries

ATOM = "{http://www.w3.org/2005/Atom}"
LIST = "/opportunities/"


@pytest.fixture
def opportunity(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))
    return opportunity_demo.opportunity_for(commission, officer=people[Role.COMMISSIONING_OFFICER], document=True)


def detail_url(opportunity, name="detail"):
    return reverse(f"opportunities:{name}", args=[opportunity.reference])


def organisation_of(user):
    return OrganisationMember.objects.get(user=user).organisation


def test_a_draft_is_not_found_by_anyone(client, client_for, council, people):
    commission = commission_in_state(council, State.SOURCING)
    draft = opportunity_demo.opportunity_for(commission, officer=people[Role.LEAD_COMMISSIONER], publish=False)
    document_url = reverse("opportunities:document", args=[draft.reference, 1])
    for url in (detail_url(draft), detail_url(draft, "ask"), detail_url(draft, "interest"), document_url):
        assert client.get(url).status_code == 404
    assert client_for(people[Role.LEAD_COMMISSIONER]).get(detail_url(draft)).status_code == 404
    assert draft.title not in client.get(LIST).content.decode()


def test_anyone_reads_an_open_opportunity_without_bidder_names(client, opportunity, people):
    asker = people["provider_admin"]
    question = services.clarification_ask(
        by=asker, opportunity=opportunity, organisation=organisation_of(asker), question="We are Moorside: lots?"
    )
    services.clarification_answer(
        by=people[Role.COMMISSIONING_OFFICER],
        clarification=question,
        visibility="published",
        published_question="Can a bid cover one lot?",
        answer="Yes, one or several.",
    )
    london = timezone.get_current_timezone()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        submission_deadline=datetime.datetime(2030, 11, 24, 12, 0, tzinfo=london),
        clarification_deadline=datetime.datetime(2030, 11, 10, 17, 30, tzinfo=london),
    )
    body = client.get(detail_url(opportunity)).content.decode()
    assert opportunity.title in body
    assert "24 November 2030, 12:00pm" in body
    assert "10 November 2030, 5:30pm" in body
    assert "Links to corporate priorities and other approved strategies" in body
    assert "15%" in body
    assert "Up to 500 words" in body
    assert "Can a bid cover one lot?" in body
    assert "Yes, one or several." in body
    assert "Moorside" not in body
    assert "£150,000" in body


def test_documents_download_for_public_opportunities(client, opportunity):
    document = opportunity.documents.get()
    response = client.get(reverse("opportunities:document", args=[opportunity.reference, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_list_shows_open_opportunities_and_closed_ones_on_request(client, opportunity, council, people):
    closed = opportunity_demo.published_in_the_past(
        commission_in_state(council, State.SOURCING, title="Closed grant"), bids=lambda opportunity: None
    )
    assert Opportunity.objects.get(pk=closed.pk).state == OpportunityState.CLOSED
    body = client.get(LIST).content.decode()
    assert opportunity.title in body
    assert "Closed grant" not in body
    body = client.get(LIST, {"include_closed": "on"}).content.decode()
    assert "Closed grant" in body
    assert "Closed: bids sealed" in body


def test_the_list_filters(client, opportunity, other_council, people):
    other = commission_in_state(other_council, State.SOURCING, budget=Decimal(20000), title="Small grants")
    small = opportunity_demo.opportunity_for(other, officer=people["other_council_officer"])
    outcome = opportunity.commission.outcomes.get()

    def titles(**query) -> set[str]:
        body = client.get(LIST, query).content.decode()
        return {o.title for o in (opportunity, small) if f">{o.title}</a>" in body}

    assert titles() == {opportunity.title, small.title}
    assert titles(q="small") == {small.title}
    assert titles(council=opportunity.council.pk) == {opportunity.title}
    assert titles(outcome=outcome.pk) == {opportunity.title}
    assert titles(council=opportunity.council.pk, outcome=outcome.pk) == {opportunity.title}
    assert titles(value_band="10k_50k") == {small.title}
    assert titles(value_band="100k_250k") == {opportunity.title}
    after = timezone.localtime(opportunity.submission_deadline) + datetime.timedelta(days=1)
    assert titles(closes_after=after.strftime("%d/%m/%Y")) == set()
    assert titles(closes_before=after.strftime("%d/%m/%Y")) == {opportunity.title, small.title}


def test_outcomes_are_offered_once_a_council_is_chosen(client, opportunity, other_council, people):
    other = commission_in_state(other_council, State.SOURCING, title="Small grants")
    opportunity_demo.opportunity_for(other, officer=people["other_council_officer"])
    mine, theirs = opportunity.commission.outcomes.get(), other.outcomes.get()

    def outcome_options(**query) -> str:
        body = client.get(LIST, query).content.decode()
        return body[body.find('name="outcome"') :].split("</select>")[0] if 'name="outcome"' in body else ""

    assert outcome_options() == ""
    assert "apply the filters to filter by its outcomes" in client.get(LIST).content.decode()
    offered = outcome_options(council=opportunity.council.pk)
    assert f'value="{mine.pk}"' in offered
    assert f'value="{theirs.pk}"' not in offered
    # The council changed after an outcome of another was chosen: that outcome lapses, with no error.
    response = client.get(LIST, {"council": other_council.pk, "outcome": mine.pk})
    assert not response.context["filter_form"].errors
    assert "Small grants" in response.content.decode()
    # An outcome in a link, its council not named, still applies (and stays in the form, hidden).
    body = client.get(LIST, {"outcome": theirs.pk}).content.decode()
    assert f'type="hidden" name="outcome" value="{theirs.pk}"' in body
    assert "Small grants" in body
    assert opportunity.title not in body


def test_the_list_runs_in_a_fixed_number_of_queries(client, opportunity):
    def add_rows(count):
        for n in range(count):
            open_opportunity(opportunity.council, commission=opportunity.commission, title=f"Copy {n}")

    _, response = assert_same_queries(client, LIST, add_rows)
    assert response.context["page_obj"].paginator.count == 25


def test_the_atom_feed_lists_open_opportunities(client, opportunity):
    response = client.get(reverse("opportunities:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}title").text == f"{opportunity.title} ({opportunity.council.name})"
    assert entries[0].find(f"{ATOM}link").get("href").endswith(opportunity.get_absolute_url())


def test_a_provider_follows_and_stops_following(client_for, opportunity, people):
    provider = people["provider_admin"]
    client = client_for(provider)
    assert client.get(detail_url(opportunity, "interest")).status_code == 200
    organisation = organisation_of(provider)
    response = client.post(detail_url(opportunity, "interest"), {"organisation": organisation.pk, "action": "follow"})
    assert response.status_code == 302
    assert Interest.objects.filter(opportunity=opportunity, organisation=organisation).exists()
    assert "Stop following" in client.get(detail_url(opportunity)).content.decode()
    client.post(detail_url(opportunity, "interest"), {"organisation": organisation.pk, "action": "stop"})
    assert not Interest.objects.exists()


def test_a_provider_with_several_organisations_chooses(client_for, opportunity, people):
    provider = people["provider_admin"]
    second = OrganisationMemberFactory(user=provider, organisation__legal_name="Moorside Sports CIC").organisation
    body = client_for(provider).get(detail_url(opportunity)).content.decode()
    assert 'Register interest<span class="govuk-visually-hidden"> for Moorside Sports CIC' in body
    client_for(provider).post(detail_url(opportunity, "interest"), {"organisation": second.pk, "action": "follow"})
    assert list(Interest.objects.values_list("organisation", flat=True)) == [second.pk]


def test_only_provider_staff_follow_or_ask(client, client_for, opportunity, people):
    for name in ("interest", "ask"):
        assert client.get(detail_url(opportunity, name)).status_code == 302
    for name in ("interest", "ask"):
        assert client_for(people[Role.LEAD_COMMISSIONER]).get(detail_url(opportunity, name)).status_code == 403
    other = organisation_of(people["other_provider_admin"])
    response = client_for(people["provider_admin"]).post(
        detail_url(opportunity, "interest"), {"organisation": other.pk, "action": "follow"}
    )
    assert response.status_code == 302
    assert not Interest.objects.exists()


def test_asking_before_and_after_the_clarification_deadline(client_for, opportunity, people):
    client = client_for(people["provider_admin"])
    assert "Your question" in client.get(detail_url(opportunity, "ask")).content.decode()
    response = client.post(detail_url(opportunity, "ask"), {"question": "Is TUPE likely to apply?"})
    assert response.status_code == 302
    assert opportunity.clarifications.get().question == "Is TUPE likely to apply?"
    Opportunity.objects.filter(pk=opportunity.pk).update(
        clarification_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    body = client.get(detail_url(opportunity, "ask")).content.decode()
    assert "You can no longer ask questions about this opportunity" in body
    response = client.post(detail_url(opportunity, "ask"), {"question": "Too late?"})
    assert "The deadline for clarification questions was" in response.content.decode()
    assert opportunity.clarifications.count() == 1


def test_an_empty_question_shows_an_error_summary(client_for, opportunity, people):
    response = client_for(people["provider_admin"]).post(detail_url(opportunity, "ask"), {"question": ""})
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter your question" in body


def test_a_private_answer_shows_only_to_the_asking_organisation(client_for, opportunity, people):
    asker = people["provider_admin"]
    question = services.clarification_ask(
        by=asker, opportunity=opportunity, organisation=organisation_of(asker), question="About our premises?"
    )
    services.clarification_answer(
        by=people[Role.COMMISSIONING_OFFICER], clarification=question, visibility="private", answer="Private reply."
    )
    assert "Private reply." in client_for(asker).get(detail_url(opportunity)).content.decode()
    other_body = client_for(people["other_provider_admin"]).get(detail_url(opportunity)).content.decode()
    assert "Private reply." not in other_body
    assert "About our premises?" not in other_body


REGISTER = 'href="/providers/register/"'


@pytest.mark.parametrize("open_for_bids", [True, False])
def test_register_your_organisation_is_offered_to_outsiders_and_not_to_those_in_one(
    client, client_for, opportunity, people, open_for_bids
):
    """The way in for providers: signed out (home, sign in, the opportunities and one opportunity,
    open or not), or signed in without an organisation; never to someone already acting for one."""
    assert reverse("providers:register") == "/providers/register/"
    pages = [reverse("home"), reverse("login"), LIST, detail_url(opportunity)]
    now = opportunity.submission_deadline + datetime.timedelta(days=1) if not open_for_bids else timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert REGISTER in response.content.decode(), page
        without_organisation = client_for(people["no_role"])
        for page in [reverse("home"), LIST, detail_url(opportunity), reverse("monitoring:provider_dashboard")]:
            assert REGISTER in without_organisation.get(page).content.decode(), page
        in_organisation = client_for(people["provider_admin"])
        for page in [LIST, detail_url(opportunity)]:
            assert REGISTER not in in_organisation.get(page).content.decode(), page
