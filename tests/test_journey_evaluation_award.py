"""From closed opportunity to agreement, in the browser: two panellists and the chair declare and
score every bid with justifications; the chair runs the compliance checks, opens scoring and
moderation, records the moderated scores and signs off; the lead commissioner starts the award and
sends the recommendation; the portfolio holder approves the key decision; once the call-in period
is over an officer prepares, corrects and sends the assessment summaries, and the standstill runs from
the contract award notice; the agreement is there as a draft and the commission is putting
agreements in place.

The set-up goes through the services, in the past (`time_machine`): a contract above the
key-decision threshold, published 40 days ago (so its award has been on the forward plan for more
than 28 clear days), two bids, the deadline passed and the bids opened by two officers.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.award import services as award_services
from commissioning.evaluation import services as evaluation_services
from commissioning.models import (
    Award,
    AwardState,
    DeliveryRoute,
    Evaluation,
    EvaluationState,
    ForwardPlanEntry,
    PriceMethod,
    State,
)
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.evaluation_factories import bidder, published_with_bids
from councils.models import Role
from councils.services import framework_record_save
from councils.tests.factories import PASSWORD
from monitoring.models import AgreementState

from .browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKS = ["Eligible organisation", "Within the budget envelope"]
SCALE = ["Unacceptable", "Poor", "Weak", "Satisfactory", "Good", "Excellent"]


def london(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def opened(council, people):
    """The opened contract opportunity and its evaluation, set up with the chair and two panellists."""
    published_on = timezone.localdate() - datetime.timedelta(days=40)
    with time_machine.travel(london(published_on, 9), tick=False):
        opportunity = published_with_bids(
            council,
            [bidder("Northgate Housing Trust", 280000), bidder("Brightwork Care", 265000)],
            route=DeliveryRoute.CONTRACT,
            budget=Decimal(300000),
        )
        # The commission's portfolio is held by the council's cabinet member, who takes the decision.
        portfolio = opportunity.commission.portfolio
        portfolio.holder = people[Role.PORTFOLIO_HOLDER]
        framework_record_save(by=people[Role.COUNCIL_ADMIN], council=council, instance=portfolio)
    assert ForwardPlanEntry.objects.get(opportunity=opportunity).published_on == published_on
    deadline = timezone.localtime(opportunity.submission_deadline)
    with time_machine.travel(deadline + datetime.timedelta(hours=2), tick=False):
        for role in (Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER):  # a large contract: two officers
            opportunity_services.bids_open(by=people[role], opportunity=opportunity)
            opportunity.refresh_from_db()
    assert opportunity.state == "opened"
    lead = people[Role.LEAD_COMMISSIONER]
    commission = opportunity.commission
    evaluation = evaluation_services.evaluation_set_up(
        by=lead,
        opportunity=opportunity,
        price_method=PriceMethod.LOWEST_PRICE,
        price_criterion=commission.criteria.get(cycle=commission.cycle, title="Value for money"),
        compliance_checks=CHECKS,
    )
    evaluation_services.panel_appoint(
        by=lead, evaluation=evaluation, user=people[Role.COMMISSIONING_OFFICER], chair=True
    )
    for role in (Role.PROCUREMENT_OFFICER, Role.FINANCE_OFFICER):
        evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=people[role])
    return opportunity


def as_user(page, user) -> None:
    page.context.clear_cookies()
    sign_in(page, user.email, PASSWORD)


def take_step(page, label: str) -> None:
    """From the evaluation page: the step's button, then its confirmation page."""
    page.get_by_role("link", name=label).click()
    page.get_by_role("button", name=label).click()
    page.get_by_text(f"{label}: done.").wait_for()


def declare_no_conflicts(page, url: str, check_page: bool = False) -> None:
    page.goto(url)
    page.get_by_role("link", name="Declare your interests").click()
    # The button closes the form: once it is there, every bid's answer is on the page to be counted.
    page.get_by_role("button", name="Save my declarations").wait_for()
    answers = page.get_by_label("No, I have no conflict of interest")
    for index in range(answers.count()):
        answers.nth(index).check()
    if check_page:
        assert_accessible(page)
    page.get_by_role("button", name="Save my declarations").click()
    page.get_by_text("Your declarations are recorded.").wait_for()


def score_every_bid(page, url: str, organisations: list[str], criteria, scores: dict, check_page=False) -> None:
    for organisation in organisations:
        page.goto(url)
        page.get_by_role("table", name="Bids you evaluate").get_by_role("link", name=organisation).click()
        page.get_by_role("heading", name=f"Score {organisation}'s bid").wait_for()
        for criterion in criteria:
            score = scores[(organisation, criterion.title)]
            page.get_by_role("group", name=f"Your score for {criterion.title}").get_by_label(
                f"{score} – {SCALE[score]}"
            ).check()
            page.get_by_label(f"Justification for your score on {criterion.title}").fill(
                f"{organisation}: scored {score} on {criterion.title.lower()}, from the evidence in the answer."
            )
        if check_page:
            assert_accessible(page)
            check_page = False
        page.get_by_role("button", name="Submit my scores").click()
        page.get_by_text("Your scores are submitted.").wait_for()


def test_from_opened_bids_to_a_draft_agreement(page, opened, people, council):
    opportunity = opened
    evaluation_url = reverse(
        "commissioning:evaluation", kwargs={"council_slug": council.slug, "opportunity_pk": opportunity.pk}
    )
    award_url = reverse("commissioning:award_detail", kwargs={"council_slug": council.slug, "pk": opportunity.pk})
    organisations = ["Northgate Housing Trust", "Brightwork Care"]
    commission = opportunity.commission
    criteria = [c for c in commission.criteria.filter(cycle=commission.cycle).order_by("position") if c.weight]
    criteria = [c for c in criteria if c.title != "Value for money"]  # scored from the prices
    chair, first, second = (
        people[r] for r in (Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER, Role.FINANCE_OFFICER)
    )

    def scores_of(offset: int) -> dict:
        return {
            (organisation, criterion.title): max(0, min(5, 4 - index + (position + offset) % 3 - 1))
            for index, organisation in enumerate(organisations)
            for position, criterion in enumerate(criteria)
        }

    # Each panellist declares, before seeing any bid.
    as_user(page, first)
    page.goto(evaluation_url)
    page.get_by_text("Before you can see any bid, declare your interests").wait_for()
    assert_accessible(page)
    declare_no_conflicts(page, evaluation_url, check_page=True)
    as_user(page, second)
    declare_no_conflicts(page, evaluation_url)

    # The chair declares, then runs the compliance checks and opens scoring.
    as_user(page, chair)
    declare_no_conflicts(page, evaluation_url)
    page.goto(evaluation_url)
    take_step(page, "Start the compliance checks")
    for organisation in organisations:
        page.get_by_role("link", name=f"Record checks for {organisation}").click()
        for check in CHECKS:
            page.get_by_role("group", name=check).get_by_label("Pass").check()
        if organisation == organisations[0]:
            assert_accessible(page)
        page.get_by_role("button", name="Save the compliance checks").click()
        page.get_by_text(f"Compliance checks for {organisation}'s bid saved.").wait_for()
    take_step(page, "Start scoring")
    score_every_bid(page, evaluation_url, organisations, criteria, scores_of(0))

    # Both panellists score every bid, each score with its justification.
    as_user(page, first)
    score_every_bid(page, evaluation_url, organisations, criteria, scores_of(1), check_page=True)
    # Having submitted, they now see the chair's scores beside their own.
    page.get_by_role("heading", name="Other panellists' scores").first.wait_for()
    as_user(page, second)
    score_every_bid(page, evaluation_url, organisations, criteria, scores_of(2))

    # The chair closes scoring, moderates each bid from the spread and signs off.
    as_user(page, chair)
    page.goto(evaluation_url)
    take_step(page, "Close scoring and start moderation")
    page.get_by_role("link", name="Moderation").click()
    page.get_by_role("heading", name="Moderation", level=1).wait_for()
    assert_accessible(page)
    for organisation in organisations:
        page.get_by_role("link", name=f"Moderate {organisation}'s bid").click()
        for criterion in criteria:
            agreed = scores_of(1)[(organisation, criterion.title)]
            page.get_by_role("group", name=f"Moderated score for {criterion.title}").get_by_label(
                f"{agreed} – {SCALE[agreed]}"
            ).check()
            page.get_by_label(f"Rationale for the moderated score on {criterion.title}").fill(
                "Agreed after discussing the evidence."
            )
        if organisation == organisations[0]:
            assert_accessible(page)
        page.get_by_role("button", name="Save the moderated scores").click()
        page.get_by_text(f"Moderated scores for {organisation}'s bid saved.").wait_for()
    page.goto(evaluation_url)
    page.get_by_role("link", name="Sign off the moderation").click()
    expect(page.get_by_role("button", name="Sign off the moderation")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign off the moderation").click()
    page.get_by_text("Sign off the moderation: done.").wait_for()
    assert Evaluation.objects.get(opportunity=opportunity).state == EvaluationState.SIGNED_OFF
    page.get_by_role("link", name="Summary and ranking").click()
    page.get_by_text("Signed off").first.wait_for()
    assert_accessible(page)

    # The lead commissioner starts the award and sends the recommendation to the portfolio holder.
    as_user(page, people[Role.LEAD_COMMISSIONER])
    page.goto(award_url)
    page.get_by_role("button", name="Start the award").click()
    page.get_by_text("The award has been started").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Send the recommendation for decision").click()
    page.get_by_role("button", name="Send the recommendation for decision").click()
    page.get_by_text("The recommendation was sent for decision").first.wait_for()
    award = Award.objects.get(opportunity=opportunity)
    assert award.state == AwardState.AWAITING_DECISION
    assert award.is_key_decision

    # The portfolio holder takes the key decision, with its reference and published minutes.
    as_user(page, people[Role.PORTFOLIO_HOLDER])
    page.goto(award_url)
    page.get_by_role("link", name="Take the decision").click()
    page.get_by_label("Portfolio holder decision").check()
    page.get_by_label("Decision reference").fill("PH/2026/017")
    page.get_by_label("Link to the published decision or minutes").fill(
        "https://democracy.testshire.example/decisions/ph-2026-017"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Approve the award").click()
    status = page.locator("#award-status")
    status.get_by_text(re.compile("Scrutiny can call the decision in until the end of")).wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED
    assert award.in_call_in_period()
    commission.refresh_from_db()
    assert commission.state == State.AGREEING
    agreement = commission.agreements.get()
    assert agreement.state == AgreementState.DRAFT

    # Nobody calls it in. The day after the call-in period, an officer prepares the assessment
    # summaries, corrects an explanation in the losing bid's, and sends them. The contract award
    # notice is then recorded as published (as the notices page will), and the standstill runs from it.
    with time_machine.travel(london(award.effective_from(), 10), tick=True):
        as_user(page, people[Role.COMMISSIONING_OFFICER])
        page.goto(award_url)
        page.get_by_text(re.compile("The decision has effect from")).wait_for()
        page.get_by_role("link", name="Prepare the assessment summaries").click()
        page.get_by_role("button", name="Prepare the assessment summaries").click()
        page.get_by_text("2 assessment summaries prepared").wait_for()
        assert_accessible(page)
        page.get_by_role("link", name="Check and correct the summary for Brightwork Care").click()
        explanation = page.get_by_label(f"Why {criteria[0].title} scored as it did")
        expect(explanation).to_have_value("Agreed after discussing the evidence.")
        assert_accessible(page)
        explanation.fill("The answer named the venues but not who would staff them.")
        page.get_by_role("button", name="Save the draft").click()
        page.get_by_text("The summary for Brightwork Care has been saved.").wait_for()
        page.locator("#summary-explanations").get_by_text("but not who would staff them").wait_for()
        page.goto(award_url)
        page.get_by_role("link", name="Send the assessment summaries").click()
        expect(page.get_by_role("button", name="Send the assessment summaries")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Send the assessment summaries").click()
        page.get_by_text("2 assessment summaries sent.").wait_for()
        status = page.locator("#award-status")
        status.get_by_text(re.compile("The standstill starts when the contract award notice")).wait_for()
        assert_accessible(page)
        award_services.record_award_notice_published(
            award=Award.objects.get(pk=award.pk), published_on=timezone.localdate(), by=people[Role.PROCUREMENT_OFFICER]
        )
        page.goto(award_url)
        status.get_by_text(re.compile("The standstill period runs until the end of")).wait_for()

        # The agreement is there as a draft, and the commission is putting agreements in place.
        page.goto(reverse("monitoring:agreement_list", kwargs={"council_slug": council.slug}))
        row = page.get_by_role("row").filter(has_text=agreement.reference)
        row.get_by_text("Draft").wait_for()
        assert_accessible(page)
        page.goto(commission.get_absolute_url())
        page.get_by_text("Putting agreements in place").first.wait_for()
    award.refresh_from_db()
    assert award.assessment_summaries_sent_at is not None
    assert award.assessment_summaries.filter(sent_at=award.assessment_summaries_sent_at).count() == 2
    assert award.standstill_applies
