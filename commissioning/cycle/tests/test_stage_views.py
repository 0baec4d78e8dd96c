"""The work of each stage through HTTP: adding and changing records, who may, when, and scoping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.cycle import services
from commissioning.models import (
    Commission,
    DecommissioningRecord,
    DeliveryOption,
    EngagementActivity,
    EvaluationCriterion,
    Evidence,
    ExistingProvision,
    FundingCommitment,
    FundingPot,
    GapAnalysis,
    NeedsAssessment,
    OutcomeSought,
    ReviewReport,
    Risk,
    State,
    SuccessMeasure,
)
from commissioning.tests.factories import (
    FundingPotFactory,
    commission_in_state,
    create_commission,
    staff,
)
from councils.models import AuditEvent, Role
from councils.tests.factories import OutcomeFactory, PortfolioFactory

READERS_WHO_CANNOT_EDIT = [Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER, Role.FINANCE_OFFICER]


def add_url(commission, kind):
    return reverse("commissioning:record_add", args=[commission.council.slug, commission.pk, kind])


def edit_url(commission, kind, record):
    return reverse("commissioning:record_edit", args=[commission.council.slug, commission.pk, kind, record.pk])


def remove_url(commission, kind, record):
    return reverse(
        "commissioning:record_remove",
        args=[commission.council.slug, commission.pk, kind, record.pk],
    )


def audit_types(commission) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(commission.pk), content_type__model="commission")
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def error_messages(response) -> list[str]:
    """The GOV.UK error messages on a page, for readable failures."""
    body = response.content.decode()
    return [part.split("</p>")[0].strip() for part in body.split('class="govuk-error-message"')[1:]]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def saved(commission, instance):
    """A record saved through the service, as the commissioning officer would."""
    officer = staff(commission.council, Role.COMMISSIONING_OFFICER)
    return services.stage_record_save(by=officer, commission=commission, instance=instance)


def risk_of(commission, description="Low take-up", likelihood=2, impact=2):
    return saved(
        commission,
        Risk(commission=commission, description=description, likelihood=likelihood, impact=impact),
    )


def outcome_sought(commission, description="Fewer older people feel lonely"):
    council_outcome = OutcomeFactory(priority__plan__council=commission.council)
    return saved(
        commission,
        OutcomeSought(commission=commission, council_outcome=council_outcome, description=description),
    )


def valid_data(kind, commission) -> dict:
    """What an officer would type for each kind of record."""
    council = commission.council
    if kind == "outcomes":
        return {
            "council_outcome": OutcomeFactory(priority__plan__council=council).pk,
            "description": "Older people have someone to talk to",
        }
    if kind == "measures":
        return {
            "outcome_sought": outcome_sought(commission).pk,
            "description": "Befriending sessions delivered",
            "baseline": "0",
            "target": "1,200",
            "unit": "sessions",
        }
    if kind == "funding":
        return {"pot": FundingPotFactory(council=council).pk, "amount": "£12,500.50"}
    return {
        "needs-assessment": {
            "population_and_demand": "2,400 people over 75 live alone in the district.",
            "summary_of_need": "Regular contact and activities for older people living alone.",
        },
        "evidence": {
            "kind": "data",
            "title": "Census 2021 living alone",
            "source": "ONS",
            "link": "ons.gov.uk",
        },
        "engagement": {
            "stage": "plan",
            "kind": "workshop",
            "held_on": "24/11/2026",
            "participants": "Residents of the rural wards",
            "number_of_participants": "14",
            "what_we_heard": "Transport is the main barrier.",
        },
        "provision": {
            "service_name": "Lunch club",
            "provider_name": "Age Concern Testshire",
            "annual_funding": "£12,500",
            "quality": "good",
        },
        "gap-analysis": {"gaps": "No befriending service in the rural wards."},
        "options": {
            "route": "grant",
            "description": "A grant to a voluntary sector befriending scheme",
            "estimated_annual_cost": "£20,000",
            "cost_score": "4",
            "risk_score": "3",
            "outcomes_score": "5",
            "social_value_score": "5",
        },
        "criteria": {"title": "Reach into rural wards", "weight": "20"},
        "risks": {
            "description": "No provider bids for the rural wards",
            "likelihood": "2",
            "impact": "4",
        },
        "review": {
            "outcomes_achieved": "38 of 40 sessions delivered.",
            "value_for_money": "£1,500 a session, below the benchmark.",
            "lessons_learned": "Rural transport was the main barrier.",
            "recommendation": "recommission",
            "rationale": "The need remains and outcomes were mostly met.",
        },
        "decommissioning": {
            "rationale": "The need is now met by the NHS social prescribing service.",
            "impact_on_service_users": "Users move to social prescribing; nobody loses out.",
            "providers_notified_on": "01/10/2026",
            "notification_details": "Letters to the provider and partners six months ahead.",
        },
    }[kind]


def records_of(model, commission):
    if model is SuccessMeasure:
        return SuccessMeasure.objects.filter(outcome_sought__commission=commission)
    return model.objects.filter(commission=commission)


KINDS = [
    ("needs-assessment", NeedsAssessment, State.UNDERSTANDING, "understand"),
    ("evidence", Evidence, State.UNDERSTANDING, "understand"),
    ("provision", ExistingProvision, State.UNDERSTANDING, "understand"),
    ("gap-analysis", GapAnalysis, State.UNDERSTANDING, "understand"),
    ("engagement", EngagementActivity, State.PLANNING, "engagement"),
    ("options", DeliveryOption, State.PLANNING, "plan"),
    ("outcomes", OutcomeSought, State.PLANNING, "plan"),
    ("measures", SuccessMeasure, State.PLANNING, "plan"),
    ("criteria", EvaluationCriterion, State.PLANNING, "plan"),
    ("funding", FundingCommitment, State.PLANNING, "plan"),
    ("risks", Risk, State.PLANNING, "risks"),
    ("review", ReviewReport, State.REVIEWING, "review"),
    ("decommissioning", DecommissioningRecord, State.REVIEWING, "review"),
]


@pytest.mark.parametrize(("kind", "model", "state", "section"), KINDS, ids=[k[0] for k in KINDS])
def test_an_officer_adds_each_kind_of_record_and_it_is_audited(
    client_for, council, people, kind, model, state, section
):
    commission = commission_in_state(council, state)
    officer = people[Role.COMMISSIONING_OFFICER]
    data = valid_data(kind, commission)
    client = client_for(officer)
    page = client.get(add_url(commission, kind))
    assert page.status_code == 200
    assert 'type="number"' not in page.content.decode()  # GOV.UK: text inputs with a numeric keyboard
    before = records_of(model, commission).count()

    response = client.post(add_url(commission, kind), data)

    assert response.status_code == 302, error_messages(response)
    assert response["Location"] == f"{commission.get_absolute_url()}#{section}"
    assert records_of(model, commission).count() == before + 1
    event = AuditEvent.objects.filter(object_id=str(commission.pk)).order_by("-id").first()
    assert event.event_type == f"commission.{model._meta.model_name}.added"
    assert event.actor == officer
    assert any("added" in m for m in messages_of(response))


def test_typed_money_dates_and_scores_are_stored_as_values(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    client.post(add_url(commission, "options"), valid_data("options", commission))
    client.post(add_url(commission, "engagement"), valid_data("engagement", commission))
    option = DeliveryOption.objects.get(commission=commission, route="grant")
    assert (option.estimated_annual_cost, option.total_score) == (Decimal(20000), 17)
    activity = EngagementActivity.objects.get(commission=commission, participants="Residents of the rural wards")
    assert (str(activity.held_on), activity.number_of_participants) == ("2026-11-24", 14)


def test_changing_a_record_saves_it_and_records_which_fields_changed(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    risk = risk_of(commission)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    page = client.get(edit_url(commission, "risks", risk)).content.decode()
    assert "Low take-up" in page
    response = client.post(
        edit_url(commission, "risks", risk),
        {"description": "Low take-up", "likelihood": "4", "impact": "2"},
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.likelihood == 4
    event = AuditEvent.objects.filter(object_id=str(commission.pk)).order_by("-id").first()
    assert (event.event_type, event.extra["fields"]) == ("commission.risk.changed", ["likelihood"])


def test_invalid_input_keeps_what_was_typed_and_shows_the_error_summary(client_for, council, people):
    commission = create_commission(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        add_url(commission, "provision"),
        {
            "service_name": "Keep this service name",
            "provider_name": "",
            "annual_funding": "lots",
            "quality": "good",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Keep this service name" in body
    assert 'value="lots"' in body
    assert "Enter an amount in pounds" in body
    assert "Enter provider name" in body
    assert not ExistingProvision.objects.filter(commission=commission).exists()


def test_the_form_page_says_which_commission_it_belongs_to(client_for, council, people):
    commission = create_commission(council, title="Tackling loneliness in later life")
    body = client_for(people[Role.COMMISSIONING_OFFICER]).get(add_url(commission, "evidence")).content.decode()
    assert commission.reference in body
    assert "Tackling loneliness in later life" in body
    assert "Add evidence" in body
    assert 'type="number"' not in body


def test_a_service_validation_error_is_shown_on_the_form(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    pot = FundingPotFactory(council=council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    client.post(add_url(commission, "funding"), {"pot": pot.pk, "amount": "1000"})
    response = client.post(add_url(commission, "funding"), {"pot": pot.pk, "amount": "2000"})
    assert response.status_code == 200
    assert "already draws from that pot" in response.content.decode()
    assert FundingCommitment.objects.get(commission=commission).amount == Decimal(1000)


def test_unknown_kinds_are_not_found(client_for, council, people):
    commission = create_commission(council)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).get(add_url(commission, "horoscopes"))
    assert response.status_code == 404


def test_another_councils_commission_is_not_found(client_for, council, other_council, people):
    foreign = create_commission(other_council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    # Through this council's address, and through the other council's, where they have no role.
    url = reverse("commissioning:record_add", args=[council.slug, foreign.pk, "evidence"])
    assert client.get(url).status_code == 404
    assert client.post(url, valid_data("evidence", foreign)).status_code == 404
    assert client.get(add_url(foreign, "evidence")).status_code == 404
    assert client.post(add_url(foreign, "evidence"), valid_data("evidence", foreign)).status_code == 404
    assert not Evidence.objects.filter(commission=foreign).exists()


def test_a_record_of_another_commission_is_not_found(client_for, council, people):
    mine, theirs = create_commission(council), create_commission(council)
    officer = people[Role.COMMISSIONING_OFFICER]
    evidence = saved(theirs, Evidence(commission=theirs, kind="data", title="Theirs", source="ONS"))
    client = client_for(officer)
    assert client.get(edit_url(mine, "evidence", evidence)).status_code == 404
    response = client.post(edit_url(mine, "evidence", evidence), {**valid_data("evidence", mine), "title": "Hijack"})
    assert response.status_code == 404
    assert client.post(remove_url(mine, "evidence", evidence)).status_code == 404
    evidence.refresh_from_db()
    assert evidence.title == "Theirs"


@pytest.mark.parametrize("role", READERS_WHO_CANNOT_EDIT)
def test_readers_who_cannot_edit_are_forbidden_and_change_nothing(client_for, council, people, role):
    portfolio = PortfolioFactory(council=council, holder=people[Role.PORTFOLIO_HOLDER])
    commission = create_commission(council, portfolio=portfolio)
    risk = risk_of(commission)
    events_before = audit_types(commission)
    client = client_for(people[role])
    assert client.get(commission.get_absolute_url()).status_code == 200  # they can read it
    urls = {
        add_url(commission, "evidence"): valid_data("evidence", commission),
        edit_url(commission, "risks", risk): {
            "description": "Changed",
            "likelihood": "5",
            "impact": "5",
        },
        remove_url(commission, "risks", risk): {},
        reverse("commissioning:edit", args=[council.slug, commission.pk]): {"title": "Changed"},
        reverse("commissioning:criteria_template", args=[council.slug, commission.pk]): {},
    }
    for url, data in urls.items():
        if "template" not in url:
            assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    risk.refresh_from_db()
    assert (risk.description, risk.likelihood) == ("Low take-up", 2)
    assert not Evidence.objects.filter(commission=commission).exists()
    assert not EvaluationCriterion.objects.filter(commission=commission).exists()
    assert Commission.objects.get(pk=commission.pk).title == commission.title
    assert audit_types(commission) == events_before


def test_understand_records_are_fixed_once_the_commission_moves_to_plan(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    evidence = Evidence.objects.filter(commission=commission).first()
    title, count = evidence.title, Evidence.objects.filter(commission=commission).count()
    events_before = audit_types(commission)
    client = client_for(people[Role.COMMISSIONING_OFFICER])

    response = client.post(edit_url(commission, "evidence", evidence), {**valid_data("evidence", commission)})
    assert response.status_code == 302
    assert response["Location"] == f"{commission.get_absolute_url()}#understand"
    assert any("cannot be changed at this stage" in m for m in messages_of(response))
    response = client.get(add_url(commission, "evidence"), follow=True)
    assert "cannot be changed at this stage" in response.content.decode()
    assert client.post(remove_url(commission, "evidence", evidence)).status_code == 302

    evidence.refresh_from_db()
    assert evidence.title == title
    assert Evidence.objects.filter(commission=commission).count() == count
    assert audit_types(commission) == events_before


def test_the_review_cannot_be_written_before_the_review_stage(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        add_url(commission, "review"), valid_data("review", commission)
    )
    assert response["Location"] == f"{commission.get_absolute_url()}#review"
    assert not ReviewReport.objects.filter(commission=commission).exists()


def test_a_success_measure_can_only_be_added_to_this_commissions_outcome(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    other = commission_in_state(council, State.PLANNING, title="Another commission")
    mine, theirs = outcome_sought(commission, "Ours"), outcome_sought(other, "Theirs")
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    data = {"description": "Sessions", "target": "40", "unit": "sessions"}

    page = client.get(add_url(commission, "measures") + f"?outcome={mine.pk}").content.decode()
    assert "Ours" in page
    assert "Theirs" not in page
    assert client.get(add_url(commission, "measures") + f"?outcome={theirs.pk}").status_code == 404
    response = client.post(add_url(commission, "measures"), {**data, "outcome_sought": theirs.pk})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not SuccessMeasure.objects.exists()

    response = client.post(add_url(commission, "measures") + f"?outcome={mine.pk}", {**data, "outcome_sought": mine.pk})
    assert response.status_code == 302
    assert SuccessMeasure.objects.get().outcome_sought == mine


def test_a_success_measure_needs_an_outcome_sought_first(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).get(add_url(commission, "measures"))
    assert response.status_code == 302
    assert any("outcome sought" in m for m in messages_of(response))


def test_outcomes_and_funding_offer_only_this_councils_choices(client_for, council, other_council, people):
    commission = commission_in_state(council, State.PLANNING)
    foreign_outcome = OutcomeFactory(priority__plan__council=other_council, title="Otherton outcome")
    foreign_pot = FundingPotFactory(council=other_council, name="Otherton pot")
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert "Otherton outcome" not in client.get(add_url(commission, "outcomes")).content.decode()
    assert "Otherton pot" not in client.get(add_url(commission, "funding")).content.decode()
    client.post(add_url(commission, "outcomes"), {"council_outcome": foreign_outcome.pk, "description": "x"})
    client.post(add_url(commission, "funding"), {"pot": foreign_pot.pk, "amount": "100"})
    assert not OutcomeSought.objects.filter(commission=commission).exists()
    assert not FundingCommitment.objects.filter(commission=commission).exists()


def test_adding_a_second_needs_assessment_goes_to_the_one_already_there(client_for, council, people):
    commission = commission_in_state(council, State.UNDERSTANDING)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    client.post(add_url(commission, "needs-assessment"), valid_data("needs-assessment", commission))
    assessment = NeedsAssessment.objects.get(commission=commission)
    response = client.get(add_url(commission, "needs-assessment"))
    assert response["Location"] == edit_url(commission, "needs-assessment", assessment)
    client.post(add_url(commission, "needs-assessment"), valid_data("needs-assessment", commission))
    assert NeedsAssessment.objects.filter(commission=commission).count() == 1


def test_removing_a_record_asks_first_then_removes_it_and_audits(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    risk = risk_of(commission, "Provider fails", impact=5)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    page = client.get(remove_url(commission, "risks", risk)).content.decode()
    assert "Are you sure you want to remove this risk?" in page
    assert "Provider fails" in page
    assert "govuk-button--warning" in page
    assert Risk.objects.filter(pk=risk.pk).exists()

    response = client.post(remove_url(commission, "risks", risk))
    assert response["Location"] == f"{commission.get_absolute_url()}#risks"
    assert not Risk.objects.filter(pk=risk.pk).exists()
    assert audit_types(commission)[-1] == "commission.risk.removed"


def test_the_criteria_template_adds_eight_criteria_totalling_100(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    url = reverse("commissioning:criteria_template", args=[council.slug, commission.pk])
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert client.get(url).status_code == 405

    response = client.post(url)
    assert response["Location"] == f"{commission.get_absolute_url()}#plan"
    criteria = EvaluationCriterion.objects.filter(commission=commission)
    assert (criteria.count(), sum(c.weight for c in criteria)) == (8, 100)
    assert "commission.criteria.template_applied" in audit_types(commission)

    response = client.post(url)
    assert response.status_code == 302
    assert any("already has evaluation criteria" in m for m in messages_of(response))
    assert criteria.count() == 8


def test_the_commission_details_are_edited_with_money_and_dates_as_typed(client_for, council, people, outcome):
    commission = commission_in_state(council, State.PLANNING)
    url = reverse("commissioning:edit", args=[council.slug, commission.pk])
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    page = client.get(url).content.decode()
    assert 'name="state"' not in page
    response = client.post(
        url,
        {
            "title": "Befriending in later life",
            "lead_officer": people[Role.COMMISSIONING_OFFICER].pk,
            "outcomes": [outcome.pk],
            "delivery_route": "grant",
            "budget": "£75,000",
            "starts_on": "01/04/2027",
            "ends_on": "31/03/2030",
            "state": State.DELIVERING,
        },
    )
    assert response.status_code == 302
    commission.refresh_from_db()
    assert (commission.title, commission.budget, commission.state) == (
        "Befriending in later life",
        Decimal(75000),
        State.PLANNING,
    )
    assert str(commission.ends_on) == "2030-03-31"
    assert list(commission.outcomes.all()) == [outcome]
    assert audit_types(commission)[-1] == "commission.updated"


def test_the_commission_details_reject_an_end_before_the_start(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    url = reverse("commissioning:edit", args=[council.slug, commission.pk])
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        url,
        {
            "title": "Keep this title",
            "lead_officer": people[Role.COMMISSIONING_OFFICER].pk,
            "starts_on": "01/04/2027",
            "ends_on": "31/03/2026",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The end date must be the same as or after the start date." in body
    assert "Keep this title" in body
    commission.refresh_from_db()
    assert commission.starts_on is None


def test_the_commission_details_are_fixed_once_submitted_for_approval(client_for, council, people):
    commission = commission_in_state(council, State.AWAITING_APPROVAL)
    url = reverse("commissioning:edit", args=[council.slug, commission.pk])
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(
        url, {"title": "Changed", "lead_officer": people[Role.COMMISSIONING_OFFICER].pk}
    )
    assert response.status_code == 302
    assert any("cannot be changed at this stage" in m for m in messages_of(response))
    commission.refresh_from_db()
    assert commission.title != "Changed"


def test_funding_pots_show_committed_proposed_and_remaining(client_for, council, other_council, people):
    approved = commission_in_state(council, State.SOURCING, budget=Decimal(25000))
    pot = FundingCommitment.objects.get(commission=approved).pot  # committed once approved
    FundingPot.objects.filter(pk=pot.pk).update(name="Community wellbeing fund", amount=Decimal(100000))
    planned = commission_in_state(council, State.PLANNING)
    saved(planned, FundingCommitment(commission=planned, pot=pot, amount=Decimal(10000)))
    FundingPotFactory(council=other_council, name="Otherton partnership fund")
    response = client_for(people[Role.FINANCE_OFFICER]).get(reverse("commissioning:funding_pots", args=[council.slug]))
    body = response.content.decode()
    row = body[body.index("Community wellbeing fund") :].split("</tr>")[0]
    numbers = [cell.split("<")[0] for cell in row.split('numeric">')[1:]]
    assert numbers == [
        "£100,000",
        "£25,000",
        "£10,000",
        "£75,000",
    ]  # amount, committed, proposed, left
    assert "Otherton partnership fund" not in body
    assert "Add a funding pot" in body  # finance officers manage funding


def test_funding_pots_are_managed_by_finance_and_the_lead_commissioner(client_for, council, other_council, people):
    list_url = reverse("commissioning:funding_pots", args=[council.slug])
    add = reverse("commissioning:funding_pot_add", args=[council.slug])
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert client.get(list_url).status_code == 200
    assert "Add a funding pot" not in client.get(list_url).content.decode()
    assert client.get(add).status_code == 403

    client = client_for(people[Role.LEAD_COMMISSIONER])
    data = {
        "name": "Better Care Fund",
        "source": "nhs",
        "amount": "£250,000",
        "starts_on": "01/04/2026",
        "ends_on": "31/03/2027",
    }
    assert client.post(add, data)["Location"] == list_url
    pot = FundingPot.objects.get(council=council, name="Better Care Fund")
    assert pot.amount == Decimal(250000)
    assert AuditEvent.objects.filter(event_type="funding_pot.created", object_id=str(pot.pk)).exists()

    edit = reverse("commissioning:funding_pot_edit", args=[council.slug, pot.pk])
    client.post(edit, {**data, "amount": "300000"})
    pot.refresh_from_db()
    assert pot.amount == Decimal(300000)
    response = client.post(add, data)
    assert "There is already a funding pot with this name." in response.content.decode()

    foreign = FundingPotFactory(council=other_council)
    assert client.get(reverse("commissioning:funding_pot_edit", args=[council.slug, foreign.pk])).status_code == 404


def test_the_commission_page_shows_each_stage_with_links_only_for_editors(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    officer = people[Role.COMMISSIONING_OFFICER]
    outcome = outcome_sought(commission, "Older people have someone to talk to")
    measure = SuccessMeasure(outcome_sought=outcome, description="Phone calls made", target=1200, unit="calls")
    saved(commission, measure)
    services.criteria_apply_default_template(by=officer, commission=commission)

    officer_page = client_for(officer).get(commission.get_absolute_url()).content.decode()
    for heading in ('id="understand"', 'id="plan"', 'id="review"', 'id="engagement"', 'id="risks"'):
        assert heading in officer_page
    assert "Older people have someone to talk to" in officer_page
    assert "Phone calls made" in officer_page
    assert "1,200" in officer_page
    assert "Links to corporate priorities and other approved strategies" in officer_page
    assert "<strong>100%</strong>" in officer_page
    assert add_url(commission, "options") in officer_page
    assert f"{add_url(commission, 'measures')}?outcome={outcome.pk}" in officer_page
    assert add_url(commission, "evidence") not in officer_page  # Understand is fixed in Plan

    scrutiny_page = client_for(people[Role.SCRUTINY_MEMBER]).get(commission.get_absolute_url()).content.decode()
    assert "Phone calls made" in scrutiny_page
    assert "/new/" not in scrutiny_page.replace("/scrutiny-notes/new/", "")  # notes are scrutiny's own
    assert "/edit/" not in scrutiny_page
    assert "/remove/" not in scrutiny_page


def test_a_new_commission_page_says_what_is_not_recorded_yet(client_for, council, people):
    commission = create_commission(council)
    page = client_for(people[Role.COMMISSIONING_OFFICER]).get(commission.get_absolute_url()).content.decode()
    for empty in (
        "No needs assessment recorded yet.",
        "No evidence recorded yet.",
        "No risks recorded yet.",
    ):
        assert empty in page
    assert add_url(commission, "evidence") in page
    assert add_url(commission, "review") not in page  # the review comes after delivery


def test_the_criteria_template_button_shows_only_when_there_are_no_criteria(client_for, council, people):
    commission = commission_in_state(council, State.PLANNING)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert "Use the core criteria template" in client.get(commission.get_absolute_url()).content.decode()
    services.criteria_apply_default_template(by=people[Role.COMMISSIONING_OFFICER], commission=commission)
    assert "Use the core criteria template" not in client.get(commission.get_absolute_url()).content.decode()
