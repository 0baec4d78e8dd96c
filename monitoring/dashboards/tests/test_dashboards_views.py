"""Dashboards through HTTP: everyone lands on their own, each shows what its role needs and only what
the person may see, the filters narrow it, and each page runs in a fixed number of queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from commissioning.models import State
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import open_opportunity, start_bid
from commissioning.tests.factories import commission_in_state, create_commission
from councils.models import Notification, ReminderKind, Role
from councils.tests.factories import MembershipFactory, OutcomeFactory, PortfolioFactory
from monitoring.dashboards.tests.test_dashboards_world import (
    add_commissions,
    add_provider_bid,
    dashboards_world,
    ended_returns,
    provider_organisation,
)
from monitoring.models import Agreement, ReturnState
from monitoring.tests.factories import agreeing_commission
from monitoring.tests.returns_factories import accept, recent_live_agreement, returns_of, submit
from tests.query_counts import assert_same_queries_on
from tests.query_counts import count_queries as measured
from tests.worlds import shared_world

pytestmark = pytest.mark.django_db

# The portfolio and scrutiny dashboards take the most: their reviewed commissions and their concerns are
# each a bounded query of their own, and the portfolio's totals per priority one more. Every list's total
# is a window count within the list's own query. The lead commissioner's own work queue comes close: it
# holds every kind of work (decisions, bids to open, evaluations to set up, panels, letters to send),
# and its contract expiry pipeline takes two plain queries (monitoring.renewals.selectors).
MAX_QUERIES = 20


def dashboard_url(council, **params) -> str:
    url = reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else url


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, world = shared_world(dashboards_world, "world")


# ---- Landing ------------------------------------------------------------------------------------------


def test_people_in_one_council_land_on_its_dashboard(client_for, council, people):
    for role in Role.values:
        response = client_for(people[role]).get(reverse("home"))
        assert response.status_code == 302, role
        assert response["Location"] == dashboard_url(council), role


def test_provider_staff_land_on_their_organisations_dashboard(client_for, people):
    response = client_for(people["provider_admin"]).get(reverse("home"))
    assert response["Location"] == reverse("monitoring:provider_dashboard")


def test_people_in_several_councils_choose_a_dashboard(client_for, council, other_council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    MembershipFactory(user=officer, council=other_council, role=Role.COMMISSIONING_OFFICER)
    response = client_for(officer).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="{dashboard_url(council)}"' in body
    assert f'href="{dashboard_url(other_council)}"' in body


def test_someone_with_no_role_keeps_the_home_page(client_for, people):
    response = client_for(people["no_role"]).get(reverse("home"))
    assert response.status_code == 200
    assert "You do not hold a role in any council yet" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "title"),
    [
        (Role.LEAD_COMMISSIONER, "Council pipeline"),
        (Role.COMMISSIONING_OFFICER, "My work"),
        (Role.PROCUREMENT_OFFICER, "My work"),
        (Role.LEGAL_OFFICER, "My work"),
        (Role.FINANCE_OFFICER, "My work"),
        (Role.PORTFOLIO_HOLDER, "My portfolios"),
        (Role.SCRUTINY_MEMBER, "Scrutiny and assurance"),
        (Role.COUNCIL_ADMIN, "Council pipeline"),
    ],
)
def test_each_role_gets_its_own_dashboard(client_for, council, people, role, title):
    response = client_for(people[role]).get(dashboard_url(council))
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-xl govuk-!-margin-bottom-4">{title}</h1>' in response.content.decode()


def test_switching_dashboards_is_limited_to_the_roles_held(client_for, council, people):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    body = client.get(dashboard_url(council)).content.decode()
    assert 'href="?view=officer">My work</a>' in body  # the lead commissioner also has a work queue
    assert client.get(dashboard_url(council, view="officer")).status_code == 200
    assert client.get(dashboard_url(council, view="scrutiny")).status_code == 403
    assert client.get(dashboard_url(council, view="portfolio")).status_code == 403
    assert client.get(dashboard_url(council, view="no-such-view")).status_code == 404
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    # A scrutiny member is a councillor: besides scrutiny, only the member working groups they may sit on.
    offered = re.findall(r'href="\?view=([a-z]+)"', scrutiny.get(dashboard_url(council)).content.decode())
    assert offered == ["groups"]
    assert scrutiny.get(dashboard_url(council, view="lead")).status_code == 403


def test_people_outside_the_council_are_refused(client, client_for, council, people):
    assert client.get(dashboard_url(council)).status_code == 302
    for visitor in ("other_council_officer", "no_role", "provider_admin"):
        assert client_for(people[visitor]).get(dashboard_url(council)).status_code == 403, visitor


# ---- What each role sees -------------------------------------------------------------------------


def test_lead_commissioner_sees_the_pipeline_decisions_endings_and_overdue_returns(client_for, world):
    response = client_for(world.people[Role.LEAD_COMMISSIONER]).get(world.dashboard())
    context, body = response.context, response.content.decode()
    stages = {stage["stage"]: stage for stage in context["pipeline"]["stages"]}
    assert stages["plan"]["count"] == 2  # the two awaiting approval
    assert stages["plan"]["value"] == Decimal("580000")
    assert stages["do"]["count"] == 2  # the two delivering through live agreements
    assert {c.title for c in context["awaiting_approval"]} == {"Independent advice services", "Parks and open spaces"}
    assert "Cabinet or portfolio holder (key decision)" in body
    overdue = {bar.label: bar.value for bar in context["overdue_by_provider"].bars}
    assert overdue == {world.overdue.provider.legal_name: sum(1 for r in returns_of(world.overdue) if r.is_overdue)}
    assert overdue[world.overdue.provider.legal_name] >= 1
    assert context["ending_totals"]["within_twelve"] == 0  # both run for two years
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in body
    assert "Show the figures" in body  # every chart carries its table


def test_agreements_ending_within_six_and_twelve_months_are_counted(client_for, council, people):
    # Both started seven months ago: one ends in about three months, the other in about nine.
    recent_live_agreement(council, title="Short agreement", months=10)
    recent_live_agreement(council, title="Longer agreement", months=16)
    context = client_for(people[Role.LEAD_COMMISSIONER]).get(dashboard_url(council)).context
    totals = context["ending_totals"]
    assert (totals["within_six"], totals["within_twelve"]) == (1, 2)
    assert totals["within_twelve_value"] == Decimal("120000")
    assert [a.title for a in context["ending"]] == ["Short agreement", "Longer agreement"]


def test_portfolio_holder_sees_only_their_portfolios(client_for, world):
    response = client_for(world.people[Role.PORTFOLIO_HOLDER]).get(world.dashboard())
    context, body = response.context, response.content.decode()
    titles = {c.title for c in context["commissions"]}
    assert titles == {"Independent advice services", "Befriending for older people"}
    assert "Parks and open spaces" not in body
    assert "Community transport" not in body
    assert [c.title for c in context["key_decisions"]] == ["Independent advice services"]
    approve = reverse("commissioning:transition", args=[world.council.slug, world.key_decision.pk, "approve"])
    refer_back = reverse("commissioning:transition", args=[world.council.slug, world.key_decision.pk, "refer_back"])
    assert f'href="{approve}"' in body
    assert f'href="{refer_back}"' in body
    assert [a.title for a in context["performance"]] == ["Befriending partnership"]
    assert context["performance"][0].rag in {"green", "amber", "red"}
    outcomes = {bar.label for bar in context["outcome_chart"].bars}
    assert outcomes == {o.title for o in world.key_decision.outcomes.all()} | {
        o.title for o in world.rated.commission.outcomes.all()
    }
    assert sum(bar.value for bar in context["priority_chart"].bars) == Decimal("360000")
    assert context["rag_chart"].columns  # the accepted return, by quarter
    assert context["kpi_chart"] is not None
    # What providers have reported against the success measures in accepted returns.
    befriending = [m for m in context["measures"] if m.outcome_sought.commission_id == world.rated.commission_id]
    assert befriending[0].reported_total == Decimal("10") * len(ended_returns(world.rated))


def test_a_portfolio_holder_cannot_filter_to_someone_elses_portfolio(client_for, world):
    client = client_for(world.people[Role.PORTFOLIO_HOLDER])
    response = client.get(world.dashboard(portfolio=world.other.pk))
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Parks and open spaces" not in body
    own = client.get(world.dashboard(portfolio=world.mine.pk))
    assert "Independent advice services" in own.content.decode()


def test_scrutiny_sees_decisions_performance_and_concerns_but_no_way_to_change_them(client_for, world):
    response = client_for(world.people[Role.SCRUTINY_MEMBER]).get(world.dashboard())
    context, body = response.context, response.content.decode()
    approvals = {d.commission.title: d for d in context["approvals"]}
    befriending = approvals["Befriending for older people"]
    assert befriending.get_decision_maker_display().startswith("Delegated officer decision")
    assert befriending.threshold_at_decision == world.council.key_decision_threshold
    assert escape(str(befriending.decided_by)) in body
    assert reverse("commissioning:audit", args=[world.council.slug, befriending.commission_id]) in body
    assert [a.title for a in context["concerns"]] == ["Community transport partnership"]
    assert {a.title for a in context["performance"]} == {"Befriending partnership", "Community transport partnership"}
    assert "/steps/approve/" not in body
    assert "Make a meeting pack" in body


def test_officers_work_queue(client_for, council, people, world):
    officer = people[Role.COMMISSIONING_OFFICER]
    create_commission(council, title="Town centre events", officer=officer)
    add_provider_bid(world)
    opportunity = world.extra["opportunity"]
    opportunity_services.clarification_ask(
        by=people["provider_admin"],
        opportunity=opportunity,
        organisation=provider_organisation(people),
        question="Can we run clubs in church halls?",
    )
    response = client_for(officer).get(dashboard_url(council))
    context, body = response.context, response.content.decode()
    queue = {c.title: c for c in context["stage_work"]}
    assert queue["Town centre events"].still_to_do == [
        "a needs assessment",
        "at least one piece of evidence",
        "a gap analysis",
    ]
    assert [row["opportunity__reference"] for row in context["clarifications"]] == [opportunity.reference]
    assert reverse("commissioning:opportunity_clarifications", args=[council.slug, opportunity.pk]) in body
    overdue = [r for r in context["returns"] if r.is_overdue]
    assert {r.agreement.title for r in overdue} == {"Community transport partnership"}
    assert context["overdue_items"] >= 1
    assert context["by_stage"]["total"] >= 5
    assert opportunity.reference in body  # its deadlines are coming up
    # A submitted return waits for the officer's review.
    submitted = submit(ended_returns(world.overdue)[0])
    context = client_for(officer).get(dashboard_url(council)).context
    assert submitted.pk in {r.pk for r in context["returns"] if r.state == ReturnState.SUBMITTED}
    assert (
        reverse("monitoring:return_detail", args=[council.slug, submitted.pk])
        in client_for(officer).get(dashboard_url(council)).content.decode()
    )


def test_lead_commissioner_sees_delegated_decisions_in_their_work_queue(client_for, council, people, world):
    delegated = commission_in_state(council, State.AWAITING_APPROVAL, budget=Decimal("50000"), title="Lunch clubs")
    context = client_for(people[Role.LEAD_COMMISSIONER]).get(dashboard_url(council, view="officer")).context
    assert [c.pk for c in context["approvals"]] == [delegated.pk]  # not the key decisions
    assert context["clarifications"] == []
    finance = client_for(people[Role.FINANCE_OFFICER]).get(dashboard_url(council)).context
    assert finance["approvals"] == []
    assert finance["returns"] == []


def test_provider_dashboard_shows_only_their_organisation(client_for, world):
    add_provider_bid(world)
    opportunity = world.extra["opportunity"]
    url = reverse("monitoring:provider_dashboard")
    response = client_for(world.people["provider_admin"]).get(url)
    body = response.content.decode()
    assert "Holiday clubs in the rural wards" in body
    assert "Befriending partnership" in body
    assert reverse("bids:detail", args=[world.extra["bid"].pk]) in body
    due = response.context["dashboard"].returns
    assert due
    assert {r.agreement_id for r in due} == {world.rated.pk}
    other = client_for(world.people["other_provider_admin"]).get(url).content.decode()
    assert "Befriending partnership" not in other
    assert opportunity.reference not in other
    nobody = client_for(world.people["no_role"]).get(url).content.decode()
    assert "You do not act for a provider organisation" in nobody


def test_provider_dashboard_lists_the_persons_own_notifications(client_for, world):
    admin = world.people["provider_admin"]
    Notification.objects.create(
        user=admin, kind=ReminderKind.RETURN_DUE_SOON, title="Monitoring return due soon", url="/monitoring/"
    )
    url = reverse("monitoring:provider_dashboard")
    assert "Monitoring return due soon" in client_for(admin).get(url).content.decode()
    other = client_for(world.people["other_provider_admin"]).get(url).content.decode()
    assert "Monitoring return due soon" not in other


def test_provider_dashboard_shows_answers_to_their_questions(client_for, world):
    add_provider_bid(world)
    opportunity = world.extra["opportunity"]
    admin = world.people["provider_admin"]
    question = opportunity_services.clarification_ask(
        by=admin, opportunity=opportunity, organisation=provider_organisation(world.people), question="Halls?"
    )
    opportunity_services.clarification_answer(
        by=world.people[Role.COMMISSIONING_OFFICER], clarification=question, answer="Yes.", visibility="private"
    )
    url = reverse("monitoring:provider_dashboard")
    assert "has been answered privately" in client_for(admin).get(url).content.decode()
    assert "has been answered" not in client_for(world.people["other_provider_admin"]).get(url).content.decode()


# ---- Filters ---------------------------------------------------------------------------------------


def test_filters_narrow_the_overview_dashboards(client_for, world):
    client = client_for(world.people[Role.LEAD_COMMISSIONER])
    by_portfolio = client.get(world.dashboard(portfolio=world.other.pk)).context
    assert [c.title for c in by_portfolio["awaiting_approval"]] == ["Parks and open spaces"]
    outcome = world.key_decision.outcomes.get()
    by_outcome = client.get(world.dashboard(outcome=outcome.pk)).context
    assert [c.title for c in by_outcome["awaiting_approval"]] == ["Independent advice services"]
    # Starts in 90 days and runs three years: not in a year long past, in the next one.
    start = world.key_decision.starts_on
    next_year = start.year if start.month >= 4 else start.year - 1
    assert client.get(world.dashboard(year=next_year)).context["awaiting_approval"]
    assert client.get(world.dashboard(year=next_year - 2)).context["awaiting_approval"] == []
    scrutiny = client_for(world.people[Role.SCRUTINY_MEMBER])
    decided_this_year = scrutiny.get(world.dashboard(year=next_year - 2)).context["approvals"]
    assert decided_this_year == []


def test_an_invalid_filter_is_explained_and_ignored(client_for, world):
    response = client_for(world.people[Role.LEAD_COMMISSIONER]).get(world.dashboard(year="1066", outcome="x"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert len(response.context["awaiting_approval"]) == 2


def test_filters_never_widen_what_a_portfolio_holder_sees(client_for, world):
    outcome = OutcomeFactory(priority__plan__council=world.council)
    world.elsewhere.outcomes.add(outcome)
    context = client_for(world.people[Role.PORTFOLIO_HOLDER]).get(world.dashboard(outcome=outcome.pk)).context
    assert context["commissions"] == []
    assert context["outcome_chart"].bars == []


# ---- Fixed number of queries -----------------------------------------------------------------------


def count_queries(client, url) -> int:
    return measured(client, url)[0]


def test_every_dashboard_runs_in_a_fixed_number_of_queries(client_for, council, people, world):
    add_provider_bid(world)
    pages = {
        "lead": (people[Role.LEAD_COMMISSIONER], world.dashboard()),
        "officer": (people[Role.COMMISSIONING_OFFICER], world.dashboard()),
        "lead as officer": (people[Role.LEAD_COMMISSIONER], world.dashboard(view="officer")),
        "portfolio": (people[Role.PORTFOLIO_HOLDER], world.dashboard()),
        "scrutiny": (people[Role.SCRUTINY_MEMBER], world.dashboard()),
        "filtered": (people[Role.SCRUTINY_MEMBER], world.dashboard(portfolio=world.mine.pk, year=2026)),
        "provider": (people["provider_admin"], reverse("monitoring:provider_dashboard")),
    }
    few = {name: count_queries(client_for(user), url) for name, (user, url) in pages.items()}

    # 25 more of everything the pages list: commissions in every portfolio, decisions waiting, live
    # agreements (one of them the provider's) with returns overdue and rated.
    add_commissions(world, 10, portfolio=world.mine)
    add_commissions(world, 10)
    for n in range(2):
        commission_in_state(
            council, State.AWAITING_APPROVAL, budget=Decimal(300000), title=f"Decision {n}", portfolio=world.mine
        )
    for n, provider in enumerate((provider_organisation(people), None, None)):
        agreement = recent_live_agreement(
            council,
            commission=agreeing_commission(council, title=f"Service {n}", portfolio=world.mine),
            provider=provider,
            title=f"Service agreement {n}",
        )
        if n:
            first = returns_of(agreement)[0]
            submit(first)
            accept(first)
    many = {name: count_queries(client_for(user), url) for name, (user, url) in pages.items()}

    assert many == few
    assert max(many.values()) <= MAX_QUERIES, many


# ---- The same number of queries with 1 row and with 25 -----------------------------------------------------


def signed_in(user) -> Client:
    """A client of its own for each person (their pages are measured side by side)."""
    client = Client()
    client.force_login(user)
    return client


def test_dashboards_run_in_the_same_queries_with_25_commissions(council, people):
    """The officer's stage work, the portfolio holder's commissions and the lead's pipeline."""
    officer = people[Role.COMMISSIONING_OFFICER]
    url = dashboard_url(council)
    in_world = signed_in(people[Role.LEAD_COMMISSIONER]).get(url).context["pipeline"]["total"]
    mine = PortfolioFactory(council=council, holder=people[Role.PORTFOLIO_HOLDER])
    create_commission(council, title="Commission 0", officer=officer, portfolio=mine)
    pages = {
        "officer": (signed_in(officer), url),
        "portfolio": (signed_in(people[Role.PORTFOLIO_HOLDER]), url),
        "lead": (signed_in(people[Role.LEAD_COMMISSIONER]), url),
        "scrutiny": (signed_in(people[Role.SCRUTINY_MEMBER]), url),
    }

    def add_rows(count):
        for n in range(1, count + 1):
            create_commission(council, title=f"Commission {n}", officer=officer, portfolio=mine)

    _, responses = assert_same_queries_on(pages, add_rows)
    assert len(responses["officer"].context["stage_work"]) == 25
    assert len(responses["portfolio"].context["commissions"]) == 25
    assert responses["lead"].context["pipeline"]["total"] == in_world + 25


def test_dashboards_run_in_the_same_queries_with_25_live_agreements(council, people):
    """Agreements ending and returns overdue (lead, officer), performance (portfolio holder, scrutiny)."""
    mine = PortfolioFactory(council=council, holder=people[Role.PORTFOLIO_HOLDER])
    commission = agreeing_commission(council, title="Befriending for older people", portfolio=mine)

    def live(n: int):
        # Seven months in, five to go: ending within six months, its first two returns overdue.
        return recent_live_agreement(council, commission=commission, months=12, title=f"Agreement {n}")

    live(0)
    url = dashboard_url(council)
    pages = {
        "lead": (signed_in(people[Role.LEAD_COMMISSIONER]), url),
        "officer": (signed_in(people[Role.COMMISSIONING_OFFICER]), url),
        "portfolio": (signed_in(people[Role.PORTFOLIO_HOLDER]), url),
        "scrutiny": (signed_in(people[Role.SCRUTINY_MEMBER]), url),
    }
    _, responses = assert_same_queries_on(pages, lambda count: [live(n) for n in range(1, count + 1)])
    assert len(responses["lead"].context["ending"]) == 25
    assert len(responses["lead"].context["overdue_by_provider"].bars) == 25
    assert len(responses["portfolio"].context["performance"]) == 25
    assert len(responses["scrutiny"].context["performance"]) == 25


def test_provider_dashboard_lists_the_published_opportunities_followed_or_bid_for_once_each(council, people):
    admin = people["provider_admin"]
    organisation = provider_organisation(people)
    commission = commission_in_state(council, State.SOURCING)
    opportunities = {
        title: open_opportunity(council, commission=commission, title=title)
        for title in ("Followed", "Bid for", "Both", "Neither")
    }
    for title in ("Followed", "Both"):
        opportunity_services.interest_register(by=admin, opportunity=opportunities[title], organisation=organisation)
    for title in ("Bid for", "Both"):
        start_bid(opportunities[title], admin, organisation)

    dashboard = signed_in(admin).get(reverse("monitoring:provider_dashboard")).context["dashboard"]
    assert sorted(o.title for o in dashboard.opportunities) == ["Bid for", "Both", "Followed"]
    assert dashboard.opportunities.total == 3


def test_provider_dashboard_runs_in_the_same_queries_with_25_bids(council, people):
    """Opportunities followed and bids, on the provider's dashboard, the portal and their bids page."""
    admin = people["provider_admin"]
    organisation = provider_organisation(people)
    commission = commission_in_state(council, State.SOURCING)

    def follow_and_bid(n: int):
        opportunity = open_opportunity(council, commission=commission, title=f"Opportunity {n}")
        opportunity_services.interest_register(by=admin, opportunity=opportunity, organisation=organisation)
        start_bid(opportunity, admin, organisation)

    follow_and_bid(0)
    client = signed_in(admin)
    pages = {
        "dashboard": (client, reverse("monitoring:provider_dashboard")),
        "portal": (client, reverse("providers:portal")),
        "my bids": (client, reverse("bids:mine")),
    }
    _, responses = assert_same_queries_on(pages, lambda count: [follow_and_bid(n) for n in range(1, count + 1)])
    dashboard = responses["dashboard"].context["dashboard"]
    assert len(dashboard.opportunities) == 25
    assert len(dashboard.bids) == 25


def test_provider_dashboard_runs_in_the_same_queries_with_25_agreements(council, people):
    """The provider's agreements and returns to fill in, on the dashboard and the agreements page."""
    organisation = provider_organisation(people)
    in_world = Agreement.objects.filter(provider=organisation).count()
    commission = agreeing_commission(council)

    def live(n: int):
        return recent_live_agreement(council, commission=commission, provider=organisation, title=f"Agreement {n}")

    live(0)
    client = signed_in(people["provider_admin"])
    pages = {
        "dashboard": (client, reverse("monitoring:provider_dashboard")),
        "agreements": (client, reverse("monitoring:provider_agreements")),
    }
    _, responses = assert_same_queries_on(pages, lambda count: [live(n) for n in range(1, count + 1)])
    assert len(responses["dashboard"].context["dashboard"].agreements) == 25
    assert len(responses["agreements"].context["agreements"]) == in_world + 25
