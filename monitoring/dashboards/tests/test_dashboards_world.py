"""Test data for the dashboard tests, built through the real services (this module holds no tests).

One council with a portfolio held by the test portfolio holder ("Health and Wellbeing") and one
that is not theirs ("Environment"): a key decision waiting in each, a live agreement in each (the
portfolio holder's with an accepted, rated return; the other with a return overdue), and a bid and
an agreement for the provider administrator's organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from commissioning.models import Commission, DeliveryRoute, State
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import open_opportunity, start_bid
from commissioning.tests.factories import commission_in_state, create_commission
from councils.models import Portfolio, Role
from councils.tests.factories import PortfolioFactory
from monitoring.models import Agreement
from monitoring.tests.factories import agreeing_commission
from monitoring.tests.returns_factories import accept, recent_live_agreement, returns_of, submit
from providers.models import Organisation
from tests.worlds import world_with


@dataclass
class World:
    council: object
    people: dict
    mine: Portfolio
    other: Portfolio
    key_decision: Commission
    elsewhere: Commission
    rated: Agreement
    overdue: Agreement
    extra: dict = field(default_factory=dict)

    def dashboard(self, view: str | None = None, **params) -> str:
        url = reverse("monitoring:dashboard", kwargs={"council_slug": self.council.slug})
        query = {**({"view": view} if view else {}), **params}
        return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def provider_organisation(people) -> Organisation:
    return Organisation.objects.get(members__user=people["provider_admin"])


def ended_returns(agreement) -> list:
    today = timezone.localdate()
    return [r for r in returns_of(agreement) if r.period_end < today]


def build_world(council, people) -> World:
    mine = PortfolioFactory(council=council, name="Health and Wellbeing", holder=people[Role.PORTFOLIO_HOLDER])
    other = PortfolioFactory(council=council, name="Environment")
    key_decision = commission_in_state(
        council,
        State.AWAITING_APPROVAL,
        route=DeliveryRoute.CONTRACT,
        budget=Decimal("300000"),
        title="Independent advice services",
        portfolio=mine,
    )
    elsewhere = commission_in_state(
        council,
        State.AWAITING_APPROVAL,
        route=DeliveryRoute.CONTRACT,
        budget=Decimal("280000"),
        title="Parks and open spaces",
        portfolio=other,
    )
    rated = recent_live_agreement(
        council,
        commission=agreeing_commission(council, title="Befriending for older people", portfolio=mine),
        provider=provider_organisation(people),
        title="Befriending partnership",
    )
    # Every return whose period has ended is in and accepted, so the agreement is rated and nothing of
    # it is overdue, whatever day the tests run.
    for monitoring_return in ended_returns(rated):
        accept(submit(monitoring_return))
    overdue = recent_live_agreement(
        council,
        commission=agreeing_commission(council, title="Community transport", portfolio=other),
        title="Community transport partnership",
    )
    return World(council, people, mine, other, key_decision, elsewhere, rated, overdue)


# The root conftest's council and people with `build_world` in it, for a module to share
# (`tests.worlds.shared_world`).
dashboards_world = world_with(world=build_world)


def add_provider_bid(world: World) -> None:
    """The provider administrator's organisation follows an open opportunity and starts a bid."""
    opportunity = open_opportunity(world.council, title="Holiday clubs in the rural wards")
    organisation = provider_organisation(world.people)
    admin = world.people["provider_admin"]
    opportunity_services.interest_register(by=admin, opportunity=opportunity, organisation=organisation)
    world.extra["opportunity"] = opportunity
    world.extra["bid"] = start_bid(opportunity, admin, organisation)


def add_commissions(world: World, count: int, *, portfolio=None) -> list[Commission]:
    """More commissions, cheaply (they stay in Understand), to show a page does not grow in queries."""
    officer = world.people[Role.COMMISSIONING_OFFICER]
    return [
        create_commission(world.council, title=f"Extra commission {n}", officer=officer, portfolio=portfolio)
        for n in range(count)
    ]
