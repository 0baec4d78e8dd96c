"""Council officers: the provider directory, verifying organisations, and the approved suppliers list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from councils.models import AuditEvent, Role
from councils.tests.factories import MembershipFactory
from providers import services
from providers.models import ApprovedSupplier
from providers.selectors import approved_supplier_ids
from providers.tests.factories import ComplianceDocumentFactory, OrganisationMemberFactory
from tests.query_counts import assert_same_queries

OFFICERS = [
    Role.LEAD_COMMISSIONER,
    Role.COMMISSIONING_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.LEGAL_OFFICER,
    Role.FINANCE_OFFICER,
]
NOT_OFFICERS = [Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN, "provider_admin", "no_role"]


def url(name, council, organisation=None):
    args = [council.slug] if organisation is None else [council.slug, organisation.pk]
    return reverse(f"providers:{name}", args=args)


def verified(organisation, officer, council):
    return services.organisation_verify(by=officer, council=council, organisation=organisation)


@pytest.mark.parametrize("role", OFFICERS)
def test_every_officer_sees_the_directory(client_for, people, council, organisation, other_organisation, role):
    body = client_for(people[role]).get(url("directory", council)).content.decode()
    assert organisation.legal_name in body
    assert other_organisation.legal_name in body


def test_the_directory_leaves_out_registrations_nobody_has_confirmed(client_for, people, council):
    OrganisationMemberFactory(organisation__legal_name="Unconfirmed Collective", user__is_active=False)
    body = client_for(people[Role.PROCUREMENT_OFFICER]).get(url("directory", council)).content.decode()
    assert "Unconfirmed Collective" not in body


def test_the_directory_searches_by_name(client_for, people, council, organisation, other_organisation):
    body = client_for(people[Role.PROCUREMENT_OFFICER]).get(url("directory", council), {"q": "moorside"}).content
    assert organisation.legal_name.encode() in body
    assert other_organisation.legal_name.encode() not in body


def test_the_directory_query_count_does_not_grow(client_for, council):
    officer = MembershipFactory(council=council, role=Role.PROCUREMENT_OFFICER).user
    verified(OrganisationMemberFactory().organisation, officer, council)

    def add_rows(count):
        for number, member in enumerate(OrganisationMemberFactory.create_batch(count)):
            if number % 2:
                verified(member.organisation, officer, council)

    _, response = assert_same_queries(client_for(officer), url("directory", council), add_rows)
    assert response.context["page_obj"].paginator.count == 25


def test_the_approved_suppliers_list_query_count_does_not_grow(client_for, council):
    officer = MembershipFactory(council=council, role=Role.PROCUREMENT_OFFICER).user

    def approve(organisation):
        services.approved_supplier_add(
            by=officer, council=council, organisation=verified(organisation, officer, council), notes="Framework"
        )

    approve(OrganisationMemberFactory().organisation)
    _, response = assert_same_queries(
        client_for(officer),
        url("approved_suppliers", council),
        lambda count: [approve(member.organisation) for member in OrganisationMemberFactory.create_batch(count)],
    )
    assert len(response.context["approvals"]) == 25


@pytest.mark.parametrize("role", NOT_OFFICERS)
def test_councillors_admins_and_providers_cannot_use_the_directory(client_for, people, council, organisation, role):
    client = client_for(people[role])
    assert client.get(url("directory", council)).status_code == 403
    assert client.get(url("officer_organisation", council, organisation)).status_code == 403
    assert client.post(url("verify_organisation", council, organisation)).status_code == 403
    assert client.post(url("approve_supplier", council, organisation), {"reason": "x"}).status_code == 403
    organisation.refresh_from_db()
    assert organisation.verified_at is None


def test_another_councils_officer_cannot_use_this_councils_directory(client_for, people, council, organisation):
    assert client_for(people["other_council_officer"]).get(url("directory", council)).status_code == 403


def test_an_officer_verifies_an_organisation(client_for, people, council, organisation):
    officer = people[Role.COMMISSIONING_OFFICER]
    response = client_for(officer).post(url("verify_organisation", council, organisation))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verified_by == officer
    assert organisation.verified_at is not None
    event = AuditEvent.objects.get(event_type="organisation.verified")
    assert (event.council, event.actor, event.object_id) == (council, officer, str(organisation.pk))
    with pytest.raises(ValidationError):
        verified(organisation, officer, council)
    again = client_for(officer).post(url("verify_organisation", council, organisation), follow=True)
    assert "already been verified" in again.content.decode()
    assert AuditEvent.objects.filter(event_type="organisation.verified").count() == 1


def test_councillors_cannot_verify_through_the_service(people, council, organisation):
    with pytest.raises(PermissionDenied):
        verified(organisation, people[Role.PORTFOLIO_HOLDER], council)


def test_changing_verified_details_needs_verifying_again(people, council, organisation):
    verified(organisation, people[Role.LEGAL_OFFICER], council)
    organisation.refresh_from_db()
    organisation.areas_of_interest = "Youth clubs"
    services.organisation_update(by=people["provider_admin"], organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.verified_at is not None
    organisation.charity_number = "1187655"
    services.organisation_update(by=people["provider_admin"], organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.verified_at is None
    assert AuditEvent.objects.filter(event_type="organisation.updated", extra__verification_cleared=True).exists()


def test_an_organisation_must_be_verified_before_it_is_approved(client_for, people, council, organisation):
    response = client_for(people[Role.PROCUREMENT_OFFICER]).post(
        url("approve_supplier", council, organisation), {"reason": "Good references"}
    )
    assert response.status_code == 200
    assert "Verify the organisation before" in response.content.decode()
    assert not ApprovedSupplier.objects.exists()


def test_an_officer_approves_and_removes_a_supplier_with_reasons(
    client_for, people, council, other_council, organisation
):
    officer = people[Role.PROCUREMENT_OFFICER]
    client = client_for(officer)
    verified(organisation, officer, council)
    response = client.post(url("approve_supplier", council, organisation), {"reason": "Good references"})
    assert response.status_code == 302
    assert approved_supplier_ids(council) == {organisation.pk}
    assert approved_supplier_ids(other_council) == set()
    added = AuditEvent.objects.get(event_type="approved_supplier.added")
    assert (added.council, added.actor, added.reason) == (council, officer, "Good references")
    assert organisation.legal_name in client.get(url("approved_suppliers", council)).content.decode()

    assert client.post(url("approve_supplier", council, organisation), {"reason": "Again"}).status_code == 200
    assert ApprovedSupplier.objects.count() == 1

    assert client.post(url("remove_supplier", council, organisation), {"reason": ""}).status_code == 200
    assert approved_supplier_ids(council) == {organisation.pk}
    response = client.post(url("remove_supplier", council, organisation), {"reason": "Insurance lapsed"})
    assert response.status_code == 302
    assert approved_supplier_ids(council) == set()
    approval = ApprovedSupplier.objects.get()
    assert (approval.removed_by, approval.removal_reason) == (officer, "Insurance lapsed")
    removed = AuditEvent.objects.get(event_type="approved_supplier.removed")
    assert (removed.council, removed.reason) == (council, "Insurance lapsed")
    page = client.get(url("officer_organisation", council, organisation)).content.decode()
    assert "Insurance lapsed" in page
    assert "Good references" in page


def test_removing_an_organisation_that_is_not_on_the_list_is_refused(people, council, organisation):
    with pytest.raises(ValidationError):
        services.approved_supplier_remove(
            by=people[Role.LEAD_COMMISSIONER], council=council, organisation=organisation, reason="Why not"
        )


def test_the_officer_page_shows_the_profile_and_documents(client_for, people, council, organisation):
    document = ComplianceDocumentFactory(organisation=organisation)
    body = client_for(people[Role.FINANCE_OFFICER]).get(url("officer_organisation", council, organisation)).content
    body = body.decode()
    assert organisation.charity_number in body
    assert reverse("providers:officer_document_download", args=[council.slug, organisation.pk, document.pk]) in body
    assert "Verify organisation" in body
