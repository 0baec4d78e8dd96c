"""Local Government Transparency Code 2015: the quarterly procurement files (tenders, contracts made, the
contract register) and the grants to voluntary, community and social enterprise organisations, with the
Code's own field names, its £5,000 threshold and the council's financial quarters."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.open_data.tests.test_open_data_factories import (
    PROCURED,
    TODAY,
    at,
    charity,
    delivering_grants,
    live_grant,
    private_company,
    tender_open,
)
from monitoring.tests.factories import draft_agreement
from providers.models import IncomeBand, OrganisationType, Sector
from providers.tests.factories import OrganisationFactory
from tests.query_counts import queries_afresh

pytestmark = pytest.mark.django_db

CONTRACT_COLUMNS = [
    "Reference number",
    "Title of agreement",
    "Local authority department responsible",
    "Description of the goods and/or services being provided",
    "Supplier name",
    "Supplier details",
    "Sum to be paid over the length of the contract",
    "Value Added Tax that cannot be recovered",
    "Start date",
    "End date",
    "Review date",
    "Result of an invitation to quote or a published invitation to tender",
    "Small or medium sized enterprise",
    "Voluntary or community sector organisation",
    "Registration number",
]


def rows(client, council, kind: str, **query) -> list[dict]:
    url = reverse("open_data:transparency", kwargs={"council_slug": council.slug, "kind": kind})
    with at(TODAY):
        response = client.get(url, query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    year, quarter = query.get("year", 2026), query.get("quarter", 3)
    assert response["Content-Disposition"] == (
        f'attachment; filename="transparency-code-{council.slug}-{kind}-{year}-q{quarter}.csv"'
    )
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    rows = [
        row for row in reader if not (row.get("Supplier name") or row.get("Beneficiary") or "").startswith(PROCURED)
    ]
    rows.append({"__header__": reader.fieldnames})
    return rows


def header(found: list[dict]) -> list[str]:
    return found[-1]["__header__"]


def records(found: list[dict]) -> list[dict]:
    return found[:-1]


def test_contracts_over_5000_made_in_the_quarter(client, council):
    commission = delivering_grants(council)
    at_threshold = live_grant(council, commission, charity("Exactly Five Thousand Trust"), value=Decimal("5000.00"))
    over = live_grant(council, commission, charity("Just Over Trust"), value=Decimal("5000.01"))
    earlier = live_grant(council, commission, charity("First Quarter Trust"), signed_on=date(2026, 5, 1))
    found = rows(client, council, "contracts", year=2026, quarter=3)
    assert header(found) == CONTRACT_COLUMNS
    assert [row["Reference number"] for row in records(found)] == [over.reference]
    (row,) = records(found)
    assert row == {
        "Reference number": over.reference,
        "Title of agreement": "Lunch club for older people",
        "Local authority department responsible": commission.portfolio.name,
        "Description of the goods and/or services being provided": (
            "Weekly lunch club with transport for people over 75."
        ),
        "Supplier name": "Just Over Trust",
        "Supplier details": "Registered charity; Charity 1098765; LA1 1AA",
        "Sum to be paid over the length of the contract": "5000.01",
        "Value Added Tax that cannot be recovered": "0.00",
        "Start date": "2026-10-05",
        "End date": "2027-10-04",
        "Review date": "",
        "Result of an invitation to quote or a published invitation to tender": "No",
        "Small or medium sized enterprise": "Not known",
        "Voluntary or community sector organisation": "Yes",
        "Registration number": "Charity 1098765",
    }
    first = rows(client, council, "contracts", year=2026, quarter=1)
    assert [row["Reference number"] for row in records(first)] == [earlier.reference]
    assert at_threshold.reference not in str(found + first)


def test_contract_register_lists_what_is_in_force_in_the_quarter(client, council):
    commission = delivering_grants(council)
    current = live_grant(council, commission, private_company("Current Services Ltd"), signed_on=date(2026, 5, 1))
    starts_later = live_grant(council, commission, charity("Next Year Trust"), signed_on=date(2027, 2, 1))
    with at(TODAY):
        draft_agreement(council, commission=commission, provider=charity("Draft Only Trust"), value=Decimal("90000"))
    register = records(rows(client, council, "register", year=2026, quarter=3))
    assert [row["Reference number"] for row in register] == [current.reference]
    (row,) = register
    assert row["Supplier details"] == "Company limited by shares; Company 01234567; LA1 1AA"
    assert row["Small or medium sized enterprise"] == "Not known"
    assert row["Voluntary or community sector organisation"] == "No"
    assert row["Registration number"] == ""
    fourth = records(rows(client, council, "register", year=2026, quarter=4))
    assert [row["Reference number"] for row in fourth] == [current.reference, starts_later.reference]


def test_grants_to_vcse_organisations_of_any_value(client, council):
    commission = delivering_grants(council)
    small = live_grant(council, commission, charity("Tiny Charity", charity_number="1123456"), value=Decimal("800"))
    live_grant(
        council,
        commission,
        OrganisationFactory(
            legal_name="Dale Community Interest Company",
            organisation_type=OrganisationType.CIC,
            sector=Sector.SOCIAL_ENTERPRISE,
            charity_number="",
            company_number="09876543",
            income_band=IncomeBand.UNDER_1M,
        ),
    )
    live_grant(council, commission, private_company("Big Firm Ltd"))
    live_grant(
        council,
        commission,
        OrganisationFactory(
            legal_name="Council Leisure Trading Ltd",
            organisation_type=OrganisationType.COMPANY_LIMITED_BY_GUARANTEE,
            sector=Sector.VCFS,
            charity_number="",
            company_number="07654321",
            is_in_house=True,
            owning_council=council,
        ),
    )
    found = rows(client, council, "grants", year=2026, quarter=3)
    assert header(found) == [
        "Date the grant was awarded",
        "Time period for which the grant has been given",
        "Local authority department which awarded the grant",
        "Beneficiary",
        "Beneficiary's registration number",
        "Summary of the purpose of the grant",
        "Amount",
    ]
    grants = records(found)
    assert [row["Beneficiary"] for row in grants] == ["Tiny Charity", "Dale Community Interest Company"]
    assert grants[0] == {
        "Date the grant was awarded": "2026-10-05",
        "Time period for which the grant has been given": "2026-10-05 to 2027-10-04",
        "Local authority department which awarded the grant": commission.portfolio.name,
        "Beneficiary": "Tiny Charity",
        "Beneficiary's registration number": "Charity 1123456",
        "Summary of the purpose of the grant": "Weekly lunch club with transport for people over 75.",
        "Amount": "800.00",
    }
    assert grants[1]["Beneficiary's registration number"] == "Company 09876543"
    assert small.reference not in str(records(rows(client, council, "grants", year=2026, quarter=2)))


def test_invitations_to_tender_over_5000(client, council):
    opportunity = tender_open(council)
    # Published on 12 January 2026: the fourth quarter of 2025 to 2026.
    tenders = records(rows(client, council, "tenders", year=2025, quarter=4))
    assert tenders == [
        {
            "Reference number": opportunity.reference,
            "Title": opportunity.title,
            "Description of the goods and/or services sought": opportunity.summary,
            "Start date": "2026-01-12",
            "End date": "2026-02-02",
            "Review date": opportunity.expected_award_on.isoformat(),
            "Local authority department responsible": opportunity.commission.portfolio.name,
        }
    ]
    assert records(rows(client, council, "tenders", year=2026, quarter=1)) == []


def test_the_current_quarter_unless_asked_and_clear_errors(client, council):
    url = reverse("open_data:transparency", kwargs={"council_slug": council.slug, "kind": "contracts"})
    with at(TODAY):
        response = client.get(url)
        assert response.status_code == 200
        assert "contracts-2026-q3.csv" in response["Content-Disposition"]
        for query, message in (
            ({"year": "2026"}, "‘quarter’ must be 1, 2, 3 or 4"),
            ({"quarter": "3"}, "‘year’ must be the year the council's financial year starts in"),
            ({"year": "2026", "quarter": "5"}, "‘quarter’ must be 1, 2, 3 or 4"),
            ({"year": "twenty", "quarter": "1"}, "‘year’ must be"),
            ({"year": "1999", "quarter": "1"}, "‘year’ must be"),
        ):
            response = client.get(url, query)
            assert response.status_code == 400, query
            assert message in response.content.decode()
        unknown = reverse("open_data:transparency", kwargs={"council_slug": council.slug, "kind": "salaries"})
        assert client.get(unknown, {"year": 2026, "quarter": 1}).status_code == 404


def test_files_do_not_grow_queries_with_rows(client, council):
    commission = delivering_grants(council)
    tender_open(council)
    live_grant(council, commission, charity("Grantee 0"))
    kinds = ("contracts", "register", "grants", "tenders")
    measured = {}
    for kind in kinds:
        with queries_afresh() as one:
            rows(client, council, kind, year=2025, quarter=4)
            rows(client, council, kind, year=2026, quarter=3)
        measured[kind] = len(one)
    tender_open(council)
    for number in range(1, 25):
        live_grant(council, commission, charity(f"Grantee {number}"))
    for kind in kinds:
        with queries_afresh() as many:
            earlier = rows(client, council, kind, year=2025, quarter=4)
            found = rows(client, council, kind, year=2026, quarter=3)
        assert len(many) == measured[kind], kind
        # Three tenders: the two opened here and the one the commission was procured through.
        assert len(records(earlier) + records(found)) == (3 if kind == "tenders" else 25), kind
