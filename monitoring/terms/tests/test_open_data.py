"""Open data: the payment model's unit and result prices are published as OCDS contract items with a unit
price, valid against the standard's schema; the clauses are not published (OCDS has no field for them)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from commissioning.models import DeliveryRoute, State
from commissioning.tests.factories import commission_in_state
from monitoring.open_data.tests.test_open_data_factories import PLANNED, TODAY, at, errors, ocds_package_validator
from monitoring.terms.tests.factories import record_terms
from monitoring.tests.factories import draft_agreement, go_live, sign

pytestmark = pytest.mark.django_db


def test_unit_and_result_prices_are_contract_items(client, council):
    with at(PLANNED):
        commission = commission_in_state(council, State.AGREEING, route=DeliveryRoute.IN_HOUSE)
    with at(TODAY):
        draft = draft_agreement(council, commission=commission, provider=None, internal_team_name="Employment Team")
        record_terms(draft)
        go_live(sign(draft))
        url = reverse("open_data:ocds_commission", kwargs={"council_slug": council.slug, "key": commission.reference})
        package = json.loads(client.get(url).content)

    assert errors(ocds_package_validator(), package) == []
    (release,) = [r for r in package["releases"] if "contract" in r["tag"]]
    items = release["contracts"][0]["items"]
    assert items[1] == {
        "id": "unit",
        "description": "Paid per unit: hour of support",
        "unit": {"name": "hour of support", "value": {"amount": 24.5, "currency": "GBP"}},
    }
    assert items[2]["unit"] == {"name": "A person in work for 13 weeks", "value": {"amount": 1500, "currency": "GBP"}}
    assert "TUPE" not in json.dumps(package)
