"""The walls around bids in evaluation: sealed until opened, panel only, nothing until declared, never
a bid you are conflicted with (list, page, download, compliance, scoring, moderation, summary, CSV),
and an independent member sees only the questions assigned to them. Selectors and HTTP."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from commissioning.evaluation import gates, selectors, services
from commissioning.evaluation import summary as results
from commissioning.models import Declaration, EvaluationState, PriceMethod
from commissioning.tests.evaluation_factories import (
    bidder,
    declare_all,
    evaluation_in_state,
    independent_member,
    moderate,
    open_compliance,
    open_scoring,
    open_the_bids,
    pass_all,
    published_with_bids,
    step,
    submit_scores,
)
from councils.models import Role

pytestmark = pytest.mark.django_db


def url_for(opportunity, route, **kwargs):
    return reverse(
        f"commissioning:{route}",
        kwargs={"council_slug": opportunity.council.slug, "opportunity_pk": opportunity.pk, **kwargs},
    )


def url(world, route, **kwargs):
    return url_for(world.opportunity, route, **kwargs)


@pytest.fixture
def world(council, people):
    """At declarations: two bids (the second with a partner and a document), the chair and a panellist."""
    return evaluation_in_state(
        council,
        EvaluationState.DECLARATIONS,
        bidders=[
            bidder("Moorside Youth Trust", 48000),
            bidder("Brightwork", 52000, partners=["Dale CIC"], document=True),
        ],
    )


def test_an_undeclared_panellist_sees_no_bid_at_all(world, client_for):
    assert list(selectors.bids_for_panellist(world.chair, world.opportunity)) == []
    client = client_for(world.chair)
    for bid in world.bids:
        assert client.get(url(world, "evaluation_bid", bid_pk=bid.pk)).status_code == 404
    page = client.get(url(world, "evaluation"))
    assert page.status_code == 200
    assert "Before you can see any bid, declare your interests" in page.content.decode()


def test_declaring_against_only_some_bids_still_shows_nothing(world):
    with pytest.raises(ValidationError, match="Say whether you have a conflict of interest with Brightwork"):
        services.declarations_record(
            by=world.chair, evaluation=world.evaluation, answers={world.bids[0].pk: (False, "")}
        )
    # Even were a declaration to exist for one bid only, the selector would still show nothing.
    Declaration.objects.create(
        evaluation=world.evaluation,
        member=world.members["chair"],
        bid=world.bids[0],
        organisations="Moorside Youth Trust",
        has_conflict=False,
    )
    assert list(selectors.bids_for_panellist(world.chair, world.opportunity)) == []


def test_the_declarations_page_names_bidders_and_partners_but_shows_no_contents(world, client_for):
    page = client_for(world.chair).get(url(world, "evaluation_declarations")).content.decode()
    assert "Moorside Youth Trust" in page
    assert "Brightwork" in page
    assert "Dale CIC" in page
    assert "answers question" not in page


def test_a_declared_conflict_walls_the_bid_off_everywhere(world, client_for):
    conflicted, other = world.bids[1], world.bids[0]
    declare_all(world, world.chair, conflicts={conflicted.pk: "I am a trustee of Dale CIC."})
    declare_all(world, world.panellist)
    assert selectors.can_read_bid(world.chair, other)
    assert not selectors.can_read_bid(world.chair, conflicted)
    assert not selectors.can_score_bid(world.chair, conflicted)
    assert list(selectors.bids_for_panellist(world.chair, world.opportunity)) == [other]
    client = client_for(world.chair)
    document = conflicted.documents.get()
    for name, kwargs in [
        ("evaluation_bid", {"bid_pk": conflicted.pk}),
        ("evaluation_compliance", {"bid_pk": conflicted.pk}),
        ("evaluation_bid_document", {"bid_pk": conflicted.pk, "document_pk": document.pk}),
    ]:
        assert client.get(url(world, name, **kwargs)).status_code == 404, name
    assert client.get(url(world, "evaluation_bid", bid_pk=other.pk)).status_code == 200
    # The unconflicted panellist reads it, document and all.
    other_client = client_for(world.panellist)
    download = other_client.get(url(world, "evaluation_bid_document", bid_pk=conflicted.pk, document_pk=document.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    # The evaluation page's lists of bids leave it out for the chair (only their own declaration names it).
    page = client_for(world.chair).get(url(world, "evaluation")).content.decode()
    for caption in ("Bids you evaluate", "Progress on each bid"):
        table = page.split(caption, 1)[1].split("</table>", 1)[0]
        assert "Moorside Youth Trust" in table, caption
        assert "Brightwork" not in table, caption


def test_the_services_refuse_a_conflicted_panellist_too(council, people):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    conflicted = world.bids[0]
    declare_all(world, world.chair, conflicts={conflicted.pk: "My partner works there."})
    declare_all(world, world.panellist)
    step(world, "open_compliance")
    with pytest.raises(PermissionDenied):
        pass_all(world, world.chair, conflicted)
    for bid in world.bids:
        pass_all(world, world.panellist, bid)
    step(world, "open_scoring")
    with pytest.raises(PermissionDenied):
        submit_scores(world, world.chair, conflicted, {c.pk: 3 for c in world.criteria})


def test_a_conflicted_chair_cannot_moderate_that_bid_nor_sign_off_and_sees_it_nowhere(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS)
    conflicted, other = world.bids
    third = services.panel_appoint(by=world.lead, evaluation=world.evaluation, user=people[Role.LEGAL_OFFICER])
    declare_all(world, world.chair, conflicts={conflicted.pk: "Former employer, left last year."})
    for user in (world.panellist, third.user):
        declare_all(world, user)
    step(world, "open_compliance")
    for bid in world.bids:
        pass_all(world, world.panellist, bid)
    step(world, "open_scoring")
    for user in (world.chair, world.panellist, third.user):
        for bid in selectors.bids_for_panellist(user, world.opportunity):
            submit_scores(world, user, bid, {c.pk: 3 for c in world.criteria})
    step(world, "open_moderation")
    with pytest.raises(PermissionDenied):
        moderate(world, conflicted, {c.pk: 3 for c in world.criteria})
    moderate(world, other, {c.pk: 3 for c in world.criteria})
    missing = gates.missing_to_sign_off(world.refresh())
    assert any("The chair has declared a conflict" in item for item in missing)
    client = client_for(world.chair)
    moderation = client.get(url(world, "evaluation_moderation")).content.decode()
    assert "Brightwork" in moderation
    assert "Moorside Youth Trust" not in moderation
    assert client.get(url(world, "evaluation_moderate_bid", bid_pk=conflicted.pk)).status_code == 404
    # The lead commissioner names the third panellist chair; they moderate and sign off.
    services.panel_name_chair(by=world.lead, evaluation=world.refresh(), member=third)
    world.chair = third.user
    moderate(world, conflicted, {c.pk: 4 for c in world.criteria})
    step(world, "sign_off", by=third.user)
    # After sign-off the first chair (a panellist now) sees the ranking without the walled-off bid.
    summary = client.get(url(world, "evaluation_summary")).content.decode()
    assert "Brightwork" in summary
    assert "Moorside Youth Trust" not in summary
    export = client.get(url(world, "evaluation_export")).content.decode()
    assert "Brightwork" in export
    assert "Moorside Youth Trust" not in export
    full = results.evaluation_summary(world.opportunity)
    assert {r.organisation for r in full.ranked} == {"Brightwork", "Moorside Youth Trust"}


def test_bids_stay_sealed_until_opened_even_for_a_declared_panel(council, people, client_for):
    opportunity = published_with_bids(council, [bidder("Moorside Youth Trust"), bidder("Brightwork")])
    lead, chair = people[Role.LEAD_COMMISSIONER], people[Role.COMMISSIONING_OFFICER]
    evaluation = services.evaluation_set_up(
        by=lead, opportunity=opportunity, price_method=PriceMethod.QUALITY_ONLY, compliance_checks=["Eligible"]
    )
    services.panel_appoint(by=lead, evaluation=evaluation, user=chair, chair=True)
    assert list(selectors.unsealed_bids(chair, opportunity)) == []
    assert list(selectors.evaluated_bids(opportunity)) == []
    with pytest.raises(ValidationError, match="once the bids have been opened"):
        services.declarations_record(by=chair, evaluation=evaluation, answers={})
    bid = opportunity.bids.first()
    assert client_for(chair).get(url_for(opportunity, "evaluation_bid", bid_pk=bid.pk)).status_code == 404
    assert "sealed" in client_for(chair).get(url_for(opportunity, "evaluation_declarations")).content.decode()
    open_the_bids(opportunity)
    assert selectors.unsealed_bids(chair, opportunity).count() == 2


def test_a_bidder_cannot_be_appointed_and_a_non_member_sees_nothing(world, people):
    bidder_user = world.bids[0].organisation.members.first().user
    with pytest.raises(ValidationError, match="acts for an organisation that bid"):
        services.panel_appoint(
            by=world.lead,
            evaluation=world.evaluation,
            user=bidder_user,
            independent=True,
            questions=list(world.opportunity.questions.all()[:1]),
        )
    finance = people[Role.FINANCE_OFFICER]
    assert list(selectors.bids_for_panellist(finance, world.opportunity)) == []
    assert list(selectors.bids_for_panellist(world.lead, world.opportunity)) == []


def test_an_independent_member_sees_only_the_assigned_sections(world, client_for):
    questions = list(world.opportunity.questions.order_by("position")[:2])
    user, member = independent_member(world, questions)
    client = client_for(user)
    assert client.get(url(world, "evaluation_bid", bid_pk=world.bids[0].pk)).status_code == 404  # not declared
    declare_all(world, user)
    assert selectors.member_criteria(world.evaluation, member) == [q.criterion for q in questions]
    page = client.get(url(world, "evaluation_bid", bid_pk=world.bids[1].pk)).content.decode()
    assert "Brightwork answers question 1" in page
    assert "Brightwork answers question 2" in page
    assert "answers question 3" not in page
    assert "Delivering the service" not in page  # no price lines
    assert "Delivery plan" not in page  # no documents
    document = world.bids[1].documents.get()
    denied = [
        ("evaluation_bid_document", {"bid_pk": world.bids[1].pk, "document_pk": document.pk}),
        ("evaluation_compliance", {"bid_pk": world.bids[1].pk}),
        ("evaluation_moderation", {}),
        ("evaluation_summary", {}),
        ("evaluation_export", {}),
        ("evaluation_setup", {}),
        ("evaluation_panel_add", {}),
        ("evaluation_step", {"name": "open_compliance"}),
    ]
    for name, kwargs in denied:
        assert client.get(url(world, name, **kwargs)).status_code == 404, name
    overview = client.get(url(world, "evaluation")).content.decode()
    assert "The panel" not in overview
    assert world.chair.full_name not in overview
    # Nothing else in the system: council pages are closed to them.
    council_url = reverse("commissioning:list", kwargs={"council_slug": world.council.slug})
    assert client.get(council_url).status_code == 403


def test_an_independent_member_scores_only_their_criteria_and_sees_others_only_there(council, people, client_for):
    world = evaluation_in_state(council, EvaluationState.DECLARATIONS, price_method=PriceMethod.QUALITY_ONLY)
    question = world.opportunity.questions.order_by("position").first()
    user, member = independent_member(world, [question])
    open_compliance(world, user)
    open_scoring(world)
    bid = world.bids[0]
    submit_scores(world, world.chair, bid, {c.pk: 4 for c in world.criteria})
    sheet = submit_scores(world, user, bid, {question.criterion_id: 2})
    assert [s.criterion_id for s in sheet.scores.all()] == [question.criterion_id]
    page = client_for(user).get(url(world, "evaluation_bid", bid_pk=bid.pk)).content.decode()
    assert f"{escape(str(world.chair))}: 4" in page
    assert page.count(f"{escape(str(world.chair))}: 4") == 1  # only on the one criterion they score
