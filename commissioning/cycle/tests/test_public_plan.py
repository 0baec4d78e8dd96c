"""The public framework and commissioning plan: 404 until the council administrator publishes them
(and again once unpublished, each change audited); the framework shows the current corporate plan
and its outcomes; the plan shows the council's intentions by sector (CPV division) and year, and its
forward plan; nobody else may publish; the plan page runs in fixed queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle import services as cycle_services
from commissioning.cycle.public_plan import NO_SECTOR
from commissioning.models import State
from commissioning.tests.factories import commission_in_state, create_commission
from councils.financial_year import financial_year_label, financial_year_of
from councils.models import AuditEvent, Role
from councils.services import publication_set
from councils.tests.factories import OutcomeFactory, PortfolioFactory
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def url(name: str, council) -> str:
    return reverse(f"opportunities:{name}", args=[council.slug])


def publish(council, people, part: str, publish: bool = True):
    return publication_set(by=people[Role.COUNCIL_ADMIN], council=council, part=part, publish=publish)


def intention(council, people, title: str, *, cpv: str = "", starts_on: date | None = None, **kwargs):
    commission = create_commission(council, title=title, **kwargs)
    officer = people[Role.COMMISSIONING_OFFICER]
    if cpv:
        cycle_services.commission_set_cpv_code(by=officer, commission=commission, code=cpv)
    if starts_on:
        commission.starts_on = starts_on
        cycle_services.commission_update(by=officer, commission=commission, changed=["starts_on"])
    return commission


def test_nothing_is_public_until_the_administrator_publishes_it(council, people):
    anonymous = Client()
    outcome = OutcomeFactory(priority__plan__council=council, title="Older people live well at home")
    for name in ("framework", "plan"):
        assert anonymous.get(url(name, council)).status_code == 404

    publish(council, people, "framework")
    page = anonymous.get(url("framework", council))
    assert page.status_code == 200
    body = page.content.decode()
    assert outcome.title in body
    assert outcome.priority.title in body
    assert anonymous.get(url("plan", council)).status_code == 404  # published separately

    publish(council, people, "plan")
    assert anonymous.get(url("plan", council)).status_code == 200
    publish(council, people, "framework", publish=False)
    assert anonymous.get(url("framework", council)).status_code == 404
    events = AuditEvent.objects.filter(event_type__startswith="council.").filter(event_type__contains="publish")
    assert sorted(e.event_type for e in events) == [
        "council.framework_published",
        "council.framework_unpublished",
        "council.plan_published",
    ]
    assert all(e.actor == people[Role.COUNCIL_ADMIN] for e in events)


def test_publishing_twice_keeps_the_first_date_and_records_once(council, people):
    first = publish(council, people, "plan").plan_published_at
    assert publish(council, people, "plan").plan_published_at == first
    assert AuditEvent.objects.filter(event_type="council.plan_published").count() == 1


@pytest.mark.parametrize(
    "role", [r for r in Role.values if r != Role.COUNCIL_ADMIN] + ["other_council_officer", "provider_admin"]
)
def test_only_the_council_administrator_publishes(council, people, role):
    with pytest.raises(PermissionDenied):
        publication_set(by=people[role], council=council, part="framework", publish=True)
    council.refresh_from_db()
    assert council.framework_published_at is None


def test_the_administrator_publishes_from_the_council_pages(client_for, council, people):
    page = reverse("councils:publication", args=[council.slug])
    admin = client_for(people[Role.COUNCIL_ADMIN])
    assert "Not published" in admin.get(page).content.decode()
    response = admin.post(page, {"part": "plan", "action": "publish"}, follow=True)
    assert "The commissioning plan is published." in response.content.decode()
    council.refresh_from_db()
    assert council.plan_published_at is not None
    assert admin.post(page, {"part": "everything", "action": "publish"}).status_code == 400
    lead = client_for(people[Role.LEAD_COMMISSIONER])
    assert lead.post(page, {"part": "plan", "action": "unpublish"}).status_code == 403
    council.refresh_from_db()
    assert council.plan_published_at is not None


def test_the_plan_shows_intentions_by_sector_and_year(council, other_council, people):
    this_year = financial_year_of(timezone.localdate())
    portfolio = PortfolioFactory(council=council, name="Adult social care")
    befriending = intention(
        council,
        people,
        "Befriending for older people",
        cpv="85311000",
        starts_on=date(this_year + 1, 6, 1),
        portfolio=portfolio,
        summary="Volunteers visiting people who live alone.",
    )
    sport = intention(council, people, "Holiday activity clubs", cpv="92000000", starts_on=date(this_year, 9, 1))
    unclassified = intention(council, people, "Advice services")
    delivering = commission_in_state(council, State.DELIVERING, title="Meals at home")
    theirs = create_commission(other_council, title="Somebody else's commission")
    publish(council, people, "plan")

    response = Client().get(url("plan", council))
    body = response.content.decode()
    sectors = {s.label: [c.pk for c in s.intentions] for s in response.context["sectors"]}
    assert sectors == {
        "Health and social work services": [befriending.pk],
        "Recreational, cultural and sporting services": [sport.pk],
        NO_SECTOR: [unclassified.pk],
    }
    assert [label for _, label in response.context["years"]] == [
        financial_year_label(this_year),
        financial_year_label(this_year + 1),
        "Start not set yet",
    ]
    assert list(response.context["sectors"])[-1].label == NO_SECTOR
    grid = {row["sector"].label: row["counts"] for row in response.context["grid"]}
    assert grid["Health and social work services"] == [0, 1, 0]
    assert "Volunteers visiting people who live alone." in body
    assert "Adult social care" in body
    for absent in (delivering.title, theirs.title):
        assert absent not in body
    assert "£" not in body  # no budgets before the market is tested


def test_the_plan_runs_in_a_fixed_number_of_queries(council, people):
    outcome = OutcomeFactory(priority__plan__council=council)
    portfolio = PortfolioFactory(council=council)
    officer = people[Role.COMMISSIONING_OFFICER]
    publish(council, people, "plan")
    publish(council, people, "framework")

    def more(count):
        for n in range(count):
            create_commission(council, title=f"Intention {n}", officer=officer, portfolio=portfolio, outcomes=[outcome])

    more(1)
    _, response = assert_same_queries(Client(), url("plan", council), more)
    assert response.context["count"] == 25
    assert_same_queries(
        Client(),
        url("framework", council),
        lambda count: [OutcomeFactory(priority=outcome.priority, portfolio=portfolio) for _ in range(count)],
    )
