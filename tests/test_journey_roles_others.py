"""A browser journey per role outside the council's officers, on the demo data (Kirkby Moor): the
portfolio holder, the scrutiny members, a provider, an independent panel member and the public. Each
starts from the role's landing page and reaches, by clicking only, every action the demo gives that
role; the next person gets an in-app notification linking the page they need, and opens it from their
notifications. Every new kind of page passes axe-core.

After `sign_in` nothing types an address (the public's journey starts with one visit to the home
page). The notifications each journey produced are printed at its end (run with -s) as
(recipient, kind, title, link): who is told what as work changes hands.

The council officers' roles have their own journeys (tests/test_journey_roles_officers.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.evaluation import selectors as evaluation_selectors
from commissioning.evaluation import services as evaluation_services
from commissioning.models import (
    Award,
    AwardState,
    Bid,
    BidState,
    CallInRequest,
    Commission,
    Evaluation,
    EvaluationState,
    ForwardPlanEntry,
    Opportunity,
    PanelMember,
    ScoreSheet,
    State,
)
from councils.models import ReminderKind, User
from demo.evaluations import COMPLIANCE_CHECKS, INDEPENDENT
from monitoring.models import MonitoringReturn, ReturnState
from providers.models import Organisation

from .browser import assert_accessible
from .journeys import COUNCIL, SCALE, Journey, as_person, open_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CABINET = f"cabinet@{COUNCIL}.example"
SCRUTINY = f"scrutiny@{COUNCIL}.example"
SCRUTINY2 = f"scrutiny2@{COUNCIL}.example"
LEAD = f"lead@{COUNCIL}.example"
OFFICER = f"officer@{COUNCIL}.example"
# Kirkby Moor Age Concern: a bid in draft, a bid won, a monitoring return due. The Lantern Arts
# Collective: a return the council queried. St Anne's Community Kitchen: a bid lost.
AGE_CONCERN = "admin@kirkby-moor-age-concern.example"
LANTERN = "admin@the-lantern-arts-collective.example"
ST_ANNES = "admin@st-annes-community-kitchen.example"
RESIDENT = INDEPENDENT[0]  # a service-user representative on evaluation panels, with no council role
FINANCE = f"finance@{COUNCIL}.example"
DASHBOARD = re.compile(rf"/monitoring/council/{COUNCIL}/dashboard/$")


def due_review_path(monitoring_return: MonitoringReturn) -> str:
    """The council's page of a return: where the contract manager reviews it."""
    return reverse(
        "monitoring:return_detail",
        kwargs={"council_slug": monitoring_return.agreement.council.slug, "pk": monitoring_return.pk},
    )


def fill_actuals(page, monitoring_return: MonitoringReturn, actual: str) -> None:
    for kpi in monitoring_return.agreement.kpis.all():
        page.get_by_label(f"{kpi.description}: actual ({kpi.unit})").fill(actual)


# --- The portfolio holder and the scrutiny members ---------------------------------------------------
def portfolio_holder_and_scrutiny(page) -> Journey:
    journey = Journey("portfolio holder and scrutiny members")
    award = Award.objects.get(commission__council__slug=COUNCIL, commission__title="Housing-related floating support")
    assert award.state == AwardState.AWAITING_DECISION
    reference = award.opportunity.reference

    # The portfolio holder takes the key decision waiting for them, from their dashboard.
    as_person(page, CABINET, "My portfolios")
    expect(page).to_have_url(DASHBOARD)
    assert_accessible(page)
    # First the commission's plan waiting for their key decision, then the award.
    plan = Commission.objects.get(
        council__slug=COUNCIL, state=State.AWAITING_APPROVAL, budget__gte=award.council.key_decision_threshold
    )
    page.get_by_role("link", name=f"Approve {plan.reference}", exact=True).click()
    page.get_by_role("heading", name="Approve", level=1).wait_for()
    page.get_by_label("Portfolio holder decision").check()
    page.get_by_label("Decision reference").fill("PH/KMC/2026/020")
    page.get_by_label("Date of the decision").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_label("Link to the published decision or minutes").fill(
        "https://democracy.kirkby-moor.example/decisions/ph-2026-020"
    )
    page.get_by_label("Reason or comment").fill("Agreed: independent advice is a priority for the voluntary sector.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approve: the commission is now").first.wait_for()
    plan.refresh_from_db()
    assert plan.state != State.AWAITING_APPROVAL
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.get_by_role("heading", name="My portfolios", level=1).wait_for()
    page.get_by_role("link", name=f"Approve or refer back the award of {reference}").click()
    page.get_by_role("heading", name="Record the decision").wait_for()
    page.get_by_label("Portfolio holder decision").check()
    page.get_by_label("Decision reference").fill("PH/KMC/2026/021")
    page.get_by_label("Link to the published decision or minutes").fill(
        "https://democracy.kirkby-moor.example/decisions/ph-2026-021"
    )
    page.get_by_label("Reason or comment").fill("Agreed: the evaluation was thorough and within budget.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve the award").click()
    page.get_by_text("Approve the award: done.").wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED
    assert award.in_call_in_period()

    # The first scrutiny member asks to call it in, from their dashboard's list of decisions open to it.
    as_person(page, SCRUTINY, "Scrutiny and assurance")
    assert_accessible(page)
    # The forward plan: every key decision still to take, those past their expected date shown as slipped.
    forward_plan = page.get_by_role("table", name="Key decisions the council has said it will take")
    to_take = ForwardPlanEntry.objects.filter(council__slug=COUNCIL, decided_on=None, withdrawn_on=None)
    assert to_take.exists()
    for entry in to_take:
        expect(forward_plan).to_contain_text(entry.reference)
    if any(entry.slipped() for entry in to_take):
        expect(forward_plan).to_contain_text("Slipped")
    call_in_list = page.get_by_role("table", name="Key decisions that can still be called in")
    call_in_list.get_by_role("link", name=re.compile(re.escape(f"Award of {reference}"))).click()
    page.get_by_role("heading", name="Call-in by scrutiny").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Ask to call this decision in").click()
    page.get_by_label("Why the decision should be called in").fill(
        "The price is well below the other bid: ask officers to explain how the service stays safe."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Ask to call this decision in").click()
    page.get_by_text("1 of 2 members have asked to call this decision in.").first.wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED

    # The second member is told a call-in has been asked for and how many more are needed; they open the
    # award from the notification and take it over the council's threshold: the decision is called in.
    asked = journey.told(SCRUTINY2, award.get_absolute_url())
    assert asked.kind == ReminderKind.CALL_IN_ASKED
    assert "It is called in if 1 more member asks" in asked.body
    as_person(page, SCRUTINY2, "Scrutiny and assurance")
    open_notification(page, asked)
    page.get_by_role("heading", name="Call-in by scrutiny").wait_for()
    page.get_by_role("link", name="Ask to call this decision in").click()
    page.get_by_label("Why the decision should be called in").fill("The committee should hear from tenants first.")
    page.get_by_role("button", name="Ask to call this decision in").click()
    page.get_by_text("The decision has been called in").first.wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.CALLED_IN
    assert CallInRequest.objects.filter(award=award).count() == 2

    # The portfolio holder is told, and confirms the decision from the award page.
    as_person(page, CABINET, "My portfolios")
    decisions = page.get_by_role("table", name="Key decisions awaiting you")
    expect(decisions).to_contain_text(f"Called in by scrutiny: confirm or withdraw the award of {reference}")
    called_in = journey.told(CABINET, award.get_absolute_url())
    assert called_in.kind == ReminderKind.AWARD_CALLED_IN
    open_notification(page, called_in)
    page.get_by_role("heading", name="Call-in", exact=True).wait_for()
    page.get_by_role("link", name="Confirm the decision after call-in").click()
    page.get_by_label("Reason").fill("Officers explained the price at the committee; tenants were heard.")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm the decision after call-in").click()
    page.get_by_text("Confirm the decision after call-in: done.").wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED
    assert award.effective_on is not None

    # Each step told the people who carry the award on: the lead commissioner and the lead officer.
    lead_officer = award.commission.lead_officer.email
    for email in {LEAD, lead_officer}:
        told = [n.title for n in journey.notifications() if n.user.email == email and n.url == award.get_absolute_url()]
        assert [title.split(":")[0] for title in told] == [
            "Award decision approved",
            "Award decision called in",
            "Award decision confirmed after call-in",
        ], told
    # The plan's lead officer is told it was approved.
    assert journey.told(plan.lead_officer.email, plan.get_absolute_url()).kind == ReminderKind.PLAN_DECIDED
    return journey


# --- Providers -----------------------------------------------------------------------------------------
def providers(page) -> Journey:
    journey = Journey("providers")
    draft = Bid.objects.get(
        organisation__members__user__email=AGE_CONCERN, opportunity__title="Youth work in the rural wards"
    )
    assert draft.state == BidState.DRAFT
    due = MonitoringReturn.objects.get(
        agreement__provider__members__user__email=AGE_CONCERN,
        agreement__title="Befriending for older people living alone",
        state=ReturnState.DUE,
        period_end__lt=timezone.localdate(),
    )
    queried = MonitoringReturn.objects.get(agreement__provider__members__user__email=LANTERN, state=ReturnState.QUERIED)

    as_person(page, AGE_CONCERN, "Your organisation's dashboard")
    assert_accessible(page)
    bids = page.get_by_role("table", name="Your organisation's bids and their status")

    # The bid won: its status, and the outcome letter (the assessment summary) on the bid page.
    won = bids.get_by_role("row").filter(has=page.get_by_role("link", name="Domiciliary care reablement"))
    expect(won).to_contain_text("Successful")
    won.get_by_role("link", name="Domiciliary care reablement").click()
    page.get_by_role("heading", name="The outcome: successful").wait_for()
    page.get_by_text("I am pleased to tell you that Kirkby Moor City Council has decided to award").wait_for()
    assert_accessible(page)

    # Finish the draft bid and submit it.
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    bids.get_by_role("link", name="Youth work in the rural wards").click()
    page.get_by_role("heading", name=re.compile("^Your bid: Youth work")).wait_for()
    page.get_by_role("link", name="Answer the questions").click()
    for question in draft.opportunity.questions.order_by("position")[1:]:
        page.get_by_label(re.compile(re.escape(question.text))).fill(
            "Our volunteers and two paid youth workers run weekly sessions in each village hall."
        )
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Your answers have been saved.").wait_for()
    page.get_by_role("link", name="Pricing").click()
    page.get_by_label("Lot 1: Area 1").check()
    page.get_by_label("Lot", exact=True).select_option(label="Lot 1: Area 1")
    page.get_by_label("Year of the contract").fill("1")
    page.get_by_label("Description").fill("Two part-time youth workers")
    page.get_by_label("Amount").fill("£48,000")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Outcomes").click()
    page.get_by_label("Outcome", exact=True).fill("Young people in the rural wards feel less isolated")
    page.get_by_label("Success measure").fill("Young people attending at least six sessions")
    page.get_by_label("Target").fill("80")
    page.get_by_label("Unit").fill("young people")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Declarations").click()
    page.get_by_label("There are no conflicts of interest to declare").check()
    page.get_by_label("I confirm that the information in this bid is accurate and complete").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Your bid is ready to check and submit").wait_for()
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_role("button", name="Submit your bid").click()
    page.get_by_role("heading", name="Bid submitted").wait_for()
    draft.refresh_from_db()
    assert draft.state == BidState.SUBMITTED

    # File the monitoring return that is due: the contract manager is told.
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.get_by_role("table", name=re.compile("^Monitoring returns to fill in")).get_by_role(
        "link", name=re.compile(re.escape(due.period_label))
    ).click()
    page.get_by_text("Not submitted yet").wait_for()
    assert_accessible(page)
    fill_actuals(page, due, "5")
    page.get_by_label("Outcomes achieved in this period").fill("Forty-two older people had a weekly visit.")
    page.get_by_label("Spend to date").fill("£10,000")
    page.get_by_role("button", name="Submit the return").click()
    page.get_by_text("submitted to the council for review").wait_for()
    due.refresh_from_db()
    assert due.state == ReturnState.SUBMITTED

    # The Lantern Arts Collective answers the council's question and submits its return again.
    as_person(page, LANTERN, "Your organisation's dashboard")
    page.get_by_role("table", name=re.compile("^Monitoring returns to fill in")).get_by_role(
        "link", name=re.compile(re.escape(queried.period_label))
    ).click()
    page.get_by_text("The council has a question").wait_for()
    page.get_by_label("Your answer to the council's question").fill("Two sessions were lost to a flooded hall.")
    fill_actuals(page, queried, "2")
    page.get_by_label("Outcomes achieved in this period").fill("Twenty people took part in two workshops.")
    page.get_by_label("Spend to date").fill("£30,000")
    page.get_by_role("button", name="Submit the return").click()
    page.get_by_text("submitted to the council for review").wait_for()
    queried.refresh_from_db()
    assert queried.state == ReturnState.SUBMITTED

    # St Anne's Community Kitchen reads why its bid for the same contract lost.
    as_person(page, ST_ANNES, "Your organisation's dashboard")
    bids = page.get_by_role("table", name="Your organisation's bids and their status")
    lost = bids.get_by_role("row").filter(has=page.get_by_role("link", name="Domiciliary care reablement"))
    expect(lost).to_contain_text("Unsuccessful")
    lost.get_by_role("link", name="Domiciliary care reablement").click()
    page.get_by_role("heading", name="The outcome: unsuccessful").wait_for()
    assert_accessible(page)

    # The contract manager is told of both returns, and opens one from their notification.
    told = journey.told(OFFICER, due_review_path(due))
    assert told.kind == ReminderKind.RETURN_TO_REVIEW
    assert journey.told(OFFICER, due_review_path(queried)).kind == ReminderKind.RETURN_TO_REVIEW
    as_person(page, OFFICER, "My work")
    open_notification(page, told)
    page.get_by_text("Forty-two older people had a weekly visit.").wait_for()
    return journey


# --- An independent panel member ----------------------------------------------------------------------
def fresh(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_related("opportunity__council", "opportunity__commission").get(pk=evaluation.pk)


def independent_panel_member(page) -> Journey:
    """The lead commissioner invites the service-user representative onto the panel still taking
    declarations (in the demo she sits only on one already scored); she declares, the officers carry
    the evaluation to scoring (through the services, as in the demo), and she scores her questions."""
    journey = Journey("independent panel member")
    social = fresh(Evaluation.objects.get(opportunity__title="Social prescribing link workers"))
    assert social.state == EvaluationState.DECLARATIONS
    lead, finance, chair = (User.objects.get(email=email) for email in (LEAD, FINANCE, OFFICER))
    resident = User.objects.get(email=RESIDENT)
    assert not resident.memberships.exists()
    questions = list(social.opportunity.questions.order_by("position")[:2])
    member = evaluation_services.panel_appoint(
        by=lead, evaluation=social, user=resident, independent=True, questions=questions
    )
    evaluation_page = reverse(
        "commissioning:evaluation", kwargs={"council_slug": COUNCIL, "opportunity_pk": social.opportunity_id}
    )

    title = f"{social.opportunity.reference} {social.opportunity.title}"

    # She is told of the invitation; her landing page lists her panels, with what each waits for.
    assert journey.told(RESIDENT, evaluation_page).kind == ReminderKind.PANEL_APPOINTED
    as_person(page, RESIDENT, "Your evaluation panels")
    panels = page.get_by_role("table", name="Your evaluation panels and what each is waiting for")
    expect(panels.get_by_role("row").filter(has_text=title)).to_contain_text("Declare your interests")
    assert_accessible(page)
    panels.get_by_role("link", name=title).click()
    page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Declare your interests").click()
    page.get_by_role("button", name="Save my declarations").wait_for()
    answers = page.get_by_label("No, I have no conflict of interest")
    for index in range(answers.count()):
        answers.nth(index).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save my declarations").click()
    page.get_by_text("Your declarations are recorded.").wait_for()
    assert member.declarations.count() == social.opportunity.bids.filter(state=BidState.SUBMITTED).count()

    # The rest of the panel declares, the chair checks compliance and opens scoring: her scores are due.
    bids = list(evaluation_selectors.evaluated_bids(social.opportunity).select_related("organisation"))
    evaluation_services.declarations_record(
        by=finance, evaluation=fresh(social), answers={bid.pk: (False, "") for bid in bids}
    )
    evaluation_services.evaluation_transition(by=lead, evaluation=fresh(social), name="open_compliance")
    for bid in bids:
        evaluation_services.compliance_record(
            by=chair, evaluation=fresh(social), bid=bid, results=dict.fromkeys(COMPLIANCE_CHECKS, (True, ""))
        )
    evaluation_services.evaluation_transition(by=chair, evaluation=fresh(social), name="open_scoring")

    # Told when her scores are due (not of the compliance checks: those are the officers').
    scores_due = journey.notifications().filter(user=resident, kind=ReminderKind.PANEL_TASKS_DUE).get()
    assert scores_due.url == evaluation_page
    open_notification(page, scores_due)
    page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    criteria = evaluation_selectors.member_criteria(fresh(social), member)
    assert criteria
    for index, bid in enumerate(sorted(bids, key=lambda bid: str(bid.organisation))):
        organisation = str(bid.organisation)
        page.get_by_role("table", name="Bids you evaluate").get_by_role("link", name=organisation).click()
        page.get_by_role("heading", name=f"Score {organisation}'s bid").wait_for()
        for criterion in criteria:
            score = 3 + index
            page.get_by_role("group", name=f"Your score for {criterion.title}").get_by_label(
                f"{score} – {SCALE[score]}"
            ).check()
            page.get_by_label(f"Justification for your score on {criterion.title}").fill(
                f"As someone who uses the service: {SCALE[score].lower()} on {criterion.title.lower()}."
            )
        if index == 0:
            assert_accessible(page)
        page.get_by_role("button", name="Submit my scores").click()
        page.get_by_text("Your scores are submitted.").wait_for()
        page.get_by_role("link", name="Back", exact=True).click()
        page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    assert ScoreSheet.objects.filter(member=member, submitted_at__isnull=False).count() == len(bids)
    assert PanelMember.objects.get(pk=member.pk).is_independent
    return journey


# --- The public ---------------------------------------------------------------------------------------
def the_public(page, mailoutbox) -> Journey:
    journey = Journey("public")
    opportunity = Opportunity.objects.get(commission__council__slug=COUNCIL, title="Youth work in the rural wards")
    page.goto("/")
    page.get_by_role("heading", name="Commissioner", level=1).wait_for()
    assert_accessible(page)
    navigation = page.get_by_role("navigation", name="Menu")

    # An opportunity open for bids, from the list of them.
    navigation.get_by_role("link", name="Opportunities").click()
    page.get_by_role("heading", name="Opportunities", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=opportunity.title, exact=True).click()
    page.get_by_role("heading", name=opportunity.title, level=1).wait_for()
    expect(page.locator("main")).to_contain_text(opportunity.reference)
    assert_accessible(page)

    # The contract register, open data, and the statements in the footer.
    navigation.get_by_role("link", name="Contract register").click()
    page.get_by_role("heading", name="Contract and grant register", level=1).wait_for()
    expect(page.get_by_role("table").first).to_contain_text("Kirkby Moor City Council")
    assert_accessible(page)
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Open data").click()
    page.get_by_role("heading", name="Open data", level=1).wait_for()
    assert_accessible(page)
    footer.get_by_role("link", name="Accessibility statement").click()
    page.get_by_role("heading", name=re.compile("^Accessibility statement"), level=1).wait_for()
    assert_accessible(page)
    footer.get_by_role("link", name="Privacy notice").click()
    page.get_by_role("heading", name=re.compile("^Privacy notice"), level=1).wait_for()
    assert_accessible(page)

    # Back to the opportunity, and register an organisation from it to bid.
    navigation.get_by_role("link", name="Opportunities").click()
    page.get_by_role("link", name=opportunity.title, exact=True).click()
    page.get_by_role("link", name="Register your organisation").first.click()
    page.get_by_role("button", name="Register organisation").wait_for()
    assert_accessible(page)
    page.get_by_label("Legal name").fill("Moor Edge Youth Collective")
    page.get_by_role("group", name="Type of organisation").get_by_label("Registered charity", exact=True).check()
    page.get_by_label("Charity number").fill("1190042")
    page.get_by_label("Registered address").fill("3 Mill Lane\nKirkby Moor")
    page.get_by_label("Postcode").fill("la2 7zz")
    page.get_by_role("group", name="Sector").get_by_label("Voluntary, community and faith").check()
    page.get_by_role("group", name="Annual income").get_by_label("£10,000 to £100,000").check()
    page.get_by_label("Fewer older people isolated and lonely (Kirkby Moor City Council)").check()
    page.get_by_label("Full name").fill("Sam Okafor")
    page.get_by_label("Email address").fill("sam@moor-edge.example")
    page.get_by_label("Create a password").fill("heather-quarry-lantern-77")
    page.get_by_label("Confirm password").fill("heather-quarry-lantern-77")
    page.get_by_role("button", name="Register organisation").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)
    organisation = Organisation.objects.get(legal_name="Moor Edge Youth Collective")
    assert organisation.members.get().user.email == "sam@moor-edge.example"
    # The next person is the registrant: the link that confirms the address comes by email.
    [message] = [m for m in mailoutbox if m.to == ["sam@moor-edge.example"]]
    assert "/providers/verify/" in message.body
    return journey


# --- The tests: one demo restore each -------------------------------------------------------------------
@pytest.fixture
def demo(demo_data, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def test_the_portfolio_holder_decides_and_scrutiny_calls_the_decision_in(demo):
    portfolio_holder_and_scrutiny(demo).print()


def test_providers_bid_see_their_outcome_and_file_returns(demo):
    providers(demo).print()


def test_an_independent_panel_member_declares_and_scores(demo):
    independent_panel_member(demo).print()


def test_the_public_finds_opportunities_and_registers_an_organisation(demo, mailoutbox):
    the_public(demo, mailoutbox).print()
