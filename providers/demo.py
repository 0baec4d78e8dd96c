"""Demo provider organisations, each with an administrator who can sign in."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from councils.demo import demo_user
from councils.models import Council

from .models import Organisation, OrganisationMember, OrganisationType, ProviderRole, Sector

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
        organisation, _ = Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "legal_name": legal_name,
                "organisation_type": org_type,
                "sector": sector,
                "charity_number": charity,
                "company_number": company,
                "postcode": "LA1 1AA",
                "owning_council": owner if legal_name == SHARED_SERVICE_COMPANY[0] else None,
            },
        )
        user = demo_user(f"admin@{slug}.example", f"{legal_name} administrator")
        OrganisationMember.objects.get_or_create(
            organisation=organisation, user=user, role=ProviderRole.ORGANISATION_ADMIN
        )
        organisations.append(organisation)
    return organisations
