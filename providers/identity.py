"""Who a supplier is, in the words notices use: its identifiers under the OCDS organisation schemes and
the flags the contract award and contract details notices (UK6, UK7) carry.

Scheme names are org-id.guide's, as Find a Tender uses them: GB-PPON (Central Digital Platform),
GB-COH (Companies House), GB-CHC (Charity Commission for England and Wales). The flags are the
OCDS UK extension's `details` fields (`vcse`, `shelteredWorkshop`, `publicServiceMissionOrganization`)
beside core OCDS `details.scale` ("sme" or "large"). Later notice generators call `supplier_party`.
"""

from __future__ import annotations

from providers.models import Organisation

PPON_SCHEME = "GB-PPON"
COMPANIES_HOUSE_SCHEME = "GB-COH"
CHARITY_COMMISSION_SCHEME = "GB-CHC"


def identifiers(organisation: Organisation) -> list[dict[str, str]]:
    """The organisation's identifiers, the PPON first (Find a Tender's party id), as OCDS Identifier
    objects: the first is the party's `identifier`, the rest its `additionalIdentifiers`."""
    found = [
        (PPON_SCHEME, organisation.ppon),
        (COMPANIES_HOUSE_SCHEME, organisation.company_number),
        (CHARITY_COMMISSION_SCHEME, organisation.charity_number),
    ]
    return [{"scheme": scheme, "id": value, "legalName": organisation.legal_name} for scheme, value in found if value]


def party_id(organisation: Organisation) -> str:
    """`GB-PPON-PABC-1234-WXYZ` when the PPON is known, else the first identifier's scheme and id, else
    a local id (notices then carry no registered identifier and the officer should ask for the PPON)."""
    found = identifiers(organisation)
    if found:
        return f"{found[0]['scheme']}-{found[0]['id']}"
    return f"commissioner-organisation-{organisation.pk}"


def scale(organisation: Organisation) -> str | None:
    """OCDS `details.scale`: "sme" or "large", None when unknown."""
    sme = organisation.is_sme
    return None if sme is None else ("sme" if sme else "large")


def supplier_details(organisation: Organisation) -> dict:
    return {
        "scale": scale(organisation),
        "vcse": organisation.is_vcse,
        "shelteredWorkshop": organisation.supported_employment,
        "publicServiceMissionOrganization": organisation.public_service_mutual,
    }


def supplier_party(organisation: Organisation) -> dict:
    """The OCDS party for this supplier, as a UK6 or UK7 names it (roles are the caller's to add)."""
    found = identifiers(organisation)
    party = {"id": party_id(organisation), "name": organisation.legal_name, "details": supplier_details(organisation)}
    if found:
        party["identifier"] = found[0]
    if len(found) > 1:
        party["additionalIdentifiers"] = found[1:]
    return party
