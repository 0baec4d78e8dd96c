"""The demo providers: some verified and on Kirkby Moor's approved suppliers list, with documents."""

from __future__ import annotations

from councils.models import AuditEvent, Council
from demo.councils import seed_councils
from demo.providers import APPROVED, VERIFIED, seed_providers
from providers.models import ApprovedSupplier, ComplianceDocument, ExpiryStatus, Organisation
from providers.selectors import approved_supplier_ids


def counts():
    return (
        Organisation.objects.filter(verified_at__isnull=False).count(),
        ApprovedSupplier.objects.count(),
        ComplianceDocument.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_providers_are_verified_approved_and_keep_documents(db):
    seed_councils()
    seed_providers()
    kirkby_moor = Council.objects.get(slug="kirkby-moor")
    assert set(Organisation.objects.filter(verified_at__isnull=False).values_list("legal_name", flat=True)) == set(
        VERIFIED
    )
    approved = Organisation.objects.filter(pk__in=approved_supplier_ids(kirkby_moor))
    assert set(approved.values_list("legal_name", flat=True)) == set(APPROVED)
    statuses = {document.status for document in ComplianceDocument.objects.all()}
    assert {ExpiryStatus.EXPIRING, ExpiryStatus.EXPIRED, ExpiryStatus.VALID} <= statuses
    document = ComplianceDocument.objects.first()
    with document.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert Organisation.objects.get(legal_name="Vale Shared Services Ltd").is_in_house


def test_seeding_again_duplicates_nothing(db):
    seed_councils()
    seed_providers()
    first = counts()
    seed_providers()
    assert counts() == first
