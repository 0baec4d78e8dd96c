"""A provider files a monitoring return in the portal (it is past its due date, so it is marked late),
the officer queries it, the provider answers and submits again, and the officer accepts it with a RAG
rating of their own, giving the reason. The agreement page then shows the return in its schedule,
the KPI trend and spend charts. Every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from councils.models import Role
from councils.tests.factories import PASSWORD
from monitoring.models import MonitoringReturn, Rag, ReturnState
from monitoring.tests.returns_factories import recent_live_agreement, returns_of
from providers.models import Organisation

from .browser import assert_accessible, end_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agreement(council, people):
    provider = Organisation.objects.get(members__user=people["provider_admin"])
    return recent_live_agreement(council, provider=provider, title="Lunch clubs for older people")


def test_a_return_is_filed_queried_answered_and_accepted_with_a_rating(page, agreement, people):
    first = returns_of(agreement)[0]
    kpi = agreement.kpis.get()
    provider, officer = people["provider_admin"], people[Role.COMMISSIONING_OFFICER]

    # The provider finds the return from the portal and files it.
    sign_in(page, provider.email, PASSWORD)
    page.get_by_role("link", name="Your organisation").click()
    page.get_by_role("link", name="Monitoring returns due").click()
    page.get_by_role("heading", name="Monitoring returns", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=first.period_label).click()
    page.get_by_text("This return was due on").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Submit the return").click()  # nothing filled in: the error summary
    page.locator(".govuk-error-summary").get_by_text("Enter the actual for ‘Sessions delivered’").wait_for()
    assert_accessible(page)
    page.get_by_label("Sessions delivered: actual (sessions)").fill("12")
    page.get_by_label("Outcomes achieved in this period").fill("Thirty-one people came to the lunch clubs.")
    page.get_by_label("Spend to date").fill("£14,000")
    page.get_by_role("button", name="Submit the return").click()
    page.get_by_text("so it is marked late").wait_for()
    assert_accessible(page)
    end_session(page)

    # The officer queries it.
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/monitoring/council/{agreement.council.slug}/returns/")
    page.get_by_role("heading", name="Monitoring returns", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=first.period_label).click()
    page.get_by_text("Thirty-one people came to the lunch clubs.").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Query the return").click()
    expect(page.get_by_label("Your question")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your question").fill("How many of the thirty-one were new this quarter?")
    page.get_by_role("button", name="Send the query to the provider").click()
    page.get_by_text("Your query has been sent to the provider.").wait_for()
    end_session(page)

    # The provider answers and submits again.
    sign_in(page, provider.email, PASSWORD)
    page.goto(f"/monitoring/provider/returns/{first.pk}/")
    page.get_by_text("The council has a question").wait_for()
    assert_accessible(page)
    page.get_by_label("Your answer to the council's question").fill("Nine were new, referred by the GP surgery.")
    page.get_by_role("button", name="Submit the return").click()
    page.get_by_text("submitted to the council for review").wait_for()
    end_session(page)

    # The officer accepts it, rating the KPI amber rather than the computed green, with a reason.
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/monitoring/council/{agreement.council.slug}/returns/{first.pk}/")
    page.get_by_text("Nine were new, referred by the GP surgery.").wait_for()
    page.get_by_role("link", name="Accept the return").click()
    expect(page.get_by_role("button", name="Accept the return")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Amber").check()
    page.get_by_role("button", name="Accept the return").click()
    page.locator(".govuk-error-summary").wait_for()  # a changed rating needs its reason
    assert_accessible(page)
    page.get_by_label(re.compile("Why you rate ‘Sessions delivered’ differently")).fill(
        "Sessions ran, but the return came in late."
    )
    page.get_by_role("button", name="Accept the return").click()
    page.get_by_text("The return is accepted, rated amber overall.").wait_for()
    assert_accessible(page)

    accepted = MonitoringReturn.objects.get(pk=first.pk)
    assert (accepted.state, accepted.overall_rag, accepted.is_late) == (ReturnState.ACCEPTED, Rag.AMBER, True)
    assert accepted.queries.get().answer == "Nine were new, referred by the GP surgery."
    assert accepted.actuals.get(kpi=kpi).rag_override == Rag.AMBER

    # The agreement page: the schedule, the KPI trend and spend against budget, as charts and tables.
    page.get_by_role("link", name="Lunch clubs for older people").first.click()
    page.get_by_role("heading", name="Monitoring", level=2).wait_for()
    expect(page.locator("svg[role=img]")).to_have_count(2)
    assert_accessible(page)
