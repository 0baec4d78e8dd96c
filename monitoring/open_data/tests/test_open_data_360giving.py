"""360Giving: grants awarded, as a JSON package valid against the standard's package and grant schemas,
and as the flattened CSV with the standard's own column titles."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.models import DeliveryRoute, State
from commissioning.tests.factories import commission_in_state
from monitoring.open_data.tests.test_open_data_factories import (
    PLANNED,
    PROCURED,
    TODAY,
    agreements_of,
    at,
    charity,
    contract_live,
    delivering_grants,
    errors,
    live_grant,
    private_company,
    recorded_directly,
    threesixtygiving_package_validator,
    threesixtygiving_titles,
)
from monitoring.open_data.threesixtygiving import COLUMNS
from monitoring.tests.factories import draft_agreement, go_live, sign
from providers.models import OrganisationType, Sector
from providers.tests.factories import OrganisationFactory
from tests.query_counts import queries_afresh

pytestmark = pytest.mark.django_db

VALIDATOR = threesixtygiving_package_validator()


def urls(council) -> tuple[str, str]:
    return (
        reverse("open_data:360giving_json", kwargs={"council_slug": council.slug}),
        reverse("open_data:360giving_csv", kwargs={"council_slug": council.slug}),
    )


def fetch_json(client, council, **query) -> dict:
    with at(TODAY):
        response = client.get(urls(council)[0], query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(f'attachment; filename="360giving-{council.slug}-')
    package = json.loads(response.content)
    assert errors(VALIDATOR, package) == []
    package["grants"] = recorded_directly(package["grants"])
    return package


def fetch_csv(client, council, **query) -> list[list[str]]:
    with at(TODAY):
        response = client.get(urls(council)[1], query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    name = header.index("Recipient Org:Name")
    return [header, *(row for row in rows if not row[name].startswith(PROCURED))]


def test_grants_package_is_valid_with_org_ids(client, council, settings):
    settings.THREESIXTYGIVING_PREFIX = "360G-testshire"
    settings.COUNCIL_ORG_IDS = {council.slug: "GB-LAE-TST"}
    commission = delivering_grants(council, title="Community chest")
    registered = live_grant(council, commission, charity("Hillside Lunch Club", charity_number="1123456"))
    company = live_grant(
        council,
        commission,
        OrganisationFactory(
            legal_name="Dale Community Interest Company",
            organisation_type=OrganisationType.CIC,
            sector=Sector.SOCIAL_ENTERPRISE,
            charity_number="",
            company_number="SC123456",
        ),
    )
    unregistered = OrganisationFactory(
        legal_name="Friends of Moor Park",
        organisation_type=OrganisationType.COMMUNITY_GROUP,
        charity_number="",
        postcode="LA2 9ZZ",
    )
    group = live_grant(council, commission, unregistered, value=Decimal("750.50"))
    package = fetch_json(client, council)
    assert len(package["grants"]) == 3
    by_recipient = {g["recipientOrganization"][0]["name"]: g for g in package["grants"]}
    hillside = by_recipient["Hillside Lunch Club"]
    assert hillside["id"] == f"360G-testshire-{registered.reference}"
    assert hillside["recipientOrganization"][0] == {
        "id": "GB-CHC-1123456",
        "name": "Hillside Lunch Club",
        "charityNumber": "1123456",
        "postalCode": "LA1 1AA",
    }
    assert hillside["fundingOrganization"] == [{"id": "GB-LAE-TST", "name": "Testshire County Council"}]
    assert hillside["amountAwarded"] == 12000
    assert hillside["currency"] == "GBP"
    assert hillside["awardDate"] == "2026-10-05T00:00:00+01:00"
    assert hillside["plannedDates"] == [
        {"startDate": "2026-10-05T00:00:00+01:00", "endDate": "2027-10-04T23:59:59+01:00", "duration": 12}
    ]
    assert hillside["grantProgramme"] == [{"code": commission.reference, "title": "Community chest"}]
    assert hillside["fromOpenCall"] == "No"
    assert by_recipient["Dale Community Interest Company"]["recipientOrganization"][0]["id"] == "GB-COH-SC123456"
    assert by_recipient["Dale Community Interest Company"]["id"] == f"360G-testshire-{company.reference}"
    fallback = by_recipient["Friends of Moor Park"]
    assert fallback["recipientOrganization"][0] == {
        "id": f"360G-testshire-ORG-{unregistered.pk}",
        "name": "Friends of Moor Park",
    }
    assert fallback["amountAwarded"] == 750.5
    assert fallback["id"] == f"360G-testshire-{group.reference}"
    assert package["publisher"] == {"identifier": "GB-LAE-TST", "name": "Testshire County Council"}
    assert package["license"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def test_a_grant_awarded_from_an_open_call(client, council):
    world = contract_live(council)
    (grant,) = fetch_json(client, council)["grants"]
    (agreement,) = agreements_of(world)
    assert grant["id"] == f"360G-commissioner-{agreement.reference}"
    assert grant["fromOpenCall"] == "Yes"
    assert grant["awardDate"] == "2026-03-02T00:00:00+00:00"
    assert grant["recipientOrganization"][0]["name"] == "Moorside Youth Trust"
    assert grant["fundingOrganization"][0]["id"] == "360G-commissioner-TCC"


def test_only_grants_from_the_grant_route_once_on_the_register(client, council):
    commission = delivering_grants(council)
    published = live_grant(council, commission, charity("Hillside Lunch Club"))
    with at(TODAY):
        draft_agreement(council, commission=commission, provider=charity("Still Drafting Trust"), title="A draft grant")
        signed = draft_agreement(council, commission=commission, provider=charity("Signed Not Live Trust"))
        sign(signed)
    with at(PLANNED):
        contracts = commission_in_state(council, State.DELIVERING, route=DeliveryRoute.CONTRACT)
        partnership = commission_in_state(council, State.AGREEING, route=DeliveryRoute.PARTNERSHIP)
    live_grant(council, contracts, private_company("Contract Services Ltd"), title="A contract")
    with at(TODAY):
        go_live(sign(draft_agreement(council, commission=partnership, provider=charity("Partner Charity"))))
    package = fetch_json(client, council)
    assert [g["id"] for g in package["grants"]] == [f"360G-commissioner-{published.reference}"]
    rows = fetch_csv(client, council)
    assert len(rows) == 2
    body = json.dumps(package)
    for name in ("Still Drafting Trust", "Signed Not Live Trust", "Contract Services Ltd", "Partner Charity"):
        assert name not in body


def test_csv_has_the_standards_column_titles(client, council):
    commission = delivering_grants(council)
    agreement = live_grant(council, commission, charity("Hillside Lunch Club", charity_number="1123456"))
    header, row = fetch_csv(client, council)
    assert header == [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
        "Planned Dates:Duration (months)",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Recipient Org:Charity Number",
        "Recipient Org:Company Number",
        "Recipient Org:Postal Code",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Code",
        "Grant Programme:Title",
        "From An Open Call?",
        "Last Modified",
    ]
    # Every column is a title the 360Giving schema itself defines.
    assert set(header) <= threesixtygiving_titles()
    values = dict(zip(header, row, strict=True))
    assert values["Identifier"] == f"360G-commissioner-{agreement.reference}"
    assert values["Amount Awarded"] == "12000.00"
    assert values["Award Date"] == "2026-10-05"
    assert values["Recipient Org:Identifier"] == "GB-CHC-1123456"
    assert values["Planned Dates:Duration (months)"] == "12"
    assert values["Last Modified"].startswith("2026-11-02T10:00:00")
    assert [title for title, _key in COLUMNS] == header


def test_csv_defuses_spreadsheet_formulas(client, council):
    commission = delivering_grants(council)
    live_grant(council, commission, charity('=HYPERLINK("http://evil.example")', charity_number="1123456"))
    _header, row = fetch_csv(client, council)
    assert '\'=HYPERLINK("http://evil.example")' in row


def test_period_filters_the_award_date(client, council):
    commission = delivering_grants(council)
    october = live_grant(council, commission, charity("October Trust"), signed_on=date(2026, 10, 5))
    june = live_grant(council, commission, charity("June Trust"), signed_on=date(2026, 6, 1))
    third_quarter = {"from": "2026-10-01", "to": "2026-12-31"}
    assert [g["id"].rsplit("-", 1)[-1] for g in fetch_json(client, council, **third_quarter)["grants"]] == [
        october.reference.rsplit("-", 1)[-1]
    ]
    assert len(fetch_json(client, council, to="2026-06-30")["grants"]) == 1
    assert {g["recipientOrganization"][0]["name"] for g in fetch_json(client, council)["grants"]} == {
        "October Trust",
        "June Trust",
    }
    assert len(fetch_csv(client, council, **third_quarter)) == 2
    assert june.reference not in json.dumps(fetch_json(client, council, **third_quarter))
    json_url, csv_url = urls(council)
    with at(TODAY):
        # Nothing in the period: no JSON (the standard needs a grant in a package), an empty CSV.
        assert client.get(json_url, {"to": "2025-12-31"}).status_code == 404
        assert client.get(csv_url, {"to": "2025-12-31"}).content.decode().count("\n") == 1
        for url in (json_url, csv_url):
            response = client.get(url, {"from": "last week"})
            assert response.status_code == 400
            assert "‘from’ must be a date written as YYYY-MM-DD" in response.content.decode()


def test_queries_do_not_grow_with_grants(client, council, django_assert_max_num_queries):
    commission = delivering_grants(council)
    json_url, csv_url = urls(council)
    live_grant(council, commission, charity("Grantee 0"))
    with at(TODAY), queries_afresh() as one_json:
        client.get(json_url)
    with at(TODAY), queries_afresh() as one_csv:
        client.get(csv_url)
    for number in range(1, 25):
        live_grant(council, commission, charity(f"Grantee {number}"))
    with at(TODAY), queries_afresh() as many_json:
        assert len(recorded_directly(json.loads(client.get(json_url).content)["grants"])) == 25
    with at(TODAY), queries_afresh() as many_csv:
        assert len(fetch_csv(client, council)) == 26
    assert len(many_json) == len(one_json)
    assert len(many_csv) == len(one_csv)
    with at(TODAY), django_assert_max_num_queries(3):
        client.get(json_url)
