"""The officer's work queue, item by item: bids to open (and, once confirmed, waiting for a second
officer), evaluations to set up, each panel's next task or whose turn it is, assessment summaries to
send, overdue returns to chase and every overdue KPI assessment for the lead commissioner. What must
not appear: another council's work, work the person's roles do not hold, work behind the ethical wall.
Each list is one query whatever its length."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.models import DeliveryRoute, EvaluationState
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.award_factories import approved_award, send_summaries
from commissioning.tests.evaluation_factories import (
    bidder,
    declare_all,
    evaluation_in_state,
    opened_opportunity,
    published_with_bids,
)
from commissioning.tests.factories import create_commission
from councils.models import Role
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.dashboards.selectors.officer import officer_dashboard
from monitoring.dashboards.tests.test_dashboards_views import dashboard_url
from providers.models import ProviderRole
from providers.tests.factories import OrganisationMemberFactory
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def closed(opportunity):
    """Past its deadline the scheduler closes the opportunity: its bids wait, sealed, to be opened."""
    with mock.patch("django.utils.timezone.now", return_value=opportunity.submission_deadline + timedelta(minutes=5)):
        opportunity_services.opportunities_close_due(opportunity=opportunity)
    opportunity.refresh_from_db()
    return opportunity


def test_bids_to_open_for_opening_officers_only(council, other_council, people):
    opportunity = published_with_bids(council, [bidder("Moorside Youth Trust")])
    procurement = people[Role.PROCUREMENT_OFFICER]
    opening_url = reverse("commissioning:opportunity_opening", args=[council.slug, opportunity.pk])
    assert officer_dashboard(procurement, council)["bids_to_open"] == []  # before the deadline
    closed(opportunity)
    (row,) = officer_dashboard(procurement, council)["bids_to_open"]
    assert row == opportunity
    body = signed_in(procurement).get(dashboard_url(council)).content.decode()
    assert f'href="{opening_url}"' in body
    assert signed_in(procurement).get(opening_url).status_code == 200  # the link answers
    # Not the commissioning officer's (they do not open bids), not another council's officer's.
    assert officer_dashboard(people[Role.COMMISSIONING_OFFICER], council)["bids_to_open"] == []
    assert officer_dashboard(people["other_council_officer"], other_council)["bids_to_open"] == []
    # An opening officer who acts for a bidder is behind the ethical wall.
    legal = people[Role.LEGAL_OFFICER]
    assert officer_dashboard(legal, council)["bids_to_open"] == [opportunity]
    organisation = opportunity.bids.get().organisation
    OrganisationMemberFactory(organisation=organisation, user=legal, role=ProviderRole.BID_WRITER)
    assert officer_dashboard(legal, council)["bids_to_open"] == []


def test_after_the_first_confirmation_the_opening_waits_for_a_second_officer(council, people):
    opportunity = published_with_bids(
        council, [bidder("Moorside Youth Trust")], route=DeliveryRoute.CONTRACT, budget=Decimal(500000)
    )
    assert opportunity.two_person_opening
    procurement, lead = people[Role.PROCUREMENT_OFFICER], people[Role.LEAD_COMMISSIONER]
    opportunity_services.bids_open(by=procurement, opportunity=closed(opportunity))
    (row,) = officer_dashboard(procurement, council)["bids_to_open"]
    assert row.confirmed_by_me
    body = signed_in(procurement).get(dashboard_url(council)).content.decode()
    assert "Waiting for a second opening officer" in body
    (row,) = officer_dashboard(lead, council)["bids_to_open"]
    assert not row.confirmed_by_me


def test_evaluations_to_set_up_are_the_lead_commissioners(council, people):
    opportunity = opened_opportunity(council, [bidder("Moorside Youth Trust")])
    lead = people[Role.LEAD_COMMISSIONER]
    assert officer_dashboard(lead, council)["panels_to_set_up"] == [opportunity]
    assert officer_dashboard(people[Role.COMMISSIONING_OFFICER], council)["panels_to_set_up"] == []
    setup = reverse("commissioning:evaluation_setup", args=[council.slug, opportunity.pk])
    body = signed_in(lead).get(dashboard_url(council, view="officer")).content.decode()
    assert f'href="{setup}"' in body


def test_a_panel_says_whose_turn_it_is(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    declare_all(world, world.chair)
    body = signed_in(world.chair).get(dashboard_url(council)).content.decode()
    assert "Waiting for the panel: 2 of 4 declarations in" in body
    declarations = reverse("commissioning:evaluation_declarations", args=[council.slug, world.opportunity.pk])
    assert f'href="{declarations}"' not in body
    body = signed_in(world.panellist).get(dashboard_url(council)).content.decode()
    assert f'href="{declarations}' in body


def test_assessment_summaries_to_send_until_they_are_sent(council, people):
    world = approved_award(council)
    officer = people[Role.COMMISSIONING_OFFICER]
    (award,) = officer_dashboard(officer, council)["summaries_to_send"]
    assert award == world.award
    assert officer_dashboard(people[Role.PROCUREMENT_OFFICER], council)["summaries_to_send"] == []
    award_url = reverse("commissioning:award_detail", args=[council.slug, world.opportunity.pk])
    assert signed_in(officer).get(award_url).status_code == 200
    send_summaries(world)
    assert officer_dashboard(officer, council)["summaries_to_send"] == []


def test_the_officer_dashboard_runs_in_the_same_queries_with_more_bids_to_open(council, people):
    closed(published_with_bids(council, [bidder("Trust 0")]))

    def more(count):
        for n in range(1, count + 1):
            closed(published_with_bids(council, [bidder(f"Trust {n}")]))

    procurement = people[Role.PROCUREMENT_OFFICER]
    _, response = assert_same_queries(signed_in(procurement), dashboard_url(council), more, rows=4)
    assert response.content.decode().count('data-queue="bids-to-open"') == 4


def test_scrutiny_is_asked_to_record_what_the_committee_did_once_the_meeting_is_held(council, people):
    commission = create_commission(council)
    member = people[Role.SCRUTINY_MEMBER]
    meeting = timezone.localdate() + timedelta(days=1)
    scrutiny_services.agenda_flag_add(by=member, commission=commission, reason="One bid only", meeting_on=meeting)
    record = reverse("monitoring:agenda_flag", args=[council.slug, commission.pk])
    assert f'href="{record}"' not in signed_in(member).get(dashboard_url(council)).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        body = signed_in(member).get(dashboard_url(council)).content.decode()
        assert "Record what the committee did" in body
        assert f'href="{record}"' in body
        assert signed_in(member).get(record).status_code == 200
