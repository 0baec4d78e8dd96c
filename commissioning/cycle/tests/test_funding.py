"""Funding pots and their rounds: rounds stay inside the pot's period and never allocate more than it holds."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning.cycle import services
from commissioning.models import FundingRound
from commissioning.tests.factories import FundingPotFactory
from councils.models import Role


def new_round(pot, allocation, opens_on=date(2026, 5, 1), closes_on=date(2026, 6, 30)):
    return FundingRound(pot=pot, name="Round", opens_on=opens_on, closes_on=closes_on, allocation=Decimal(allocation))


def test_rounds_cannot_allocate_more_than_the_pot(council, people):
    pot = FundingPotFactory(council=council, amount=Decimal("60000"))
    finance = people[Role.FINANCE_OFFICER]
    services.funding_round_save(by=finance, council=council, funding_round=new_round(pot, "40000"))
    with pytest.raises(ValidationError, match="more than the pot holds"):
        services.funding_round_save(by=finance, council=council, funding_round=new_round(pot, "30000"))
    assert pot.rounds.count() == 1


def test_rounds_fall_inside_the_pots_period(council, people):
    pot = FundingPotFactory(council=council)
    with pytest.raises(ValidationError, match="within the pot's period"):
        services.funding_round_save(
            by=people[Role.LEAD_COMMISSIONER],
            council=council,
            funding_round=new_round(pot, "1000", opens_on=date(2025, 1, 1), closes_on=date(2025, 2, 1)),
        )


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.SCRUTINY_MEMBER, "other_council_officer"])
def test_only_the_lead_commissioner_and_finance_manage_rounds(council, people, role):
    pot = FundingPotFactory(council=council)
    with pytest.raises(PermissionDenied):
        services.funding_round_save(by=people[role], council=council, funding_round=new_round(pot, "1000"))


def test_rounds_are_listed_under_their_pot(client_for, council, people):
    pot = FundingPotFactory(council=council, name="Partnership fund")
    client = client_for(people[Role.FINANCE_OFFICER])
    response = client.post(
        reverse("commissioning:funding_round_add", args=[council.slug, pot.pk]),
        {"name": "Spring round", "opens_on": "01/05/2026", "closes_on": "30/06/2026", "allocation": "£20,000"},
    )
    assert response.status_code == 302
    body = client.get(reverse("commissioning:funding_pots", args=[council.slug])).content.decode()
    assert "Spring round" in body
    assert "£20,000" in body
