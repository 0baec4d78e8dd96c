"""Hostile numbers and dates typed into the key forms, through their pages: each answers 200 with a
clear message (never a server error), and nothing is written. The far-future agreement (31/12/9999,
and 31/12/9998 with monthly returns) once crashed the page or wrote 191,304 target rows."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle.tests.test_stage_views import add_url
from commissioning.models import DeliveryRoute, FundingCommitment, Opportunity, State
from commissioning.tests.factories import FundingPotFactory, commission_in_state
from councils.models import Role
from demo import opportunities as opportunity_demo
from monitoring.models import Agreement, AgreementType, KpiActual, KpiTarget, MonitoringReturn
from monitoring.tests.factories import agreeing_commission, draft_agreement, live_agreement
from monitoring.tests.returns_factories import returns_of
from providers.models import Organisation

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
HOSTILE_NUMBERS = ["Infinity", "-inf", "NaN", "1e999", "9" * 40, "-" + "9" * 40, "sNaN", "١e٩٩٩"]


def assert_refused(response, *messages):
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert "govuk-error-summary" in body
    for message in messages:
        assert message in body, message
    return body


def agreement_data(people, **values) -> dict:
    return {
        "title": "Leisure centre SLA",
        "agreement_type": AgreementType.SERVICE_LEVEL_AGREEMENT,
        "provider": "",
        "internal_team_name": "Leisure Services",
        "value": "£60,000",
        "starts_on": "01/04/2026",
        "ends_on": "31/03/2027",
        "max_extensions": "0",
        "extension_period_months": "0",
        "monitoring_frequency": "monthly",
        "council_contact": people[Role.COMMISSIONING_OFFICER].pk,
        **values,
    }


@pytest.fixture
def create(council):
    commission = agreeing_commission(council, route=DeliveryRoute.IN_HOUSE)
    return reverse("monitoring:agreement_create", kwargs={"council_slug": council.slug, "pk": commission.pk})


@pytest.mark.parametrize("ends_on", ["31/12/9999", "31/12/9998", "31/12/2100"])
def test_the_far_future_agreement_is_refused_and_writes_nothing(client_for, people, create, ends_on):
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(create, agreement_data(people, ends_on=ends_on))
    body = assert_refused(response)
    assert "between 1990 and 2100" in body or "at most 25 years" in body
    assert not Agreement.objects.exists()
    assert not KpiTarget.objects.exists()


def test_an_agreement_longer_than_the_council_allows_is_refused(client_for, council, people, create):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(create, agreement_data(people, ends_on="01/04/2051"))
    assert_refused(response, "at most 25 years", "on or before 31/03/2051")
    assert not Agreement.objects.exists()
    # The longest allowed term is accepted, with one target row a month per KPI.
    assert client.post(create, agreement_data(people, ends_on="31/03/2051")).status_code == 302
    agreement = Agreement.objects.get()
    assert KpiTarget.objects.filter(kpi__agreement=agreement).count() == 300 * agreement.kpis.count()


def test_the_councils_limit_is_a_setting(client_for, council, people):
    council.max_agreement_years = 3
    council.save()
    with pytest.raises(Exception, match="at most 3 years"):
        draft_agreement(council, starts_on=date(2026, 4, 1), ends_on=date(2029, 4, 1))
    assert draft_agreement(council, starts_on=date(2026, 4, 1), ends_on=date(2029, 3, 31)).pk


def test_the_settings_form_changes_the_limit_within_bounds(client_for, council, people):
    client = client_for(people[Role.COUNCIL_ADMIN])
    page = client.get(reverse("councils:settings", args=[council.slug]))
    assert "Longest agreement, in years" in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    for value in ("0", "100", "Infinity", "9" * 40):
        assert_refused(
            client.post(reverse("councils:settings", args=[council.slug]), {**data, "max_agreement_years": value})
        )
    council.refresh_from_db()
    assert council.max_agreement_years == 25
    response = client.post(reverse("councils:settings", args=[council.slug]), {**data, "max_agreement_years": "30"})
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.max_agreement_years == 30


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_hostile_agreement_values(client_for, people, create, value):
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(create, agreement_data(people, value=value))
    assert_refused(response, "Enter an amount")
    assert not Agreement.objects.exists()


def variation(people, **values) -> dict:
    return {
        "from_state": "live",
        "approved_by": people[Role.LEAD_COMMISSIONER].pk,
        "approved_on": "01/06/2026",
        "reason": "Hostile input.",
        **values,
    }


@time_machine.travel(datetime.datetime(2026, 7, 10, 10, tzinfo=LONDON), tick=False)
def test_variations_refuse_far_dates_and_hostile_values(client_for, council, people):
    agreement = live_agreement(council, max_extensions=10, extension_period_months=120)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    url = lambda action: reverse(  # noqa: E731
        "monitoring:agreement_action", kwargs={"council_slug": council.slug, "pk": agreement.pk, "action": action}
    )
    assert_refused(client.post(url("extend"), variation(people, ends_on="31/12/9999")), "between 1990 and 2100")
    # Ten years at a time, the extensions would take it past the council's 25 years (to 31/03/2051).
    for ends_on in ("31/03/2037", "31/03/2047"):
        assert client.post(url("extend"), variation(people, ends_on=ends_on)).status_code == 302
    response = client.post(url("extend"), variation(people, ends_on="31/03/2052"))
    assert_refused(response, "at most 25 years", "on or before 31/03/2051")
    assert client.post(url("extend"), variation(people, ends_on="31/03/2051")).status_code == 302
    for value in HOSTILE_NUMBERS:
        assert_refused(client.post(url("vary-value"), variation(people, value=value, effective_on="01/07/2026")))
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2051, 3, 31)
    assert agreement.value == Decimal("60000")


@pytest.fixture
def july_2026():
    with time_machine.travel(datetime.datetime(2026, 7, 10, 10, tzinfo=LONDON), tick=False):
        yield


@pytest.mark.usefixtures("july_2026")
def test_hostile_numbers_in_a_providers_return(people, council):
    provider_admin = people["provider_admin"]
    organisation = provider_admin.organisation_memberships.get().organisation
    agreement = live_agreement(council, provider=Organisation.objects.get(pk=organisation.pk))
    first = returns_of(agreement)[0]
    client = Client()
    client.force_login(provider_admin)
    page = reverse("monitoring:provider_return", kwargs={"pk": first.pk})
    kpi = agreement.kpis.first()
    for value in HOSTILE_NUMBERS:
        data = {"outcomes_narrative": "x", "spend_to_date": value, f"actual_{kpi.pk}": value, "save_draft": ""}
        body = assert_refused(client.post(page, data))
        assert "Enter an amount in pounds" in body or "smaller than" in body
    assert not KpiActual.objects.filter(monitoring_return=first).exists()
    assert MonitoringReturn.objects.get(pk=first.pk).spend_to_date is None


@pytest.fixture
def opportunity(council, people):
    contract = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))
    return opportunity_demo.opportunity_for(
        contract, officer=people[Role.COMMISSIONING_OFFICER], questions=1, publish=False
    )


def dates_url(opportunity):
    return reverse("commissioning:opportunity_dates", args=[opportunity.council.slug, opportunity.pk])


def dates(**values) -> dict:
    return {
        "clarification_deadline": "10/03/2027",
        "clarification_time": "5pm",
        "submission_deadline": "20/03/2027",
        "submission_time": "noon",
        "expected_award_on": "01/05/2027",
        "service_starts_on": "01/06/2027",
        **values,
    }


@time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=LONDON), tick=False)
def test_a_deadline_in_the_hour_the_clocks_skip_is_refused(client_for, opportunity, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    before = Opportunity.objects.get(pk=opportunity.pk).submission_deadline
    response = client.post(dates_url(opportunity), dates(submission_deadline="28/03/2027", submission_time="1:30am"))
    assert_refused(response, "1:30am on 28 March 2027 does not exist: the clocks go forward")
    assert Opportunity.objects.get(pk=opportunity.pk).submission_deadline == before


@time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=LONDON), tick=False)
@pytest.mark.parametrize(("which", "utc_hour"), [("BST", 0), ("GMT", 1)])
def test_a_deadline_in_the_hour_that_happens_twice_asks_which(client_for, opportunity, people, which, utc_hour):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    twice = dates(
        clarification_deadline="20/10/2027",
        submission_deadline="31/10/2027",
        submission_time="1:30am",
        expected_award_on="01/12/2027",
        service_starts_on="01/01/2028",
    )
    body = assert_refused(client.post(dates_url(opportunity), twice), "1:30am on 31 October 2027 happens twice")
    assert 'name="submission_clock"' in body
    assert 'name="clarification_clock"' not in body
    response = client.post(dates_url(opportunity), {**twice, "submission_clock": which})
    assert response.status_code == 302
    deadline = Opportunity.objects.get(pk=opportunity.pk).submission_deadline
    assert deadline == datetime.datetime(2027, 10, 31, utc_hour, 30, tzinfo=datetime.UTC)
    # Coming back to the page, the choice is shown as made.
    page = client.get(dates_url(opportunity)).content.decode()
    assert (
        f'value="{which}" checked' in page
        or f'checked value="{which}"' in page
        or (f'value="{which}"' in page and "checked" in page)
    )


@time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=LONDON), tick=False)
@pytest.mark.parametrize("day", ["31/12/9999", "01/01/0001", "29/02/2027", "1e999", "Infinity"])
def test_hostile_opportunity_dates(client_for, opportunity, people, day):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    before = Opportunity.objects.get(pk=opportunity.pk).submission_deadline
    assert_refused(client.post(dates_url(opportunity), dates(submission_deadline=day, service_starts_on=day)))
    assert Opportunity.objects.get(pk=opportunity.pk).submission_deadline == before
    assert timezone.is_aware(before)


@pytest.mark.parametrize("amount", HOSTILE_NUMBERS)
def test_hostile_commission_funding(client_for, council, people, amount):
    commission = commission_in_state(council, State.PLANNING)
    pot = FundingPotFactory(council=council)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        add_url(commission, "funding"), {"pot": pot.pk, "amount": amount}
    )
    assert_refused(response)
    assert not FundingCommitment.objects.filter(commission=commission).exists()
