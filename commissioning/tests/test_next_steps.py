"""Next steps that tell the truth: each names the action, who holds it and (only for someone the
target page lets in) a link to it; when the turn is another's it says whose, without a link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from commissioning.models import DeliveryRoute, EvaluationState, State
from commissioning.tests.award_factories import signed_off_evaluation, submitted_award
from commissioning.tests.evaluation_factories import bidder, declare_all, evaluation_in_state, opened_opportunity
from commissioning.tests.factories import commission_in_state
from councils.models import Role

pytestmark = pytest.mark.django_db


def page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def next_steps_of(body: str) -> str:
    start = body.index("data-next-steps")
    return body[start : body.index("</section>", start)]


def test_after_approval_the_next_step_is_creating_the_opportunity(council, people):
    commission = commission_in_state(council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000))
    create = reverse("commissioning:opportunity_create", args=[council.slug, commission.pk])
    officer = next_steps_of(page(people[Role.COMMISSIONING_OFFICER], commission.get_absolute_url()))
    assert f'href="{create}"' in officer
    assert "There is nothing for you to do" not in officer
    # Finance reads the commission but may not create the opportunity: told whose it is, no link.
    finance = next_steps_of(page(people[Role.FINANCE_OFFICER], commission.get_absolute_url()))
    assert f'href="{create}"' not in finance
    assert "Create the opportunity: held by the commissioning and procurement officers." in finance
    client = Client()
    client.force_login(people[Role.FINANCE_OFFICER])
    assert client.get(create).status_code == 403  # the link would have been refused


def test_awaiting_approval_names_who_decides(council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL, budget=Decimal(50000))
    officer = next_steps_of(page(people[Role.COMMISSIONING_OFFICER], commission.get_absolute_url()))
    assert "Approve the commission: held by the lead commissioner (a delegated decision)." in officer
    lead = next_steps_of(page(people[Role.LEAD_COMMISSIONER], commission.get_absolute_url()))
    approve = reverse("commissioning:transition", args=[council.slug, commission.pk, "approve"])
    assert f'href="{approve}"' in lead


def test_after_opening_the_evaluation_is_linked_only_for_those_it_lets_in(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    manage = reverse("commissioning:opportunity", args=[council.slug, world.opportunity.pk])
    evaluation = reverse("commissioning:evaluation", args=[council.slug, world.opportunity.pk])
    # The legal officer (an opening officer, not on the panel) is told whose turn it is.
    legal = page(people[Role.LEGAL_OFFICER], manage)
    assert f'href="{evaluation}"' not in legal
    assert "The evaluation: held by the evaluation panel" in next_steps_of(legal)
    client = Client()
    client.force_login(people[Role.LEGAL_OFFICER])
    assert client.get(evaluation).status_code == 403
    # The panel and the lead commissioner get the link, and it answers.
    for user in (world.chair, world.panellist, world.lead):
        assert f'href="{evaluation}"' in next_steps_of(page(user, manage))
        assert page(user, evaluation)


def test_opened_bids_without_an_evaluation_wait_for_the_lead_commissioner(council, people):
    opportunity = opened_opportunity(council, [bidder("Moorside Youth Trust")])
    manage = reverse("commissioning:opportunity", args=[council.slug, opportunity.pk])
    setup = reverse("commissioning:evaluation_setup", args=[council.slug, opportunity.pk])
    officer = next_steps_of(page(people[Role.PROCUREMENT_OFFICER], manage))
    assert "Set up the evaluation: held by the lead commissioner." in officer
    assert f'href="{setup}"' not in officer
    assert f'href="{setup}"' in next_steps_of(page(people[Role.LEAD_COMMISSIONER], manage))


def test_the_evaluation_page_gives_each_person_their_part_or_whose_turn(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    evaluation = reverse("commissioning:evaluation", args=[council.slug, world.opportunity.pk])
    declarations = reverse("commissioning:evaluation_declarations", args=[council.slug, world.opportunity.pk])
    assert f'href="{declarations}"' in next_steps_of(page(world.panellist, evaluation))
    declare_all(world, world.panellist)
    panellist = next_steps_of(page(world.panellist, evaluation))
    assert "Waiting for the panel: 2 of 4 declarations in." in panellist
    assert "Start the compliance checks: held by the lead commissioner." in panellist
    step = reverse("commissioning:evaluation_step", args=[council.slug, world.opportunity.pk, "open_compliance"])
    assert f'href="{step}"' not in panellist
    assert "Before you can start the compliance checks" in next_steps_of(page(world.lead, evaluation))


def test_an_award_awaiting_a_decision_names_who_decides(council, people):
    world = signed_off_evaluation(council)
    award = submitted_award(world)
    award_url = reverse("commissioning:award_detail", args=[council.slug, world.opportunity.pk])
    decision = reverse("commissioning:award_decision", args=[council.slug, world.opportunity.pk])
    officer = next_steps_of(page(people[Role.COMMISSIONING_OFFICER], award_url))
    assert f'href="{decision}"' not in officer
    holder = (
        "portfolio holder (a key decision)" if award.is_key_decision else "lead commissioner (a delegated decision)"
    )
    assert f"Take the decision: held by the {holder}." in officer
