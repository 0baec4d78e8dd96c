"""The provider portal and an organisation's page run in the same number of queries with 1 row and with 25
(and in no more than 30). The directory and the approved suppliers list are measured in
test_officer_views; the provider's dashboard, bids and agreements in monitoring's dashboard tests."""

from __future__ import annotations

import pytest
from django.urls import reverse

from providers.models import ProviderRole
from providers.tests.factories import ComplianceDocumentFactory, OrganisationMemberFactory
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def test_the_portal_with_25_organisations(client_for, people, organisation):
    admin = people["provider_admin"]
    ComplianceDocumentFactory(organisation=organisation, uploaded_by=admin)

    client = client_for(admin)

    def add_rows(count):
        for member in OrganisationMemberFactory.create_batch(count, user=admin):
            ComplianceDocumentFactory(organisation=member.organisation, uploaded_by=admin)
            OrganisationMemberFactory(organisation=member.organisation, role=ProviderRole.BID_WRITER)
        # New roles give the admin's session a new key on its next request, once (councils.sessions):
        # signed in again, the count is the page's own.
        client.force_login(admin)

    _, response = assert_same_queries(client, reverse("providers:portal"), add_rows)
    assert len(response.context["organisations"]) == 25


def test_an_organisations_page_with_25_people_and_documents(client_for, people, organisation):
    admin = people["provider_admin"]
    ComplianceDocumentFactory(organisation=organisation, uploaded_by=admin)

    def add_rows(count):
        for member in OrganisationMemberFactory.create_batch(count, organisation=organisation):
            ComplianceDocumentFactory(organisation=organisation, uploaded_by=member.user)

    _, response = assert_same_queries(
        client_for(admin), reverse("providers:organisation", kwargs={"pk": organisation.pk}), add_rows
    )
    assert len(response.context["organisation"].members.all()) == 25
    assert len(response.context["organisation"].compliance_documents.all()) == 25
