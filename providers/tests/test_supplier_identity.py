"""Supplier identity for notices: the PPON and registered numbers as OCDS identifiers, and the SME,
VCSE, supported-employment and public-service-mutual flags the UK6 and UK7 carry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from councils.models import AuditEvent, Role
from providers import services
from providers.identity import identifiers, party_id, supplier_party
from providers.models import Organisation, OrganisationType
from providers.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed", ["PABC-1234-WXYZ", "pabc 1234 wxyz", "PABC1234WXYZ", "GB-PPON-PABC-1234-WXYZ", " pabc-1234-wxyz "]
)
def test_a_ppon_is_tidied_and_accepted(typed):
    organisation = OrganisationFactory.build(ppon=typed)
    organisation.full_clean(validate_unique=False)
    assert organisation.ppon == "PABC-1234-WXYZ"


@pytest.mark.parametrize("typed", ["ABCD-1234-WXYZ", "PABC-12A4-WXYZ", "PABC-1234-WXY", "PAB1-1234-WXYZ", "12345678"])
def test_a_malformed_ppon_is_refused_with_its_format(typed):
    organisation = OrganisationFactory.build(ppon=typed)
    with pytest.raises(ValidationError) as raised:
        organisation.full_clean(validate_unique=False)
    assert "like PABC-1234-WXYZ" in str(raised.value.message_dict["ppon"])


def test_two_organisations_cannot_share_a_ppon_but_many_can_have_none():
    OrganisationFactory(ppon="PABC-1234-WXYZ")
    OrganisationFactory(ppon="")
    OrganisationFactory(ppon="")
    twin = OrganisationFactory.build(legal_name="Twin Trust", slug="twin-trust", ppon="pabc1234wxyz")
    with pytest.raises(ValidationError, match="Another organisation already has this PPON"):
        twin.full_clean()


def test_identifiers_list_the_ppon_first_then_companies_house_and_the_charity_commission():
    organisation = OrganisationFactory(
        legal_name="Harbour Lights Trust",
        organisation_type=OrganisationType.COMPANY_LIMITED_BY_GUARANTEE,
        company_number="01234567",
        charity_number="1187001",
        ppon="PABC-1234-WXYZ",
    )
    assert identifiers(organisation) == [
        {"scheme": "GB-PPON", "id": "PABC-1234-WXYZ", "legalName": "Harbour Lights Trust"},
        {"scheme": "GB-COH", "id": "01234567", "legalName": "Harbour Lights Trust"},
        {"scheme": "GB-CHC", "id": "1187001", "legalName": "Harbour Lights Trust"},
    ]
    assert party_id(organisation) == "GB-PPON-PABC-1234-WXYZ"


def test_without_a_ppon_the_party_is_named_by_its_registered_number_or_locally():
    charity = OrganisationFactory(charity_number="1187001")
    assert [i["scheme"] for i in identifiers(charity)] == ["GB-CHC"]
    assert party_id(charity) == "GB-CHC-1187001"
    group = OrganisationFactory(organisation_type=OrganisationType.COMMUNITY_GROUP, charity_number="")
    assert identifiers(group) == []
    assert party_id(group) == f"commissioner-organisation-{group.pk}"
    assert "identifier" not in supplier_party(group)


def test_the_supplier_party_carries_the_uk_extension_flags():
    organisation = OrganisationFactory(
        organisation_type=OrganisationType.COMPANY_LIMITED_BY_SHARES,
        charity_number="",
        company_number="SC123456",
        ppon="PABC-1234-WXYZ",
        income_band="over_10m",
        sme_answer=False,
        supported_employment=True,
        public_service_mutual=True,
    )
    party = supplier_party(organisation)
    assert party["id"] == "GB-PPON-PABC-1234-WXYZ"
    assert party["identifier"]["scheme"] == "GB-PPON"
    assert party["additionalIdentifiers"] == [
        {"scheme": "GB-COH", "id": "SC123456", "legalName": organisation.legal_name}
    ]
    assert party["details"] == {
        "scale": "large",
        "vcse": False,
        "shelteredWorkshop": True,
        "publicServiceMissionOrganization": True,
    }


@pytest.mark.parametrize(
    ("income_band", "answer", "expected"),
    [
        ("under_10k", None, True),
        ("1m_10m", None, True),
        ("over_10m", None, None),  # only the organisation knows its headcount and turnover
        ("", None, None),
        ("over_10m", True, True),
        ("10k_100k", False, False),  # 250 staff on a small income: the answer wins
    ],
)
def test_sme_status_comes_from_the_answer_else_the_income(income_band, answer, expected):
    organisation = Organisation(income_band=income_band, sme_answer=answer)
    assert organisation.is_sme is expected


@pytest.mark.parametrize(
    ("kind", "charity_number", "answer", "expected"),
    [
        (OrganisationType.REGISTERED_CHARITY, "1187001", None, True),
        (OrganisationType.CIC, "", None, True),
        (OrganisationType.FAITH_GROUP, "", None, True),
        (OrganisationType.COMPANY_LIMITED_BY_SHARES, "", None, False),
        (OrganisationType.PUBLIC_BODY, "", None, False),
        (OrganisationType.COMPANY_LIMITED_BY_GUARANTEE, "1187001", None, True),
        (OrganisationType.COMPANY_LIMITED_BY_GUARANTEE, "", None, None),  # could be either: ask
        (OrganisationType.COMPANY_LIMITED_BY_GUARANTEE, "", True, True),
        (OrganisationType.COMPANY_LIMITED_BY_SHARES, "", True, True),  # a social enterprise with shares
    ],
)
def test_vcse_status_comes_from_the_answer_else_the_type(kind, charity_number, answer, expected):
    organisation = Organisation(organisation_type=kind, charity_number=charity_number, vcse_answer=answer)
    assert organisation.is_vcse is expected


def profile(organisation, **overrides) -> dict:
    return {
        "legal_name": organisation.legal_name,
        "organisation_type": organisation.organisation_type,
        "charity_number": organisation.charity_number,
        "registered_address": "2 Mill Lane",
        "postcode": "LA2 6RT",
        "sector": organisation.sector,
        "income_band": "over_10m",
        **overrides,
    }


def test_an_administrator_records_the_ppon_and_flags_on_the_profile(client_for, people, organisation):
    url = reverse("providers:organisation_edit", args=[organisation.pk])
    form = client_for(people["provider_admin"]).get(url).content.decode()
    assert "Public Procurement Organisation Number (PPON)" in form
    assert "Work it out from our annual income" in form
    response = client_for(people["provider_admin"]).post(
        url,
        profile(
            organisation,
            ppon="pabc 1234 wxyz",
            sme_answer="True",
            vcse_answer="",
            supported_employment="on",
            public_service_mutual="",
        ),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.ppon == "PABC-1234-WXYZ"
    assert (organisation.sme_answer, organisation.vcse_answer) == (True, None)
    assert (organisation.supported_employment, organisation.public_service_mutual) == (True, False)
    assert organisation.is_vcse is True  # a registered charity
    assert "ppon" in AuditEvent.objects.get(event_type="organisation.updated").extra["fields"]


def test_a_bad_ppon_on_the_profile_is_explained_and_nothing_is_saved(client_for, people, organisation):
    url = reverse("providers:organisation_edit", args=[organisation.pk])
    response = client_for(people["provider_admin"]).post(url, profile(organisation, ppon="PABC-123"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "like PABC-1234-WXYZ" in body
    organisation.refresh_from_db()
    assert organisation.ppon == ""
    assert organisation.registered_address != "2 Mill Lane"


def test_changing_the_ppon_needs_verifying_again(people, council, organisation):
    services.organisation_verify(by=people[Role.COMMISSIONING_OFFICER], council=council, organisation=organisation)
    organisation.refresh_from_db()
    organisation.ppon = "PABC-1234-WXYZ"
    services.organisation_update(by=people["provider_admin"], organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.verified_at is None


def test_officers_see_the_identity_and_flags(client_for, people, council, organisation):
    organisation.ppon = "PABC-1234-WXYZ"
    organisation.supported_employment = True
    organisation.save()
    url = reverse("providers:officer_organisation", args=[council.slug, organisation.pk])
    body = client_for(people[Role.PROCUREMENT_OFFICER]).get(url).content.decode()
    assert "PABC-1234-WXYZ" in body
    assert "Supported employment provider" in body
    assert "Voluntary, community or social enterprise (VCSE)" in body


def test_the_flags_are_the_uk_extensions_organization_details():
    """The names notices use come from the vendored OCDS UK extension, not from memory."""
    schema = json.loads(
        (Path(__file__).resolve().parents[1] / "schemas/ocds_uk_extension/release-schema.json").read_text()
    )
    uk_details = schema["definitions"]["Organization"]["properties"]["details"]["properties"]
    details = supplier_party(OrganisationFactory())["details"]
    assert set(details) - {"scale"} == {"vcse", "shelteredWorkshop", "publicServiceMissionOrganization"}
    assert set(details) - {"scale"} <= set(uk_details)
    for name in set(details) - {"scale"}:
        assert uk_details[name]["type"] == ["boolean", "null"]
