"""Commissioning's list pages run in the same number of queries with 1 row and with 25 (and in no more
than 30): the commissioning plan, a commission's audit trail, funding pots, the forward plan, an
opportunity's clarification questions, the evaluations list, and the pages listing an opportunity's bids.
(The commission list and the public opportunities list are measured beside their other tests.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.award import forward_plan
from commissioning.models import DecisionMaker, EvaluationState, State
from commissioning.sourcing.services import opportunities as services
from commissioning.tests.bid_factories import bid_writer, open_opportunity, organisation_of
from commissioning.tests.evaluation_factories import bidder, evaluation_in_state
from commissioning.tests.factories import FundingPotFactory, commission_in_state, create_commission
from councils.models import Role
from councils.services import audit_record
from councils.tests.factories import PortfolioFactory, UserFactory
from tests.query_counts import assert_same_queries, assert_same_queries_between, assert_same_queries_on

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def council_url(name: str, council, *args) -> str:
    return reverse(name, args=[council.slug, *args])


def test_the_commissioning_plan(council, people):
    create_commission(council, title="Commission 0")

    def add_rows(count):
        for n in range(1, count + 1):
            create_commission(council, title=f"Commission {n}", portfolio=PortfolioFactory(council=council))

    _, response = assert_same_queries(
        signed_in(people[Role.LEAD_COMMISSIONER]), council_url("commissioning:plan", council), add_rows
    )
    assert len(response.context["commissions"]) == 25


def test_a_commissions_audit_trail(council, people):
    commission = create_commission(council)

    def add_rows(count):
        for n in range(count):
            audit_record(council=council, actor=UserFactory(), event_type=f"commission.noted{n}", obj=commission)

    _, response = assert_same_queries(
        signed_in(people[Role.COMMISSIONING_OFFICER]),
        council_url("commissioning:audit", council, commission.pk),
        add_rows,
    )
    assert len(response.context["page_obj"]) == 25


def test_funding_pots(council, people):
    FundingPotFactory(council=council)
    _, response = assert_same_queries(
        signed_in(people[Role.FINANCE_OFFICER]),
        council_url("commissioning:funding_pots", council),
        lambda count: FundingPotFactory.create_batch(count, council=council),
    )
    assert len(response.context["pots"]) == 25


def test_the_forward_plan_council_and_public(council, people):
    commission = create_commission(council)
    officer = people[Role.COMMISSIONING_OFFICER]

    def publish(n: int):
        forward_plan.forward_plan_publish(
            by=officer,
            commission=commission,
            matter=f"Decision {n}",
            decision_maker=DecisionMaker.CABINET,
            expected_on=timezone.localdate() + timedelta(days=60 + n),
        )

    publish(0)
    council_page = council_url("commissioning:forward_plan", council)
    public_page = reverse("opportunities:forward_plan")
    client = signed_in(people[Role.SCRUTINY_MEMBER])
    _, responses = assert_same_queries_on(
        {"council": (client, council_page), "public": (Client(), public_page)},
        lambda count: [publish(n) for n in range(1, count + 1)],
    )
    assert len(responses["council"].context["entries"]) == 25
    assert len(responses["public"].context["entries"]) == 25


def test_an_opportunitys_clarification_questions(council, people):
    opportunity = open_opportunity(council)

    def ask(n: int):
        writer = bid_writer()
        services.clarification_ask(
            by=writer, opportunity=opportunity, organisation=organisation_of(writer), question=f"Question {n}?"
        )

    ask(0)
    _, response = assert_same_queries(
        signed_in(people[Role.PROCUREMENT_OFFICER]),
        council_url("commissioning:opportunity_clarifications", council, opportunity.pk),
        lambda count: [ask(n) for n in range(1, count + 1)],
    )
    assert len(response.context["clarifications"]) == 25


def test_a_commissions_opportunities(council, people):
    """The commission page's sourcing section: the officers' list of the commission's opportunities."""
    commission = commission_in_state(council, State.SOURCING)
    open_opportunity(council, commission=commission, title="Opportunity 0")
    _, response = assert_same_queries(
        signed_in(people[Role.PROCUREMENT_OFFICER]),
        council_url("commissioning:detail", council, commission.pk),
        lambda count: [
            open_opportunity(council, commission=commission, title=f"Opportunity {n}") for n in range(1, count + 1)
        ],
    )
    assert len(response.context["sourcing"].opportunities) == 25


def test_the_evaluations_list(council, people):
    """The lead commissioner's list of opportunities to evaluate: one evaluated, then 24 published."""
    evaluation_in_state(council, EvaluationState.DECLARATIONS, bidders=[bidder("Moorside Youth Trust")])
    commission = commission_in_state(council, State.SOURCING)
    _, response = assert_same_queries(
        signed_in(people[Role.LEAD_COMMISSIONER]),
        council_url("commissioning:evaluations", council),
        lambda count: [
            open_opportunity(council, commission=commission, title=f"Opportunity {n}") for n in range(count)
        ],
    )
    assert len(response.context["opportunities"]) == 25


def test_pages_listing_an_opportunitys_bids(council, people):
    """Bids are only read once opened, and none can be added after: an opportunity with one bid is
    measured against one with 25, on the council's bid list and the evaluation's pages."""
    one = evaluation_in_state(council, EvaluationState.COMPLIANCE, bidders=[bidder("Only Bidder Trust")])
    many = evaluation_in_state(
        council, EvaluationState.COMPLIANCE, bidders=[bidder(f"Bidder {n} Trust", 40000 + n) for n in range(25)]
    )
    assert (len(one.bids), len(many.bids)) == (1, 25)

    def urls(name: str, world) -> str:
        return council_url(name, council, world.opportunity.pk)

    pages = {
        "bids:council_list": people[Role.PROCUREMENT_OFFICER],
        "commissioning:evaluation": people[Role.LEAD_COMMISSIONER],
        "commissioning:evaluation_declarations": people[Role.PROCUREMENT_OFFICER],
    }
    for name, user in pages.items():
        _, response = assert_same_queries_between(signed_in(user), urls(name, one), urls(name, many))
        assert response.body.decode().count("Bidder ") >= 25, name
    # The chair (a panellist who also manages the evaluation) sees both lists.
    count, response = assert_same_queries_between(
        signed_in(one.chair),
        urls("commissioning:evaluation", one),
        urls("commissioning:evaluation", many),
    )
    assert len(response.context["my_bids"]) == 25
    assert len(response.context["all_bids"]) == 25
