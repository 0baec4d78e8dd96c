"""A browser journey per council-officer role, on the demo data (Kirkby Moor): each starts from the
role's landing page (their dashboard) and reaches, by clicking only, every action the demo gives that
role; the next person gets an in-app notification, and opens the linked page from their notifications.

After `sign_in` nothing types an address: each page is reached by a link or a button on the one before.
The notifications each journey produced are printed at its end (run with -s) as
(recipient, kind, title, link), the table of who is told what as work changes hands.

The roles of the portfolio holder, scrutiny, providers, the independent panel member and the public
have their own journeys (tests/test_journey_roles_others.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.models import (
    Award,
    AwardState,
    Commission,
    Evaluation,
    EvaluationState,
    ModeratedScore,
    Opportunity,
    OpportunityState,
    PanelMember,
    ScoreSheet,
    State,
)
from councils.models import Membership, Notification, ReminderKind, Role
from demo.providers import tiny_pdf
from monitoring.models import Agreement, AgreementState, MonitoringReturn, Notice, NoticeState, ReturnState
from monitoring.returns import services as return_services

from . import journeys
from .browser import assert_accessible
from .journeys import COUNCIL, SCALE, Journey, open_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER = f"officer@{COUNCIL}.example"
LEAD = f"lead@{COUNCIL}.example"
PROCUREMENT = f"procurement@{COUNCIL}.example"
LEGAL = f"legal@{COUNCIL}.example"
FINANCE = f"finance@{COUNCIL}.example"
PROVIDER = "admin@kirkby-moor-age-concern.example"


def as_person(page, email: str, heading: str, *, dashboard: bool = True) -> None:
    """Sign `email` in instead of whoever is signed in, and wait for their landing page (by default
    their Kirkby Moor dashboard)."""
    journeys.as_person(page, email, heading)
    if dashboard:
        expect(page).to_have_url(re.compile(rf"/monitoring/council/{COUNCIL}/dashboard/$"))


def dashboard(page) -> None:
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.get_by_role("heading", name=re.compile(r"^(My work|Council pipeline)$"), level=1).wait_for()


def click_link(page, name) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()


def save(page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()


# --- Commissioning officer and lead commissioner ------------------------------------------------------
def finish_the_plan(page) -> None:
    """The officer completes Parks and open spaces volunteering's Plan, on its page."""
    year = timezone.localdate().year
    for route, description in (("Grant", "Small grants to friends-of-parks groups"), ("Do nothing", "Rely on rangers")):
        click_link(page, "Add a delivery option")
        page.get_by_role("group", name="Delivery route").get_by_label(route, exact=True).check()
        page.get_by_label("Description").fill(description)
        for score in ("Cost score", "Risk score", "Outcomes score", "Social value score"):
            page.get_by_role("group", name=score).get_by_label("4", exact=True).check()
        save(page)
    click_link(page, "Change the commission's details, route, budget and dates")
    page.get_by_role("group", name="Chosen delivery route").get_by_label("Grant", exact=True).check()
    # Below the key-decision threshold: the lead commissioner approves it (a delegated officer decision).
    page.get_by_label("Budget (optional)").fill("£60,000")
    page.get_by_label("Start date (optional)").fill(f"01/04/{year + 1}")
    page.get_by_label("End date (optional)").fill(f"31/03/{year + 2}")
    save(page)
    click_link(page, "Add funding from a pot")
    page.get_by_label("Funding pot").select_option(label="Community commissioning budget")
    page.get_by_label("Amount").fill("60000")
    save(page)
    click_link(page, "Add an outcome sought")
    page.get_by_label("Council outcome it contributes to").select_option(label="Fewer older people isolated and lonely")
    page.get_by_label("Outcome sought", exact=True).fill("Older people volunteer in their local parks")
    save(page)
    page.get_by_role("link", name=re.compile(r"^Add a success measure for outcome sought 1")).click()
    page.get_by_label("Description").fill("Volunteering sessions held")
    page.get_by_label("Target").fill("60")
    page.get_by_label("Unit").fill("sessions")
    save(page)
    page.get_by_role("button", name="Use the core criteria template").click()
    page.get_by_text("The core evaluation criteria have been added.").wait_for()


def test_commissioning_officer_and_lead_commissioner(demo_data, page):
    journey = Journey("commissioning officer and lead commissioner")
    parks = Commission.objects.get(council__slug=COUNCIL, title="Parks and open spaces volunteering")
    advice = Commission.objects.get(council__slug=COUNCIL, title="Independent advice services")
    to_review = MonitoringReturn.objects.get(
        agreement__council__slug=COUNCIL,
        agreement__provider__members__user__email=PROVIDER,
        state=ReturnState.SUBMITTED,
    )

    # The officer: from "Stage gates to complete" to the plan, finished and submitted for approval.
    as_person(page, OFFICER, "My work")
    assert_accessible(page)
    page.get_by_role("link", name=f"{parks.reference} {parks.title}").click()
    page.get_by_role("heading", name=parks.title, level=1).wait_for()
    assert_accessible(page)
    finish_the_plan(page)
    click_link(page, "Submit for approval")
    page.get_by_role("button", name="Submit for approval").click()
    page.get_by_text("the commission is now ‘Awaiting approval’").wait_for()
    parks.refresh_from_db()
    assert parks.state == State.AWAITING_APPROVAL
    plan_to_approve = journey.told(LEAD, parks.get_absolute_url())
    assert plan_to_approve.kind == ReminderKind.PLAN_TO_APPROVE

    # The officer chases an overdue return from their queue: the provider's return writers are told.
    dashboard(page)
    page.get_by_role("button", name=re.compile(r"^Chase the provider")).first.click()
    page.get_by_text("Chased today").first.wait_for()
    chased = [n for n in journey.notifications() if n.kind == ReminderKind.RETURN_CHASED]
    assert chased, journey.table()
    overdue = MonitoringReturn.objects.get(pk=chased[0].url.rstrip("/").rsplit("/", 1)[-1])
    assert overdue.chased_at is not None
    assert overdue.agreement.provider.members.filter(user=chased[0].user).exists()

    # The officer reviews a submitted return from their queue and queries it: the provider is told.
    dashboard(page)
    page.get_by_role(
        "link", name=re.compile(rf"^Review the return\s+for {re.escape(to_review.agreement.reference)}")
    ).click()
    page.get_by_role("link", name="Query the return").click()
    page.get_by_label("Your question").fill("Which GP surgeries referred people this quarter?")
    assert_accessible(page)
    page.get_by_role("button", name="Send the query to the provider").click()
    page.get_by_text("Your query has been sent to the provider.").wait_for()
    to_review.refresh_from_db()
    assert to_review.state == ReturnState.QUERIED
    assert journey.told(PROVIDER, f"/monitoring/provider/returns/{to_review.pk}/").kind == ReminderKind.RETURN_QUERIED

    # The officer records a KPI performance assessment of a live contract they lead (Procurement Act 2023).
    home = Agreement.objects.get(council__slug=COUNCIL, title="Home support for older people")
    assessed = home.assessments.count()
    page.get_by_role("link", name="Agreements", exact=True).first.click()
    page.get_by_role("link", name=home.title, exact=True).click()
    page.get_by_role("link", name="Record a performance assessment").click()
    page.get_by_role("button", name="Record the assessment").wait_for()
    kpis = return_services.assessable_kpis(home, timezone.localdate())
    for kpi in kpis:
        page.get_by_role("group", name=f"Rating for ‘{kpi.description}’").get_by_label("Good", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the assessment").click()
    page.get_by_text("The performance assessment has been recorded.").wait_for()
    assert home.assessments.count() == assessed + len(kpis)  # one rating for each KPI in force

    # The lead commissioner: the notification of the plan to approve, to the commission, approved.
    as_person(page, LEAD, "Council pipeline")
    assert_accessible(page)
    open_notification(page, plan_to_approve)
    page.get_by_role("heading", name=parks.title, level=1).wait_for()
    click_link(page, "Approve")
    expect(page.locator("body")).to_contain_text("delegated officer decision")
    page.get_by_label("Reason or comment").fill("A small, well-evidenced plan within budget.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("the commission is now ‘Sourcing providers’").wait_for()
    parks.refresh_from_db()
    assert parks.state == State.SOURCING
    approved = journey.told(OFFICER, parks.get_absolute_url())

    # The lead refers back a key decision's plan from "Decisions waiting" (only the portfolio holder
    # may approve it): the officer is told why.
    dashboard(page)
    page.get_by_role("link", name=f"{advice.reference} {advice.title}", exact=True).click()
    page.get_by_role("heading", name=advice.title, level=1).wait_for()
    click_link(page, "Refer back to Plan")
    page.get_by_label("Reason", exact=True).fill("Say how the advice reaches the rural wards, then resubmit.")
    assert_accessible(page)
    page.get_by_role("button", name="Refer back to Plan").click()
    page.get_by_text("the commission is now ‘Options and specification’").wait_for()
    advice.refresh_from_db()
    assert advice.state == State.PLANNING
    referred_back = journey.told(OFFICER, advice.get_absolute_url())
    assert {approved.kind, referred_back.kind} == {ReminderKind.PLAN_DECIDED}

    # The officer hears of both decisions and opens each from their notifications.
    as_person(page, OFFICER, "My work")
    open_notification(page, approved)
    page.get_by_role("heading", name=parks.title, level=1).wait_for()
    expect(page.locator("body")).to_contain_text("Sourcing providers")
    open_notification(page, referred_back)
    page.get_by_role("heading", name=advice.title, level=1).wait_for()
    expect(page.locator("body")).to_contain_text("Say how the advice reaches the rural wards")

    journey.print()


def test_lead_commissioner_decides_an_award_and_sends_the_assessment_summaries(demo_data, page):
    """A delegated award decision (the demo has one, in Ashby Vale): its lead commissioner approves the
    award from "Decisions for you to take", and the officers carrying it forward are told; the decision
    has effect at once, so they send the letters."""
    journey = Journey("lead commissioner deciding an award")
    award = Award.objects.get(state=AwardState.AWAITING_DECISION, is_key_decision=False)
    vale_lead = Membership.objects.get(council=award.council, role=Role.LEAD_COMMISSIONER).user.email
    # They lead two councils' commissioning: their landing page is the list of their councils.
    as_person(page, vale_lead, "Your councils", dashboard=False)
    page.get_by_role("link", name=f"Your dashboard for {award.council.name}").click()
    page.get_by_role("heading", name="Council pipeline", level=1).wait_for()
    click_link(page, "My work")
    page.get_by_role("heading", name="My work", level=1).wait_for()
    page.get_by_role("link", name=f"Review and decide on the award of {award.opportunity.reference}").click()
    page.get_by_role("button", name="Approve the award").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Approve the award").click()
    page.get_by_text("Approve the award: done.").wait_for()
    award.refresh_from_db()
    assert award.state == AwardState.APPROVED
    assert journey.told(award.commission.lead_officer.email, award.get_absolute_url()).kind == (
        ReminderKind.AWARD_DECIDED
    )

    # A delegated decision has effect at once: the lead prepares the assessment summaries from the next
    # steps, previews a bidder's letter, and sends the letters to every bidder.
    page.get_by_role("link", name="Prepare the assessment summaries").first.click()
    page.get_by_role("button", name="Prepare the assessment summaries").click()
    page.get_by_text("prepared: check each one before sending.").wait_for()
    first = str(award.assessment_summaries.select_related("bid__organisation").first().bid.organisation)
    page.get_by_role("link", name=f"Preview the letter to {first}").click()
    page.get_by_text(f"Preview: assessment summary for {first}").first.wait_for()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Send the assessment summaries").click()
    page.get_by_role("button", name="Send the assessment summaries").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send the assessment summaries").click()
    page.get_by_text(re.compile(r"assessment summar(y|ies) sent\.")).first.wait_for()
    award.refresh_from_db()
    assert award.assessment_summaries_sent_at is not None
    assert not award.assessment_summaries.filter(sent_at__isnull=True).exists()
    journey.print()


# --- Procurement officer -----------------------------------------------------------------------------
def test_procurement_officer(demo_data, page):
    journey = Journey("procurement officer")
    holiday = Opportunity.objects.get(commission__council__slug=COUNCIL, title="Holiday activities and food programme")
    carers = Evaluation.objects.get(opportunity__title="Carers' breaks and respite grants")
    uk6 = Notice.objects.get(council__slug=COUNCIL, title="Contract award notice: Flood response pumping")
    assert holiday.state == OpportunityState.CLOSED

    as_person(page, PROCUREMENT, "My work")
    assert_accessible(page)

    # Open the bids of a closed opportunity: the closing told the opening officers (in the demo's
    # past), and the dashboard's "Bids to open" queue links the opening.
    opening = reverse("commissioning:opportunity_opening", args=[COUNCIL, holiday.pk])
    assert Notification.objects.filter(user__email=PROCUREMENT, kind=ReminderKind.BIDS_TO_OPEN, url=opening).exists()
    page.get_by_role("link", name=f"Open the bids of {holiday.reference}").click()
    page.get_by_label("I confirm that I do not act for").check()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm the opening").click()
    page.get_by_text("The bids are open: 2 submitted.").wait_for()
    holiday.refresh_from_db()
    assert holiday.state == OpportunityState.OPENED
    # The lead commissioner is told to set up its evaluation (their "Evaluation panels to set up" shows it too).

    # Score every bid of the panel in scoring: the chair (the officer) then moderates.
    dashboard(page)
    page.get_by_role("link", name=carers.opportunity.reference + " " + carers.opportunity.title).click()
    page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    assert_accessible(page)
    criteria = list(carers.opportunity.commission.criteria.order_by("position", "pk"))
    bidders = page.get_by_role("table", name="Bids you evaluate").get_by_role("link").all_inner_texts()
    assert len(bidders) == 3, bidders
    for index, organisation in enumerate(bidders):
        page.get_by_role("table", name="Bids you evaluate").get_by_role("link", name=organisation).click()
        page.get_by_role("heading", name=f"Score {organisation}'s bid").wait_for()
        for criterion in criteria:
            score = 3 + (index + criterion.pk) % 3
            page.get_by_role("group", name=f"Your score for {criterion.title}").get_by_label(
                f"{score} – {SCALE[score]}"
            ).check()
            page.get_by_label(f"Justification for your score on {criterion.title}").fill(
                f"{organisation}: {SCALE[score].lower()} evidence on {criterion.title.lower()}."
            )
        if index == 0:
            assert_accessible(page)
        page.get_by_role("button", name="Submit my scores").click()
        page.get_by_text("Your scores are submitted.").wait_for()
        page.get_by_role("link", name="Back", exact=True).click()
        page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    procurement = PanelMember.objects.get(evaluation=carers, user__email=PROCUREMENT)
    assert ScoreSheet.objects.filter(member=procurement, submitted_at__isnull=False).count() == len(bidders)

    # Publish the contract award notice that is ready: the standstill starts.
    dashboard(page)
    page.get_by_role("link", name=uk6.title).click()
    page.get_by_label("Find a Tender notice identifier").fill("034567-2026")
    page.get_by_label("Day Find a Tender published it").fill(timezone.localdate().strftime("%d/%m/%Y"))
    assert_accessible(page)
    page.get_by_role("button", name="Record it as published").click()
    page.get_by_text("034567-2026").first.wait_for()
    uk6.refresh_from_db()
    assert uk6.state == NoticeState.PUBLISHED

    # The lead commissioner finds the opened bids in "Evaluation panels to set up", keeps the suggested
    # set-up and appoints the panel: each member is told.
    as_person(page, LEAD, "Council pipeline")
    click_link(page, "My work")
    page.get_by_role("heading", name="My work", level=1).wait_for()
    page.get_by_role("link", name=f"Set up the evaluation of {holiday.reference}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save the set-up").click()
    page.get_by_text("The evaluation is set up. Now appoint the panel.").wait_for()
    for name, chair in (("Omar Siddiqui", True), ("Grace Whitfield", False)):
        page.get_by_role("link", name="Appoint to the panel").click()
        page.get_by_label("Officer", exact=True).select_option(label=name)
        if chair:
            page.get_by_label("Make this officer the chair of the panel").check()
            assert_accessible(page)
        page.get_by_role("button", name="Appoint to the panel").click()
        page.get_by_text(f"{name} is on the panel").wait_for()
    evaluation_page = reverse("commissioning:evaluation", args=[COUNCIL, holiday.pk])
    for email in (OFFICER, PROCUREMENT):
        assert journey.told(email, evaluation_page).kind == ReminderKind.PANEL_APPOINTED

    # The procurement officer opens the evaluation from the notification: first, their declarations.
    as_person(page, PROCUREMENT, "My work")
    open_notification(page, journey.told(PROCUREMENT, evaluation_page))
    page.get_by_role("link", name="Declare your interests").wait_for()

    # Theirs were the last scores: the chair (the officer) is told, closes scoring and moderates a bid.
    scores_in = journey.told(OFFICER, reverse("commissioning:evaluation", args=[COUNCIL, carers.opportunity_id]))
    assert scores_in.kind == ReminderKind.PANEL_STAGE_READY
    as_person(page, OFFICER, "My work")
    open_notification(page, scores_in)
    page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    page.get_by_role("link", name="Close scoring and start moderation").click()
    page.get_by_role("button", name="Close scoring and start moderation").click()
    page.get_by_text("Close scoring and start moderation: done.").wait_for()
    carers.refresh_from_db()
    assert carers.state == EvaluationState.MODERATION
    page.get_by_role("link", name="Moderation", exact=True).first.click()
    organisation = bidders[0]
    page.get_by_role("link", name=f"Moderate {organisation}'s bid").click()
    for criterion in criteria:
        page.get_by_role("group", name=f"Moderated score for {criterion.title}").get_by_label(f"4 – {SCALE[4]}").check()
        page.get_by_label(f"Rationale for the moderated score on {criterion.title}").fill(
            "The panel agreed a good score after discussing the evidence."
        )
    assert_accessible(page)
    page.get_by_role("button", name="Save the moderated scores").click()
    page.get_by_text(f"Moderated scores for {organisation}'s bid saved.").wait_for()
    assert ModeratedScore.objects.filter(evaluation=carers).count() == len(criteria)
    journey.print()


# --- Legal officer and finance officer ---------------------------------------------------------------
def test_finance_and_legal_officers(demo_data, page):
    journey = Journey("finance officer and legal officer")
    social = Evaluation.objects.get(opportunity__title="Social prescribing link workers")
    uk17 = Notice.objects.filter(council__slug=COUNCIL, notice_type="UK17").get()
    chest = Agreement.objects.get(council__slug=COUNCIL, title="Community chest grants")
    holiday = Opportunity.objects.get(commission__council__slug=COUNCIL, title="Holiday activities and food programme")
    assert social.state == EvaluationState.DECLARATIONS

    # The finance officer declares their interests, the last of the panel to do so.
    as_person(page, FINANCE, "My work")
    assert_accessible(page)
    page.get_by_role("link", name=f"{social.opportunity.reference} {social.opportunity.title}").click()
    page.get_by_role("link", name="Declare your interests").click()
    page.get_by_role("button", name="Save my declarations").wait_for()
    answers = page.get_by_label("No, I have no conflict of interest")
    for index in range(answers.count()):
        answers.nth(index).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save my declarations").click()
    page.get_by_text("Your declarations are recorded.").wait_for()

    # ...and, as section 151 officer, approves the payments compliance notice as ready to publish.
    dashboard(page)
    page.get_by_role("link", name=uk17.title).click()
    page.get_by_role("link", name="Mark as ready to publish").click()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as ready to publish").click()
    page.get_by_text("Ready to publish").first.wait_for()
    uk17.refresh_from_db()
    assert uk17.state == NoticeState.READY

    # The legal officer is told it is ready to publish, opens it from the notification and publishes it.
    to_publish = journey.told(LEGAL, uk17.get_absolute_url())
    assert to_publish.kind == ReminderKind.NOTICE_TO_PUBLISH
    as_person(page, LEGAL, "My work")
    assert_accessible(page)
    open_notification(page, to_publish)
    page.get_by_label("Find a Tender notice identifier").fill("045678-2026")
    page.get_by_label("Day Find a Tender published it").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record it as published").click()
    page.get_by_text("045678-2026").first.wait_for()
    uk17.refresh_from_db()
    assert uk17.state == NoticeState.PUBLISHED

    page.get_by_role("link", name="Agreements", exact=True).first.click()
    page.get_by_role("link", name=chest.title, exact=True).click()
    page.get_by_role("link", name="Record the signed agreement").click()
    page.get_by_label("Signed agreement").set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Signed")}
    )
    assert_accessible(page)
    page.get_by_role("button", name="Record the signed agreement").click()
    page.get_by_text("is signed").wait_for()
    chest.refresh_from_db()
    assert chest.state == AgreementState.SIGNED
    # Whoever manages it is told, to mark it live when delivery starts.
    manager = (chest.council_contact or chest.commission.lead_officer).email
    assert journey.told(manager, chest.get_absolute_url()).kind == ReminderKind.AGREEMENT_SIGNED

    # The legal officer opens the bids of a closed opportunity from their "Bids to open" queue.
    dashboard(page)
    page.get_by_role("link", name=f"Open the bids of {holiday.reference}").click()
    page.get_by_label("I confirm that I do not act for").check()
    page.get_by_role("button", name="Confirm the opening").click()
    page.get_by_text("The bids are open: 2 submitted.").wait_for()
    holiday.refresh_from_db()
    assert holiday.state == OpportunityState.OPENED
    setup = reverse("commissioning:evaluation_setup", args=[COUNCIL, holiday.pk])
    assert journey.told(LEAD, setup).kind == ReminderKind.BIDS_OPENED

    # Everyone has declared: the chair (the officer) is told, opens the evaluation from the notification,
    # starts the compliance checks, and the panel is told.
    evaluation_page = reverse("commissioning:evaluation", args=[COUNCIL, social.opportunity_id])
    declared = journey.told(OFFICER, evaluation_page)
    assert declared.kind == ReminderKind.PANEL_STAGE_READY
    as_person(page, OFFICER, "My work")
    open_notification(page, declared)
    page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    page.get_by_role("link", name="Start the compliance checks").click()
    page.get_by_role("button", name="Start the compliance checks").click()
    page.get_by_text("Start the compliance checks: done.").wait_for()
    social.refresh_from_db()
    assert social.state == EvaluationState.COMPLIANCE
    for email in (PROCUREMENT, FINANCE):
        assert journey.told(email, evaluation_page).kind == ReminderKind.PANEL_TASKS_DUE

    # The finance officer opens the evaluation from the notification.
    as_person(page, FINANCE, "My work")
    open_notification(page, journey.told(FINANCE, evaluation_page))
    page.get_by_role("heading", name="Evaluation", level=1).wait_for()
    assert_accessible(page)
    journey.print()
