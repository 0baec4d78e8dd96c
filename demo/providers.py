"""Demo provider organisations, each with an administrator who can sign in. Some are verified and on
Kirkby Moor City Council's approved suppliers list; one keeps compliance documents, one expiring soon
and one expired. Safe to run again: nothing is duplicated, and expiry dates move with the calendar."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from councils.models import Council, User
from demo.councils import demo_user
from providers import selectors, services
from providers.models import (
    ComplianceDocument,
    ComplianceDocumentKind,
    Organisation,
    OrganisationType,
    ProviderRole,
    Sector,
)

DEMO_PROVIDERS = [
    ("Kirkby Moor Age Concern", OrganisationType.REGISTERED_CHARITY, Sector.VCFS, "1098765", ""),
    ("Moorside Youth Trust", OrganisationType.CIO, Sector.VCFS, "1187654", ""),
    ("Green Lanes Community Interest Company", OrganisationType.CIC, Sector.SOCIAL_ENTERPRISE, "", "09876543"),
    ("The Lantern Arts Collective", OrganisationType.COMPANY_LIMITED_BY_GUARANTEE, Sector.ARTS, "1123456", "07654321"),
    ("St Anne's Community Kitchen", OrganisationType.FAITH_GROUP, Sector.VCFS, "", ""),
    ("Riverside Residents Association", OrganisationType.COMMUNITY_GROUP, Sector.VCFS, "", ""),
    ("Brightwork Training Ltd", OrganisationType.COMPANY_LIMITED_BY_SHARES, Sector.PRIVATE, "", "05432198"),
    ("Wyvern Citizens Advice", OrganisationType.REGISTERED_CHARITY, Sector.VCFS, "1076543", "03765432"),
    ("Open Doors Theatre", OrganisationType.CIO, Sector.ARTS, "1165432", ""),
    ("Parkwise Landscapes", OrganisationType.SOLE_TRADER, Sector.PRIVATE, "", ""),
    (
        "Wyvern Leisure Trust",
        OrganisationType.COMPANY_LIMITED_BY_GUARANTEE,
        Sector.SOCIAL_ENTERPRISE,
        "1154321",
        "08123456",
    ),
]
# The partnership's council-owned shared-service company bids like any other provider.
SHARED_SERVICE_COMPANY = (
    "Vale Shared Services Ltd",
    OrganisationType.COMPANY_LIMITED_BY_SHARES,
    Sector.PUBLIC,
    "",
    "11223344",
)


@transaction.atomic
def seed_providers() -> list[Organisation]:
    organisations = []
    owner = Council.objects.filter(slug="ashby-vale").first()
    for legal_name, org_type, sector, charity, company in [*DEMO_PROVIDERS, SHARED_SERVICE_COMPANY]:
        slug = slugify(legal_name)[:120]
        details = {
            "legal_name": legal_name,
            "organisation_type": org_type,
            "sector": sector,
            "charity_number": charity,
            "company_number": company,
            "postcode": "LA1 1AA",
            "owning_council": owner if legal_name == SHARED_SERVICE_COMPANY[0] else None,
            "is_in_house": legal_name == SHARED_SERVICE_COMPANY[0],
        }
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            # Registered by its administrator, who is a member by that consent (never added by anyone else).
            user = demo_user(f"admin@{slug}.example", f"{legal_name} administrator")
            organisation = services.organisation_register(by=user, organisation=Organisation(**details))
        else:
            Organisation.objects.filter(pk=organisation.pk).update(**details)
        organisations.append(organisation)
    seed_approved_suppliers()
    seed_compliance_documents()
    return organisations


APPROVING_COUNCIL = "kirkby-moor"
APPROVING_OFFICER = "procurement@kirkby-moor.example"
VERIFIED = [
    "Kirkby Moor Age Concern",
    "Moorside Youth Trust",
    "Green Lanes Community Interest Company",
    "The Lantern Arts Collective",
    "Wyvern Citizens Advice",
]
APPROVED = VERIFIED[:4]
# (organisation, kind, days from today until it expires)
DOCUMENTS = [
    ("Kirkby Moor Age Concern", ComplianceDocumentKind.SAFEGUARDING_POLICY, 300),
    ("Kirkby Moor Age Concern", ComplianceDocumentKind.PUBLIC_LIABILITY_INSURANCE, 12),
    ("Kirkby Moor Age Concern", ComplianceDocumentKind.DBS_POLICY, -20),
    ("Moorside Youth Trust", ComplianceDocumentKind.SAFEGUARDING_POLICY, 200),
]


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF saying `text`, with a correct cross-reference table."""
    safe = "".join(ch for ch in text if ch.isalnum() or ch in " ,.-'")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def seed_approved_suppliers() -> None:
    """Kirkby Moor's procurement officer verifies some organisations and approves most of those."""
    council = Council.objects.filter(slug=APPROVING_COUNCIL).first()
    officer = User.objects.filter(email=APPROVING_OFFICER).first()
    if council is None or officer is None:
        return
    approved = selectors.approved_supplier_ids(council)
    for organisation in Organisation.objects.filter(legal_name__in=VERIFIED):
        if organisation.verified_at is None:
            organisation = services.organisation_verify(by=officer, council=council, organisation=organisation)
        if organisation.legal_name in APPROVED and organisation.pk not in approved:
            services.approved_supplier_add(
                by=officer,
                council=council,
                organisation=organisation,
                notes="Checked against the Charity Commission and Companies House registers; references taken.",
            )


def seed_compliance_documents() -> None:
    today = timezone.localdate()
    for legal_name, kind, days in DOCUMENTS:
        organisation = Organisation.objects.get(legal_name=legal_name)
        expires_on = today + datetime.timedelta(days=days)
        existing = ComplianceDocument.objects.filter(organisation=organisation, kind=kind)
        if existing.exists():
            # Keep the demo's "expiring soon" and "expired" true on the day it is seeded again.
            existing.update(expires_on=expires_on)
            continue
        admin = organisation.members.filter(role=ProviderRole.ORGANISATION_ADMIN).select_related("user").first()
        name = f"{slugify(kind.label)}.pdf"
        document = ComplianceDocument(
            kind=kind, expires_on=expires_on, file=ContentFile(tiny_pdf(f"{kind.label}, {organisation}"), name=name)
        )
        services.document_add(by=admin.user, organisation=organisation, document=document)
