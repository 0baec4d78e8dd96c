"""Compliance documents: uploads checked by content, expiry status, and permission-checked downloads."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from councils.models import AuditEvent, Role
from demo.providers import tiny_pdf
from providers.models import ComplianceDocument, ComplianceDocumentKind, ExpiryStatus, ProviderRole
from providers.selectors import organisation_summary
from providers.tests.factories import ComplianceDocumentFactory, OrganisationMemberFactory

# A Windows executable's first bytes, saved with a .pdf name.
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"
)


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def upload(client, organisation, name: str, content: bytes, **data):
    data = {
        "kind": ComplianceDocumentKind.PUBLIC_LIABILITY_INSURANCE,
        "expires_on": in_days(200).strftime("%d/%m/%Y"),
        "file": SimpleUploadedFile(name, content),
        **data,
    }
    return client.post(reverse("providers:document_add", args=[organisation.pk]), data)


def test_an_admin_uploads_a_document(client_for, people, organisation):
    client = client_for(people["provider_admin"])
    response = upload(client, organisation, "Insurance 2026.pdf", tiny_pdf("Insurance"))
    assert response.status_code == 302
    document = ComplianceDocument.objects.get(organisation=organisation)
    assert document.original_name == "Insurance 2026.pdf"
    assert document.expires_on == in_days(200)
    assert document.file.name.startswith("compliance/")
    assert "Insurance" not in document.file.name  # stored under a random name
    assert AuditEvent.objects.filter(event_type="compliance_document.uploaded", object_id=str(document.pk)).exists()
    body = client.get(reverse("providers:organisation", args=[organisation.pk])).content.decode()
    assert "Public liability insurance" in body
    assert "govuk-tag--green" in body


@pytest.mark.parametrize("name", ["policy.pdf", "policy.exe", "policy.docx"])
def test_a_disguised_executable_is_refused(client_for, people, organisation, name):
    response = upload(client_for(people["provider_admin"]), organisation, name, EXECUTABLE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "The selected file" in body
    assert not ComplianceDocument.objects.exists()


def test_upload_errors_keep_what_was_typed(client_for, people, organisation):
    response = upload(client_for(people["provider_admin"]), organisation, "x.pdf", EXECUTABLE, expires_on="31/02/2027")
    body = response.content.decode()
    assert "must be a real date" in body
    assert 'value="31/02/2027"' in body


@pytest.mark.parametrize(
    ("days", "status"),
    [
        (-1, ExpiryStatus.EXPIRED),
        (0, ExpiryStatus.EXPIRING),
        (30, ExpiryStatus.EXPIRING),
        (31, ExpiryStatus.VALID),
        (365, ExpiryStatus.VALID),
    ],
)
def test_expiry_status(db, days, status):
    assert ComplianceDocument(expires_on=in_days(days)).status == status


def test_the_list_shows_each_documents_status(client_for, people, organisation):
    ComplianceDocumentFactory(organisation=organisation, expires_on=in_days(10))
    ComplianceDocumentFactory(organisation=organisation, kind=ComplianceDocumentKind.DBS_POLICY, expires_on=in_days(-3))
    body = client_for(people["provider_admin"]).get(reverse("providers:portal")).content.decode()
    assert "Expires soon" in body
    assert "Expired" in body


def test_own_organisation_downloads_a_document(client_for, people, organisation):
    document = ComplianceDocumentFactory(organisation=organisation, original_name="Our policy.pdf")
    writer = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER).user
    response = client_for(writer).get(reverse("providers:document_download", args=[organisation.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_another_organisation_cannot_download_or_remove(client_for, people, organisation):
    document = ComplianceDocumentFactory(organisation=organisation)
    client = client_for(people["other_provider_admin"])
    assert client.get(reverse("providers:document_download", args=[organisation.pk, document.pk])).status_code == 404
    assert client.post(reverse("providers:document_remove", args=[organisation.pk, document.pk])).status_code == 404
    assert ComplianceDocument.objects.filter(pk=document.pk).exists()


def test_a_document_is_not_found_through_another_organisations_address(
    client_for, people, organisation, other_organisation
):
    theirs = ComplianceDocumentFactory(organisation=other_organisation)
    client = client_for(people["provider_admin"])
    assert client.get(reverse("providers:document_download", args=[organisation.pk, theirs.pk])).status_code == 404


def test_officers_download_through_the_directory_and_councillors_cannot(client_for, people, council, organisation):
    document = ComplianceDocumentFactory(organisation=organisation)
    url = reverse("providers:officer_document_download", args=[council.slug, organisation.pk, document.pk])
    assert client_for(people[Role.LEGAL_OFFICER]).get(url).status_code == 200
    assert client_for(people[Role.PORTFOLIO_HOLDER]).get(url).status_code == 403
    provider_url = reverse("providers:document_download", args=[organisation.pk, document.pk])
    assert client_for(people[Role.LEGAL_OFFICER]).get(provider_url).status_code == 404


def test_only_admins_upload_or_remove(client_for, organisation):
    document = ComplianceDocumentFactory(organisation=organisation)
    writer = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER).user
    client = client_for(writer)
    assert upload(client, organisation, "p.pdf", tiny_pdf("p")).status_code == 403
    assert client.post(reverse("providers:document_remove", args=[organisation.pk, document.pk])).status_code == 403


def test_an_admin_removes_a_document_and_its_file(client_for, people, organisation, django_capture_on_commit_callbacks):
    document = ComplianceDocumentFactory(organisation=organisation)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["provider_admin"]).post(
            reverse("providers:document_remove", args=[organisation.pk, document.pk])
        )
    assert response.status_code == 302
    assert not ComplianceDocument.objects.filter(pk=document.pk).exists()
    assert not storage.exists(name)
    assert AuditEvent.objects.filter(event_type="compliance_document.removed").exists()


def test_the_summary_for_bids_lists_only_documents_valid_today(organisation):
    valid = ComplianceDocumentFactory(organisation=organisation, expires_on=in_days(5))
    ComplianceDocumentFactory(organisation=organisation, kind=ComplianceDocumentKind.ACCOUNTS, expires_on=in_days(-1))
    summary = organisation_summary(organisation)
    assert summary["legal_name"] == "Moorside Youth Trust"
    assert summary["charity_number"] == organisation.charity_number
    assert summary["postcode"] == "LA1 1AA"
    assert summary["verified"] is False
    assert [d["id"] for d in summary["compliance_documents"]] == [valid.pk]
    assert summary["compliance_documents"][0]["kind_label"] == "Safeguarding policy"
