"""Evaluation pages over HTTP: who is turned away (and how), and the forms each person fills in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from commissioning.evaluation import selectors
from commissioning.models import (
    ComplianceResult,
    Declaration,
    Evaluation,
    EvaluationState,
    ModeratedScore,
    PanelMember,
    PriceMethod,
    ScoreSheet,
)
from commissioning.tests.evaluation_factories import bidder, evaluation_in_state, opened_opportunity, submit_scores
from councils.models import Role
from councils.tests.factories import UserFactory
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db


def url(world, route, **kwargs):
    return reverse(
        f"commissioning:{route}",
        kwargs={"council_slug": world.council.slug, "opportunity_pk": world.opportunity.pk, **kwargs},
    )


def build_scoring(council, people):
    return evaluation_in_state(council, EvaluationState.SCORING)


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, scoring = shared_world(
    world_with(scoring=build_scoring), "scoring"
)


DENIED = {
    Role.SCRUTINY_MEMBER: 403,
    Role.PORTFOLIO_HOLDER: 403,
    Role.COUNCIL_ADMIN: 403,
    Role.FINANCE_OFFICER: 403,
    "other_council_officer": 404,
    "no_role": 404,
    "provider_admin": 404,
    "other_provider_admin": 404,
}


@pytest.mark.parametrize(("visitor", "status"), DENIED.items())
def test_people_outside_the_evaluation_are_turned_away_from_every_page(scoring, people, client_for, visitor, status):
    world = scoring
    bid = world.bids[0]
    routes = [
        ("evaluation", {}),
        ("evaluation_setup", {}),
        ("evaluation_panel_add", {}),
        ("evaluation_declarations", {}),
        ("evaluation_bid", {"bid_pk": bid.pk}),
        ("evaluation_compliance", {"bid_pk": bid.pk}),
        ("evaluation_moderation", {}),
        ("evaluation_summary", {}),
        ("evaluation_export", {}),
        ("evaluation_step", {"name": "open_moderation"}),
        ("evaluation_panel_replace", {"member_pk": world.members["panellist"].pk}),
    ]
    client = client_for(people[visitor])
    got = {route: client.get(url(world, route, **kwargs)).status_code for route, kwargs in routes}
    assert got == dict.fromkeys(got, status)
    # Posting changes nothing either.
    assert client.post(url(world, "evaluation_bid", bid_pk=bid.pk), {"submit_scores": "1"}).status_code == status
    assert not ScoreSheet.objects.filter(member__user=people[visitor]).exists()


def test_a_bidder_cannot_reach_their_own_bid_through_the_evaluation(scoring, client_for):
    bidder_user = scoring.bids[0].organisation.members.first().user
    client = client_for(bidder_user)
    assert client.get(url(scoring, "evaluation_bid", bid_pk=scoring.bids[0].pk)).status_code == 404
    assert client.get(url(scoring, "evaluation")).status_code == 404


def test_another_councils_opportunity_is_not_found(scoring, people, other_council, client_for):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    wrong = reverse(
        "commissioning:evaluation",
        kwargs={"council_slug": other_council.slug, "opportunity_pk": scoring.opportunity.pk},
    )
    assert client.get(wrong).status_code == 404


def test_the_lead_commissioner_sets_up_and_appoints_the_panel(council, people, client_for):
    opportunity = opened_opportunity(council, [bidder("Moorside Youth Trust"), bidder("Brightwork")])
    client = client_for(people[Role.LEAD_COMMISSIONER])
    kwargs = {"council_slug": council.slug, "opportunity_pk": opportunity.pk}
    assert client.get(reverse("commissioning:evaluation", kwargs=kwargs)).status_code == 200
    assert (
        client.get(reverse("commissioning:evaluation_declarations", kwargs=kwargs)).status_code == 302
    )  # set up first
    setup = reverse("commissioning:evaluation_setup", kwargs=kwargs)
    response = client.post(setup, {"price_method": "lowest_price", "compliance_checks": "Eligible"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Choose the criterion that price is scored against" in response.content.decode()
    response = client.post(setup, {"price_method": "quality_only", "compliance_checks": "Eligible\nWithin budget\n"})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(opportunity=opportunity)
    assert evaluation.compliance_checks == ["Eligible", "Within budget"]
    add = reverse("commissioning:evaluation_panel_add", kwargs=kwargs)
    chair = people[Role.COMMISSIONING_OFFICER]
    assert client.post(add, {"officer": chair.pk, "chair": "on"}).status_code == 302
    both = client.post(add, {"officer": people[Role.LEGAL_OFFICER].pk, "independent_email": "x@example.org"})
    assert "Choose an officer, or enter an independent member" in both.content.decode()
    stranger = client.post(add, {"independent_email": "nobody@nowhere.example"})
    assert "Nobody has an account with this email address" in stranger.content.decode()
    rep = UserFactory(email="rep@example.org")
    question = opportunity.questions.first()
    assert client.post(add, {"independent_email": "rep@example.org", "questions": [question.pk]}).status_code == 302
    member = PanelMember.objects.get(user=rep, evaluation__opportunity=opportunity)
    assert member.is_independent
    assert list(member.questions.all()) == [question]
    assert PanelMember.objects.get(user=chair, evaluation__opportunity=opportunity).is_chair
    page = client.get(reverse("commissioning:evaluation", kwargs=kwargs)).content.decode()
    assert "Independent member" in page
    assert "Not declared yet" in page


def test_a_panellist_declares_through_the_form(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    client = client_for(world.chair)
    declarations = url(world, "evaluation_declarations")
    first, second = world.bids
    response = client.post(declarations, {f"conflict_{first.pk}": "yes", f"conflict_{second.pk}": "no"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    assert "Describe the nature of your conflict of interest with Moorside Youth Trust" in content
    response = client.post(
        declarations,
        {f"conflict_{first.pk}": "yes", f"nature_{first.pk}": "Trustee.", f"conflict_{second.pk}": "no"},
    )
    assert response.status_code == 302
    assert Declaration.objects.get(member__user=world.chair, bid=first).has_conflict
    assert client.get(url(world, "evaluation_bid", bid_pk=first.pk)).status_code == 404
    assert client.get(url(world, "evaluation_bid", bid_pk=second.pk)).status_code == 200
    # The conflict shows as fixed on the form.
    assert "disabled" in client.get(declarations).content.decode()


def test_compliance_checks_through_the_form(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.COMPLIANCE)
    client = client_for(world.panellist)
    bid = world.bids[1]
    page = url(world, "evaluation_compliance", bid_pk=bid.pk)
    response = client.post(page, {"passed_0": "pass", "passed_1": "fail"})
    assert "Give the reason the bid fails: Within the budget envelope" in response.content.decode()
    assert client.post(page, {"passed_0": "pass", "passed_1": "fail", "reason_1": "Over budget."}).status_code == 302
    assert ComplianceResult.objects.get(bid=bid, passed=False).reason == "Over budget."


def test_blind_scoring_over_http(scoring, client_for):
    world = scoring
    bid = world.bids[0]
    submit_scores(world, world.chair, bid, {c.pk: 5 for c in world.criteria})
    client = client_for(world.panellist)
    sheet = url(world, "evaluation_bid", bid_pk=bid.pk)
    before = client.get(sheet).content.decode()
    assert "Scored 5 on the evidence given." not in before
    assert "Other panellists" not in before
    data = {f"score_{c.pk}": "2" for c in world.criteria}
    response = client.post(sheet, {**data, "submit_scores": "1"})  # no justifications
    assert response.status_code == 200
    assert "Write the justification for your score on Deliverability" in response.content.decode()
    assert client.post(sheet, {**data, "save_draft": "1"}).status_code == 302
    assert not ScoreSheet.objects.get(member__user=world.panellist, bid=bid).is_submitted
    data.update({f"justification_{c.pk}": "Some evidence, gaps in delivery." for c in world.criteria})
    assert client.post(sheet, {**data, "submit_scores": "1"}).status_code == 302
    after = client.get(sheet).content.decode()
    assert "Scored 5 on the evidence given." in after
    assert "Other panellists" in after
    # Submitted scores are final: a second post changes nothing.
    client.post(sheet, {**{f"score_{c.pk}": "5" for c in world.criteria}, "submit_scores": "1"})
    assert {s.score for s in ScoreSheet.objects.get(member__user=world.panellist, bid=bid).scores.all()} == {2}


def test_the_score_sheet_reads_its_walls_in_two_queries_on_every_look(scoring, client_for):
    """Even served from the page cache, the sheet checks the walls afresh: one query for the person's
    place on the panel with the evaluation and the opportunity, one for the bid behind the sealed-bid
    rule and the declarations (all declared, none conflicted); then it records the reading. (Both
    walls are kept statements, prepared on the server: run here as plain SQL, to be read.)"""
    world = scoring
    client = client_for(world.panellist)
    sheet = url(world, "evaluation_bid", bid_pk=world.bids[0].pk)
    client.get(sheet)
    client.get(sheet)
    with override_settings(COMMISSIONER_PREPARED_STATEMENTS=False), CaptureQueriesContext(connection) as queries:
        response = client.get(sheet)
    assert response["X-Page-Cache"] == "hit"
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    walls = [sql for sql in reads if "commissioning_" in sql]
    assert len(walls) == 2, walls
    member, bid = walls
    assert member.split(" FROM ")[1].startswith('"commissioning_panelmember"')
    assert 'JOIN "commissioning_opportunity"' in member
    assert bid.split(" FROM ")[1].startswith('"commissioning_bid"')
    assert "commissioning_declaration" in bid
    assert sum(q["sql"].startswith('INSERT INTO "councils_auditevent"') for q in queries.captured_queries) == 1


def test_a_panellist_who_has_not_declared_against_every_bid_reads_none(scoring, client_for):
    world = scoring
    Declaration.objects.filter(member__user=world.panellist, bid=world.bids[-1]).delete()
    client = client_for(world.panellist)
    assert client.get(url(world, "evaluation_bid", bid_pk=world.bids[0].pk)).status_code == 404


def test_the_chair_moderates_signs_off_and_everyone_sees_the_ranking(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.MODERATION, price_method=PriceMethod.LOWEST_PRICE)
    chair = client_for(world.chair)
    moderation = chair.get(url(world, "evaluation_moderation")).content.decode()
    assert "Discuss" in moderation
    assert "Moorside Youth Trust" in moderation
    for bid in world.bids:
        page = url(world, "evaluation_moderate_bid", bid_pk=bid.pk)
        response = chair.post(page, {f"score_{c.pk}": "3" for c in world.criteria})
        assert "Give the rationale for the moderated score" in response.content.decode()
        data = {f"score_{c.pk}": "3" for c in world.criteria} | {
            f"rationale_{c.pk}": "Both readings considered." for c in world.criteria
        }
        assert chair.post(page, data).status_code == 302
    assert ModeratedScore.objects.count() == 2 * len(world.criteria)
    provisional = chair.get(url(world, "evaluation_summary")).content.decode()
    assert "Provisional" in provisional
    assert client_for(world.panellist).get(url(world, "evaluation_summary")).content.decode().count("Provisional") == 0
    step = url(world, "evaluation_step", name="sign_off")
    assert client_for(world.lead).get(step).status_code == 403
    chair = client_for(world.chair)
    assert "no score, compliance check or moderated score can change" in chair.get(step).content.decode()
    assert chair.post(step, {"seen_state": "moderation", "reason": "Agreed by the panel."}).status_code == 302
    assert world.refresh().state == EvaluationState.SIGNED_OFF
    for user in (world.lead, world.panellist, world.chair):
        summary = client_for(user).get(url(world, "evaluation_summary")).content.decode()
        assert "Signed off" in summary
        assert "1. " in summary
    export = client_for(world.lead).get(url(world, "evaluation_export"))
    assert export["Content-Type"].startswith("text/csv")
    assert export.content.decode().splitlines()[0].startswith("Rank,Organisation,Price (£)")
    chair = client_for(world.chair)
    assert chair.get(url(world, "evaluation_moderate_bid", bid_pk=world.bids[0].pk)).status_code == 302


def test_a_stale_step_page_changes_nothing(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    for user in (world.chair, world.panellist):
        from commissioning.tests.evaluation_factories import declare_all

        declare_all(world, user)
    response = client_for(world.lead).post(
        url(world, "evaluation_step", name="open_compliance"), {"seen_state": "scoring"}
    )
    assert response.status_code == 302
    assert world.refresh().state == EvaluationState.DECLARATIONS


def test_the_lead_replaces_a_panellist_and_names_a_new_chair(scoring, people, client_for):
    world = scoring
    client = client_for(world.lead)
    old = world.members["panellist"]
    replace = url(world, "evaluation_panel_replace", member_pk=old.pk)
    response = client.post(replace, {"officer": people[Role.LEGAL_OFFICER].pk})
    assert "Enter reason for the replacement" in response.content.decode()
    assert client.post(replace, {"officer": people[Role.LEGAL_OFFICER].pk, "reason": "On leave."}).status_code == 302
    new = PanelMember.objects.get(user=people[Role.LEGAL_OFFICER], ended_at__isnull=True)
    assert (
        client.post(url(world, "evaluation_panel_chair", member_pk=new.pk), {"seen_state": "scoring"}).status_code
        == 302
    )
    new.refresh_from_db()
    assert new.is_chair
    assert not PanelMember.objects.get(pk=world.members["chair"].pk).is_chair
    page = client.get(url(world, "evaluation")).content.decode()
    assert "Replaced on" in page
    assert "On leave." in page
    # The replaced panellist is out: 403 (an officer), and sees no bid.
    assert client_for(world.panellist).get(url(world, "evaluation")).status_code == 403
    assert list(selectors.bids_for_panellist(world.panellist, world.opportunity)) == []


def test_the_list_shows_each_person_their_evaluations(scoring, people, client_for):
    page = reverse("commissioning:evaluations", kwargs={"council_slug": scoring.council.slug})
    assert scoring.opportunity.reference in client_for(scoring.chair).get(page).content.decode()
    assert "Set up" not in client_for(scoring.chair).get(page).content.decode()
    assert scoring.opportunity.reference in client_for(scoring.lead).get(page).content.decode()
    assert client_for(people[Role.LEGAL_OFFICER]).get(page).status_code == 200
    assert client_for(people[Role.SCRUTINY_MEMBER]).get(page).status_code == 403
    assert client_for(people["provider_admin"]).get(page).status_code == 404
