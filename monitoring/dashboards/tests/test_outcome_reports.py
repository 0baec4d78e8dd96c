"""Reporting by corporate outcome: each outcome's page rolls up the commissions and agreements serving
it (spend, KPIs, savings) for the people who answer for it, the index does the same for every outcome,
and the dashboards show savings identified against realised by portfolio and by outcome."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.models import OutcomeSought, State
from commissioning.savings.tests.factories import identify
from commissioning.tests.factories import commission_in_state, create_commission, staff
from commissioning.tests.review_factories import review_under_way
from councils.financial_year import financial_year_of
from councils.models import Role
from councils.tests.factories import MembershipFactory, OutcomeFactory, PortfolioFactory
from monitoring.invoices import services as invoices
from monitoring.savings.tests.factories import live_since_last_year, realise
from monitoring.tests.factories import agreeing_commission
from monitoring.tests.returns_factories import accept, returns_of, submit
from tests.query_counts import assert_same_queries_on
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db


def report_url(council, outcome) -> str:
    return reverse("monitoring:outcome_report", args=[council.slug, outcome.pk])


def index_url(council) -> str:
    return reverse("monitoring:outcome_index", args=[council.slug])


def build_served(council, people):
    """An outcome in the portfolio holder's portfolio, the procurement officer accountable for it, served
    by a live agreement's commission (with a paid invoice, a rated KPI and savings), a commission in
    planning naming it and one seeking it; a cancelled commission naming it counts for nothing."""
    mine = PortfolioFactory(council=council, name="Communities", holder=people[Role.PORTFOLIO_HOLDER])
    agreement = live_since_last_year(council, commission=agreeing_commission(council, portfolio=mine))
    outcome = agreement.commission.outcomes.get()
    outcome.portfolio, outcome.accountable_officer = mine, people[Role.PROCUREMENT_OFFICER]
    outcome.save()
    naming = create_commission(council, title="Warm spaces", portfolio=mine)
    naming.outcomes.add(outcome)
    seeking = create_commission(council, title="Community transport")
    OutcomeSought.objects.create(commission=seeking, council_outcome=outcome, description="People get about")
    cancelled = commission_in_state(council, State.CANCELLED, title="Abandoned")
    cancelled.outcomes.add(outcome)
    year = financial_year_of(agreement.live_on)
    identify(agreement.commission, year, 30000)
    identify(seeking, year + 1, 10000)
    realise(agreement, year, 20000)
    realise(agreement, financial_year_of(timezone.localdate()), 5000, role=Role.COMMISSIONING_OFFICER)
    today = timezone.localdate()
    invoices.invoice_record(
        by=people[Role.FINANCE_OFFICER],
        agreement=agreement,
        supplier_reference="INV-1",
        received_on=today - timedelta(days=3),
        amount=Decimal("7500"),
        paid_on=today,
    )
    first = returns_of(agreement)[0]
    submit(first)
    accept(first)
    return {"outcome": outcome, "agreement": agreement, "naming": naming, "seeking": seeking, "portfolio": mine}


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, served = shared_world(world_with(served=build_served), "served")


def test_an_outcome_page_rolls_up_everything_serving_it(client_for, council, people, served):
    response = client_for(people[Role.LEAD_COMMISSIONER]).get(report_url(council, served["outcome"]))

    assert response.status_code == 200
    report = response.context["report"]
    rollup = report["rollup"]
    agreement = served["agreement"]
    assert rollup.commission_count == 3
    assert rollup.investment == agreement.commission.budget
    assert (rollup.agreement_count, rollup.agreed_value) == (1, agreement.value)
    assert rollup.paid == Decimal("7500")
    assert rollup.kpis_rated == 1
    assert (rollup.savings_identified, rollup.savings_realised) == (Decimal("40000"), Decimal("20000"))
    assert rollup.savings_awaiting == Decimal("5000")
    assert {c.title for c in report["commissions"]} == {
        agreement.commission.title,
        "Warm spaces",
        "Community transport",
    }
    assert [a.pk for a in report["agreements"]] == [agreement.pk]
    assert report["kpis"][0].reported_display == "10"
    assert sum(year["identified"] for year in report["savings_years"]) == Decimal("40000")
    body = response.content.decode()
    assert "Social value delivered" in body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LEAD_COMMISSIONER, 200),
        (Role.SCRUTINY_MEMBER, 200),
        (Role.PORTFOLIO_HOLDER, 200),  # holds the outcome's portfolio
        (Role.PROCUREMENT_OFFICER, 200),  # the accountable officer
        (Role.COMMISSIONING_OFFICER, 403),
        (Role.FINANCE_OFFICER, 403),
        (Role.COUNCIL_ADMIN, 403),
        ("other_council_officer", 403),
    ],
)
def test_who_reads_an_outcomes_page(client_for, council, people, served, role, status):
    assert client_for(people[role]).get(report_url(council, served["outcome"])).status_code == status


def test_another_portfolio_holder_is_refused_and_another_councils_outcome_is_not_found(
    client_for, council, other_council, people, served
):
    holder = MembershipFactory(council=council, role=Role.PORTFOLIO_HOLDER).user
    assert client_for(holder).get(report_url(council, served["outcome"])).status_code == 403
    theirs = OutcomeFactory(priority__plan__council=other_council)
    lead = client_for(people[Role.LEAD_COMMISSIONER])
    assert lead.get(report_url(council, theirs)).status_code == 404
    assert lead.post(report_url(council, served["outcome"])).status_code == 405


def test_the_index_lists_the_outcomes_each_person_answers_for(client_for, council, people, served):
    elsewhere = OutcomeFactory(priority__plan__council=council, title="Cleaner streets")

    def listed(person) -> set[str]:
        return {o.title for o in client_for(person).get(index_url(council)).context["outcomes"]}

    everything = listed(people[Role.LEAD_COMMISSIONER])
    assert {served["outcome"].title, "Cleaner streets"} <= everything
    assert listed(people[Role.SCRUTINY_MEMBER]) == everything
    assert listed(people[Role.PORTFOLIO_HOLDER]) == {served["outcome"].title}
    assert listed(people[Role.PROCUREMENT_OFFICER]) == {served["outcome"].title}
    assert client_for(people[Role.COMMISSIONING_OFFICER]).get(index_url(council)).status_code == 403
    row = next(
        o
        for o in client_for(people[Role.LEAD_COMMISSIONER]).get(index_url(council)).context["outcomes"]
        if o.pk == served["outcome"].pk
    )
    assert (row.commission_count, row.savings_identified, row.paid) == (3, Decimal("40000"), Decimal("7500"))
    assert elsewhere.pk != row.pk


def test_outcome_pages_run_in_the_same_queries_however_many_commissions(council, people, served):
    outcome, mine = served["outcome"], served["portfolio"]
    year = financial_year_of(timezone.localdate())

    def client(person) -> Client:
        signed_in = Client()
        signed_in.force_login(person)
        return signed_in

    pages = {
        "index": (client(people[Role.LEAD_COMMISSIONER]), index_url(council)),
        "page": (client(people[Role.LEAD_COMMISSIONER]), report_url(council, outcome)),
        "holder's page": (client(people[Role.PORTFOLIO_HOLDER]), report_url(council, outcome)),
    }

    def add_rows(count):
        for n in range(count):
            commission = create_commission(council, title=f"Serving {n}", portfolio=mine if n % 2 else None)
            commission.outcomes.add(outcome)
            identify(commission, year, 1000 + n)
            OutcomeFactory(priority__plan__council=council)
        staff(council, Role.LEAD_COMMISSIONER)

    _, responses = assert_same_queries_on(pages, add_rows)
    assert len(responses["page"].context["report"]["commissions"]) == 25


def test_dashboards_show_savings_identified_against_realised(client_for, council, people, served):
    other = commission_in_state(council, State.PLANNING, title="Libraries", portfolio=PortfolioFactory(council=council))
    later = financial_year_of(timezone.localdate()) + 2
    identify(other, later, 9000)
    lead = client_for(people[Role.LEAD_COMMISSIONER]).get(reverse("monitoring:dashboard", args=[council.slug]))
    savings = lead.context["savings"]
    assert savings["identified"] == Decimal("49000")
    assert (savings["realised"], savings["awaiting"]) == (Decimal("20000"), Decimal("5000"))
    communities = next(row for row in savings["by_portfolio"] if row.label == "Communities")
    assert (communities.identified, communities.realised) == (Decimal("30000"), Decimal("20000"))
    by_outcome = {row.label: row for row in savings["by_outcome"]}
    assert by_outcome[served["outcome"].title].identified == Decimal("40000")
    assert "Savings identified and realised" in lead.content.decode()

    holder = client_for(people[Role.PORTFOLIO_HOLDER]).get(reverse("monitoring:dashboard", args=[council.slug]))
    assert [row.label for row in holder.context["savings"]["by_portfolio"]] == ["Communities"]
    assert holder.context["savings"]["identified"] == Decimal("30000")

    filtered = client_for(people[Role.LEAD_COMMISSIONER]).get(
        reverse("monitoring:dashboard", args=[council.slug]), {"year": later}
    )
    assert filtered.context["savings"]["identified"] == Decimal("9000")
    assert filtered.context["savings"]["realised"] == 0


def test_a_reviews_savings_count_for_its_outcome_and_portfolio(client_for, council, people, served):
    review = review_under_way(council, portfolio=served["portfolio"])
    review.outcomes.add(served["outcome"])
    identify(review, financial_year_of(timezone.localdate()) + 1, 60000)

    page = client_for(people[Role.PORTFOLIO_HOLDER]).get(report_url(council, served["outcome"]))
    assert page.context["report"]["rollup"].savings_identified == Decimal("100000")
    dashboard = client_for(people[Role.PORTFOLIO_HOLDER]).get(reverse("monitoring:dashboard", args=[council.slug]))
    assert dashboard.context["savings"]["identified"] == Decimal("90000")
