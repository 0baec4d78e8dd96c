"""The officer dashboard's contract expiry pipeline: live agreements ending in the next 3, 6, 9 and 12
months and extension decisions due, each with its value and contract manager, in a fixed number of
queries. The clock stands at 1 December 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import Role
from monitoring.dashboards.tests.test_dashboards_views import MAX_QUERIES
from monitoring.renewals.selectors import expiry_pipeline
from monitoring.tests.factories import agreeing_commission, draft_agreement, live_agreement
from monitoring.tests.reminder_factories import at
from tests.query_counts import assert_same_queries_on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture
def manager(people):
    """A procurement officer managing some of the council's contracts (the lead officer is another)."""
    return people[Role.PROCUREMENT_OFFICER]


def managed(council, manager, title, **terms):
    commission = agreeing_commission(council, title=f"Commission for {title}")
    return live_agreement(council, commission=commission, title=title, council_contact=manager, **terms)


def test_the_pipeline_lists_what_ends_or_needs_a_decision_soonest_first(council, people, manager):
    ending_soon = managed(council, manager, "Day centres", ends_on=date(2027, 2, 26), value=Decimal("80000"))
    later = managed(council, manager, "Carers support", ends_on=date(2027, 9, 30))
    decision = managed(
        council,
        manager,
        "Home care",
        ends_on=date(2028, 3, 31),
        max_extensions=1,
        extension_period_months=12,
        extension_notice_days=365,  # notice by 1 April 2027, a year before the end
    )
    managed(council, manager, "Meals on wheels", ends_on=date(2028, 6, 30))  # too far off
    draft_agreement(council, title="Not yet live", council_contact=manager, ends_on=date(2027, 1, 31))
    theirs = live_agreement(council, title="Someone else's", ends_on=date(2027, 1, 31))

    with at(TODAY):
        rows, _ = expiry_pipeline(manager, council, TODAY)
        everything, _ = expiry_pipeline(people[Role.LEAD_COMMISSIONER], council, TODAY, everyone=True)

    assert [a.title for a in rows] == ["Day centres", "Home care", "Carers support"]
    assert rows.counts == {"within_3": 1, "within_6": 1, "within_9": 1, "within_12": 2, "decisions": 1}
    first, second, third = rows
    assert (first.band, first.decision_due) == (3, False)
    assert (second.band, second.decision_due, second.extension_notice_on) == (None, True, date(2027, 4, 1))
    assert third.band == 12
    assert {a.pk for a in everything} == {ending_soon.pk, later.pk, decision.pk, theirs.pk}


def test_the_dashboard_shows_the_pipeline_with_value_and_contract_manager(council, manager):
    agreement = managed(council, manager, "Day centres", ends_on=date(2027, 2, 26), value=Decimal("80000"))
    client = Client()
    client.force_login(manager)

    with at(TODAY):
        response = client.get(reverse("monitoring:dashboard", kwargs={"council_slug": council.slug}))

    body = response.content.decode()
    section = body[body.index('id="expiry"') :]
    assert f'href="{agreement.get_absolute_url()}"' in section
    assert "£80,000" in section
    assert manager.get_full_name() in section or str(manager) in section
    assert "Ending in the next 3 months: <strong>1</strong>" in section


def test_another_councils_agreements_never_show(council, other_council, people):
    theirs = live_agreement(other_council, ends_on=date(2027, 1, 31))
    with at(TODAY):
        rows, _ = expiry_pipeline(people[Role.LEAD_COMMISSIONER], council, TODAY, everyone=True)
    assert theirs.pk not in {a.pk for a in rows}


def test_the_dashboard_runs_in_the_same_queries_with_25_agreements_in_the_pipeline(council, people, manager):
    managed(council, manager, "Agreement 0", ends_on=date(2027, 2, 26))

    def more(count):
        for n in range(1, count + 1):
            managed(
                council,
                manager,
                f"Agreement {n}",
                ends_on=date(2027, 5, 31),
                max_extensions=1,
                extension_period_months=6,
                extension_notice_days=60,
            )

    url = reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})
    pages = {}
    for role in (Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER):
        client = Client()
        client.force_login(people[role])
        pages[role] = (client, url + "?view=officer")
    counts, responses = assert_same_queries_on(pages, more, around=lambda: at(TODAY))

    assert max(counts.values()) <= MAX_QUERIES, counts
    assert len(responses[Role.PROCUREMENT_OFFICER].context["expiry_pipeline"]) == 25
    assert responses[Role.LEAD_COMMISSIONER].context["expiry_pipeline"].counts["decisions"] == 24
