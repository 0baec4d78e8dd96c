"""Award pages over HTTP: who is turned away (and how), the officers' journey through the pages, the
ethical walls on scores and assessment summaries, the forward plan pages, and the council's settings
for the award. Providers' own summaries are in `test_award_summaries`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.award import forward_plan, services
from commissioning.models import AssessmentSummary, Award, AwardState, DecisionMaker
from commissioning.tests.award_factories import (
    approved_award,
    award_with_summaries_sent,
    signed_off_evaluation,
    started_award,
)
from commissioning.tests.evaluation_factories import Bidder, bidder
from councils.models import Role

pytestmark = pytest.mark.django_db


def url(world, route="award_detail", **kwargs):
    return reverse(
        f"commissioning:{route}", kwargs={"council_slug": world.council.slug, "pk": world.opportunity.pk, **kwargs}
    )


@pytest.fixture
def sent(council, people):
    """An officer decision with its assessment summaries sent; the provider administrator's organisation
    (Moorside Youth Trust) bid and lost."""
    own = Bidder(user=people["provider_admin"], price=Decimal("52000"))
    return award_with_summaries_sent(council, bidders=[bidder("Dale Community Interest Company", 48000), own])


READERS = [
    Role.LEAD_COMMISSIONER,
    Role.COMMISSIONING_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.LEGAL_OFFICER,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_MEMBER,
    Role.PORTFOLIO_HOLDER,
]
TURNED_AWAY = {
    Role.COUNCIL_ADMIN: 403,
    "other_council_officer": 404,
    "no_role": 404,
    # Acting for a bidder: never a hint of the award's pages, however the organisation did.
    "provider_admin": 404,
    "other_provider_admin": 404,
}


def test_the_award_page_answers_its_readers_and_turns_everyone_else_away(sent, people, client_for, client):
    summary = AssessmentSummary.objects.get(bid=sent.bids[0])
    pages = [url(sent), url(sent, "award_summary_pdf", summary_pk=summary.pk)]
    for role in READERS:
        body = client_for(people[role]).get(pages[0]).content.decode()
        assert "Scores and rationale: Moorside Youth Trust" in body, role
        assert "Evaluation summary" in body
        assert client_for(people[role]).get(pages[1])["Content-Type"] == "application/pdf"
    for visitor, status in TURNED_AWAY.items():
        client = client_for(people[visitor])
        assert [client.get(page).status_code for page in pages] == [status, status], visitor
    client.logout()
    assert client.get(pages[0]).status_code == 302


def test_only_commissioners_prepare_the_award_and_only_the_decision_maker_decides(council, people, client_for):
    world = signed_off_evaluation(council)
    started_award(world)
    for role in (Role.PROCUREMENT_OFFICER, Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER):
        client = client_for(people[role])
        assert client.get(url(world, "award_items")).status_code == 403
        assert client.post(url(world, "award_items"), {"recommendation": "Mine"}).status_code == 403
        assert client.post(url(world, "award_step", name="submit"), {"from_state": "draft"}).status_code == 403
    services.award_transition(by=people[Role.COMMISSIONING_OFFICER], award=world.refresh_award(), name="submit")
    decision = {"from_state": "awaiting_decision", "decision_maker": "delegated_officer", "decided_on": "01/01/2026"}
    for role in (Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER):
        assert client_for(people[role]).post(url(world, "award_decision"), decision).status_code == 403
    assert world.refresh_award().state == AwardState.AWAITING_DECISION


def test_officers_take_the_award_through_its_pages(council, people, client_for, django_capture_on_commit_callbacks):
    world = signed_off_evaluation(council)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    page = officer.get(url(world)).content.decode()
    assert "Start the award" in page
    assert officer.post(url(world, "award_start")).status_code == 302
    award = Award.objects.get(opportunity=world.opportunity)
    key = f"0_{world.bids[0].pk}"

    form = officer.get(url(world, "award_items"))
    assert form.status_code == 200
    # Over the budget envelope: the page says so and keeps what was typed.
    typed = {f"award_{key}": "on", f"value_{key}": "£70,000", "recommendation": "Award to Moorside."}
    refused = officer.post(url(world, "award_items"), typed).content.decode()
    assert "more than the budget envelope of £60,000" in refused
    assert 'value="£70,000"' in refused
    typed[f"value_{key}"] = "45,500"
    assert officer.post(url(world, "award_items"), typed).status_code == 302
    award.refresh_from_db()
    assert award.items.get().value == Decimal("45500")

    assert officer.post(url(world, "award_step", name="submit"), {"from_state": "draft"}).status_code == 302
    lead = client_for(people[Role.LEAD_COMMISSIONER])
    # Awaiting the decision, the award page lists what would stop it (nothing here).
    assert lead.get(url(world)).status_code == 200
    decision_page = lead.get(url(world, "award_decision")).content.decode()
    assert "delegated officer decision" in decision_page
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = lead.post(
        url(world, "award_decision"),
        {"from_state": "awaiting_decision", "decision_maker": "delegated_officer", "decided_on": today, "reason": ""},
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED

    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    assert "Prepare the assessment summaries" in officer.get(url(world)).content.decode()
    # Sending waits for the drafts: the page sends the officer back until they are prepared.
    assert officer.get(url(world, "award_summaries_send")).status_code == 302
    assert officer.post(url(world, "award_summaries")).status_code == 302
    assert "Moorside Youth Trust" in officer.get(url(world, "award_summaries_send")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(url(world, "award_summaries_send")).status_code == 302
    page = officer.get(url(world)).content.decode()
    assert "Assessment summaries" in page
    assert "The assessment summaries were sent on" in page
    # A grant: no contract award notice and no standstill, and the page says why.
    assert "No standstill applies. A grant is not procurement" in page
    assert f"{world.opportunity.commission.reference}-A1" in page
    # Sent: the send page sends the officer back.
    assert officer.get(url(world, "award_summaries_send")).status_code == 302


def test_a_panellists_conflict_hides_that_bids_scores_and_summary_on_the_award_pages(council, people, client_for):
    world = award_with_summaries_sent(
        council,
        world=approved_award(council, world=signed_off_evaluation(council, conflicted={1: "My sister chairs it."})),
    )
    loser = AssessmentSummary.objects.get(bid=world.bids[1])
    walled = client_for(people[Role.LEGAL_OFFICER])
    page = walled.get(url(world)).content.decode()
    assert "Scores and rationale: Moorside Youth Trust" in page
    assert "Scores and rationale: Brightwork" not in page
    assert "Moderated: Brightwork" not in page
    for route in ("award_summary", "award_summary_pdf"):
        assert walled.get(url(world, route, summary_pk=loser.pk)).status_code == 404
    other = client_for(people[Role.PROCUREMENT_OFFICER])
    assert "Moderated: Brightwork" in other.get(url(world)).content.decode()
    assert other.get(url(world, "award_summary_pdf", summary_pk=loser.pk)).status_code == 200
    assert "Moderated: Brightwork" in other.get(url(world, "award_summary", summary_pk=loser.pk)).content.decode()


def test_the_award_list_runs_in_fixed_queries(council, people, client_for, django_assert_max_num_queries):
    approved_award(council)
    client = client_for(people[Role.SCRUTINY_MEMBER])
    list_url = reverse("commissioning:awards", kwargs={"council_slug": council.slug})
    with django_assert_max_num_queries(50) as one:
        assert client.get(list_url).status_code == 200
    approved_award(council, bidders=[bidder("Dale Community Interest Company", 30000)])
    with django_assert_max_num_queries(len(one)):
        body = client.get(list_url).content.decode()
    assert body.count("govuk-tag--green") == 2


def test_the_forward_plan_pages(council, other_council, people, client_for, client, django_assert_max_num_queries):
    commission = signed_off_evaluation(council).opportunity.commission
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    add_url = reverse("commissioning:forward_plan_add", kwargs={"council_slug": council.slug})
    expected = (timezone.localdate() + timedelta(days=40)).strftime("%d/%m/%Y")
    data = {
        "commission": commission.pk,
        "matter": "Award of the befriending grant",
        "decision_maker": DecisionMaker.CABINET,
        "expected_on": expected,
    }
    assert officer.post(add_url, {**data, "expected_on": timezone.localdate().strftime("%d/%m/%Y")}).status_code == 200
    assert officer.post(add_url, data).status_code == 302
    public_url = reverse("opportunities:forward_plan")
    client.logout()
    with django_assert_max_num_queries(20) as one:
        page = client.get(public_url).content.decode()
    assert "Award of the befriending grant" in page
    for number in range(3):
        forward_plan.forward_plan_publish(
            by=people[Role.COMMISSIONING_OFFICER],
            commission=commission,
            matter=f"Decision {number}",
            decision_maker=DecisionMaker.CABINET,
            expected_on=timezone.localdate() + timedelta(days=50),
        )
    with django_assert_max_num_queries(len(one)):
        assert client.get(public_url).content.decode().count("Decision ") >= 3
    # Filtered by another council: nothing of this council's.
    assert "befriending" not in client.get(public_url, {"council": other_council.slug}).content.decode()
    council_page = client_for(people[Role.SCRUTINY_MEMBER]).get(
        reverse("commissioning:forward_plan", kwargs={"council_slug": council.slug})
    )
    assert "Award of the befriending grant" in council_page.content.decode()
    assert "Publish a key decision" not in council_page.content.decode()
    assert client_for(people[Role.SCRUTINY_MEMBER]).post(add_url, data).status_code == 403


def test_the_council_sets_its_award_periods(council, people, client_for):
    client = client_for(people[Role.COUNCIL_ADMIN])
    settings_url = reverse("councils:settings", kwargs={"council_slug": council.slug})
    form = client.get(settings_url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(standstill_working_days="10", call_in_working_days="7", forward_plan_days="30")
    assert client.post(settings_url, {**data, "standstill_working_days": "5"}).status_code == 200
    assert client.post(settings_url, data).status_code == 302
    council.refresh_from_db()
    assert (
        council.standstill_working_days,
        council.call_in_working_days,
        council.forward_plan_days,
    ) == (10, 7, 30)
    assert (
        "10 working days from the contract award notice, where the regime asks for a standstill"
        in client.get(council.get_absolute_url()).content.decode()
    )
