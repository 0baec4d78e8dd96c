"""The conflicts assessment page: sourcing officers prepare and review it; others are refused; an
officer acting for a bidder is walled off; the history is shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.conflicts import selectors
from commissioning.models import ConflictsAssessmentRevision, DeliveryRoute, State
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from demo import opportunities as opportunity_demo
from providers.tests.factories import OrganisationMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))
    return opportunity_demo.opportunity_for(commission, officer=people[Role.COMMISSIONING_OFFICER], publish=False)


def page(opportunity, name="opportunity_conflicts"):
    return reverse(f"commissioning:{name}", args=[opportunity.council.slug, opportunity.pk])


def test_an_officer_prepares_it_on_the_page_then_can_publish(client_for, people, draft):
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    manage = client.get(page(draft, "opportunity")).content.decode()
    assert "Prepare the conflicts assessment" in manage
    lead = draft.commission.lead_officer
    OrganisationMemberFactory(user=lead, organisation__legal_name="Kirkby <Youth> Trust")
    form = client.get(page(draft)).content.decode()
    assert "Acts for Kirkby &lt;Youth&gt; Trust as organisation administrator" in form  # typed text is escaped
    assert "<Youth>" not in form
    rows = selectors.people_involved(draft)
    data = {f"risk_{row.person.pk}": "none" for row in rows}
    data[f"risk_{lead.pk}"] = "low"
    response = client.post(page(draft), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert f"Say how the conflict for {lead} is managed" in body
    assert not ConflictsAssessmentRevision.objects.exists()
    data[f"mitigation_{lead.pk}"] = "Leaves the room when the trust's bid is discussed."
    response = client.post(page(draft), data)
    assert response.status_code == 302
    revision = selectors.latest_revision(draft)
    assert revision.is_reviewed
    assert revision.entries.get(person=lead).mitigation == "Leaves the room when the trust's bid is discussed."
    history = client.get(page(draft)).content.decode()
    assert "Revision 1: Prepared before the tender notice" in history
    assert "Publish" in client.get(page(draft, "opportunity")).content.decode()
    assert not selectors.missing_to_publish(draft)


def test_a_missing_risk_is_asked_for(client_for, people, draft):
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(page(draft), {})
    assert response.status_code == 200
    assert "Choose the risk of a conflict for" in response.content.decode()


# A portfolio holder does not see a draft opportunity at all (not found); the others are refused.
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (Role.SCRUTINY_MEMBER, 403),
        (Role.PORTFOLIO_HOLDER, 404),
        (Role.FINANCE_OFFICER, 403),
        (Role.LEGAL_OFFICER, 403),
    ],
)
def test_other_council_people_are_refused(client_for, people, draft, who, status):
    client = client_for(people[who])
    assert client.get(page(draft)).status_code == status
    assert client.post(page(draft), {}).status_code == status
    assert not ConflictsAssessmentRevision.objects.exists()


@pytest.mark.parametrize("who", ["other_council_officer", "provider_admin"])
def test_outsiders_get_not_found(client_for, people, draft, who):
    assert client_for(people[who]).get(page(draft)).status_code == 404
