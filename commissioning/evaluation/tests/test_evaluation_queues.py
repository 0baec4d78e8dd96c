"""What each panel is waiting for: the person's own declarations and scores (with a link), or whose
turn it is (without one); an independent member's page of their panels and their way in from home;
what must never appear (another council's panels in a council's list, a panel behind the ethical
wall); and the page's queries, which do not grow with the number of panels."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commissioning.evaluation import queues, services
from commissioning.models import EvaluationState
from commissioning.tests.evaluation_factories import (
    bidder,
    declare_all,
    evaluation_in_state,
    independent_member,
    open_scoring,
    step,
    submit_scores,
)
from providers.models import ProviderRole
from providers.tests.factories import OrganisationMemberFactory
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task_of(user, council=None):
    (member,) = queues.panels_with_tasks(user, council)
    return member.task


def test_declarations_due_then_waiting_for_the_panel(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    args = [council.slug, world.opportunity.pk]
    task = task_of(world.chair, council)
    assert task.label == "Declare your interests"
    assert task.url == reverse("commissioning:evaluation_declarations", args=args)
    declare_all(world, world.chair)
    task = task_of(world.chair, council)
    assert task.url == ""
    assert f"{task.label}: {task.holder}" == "Waiting for the panel: 2 of 4 declarations in"
    assert task_of(world.panellist, council).label == "Declare your interests"


def test_scores_due_count_out_the_bids_a_panellist_is_conflicted_on(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    declare_all(world, world.chair)
    declare_all(world, world.panellist, conflicts={world.bids[0].pk: "My sister runs it."})
    world.refresh()
    step(world, "open_compliance")
    open_scoring(world)
    assert task_of(world.panellist, council).label == "Score the bids"
    criteria = world.criteria
    submit_scores(world, world.panellist, world.bids[1], {c.pk: 3 for c in criteria})
    task = task_of(world.panellist, council)
    # Two members, two bids, one conflict: three sheets in all, one of them in.
    assert (task.label, task.holder, task.url) == ("Waiting for the panel", "1 of 3 scores in", "")
    chair_task = task_of(world.chair, council)
    assert chair_task.label == "Score the bids"
    assert chair_task.url == reverse("commissioning:evaluation", args=[council.slug, world.opportunity.pk])


def test_only_the_chair_is_given_moderation(council, people):
    world = evaluation_in_state(council, EvaluationState.MODERATION)
    assert task_of(world.chair, council).url.endswith("/moderation/")
    task = task_of(world.panellist, council)
    assert (task.url, task.holder) == ("", "the chair is moderating the scores")


def test_other_councils_panels_and_walled_panels_do_not_appear(council, other_council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    assert queues.panels_with_tasks(world.chair, other_council) == []
    assert len(queues.panels_with_tasks(world.chair)) == 1
    # The panellist comes to act for a bidder: the ethical wall hides the panel from them.
    OrganisationMemberFactory(
        organisation=world.bids[0].organisation, user=world.panellist, role=ProviderRole.BID_WRITER
    )
    assert queues.panels_with_tasks(world.panellist) == []
    assert queues.panels_with_tasks(world.panellist, council) == []


def test_an_independent_member_lands_on_their_panels(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    user, _ = independent_member(world, list(world.opportunity.questions.order_by("position")[:1]))
    client = signed_in(user)
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home.url == reverse("commissioning:my_panels")
    page = client.get(home.url)
    body = page.content.decode()
    declarations = reverse("commissioning:evaluation_declarations", args=[council.slug, world.opportunity.pk])
    assert f'href="{declarations}"' in body
    assert world.opportunity.reference in body
    # The link answers: the page never offers what the person would be refused.
    assert client.get(declarations).status_code == 200
    # Someone on no panel is told so, and home still says they hold no role.
    assert "not on any evaluation panel" in signed_in(people["no_role"]).get(home.url).content.decode()
    assert signed_in(people["no_role"]).get(reverse("home")).status_code == 200


def test_the_panels_page_runs_in_fixed_queries(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS, bidders=[bidder("First Trust")])
    user, _ = independent_member(world, list(world.opportunity.questions.order_by("position")[:1]))

    def more_panels(count):
        for n in range(count):
            other = evaluation_in_state(council, EvaluationState.DECLARATIONS, bidders=[bidder(f"Trust {n}")])
            services.panel_appoint(
                by=other.lead,
                evaluation=other.refresh(),
                user=user,
                independent=True,
                questions=list(other.opportunity.questions.all()[:1]),
            )

    _, response = assert_same_queries(signed_in(user), reverse("commissioning:my_panels"), more_panels, rows=3)
    assert response.content.decode().count("data-panel=") == 3
