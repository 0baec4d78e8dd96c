"""Commission factories. State factories move a commission by calling the real services, exactly
as officers would, never by writing the state field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from commissioning.cycle import services
from commissioning.models import (
    DeliveryRoute,
    FundingPot,
    FundingSource,
    Recommendation,
)
from councils.models import Membership, Role
from councils.tests.factories import MembershipFactory, OutcomeFactory, PortfolioFactory
from demo import commissions as demo


class FundingPotFactory(DjangoModelFactory):
    class Meta:
        model = FundingPot

    name = factory.Sequence(lambda n: f"Community fund {n}")
    source = FundingSource.COUNCIL_BUDGET
    amount = Decimal(1000000)
    starts_on = date(2026, 4, 1)
    ends_on = date(2029, 3, 31)


def staff(council, role):
    """The council's first person in a role, created if there is none."""
    membership = Membership.objects.filter(council=council, role=role).select_related("user").first()
    return membership.user if membership else MembershipFactory(council=council, role=role).user


def create_commission(council, *, title="Tackling loneliness in later life", officer=None, portfolio=None, **kwargs):
    officer = officer or staff(council, Role.COMMISSIONING_OFFICER)
    return services.commission_create(
        by=officer, council=council, title=title, lead_officer=officer, portfolio=portfolio, **kwargs
    )


def complete_understand(commission, officer=None):
    demo.complete_understand(commission, officer or staff(commission.council, Role.COMMISSIONING_OFFICER))


def complete_plan(commission, officer=None, *, route=DeliveryRoute.GRANT, budget=Decimal(60000), pot=None):
    council = commission.council
    demo.complete_plan(
        commission,
        officer or staff(council, Role.COMMISSIONING_OFFICER),
        route=route,
        budget=budget,
        pot=pot or FundingPotFactory(council=council),
        council_outcome=OutcomeFactory(priority__plan__council=council),
        portfolio=commission.portfolio or PortfolioFactory(council=council),
    )


def commission_in_state(council, state: str, *, route=DeliveryRoute.GRANT, budget=Decimal(60000), **kwargs):
    """A commission brought to `state` through the real services (optionally with route/budget)."""
    for role in (Role.LEAD_COMMISSIONER, Role.PORTFOLIO_HOLDER):
        staff(council, role)
    commission = create_commission(council, **kwargs)
    return demo.advance(
        commission,
        state,
        route=route,
        budget=budget,
        pot=FundingPotFactory(council=council),
        council_outcome=OutcomeFactory(priority__plan__council=council),
        portfolio=commission.portfolio or PortfolioFactory(council=council),
    )


def write_review(commission, recommendation=Recommendation.RECOMMISSION):
    return demo.write_review(commission, staff(commission.council, Role.COMMISSIONING_OFFICER), recommendation)
