"""Commission pages through HTTP: the cycle picture, next steps with what is missing, taking steps,
the list with its filters and fixed query count, the commissioning plan, and who sees what."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from commissioning.models import ApprovalDecision, Commission, DeliveryRoute, State
from commissioning.tests.factories import commission_in_state, complete_understand, create_commission
from councils.models import AuditEvent, Role, User
from councils.tests.factories import OutcomeFactory, PortfolioFactory
from tests.query_counts import assert_same_queries, count_queries


def detail_url(commission):
    return reverse("commissioning:detail", args=[commission.council.slug, commission.pk])


def step_url(commission, name):
    return reverse("commissioning:transition", args=[commission.council.slug, commission.pk, name])


def test_officer_starts_a_commission_from_the_form(client_for, council, people):
    outcome = OutcomeFactory(priority__plan__council=council)
    officer = people[Role.COMMISSIONING_OFFICER]
    response = client_for(officer).post(
        reverse("commissioning:create", args=[council.slug]),
        {"title": "Healthy holidays", "summary": "", "lead_officer": officer.pk, "outcomes": [outcome.pk]},
    )
    commission = Commission.objects.get(title="Healthy holidays")
    assert response.status_code == 302
    assert response["Location"] == commission.get_absolute_url()
    assert list(commission.outcomes.all()) == [outcome]


def test_the_page_shows_the_cycle_and_exactly_what_is_missing(client_for, council, people):
    commission = create_commission(council)
    body = client_for(people[Role.COMMISSIONING_OFFICER]).get(detail_url(commission)).content.decode()
    assert 'aria-current="step"' in body
    assert body.index("app-cycle__step app-cycle__step--current") < body.index(">Plan<")
    assert "Before you can move to plan" in body
    assert "Record the gap analysis" in body
    assert step_url(commission, "start_planning") not in body


def test_when_the_gate_is_met_the_step_is_a_button(client_for, council, people):
    commission = create_commission(council)
    complete_understand(commission)
    body = client_for(people[Role.COMMISSIONING_OFFICER]).get(detail_url(commission)).content.decode()
    assert step_url(commission, "start_planning") in body
    assert "Record the gap analysis" not in body


def test_scrutiny_member_sees_the_commission_but_no_buttons(client_for, council, people):
    commission = create_commission(council)
    complete_understand(commission)
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(detail_url(commission)).content.decode()
    assert commission.title in body
    assert step_url(commission, "start_planning") not in body
    response = client_for(people[Role.SCRUTINY_MEMBER]).post(
        step_url(commission, "start_planning"), {"from_state": State.UNDERSTANDING}
    )
    assert response.status_code == 403
    assert Commission.objects.get(pk=commission.pk).state == State.UNDERSTANDING


def test_officer_takes_a_step_through_the_form(client_for, council, people):
    commission = create_commission(council)
    complete_understand(commission)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert client.get(step_url(commission, "start_planning")).status_code == 200
    response = client.post(step_url(commission, "start_planning"), {"from_state": State.UNDERSTANDING, "reason": ""})
    assert response.status_code == 302
    assert Commission.objects.get(pk=commission.pk).state == State.PLANNING


def test_a_back_step_without_a_reason_shows_an_error_and_changes_nothing(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        step_url(commission, "return_to_understand"), {"from_state": State.PLANNING, "reason": ""}
    )
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    assert Commission.objects.get(pk=commission.pk).state == State.PLANNING


def test_a_stale_page_cannot_move_the_commission(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        step_url(commission, "return_to_understand"), {"from_state": State.UNDERSTANDING, "reason": "x"}, follow=True
    )
    assert "Someone else changed this commission a moment ago" in response.content.decode()
    assert Commission.objects.get(pk=commission.pk).state == State.PLANNING


def test_lead_commissioner_approves_below_threshold_through_the_form(client_for, council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL, budget=Decimal("50000"))
    client = client_for(people[Role.LEAD_COMMISSIONER])
    body = client.get(step_url(commission, "approve")).content.decode()
    assert "delegated officer decision" in body
    response = client.post(
        step_url(commission, "approve"),
        {
            "from_state": State.AWAITING_APPROVAL,
            "decision_maker": "delegated_officer",
            "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
            "reason": "Strong needs evidence",
        },
    )
    assert response.status_code == 302
    assert Commission.objects.get(pk=commission.pk).state == State.SOURCING
    assert ApprovalDecision.objects.get(commission=commission).comments == "Strong needs evidence"


def test_above_threshold_the_lead_commissioner_gets_no_approve_button(client_for, council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL, budget=Decimal("300000"))
    client = client_for(people[Role.LEAD_COMMISSIONER])
    assert step_url(commission, "approve") not in client.get(detail_url(commission)).content.decode()
    assert client.get(step_url(commission, "approve")).status_code == 403


def test_portfolio_holder_records_a_key_decision(client_for, council, people):
    portfolio = PortfolioFactory(council=council, holder=people[Role.PORTFOLIO_HOLDER])
    commission = commission_in_state(council, State.AWAITING_APPROVAL, budget=Decimal("300000"), portfolio=portfolio)
    client = client_for(people[Role.PORTFOLIO_HOLDER])
    incomplete = client.post(
        step_url(commission, "approve"),
        {"from_state": State.AWAITING_APPROVAL, "decision_maker": "cabinet", "decided_on": "01/11/2026"},
    )
    assert incomplete.status_code == 200
    assert "govuk-error-summary" in incomplete.content.decode()
    response = client.post(
        step_url(commission, "approve"),
        {
            "from_state": State.AWAITING_APPROVAL,
            "decision_maker": "cabinet",
            "reference": "CAB/2026/041",
            "decided_on": "01/11/2026",
            "minute_url": "democracy.testshire.example/cab-2026-041",
        },
    )
    assert response.status_code == 302
    decision = ApprovalDecision.objects.get(commission=commission)
    assert (decision.reference, decision.minute_url) == (
        "CAB/2026/041",
        "https://democracy.testshire.example/cab-2026-041",
    )


def test_portfolio_holder_sees_only_commissions_in_their_portfolios(client_for, council, people):
    holder = people[Role.PORTFOLIO_HOLDER]
    mine = create_commission(
        council, title="In my portfolio", portfolio=PortfolioFactory(council=council, holder=holder)
    )
    theirs = create_commission(council, title="Someone else's", portfolio=PortfolioFactory(council=council))
    client = client_for(holder)
    body = client.get(reverse("commissioning:list", args=[council.slug])).content.decode()
    assert mine.title in body
    assert theirs.title not in body
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(detail_url(mine)).status_code == 200


def test_another_councils_commission_is_not_found(client_for, council, other_council, people):
    foreign = create_commission(other_council)
    url = reverse("commissioning:detail", args=[council.slug, foreign.pk])
    assert client_for(people[Role.LEAD_COMMISSIONER]).get(url).status_code == 404


def test_list_filters_by_stage_route_value_and_search(client_for, council, people):
    planning = commission_in_state(council, State.PLANNING, title="Parks improvement")
    sourcing = commission_in_state(council, State.SOURCING, title="Youth work", budget=Decimal("150000"))
    client = client_for(people[Role.SCRUTINY_MEMBER])
    url = reverse("commissioning:list", args=[council.slug])

    def titles(**params):
        body = client.get(url, params).content.decode()
        return {c.title for c in (planning, sourcing) if c.title in body}

    assert titles() == {"Parks improvement", "Youth work"}
    assert titles(stage="do") == {"Youth work"}
    assert titles(state="planning") == {"Parks improvement"}
    assert titles(value_band="tender") == {"Youth work"}
    assert titles(q="parks") == {"Parks improvement"}
    assert titles(lead_officer=sourcing.lead_officer.pk) == {"Parks improvement", "Youth work"}


def test_the_lead_officer_filter_names_each_officer_as_everywhere_else(client_for, council, people):
    named = people[Role.COMMISSIONING_OFFICER]
    unnamed = people[Role.LEAD_COMMISSIONER]
    User.objects.filter(pk=unnamed.pk).update(full_name="")
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(reverse("commissioning:list", args=[council.slug])).content
    options = body.decode().split('name="lead_officer"')[1].split("</select>")[0]
    assert f'<option value="{named.pk}">{named.full_name}</option>' in options
    assert f'<option value="{unnamed.pk}">{unnamed.email}</option>' in options
    assert f'value="{people[Role.SCRUTINY_MEMBER].pk}"' not in options  # not a commissioner


def test_list_query_count_does_not_grow_with_rows(client_for, council, people):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    url = reverse("commissioning:list", args=[council.slug])
    outcome = OutcomeFactory(priority__plan__council=council)
    create_commission(council, outcomes=[outcome])

    def add_rows(count):
        for n in range(count):
            create_commission(
                council, title=f"Commission {n}", outcomes=[outcome], portfolio=PortfolioFactory(council=council)
            )

    _, response = assert_same_queries(client, url, add_rows)
    assert response.body.decode().count("govuk-table__row") >= 26
    filtered, _ = count_queries(client, url, {"stage": "understand", "outcome": outcome.pk})
    assert filtered <= 15


def test_commissioning_plan_lists_investment_and_timetable(client_for, council, people):
    commission = commission_in_state(council, State.DELIVERING, route=DeliveryRoute.IN_HOUSE)
    start = commission.starts_on.year
    body = (
        client_for(people[Role.PORTFOLIO_HOLDER])
        .get(reverse("commissioning:plan", args=[council.slug]), {"from": start, "to": start + 3})
        .content.decode()
    )
    # A portfolio holder sees the plan only for commissions they may read.
    assert commission.title not in body
    body = (
        client_for(people[Role.FINANCE_OFFICER])
        .get(reverse("commissioning:plan", args=[council.slug]), {"from": start, "to": start + 3})
        .content.decode()
    )
    assert commission.title in body
    assert "£60,000" in body
    assert "In-house service level agreement" in body


def test_audit_trail_page_lists_transitions_with_reasons(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    body = (
        client_for(people[Role.SCRUTINY_MEMBER])
        .get(reverse("commissioning:audit", args=[council.slug, commission.pk]))
        .content.decode()
    )
    assert "Move to Plan" in body
    assert "Options and specification" in body
    assert AuditEvent.objects.filter(object_id=str(commission.pk)).count() >= 4


def test_in_sourcing_the_page_says_what_moves_the_commission_on_and_has_no_award_button(council, people, client_for):
    commission = commission_in_state(council, State.SOURCING)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    page = client.get(commission.get_absolute_url()).content.decode()
    assert "moves on when this cycle&#x27;s award is approved" in page
    assert "Record the award" not in page
    for name in ("record_award", "start_delivery"):
        step = reverse(
            "commissioning:transition", kwargs={"council_slug": council.slug, "pk": commission.pk, "name": name}
        )
        assert client.get(step).status_code == 404
        assert client.post(step, {"from_state": State.SOURCING, "reason": "Pressed anyway."}).status_code == 404
    assert Commission.objects.get(pk=commission.pk).state == State.SOURCING
