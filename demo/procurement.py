"""The shortest lawful way through Sourcing and into delivery, taken with the real services.

A commission cannot record an award that was never approved, nor start delivery with no live
agreement: the workflow engine's gates refuse both. So the demo and the test factories that need a
commission past Sourcing run a real procurement here: one opportunity, one bidder, a two-officer panel,
a signed-off evaluation, an approved award, the assessment summaries and, where the regime asks for
one, the contract award notice, then the agreements signed and live. Direct
routes (in-house, partnership, shared service) get one agreement recorded directly instead.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from decimal import Decimal

import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from commissioning.award import services as award_services
from commissioning.award import standstill_selectors as standstill
from commissioning.award import summary_services
from commissioning.cycle.services import Decision
from commissioning.evaluation import selectors as evaluation_selectors
from commissioning.evaluation import services as evaluation_services
from commissioning.models import (
    BidOutcome,
    BidPriceLine,
    Commission,
    DecisionMaker,
    OpportunityQuestion,
    PriceMethod,
    State,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from councils.calendar import add_working_days
from councils.models import Membership, Role, User
from demo.conflicts import prepare_conflicts_assessment
from demo.councils import demo_user
from demo.notices import publish_award_notice
from demo.providers import tiny_pdf
from demo.social_value import ask_for_social_value, commit_social_value
from demo.timeline import noon_deadline, travel, working_day
from monitoring.agreements import services as agreement_services
from monitoring.agreements import steps as agreement_steps
from monitoring.models import Agreement, AgreementState
from providers import services as provider_services
from providers.models import Organisation, OrganisationType, Sector


def _staff(council, role: str) -> User:
    membership = Membership.objects.filter(council=council, role=role).select_related("user").order_by("id").first()
    if membership is not None:
        return membership.user
    user = demo_user(f"{role.replace('_', '-')}@{council.slug}.example", f"{Role(role).label}, {council.name}")
    return Membership.objects.create(council=council, user=user, role=role).user


def _bidder(commission: Commission) -> User:
    email = f"bids@provider-for-{commission.reference.lower()}.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = demo_user(email, f"Bid writer for {commission.reference}")
        provider_services.organisation_register(
            by=user,
            organisation=Organisation(
                legal_name=f"Community provider for {commission.reference}",
                organisation_type=OrganisationType.COMMUNITY_GROUP,
                sector=Sector.VCFS,
                postcode="LA1 1AA",
            ),
        )
    return user


def ask_per_criterion(opportunity, officer: User) -> None:
    """One question for bidders per evaluation criterion of the commission's cycle, in their order."""
    commission = opportunity.commission
    criteria = commission.criteria.filter(cycle=commission.cycle).order_by("position", "id")
    for position, criterion in enumerate(criteria, start=1):
        opportunity_services.record_save(
            by=officer,
            opportunity=opportunity,
            instance=OpportunityQuestion(
                opportunity=opportunity,
                criterion=criterion,
                text=f"Question {position}: how does your bid meet ‘{criterion.title}’?",
                word_limit=500,
                position=position,
            ),
        )


def published(commission: Commission, *, social_value: bool = False):
    """The commission's opportunity, its questions (and, with `social_value`, its social value asks) and
    conflicts assessment ready, published."""
    officer = _staff(commission.council, Role.COMMISSIONING_OFFICER)
    opportunity = opportunity_services.opportunity_create(by=officer, commission=commission)
    # Deadlines at noon on working days, as a council sets them (the defaults count calendar days).
    today = timezone.localdate()
    opportunity.clarification_deadline = noon_deadline(today + datetime.timedelta(days=21))
    opportunity.submission_deadline = noon_deadline(today + datetime.timedelta(days=28))
    opportunity.expected_award_on = working_day(today + datetime.timedelta(days=56))
    opportunity.service_starts_on = max(
        opportunity.expected_award_on + datetime.timedelta(days=28), commission.starts_on or today
    )
    opportunity_services.opportunity_update_dates(by=officer, opportunity=opportunity)
    ask_per_criterion(opportunity, officer)
    if social_value:
        ask_for_social_value(opportunity, officer)
    prepare_conflicts_assessment(opportunity, officer)
    return opportunity_services.opportunity_transition(by=officer, opportunity=opportunity, name="publish")


def _bid(opportunity, price: Decimal) -> None:
    writer = _bidder(opportunity.commission)
    organisation = Organisation.objects.get(members__user=writer)
    bid = bid_services.bid_start(by=writer, opportunity=opportunity, organisation=organisation)
    bid_services.bid_save_answers(
        by=writer,
        bid=bid,
        answers={q.pk: "We have run this service locally for ten years." for q in opportunity.questions.all()},
    )
    bid_services.bid_save_rows(
        by=writer,
        bid=bid,
        model=BidPriceLine,
        rows=[{"year": 1, "description": "Delivering the service", "amount": price}],
    )
    bid_services.bid_save_rows(
        by=writer,
        bid=bid,
        model=BidOutcome,
        rows=[{"description": "People supported", "measure": "People supported", "target": 40, "unit": "people"}],
    )
    commit_social_value(bid, writer, starts_on=opportunity.commission.starts_on)
    bid_services.bid_save_declarations(
        by=writer, bid=bid, conflicts_declared="", no_conflicts=True, accuracy_confirmed=True
    )
    bid_services.bid_transition(by=writer, bid=bid, name="submit")


def _opened(opportunity):
    council = opportunity.council
    with time_machine.travel(opportunity.submission_deadline + datetime.timedelta(minutes=5), tick=False):
        opportunity_services.bids_open(by=_staff(council, Role.PROCUREMENT_OFFICER), opportunity=opportunity)
        if opportunity.two_person_opening:
            opportunity_services.bids_open(by=_staff(council, Role.LEGAL_OFFICER), opportunity=opportunity)
    opportunity.refresh_from_db()
    return opportunity


def _evaluated(opportunity) -> None:
    council = opportunity.council
    lead = _staff(council, Role.LEAD_COMMISSIONER)
    chair = _staff(council, Role.COMMISSIONING_OFFICER)
    panellist = _staff(council, Role.PROCUREMENT_OFFICER)
    evaluation = evaluation_services.evaluation_set_up(
        by=lead,
        opportunity=opportunity,
        price_method=PriceMethod.QUALITY_ONLY,
        price_criterion=None,
        compliance_checks=["Eligible organisation"],
    )
    evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=chair, chair=True)
    evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=panellist)
    bids = list(evaluation_selectors.evaluated_bids(opportunity))

    def fresh():
        evaluation.refresh_from_db()
        return evaluation

    for user in (chair, panellist):
        evaluation_services.declarations_record(
            by=user, evaluation=fresh(), answers={bid.pk: (False, "") for bid in bids}
        )
    evaluation_services.evaluation_transition(by=lead, evaluation=fresh(), name="open_compliance")
    for bid in bids:
        results = dict.fromkeys(evaluation.compliance_checks, (True, ""))
        evaluation_services.compliance_record(by=chair, evaluation=fresh(), bid=bid, results=results)
    evaluation_services.evaluation_transition(by=lead, evaluation=fresh(), name="open_scoring")
    for user in (chair, panellist):
        member = evaluation_selectors.current_member(user, fresh())
        for bid in bids:
            scores = {
                c.pk: (4, "Strong local evidence.") for c in evaluation_selectors.member_criteria(evaluation, member)
            }
            evaluation_services.score_sheet_save(by=user, evaluation=fresh(), bid=bid, scores=scores, submit=True)
    evaluation_services.evaluation_transition(by=lead, evaluation=fresh(), name="open_moderation")
    for bid in bids:
        scores = {c.pk: (4, "Agreed by the panel.") for c in evaluation_selectors.quality_criteria(evaluation)}
        evaluation_services.moderation_record(by=chair, evaluation=fresh(), bid=bid, scores=scores)
    evaluation_services.evaluation_transition(by=chair, evaluation=fresh(), name="sign_off")


def _approved(opportunity):
    council = opportunity.council
    officer = _staff(council, Role.COMMISSIONING_OFFICER)
    award = award_services.award_start(by=officer, opportunity=opportunity)
    award = award_services.award_transition(by=officer, award=award, name="submit")
    if award.is_key_decision:
        holder = award.commission.portfolio.holder if award.commission.portfolio_id else None
        # A key decision waits its time on the forward plan before it is taken.
        with time_machine.travel(timezone.now() + datetime.timedelta(days=30), tick=False):
            today = timezone.localdate()
            decision = Decision(
                decision_maker=DecisionMaker.PORTFOLIO_HOLDER,
                reference=f"PH/{today.year}/{opportunity.pk:03d}",
                decided_on=today,
                minute_url=f"https://democracy.{council.slug}.example/decisions/award-{opportunity.pk}",
            )
            award = award_services.award_transition(
                by=holder or _staff(council, Role.PORTFOLIO_HOLDER),
                award=award,
                name="approve",
                reason="Agreed as recommended.",
                decision=decision,
            )
    else:
        award = award_services.award_transition(
            by=_staff(council, Role.LEAD_COMMISSIONER),
            award=award,
            name="approve",
            reason="Agreed as recommended.",
            decision=Decision(decided_on=timezone.localdate()),
        )
    return award


def award_approved(commission: Commission, *, timed: bool = False, social_value: bool = False) -> Commission:
    """A commission in Sourcing taken through a real procurement to an approved award: the commission
    then puts its agreements in place. `timed` (the demo's back-dated commissions) evaluates in the
    week after the deadline and approves the award the week after that, instead of all at once. With
    `social_value` the opportunity asks for social value and the bid commits to it, with match funding."""
    opportunity = published(commission, social_value=social_value)
    _bid(opportunity, commission.budget or Decimal("10000"))
    opportunity = _opened(opportunity)
    deadline = timezone.localdate(opportunity.submission_deadline)
    with travel(add_working_days(deadline, 2)) if timed else nullcontext():
        _evaluated(opportunity)
    with travel(add_working_days(deadline, 7)) if timed else nullcontext():
        _approved(opportunity)
    commission.refresh_from_db()
    return commission


def _signed_pdf() -> ContentFile:
    return ContentFile(tiny_pdf("Signed agreement"), name="signed.pdf")


def _sign_and_go_live(agreement: Agreement, officer: User) -> None:
    signed_on = timezone.localdate()
    agreement_steps.agreement_sign(by=officer, agreement=agreement, document=_signed_pdf(), signed_on=signed_on)
    agreement_steps.agreement_go_live(by=officer, agreement=agreement, live_on=signed_on)


def agreements_live(commission: Commission) -> Commission:
    """A commission putting agreements in place, taken into delivery: the award's assessment summaries
    sent and its contract award notice published where one is needed, its draft agreements (or, for a
    direct route, one recorded directly) signed and live."""
    council = commission.council
    officer = _staff(council, Role.COMMISSIONING_OFFICER)
    award = commission.awards.filter(cycle=commission.cycle).first()
    if award is not None and award.assessment_summaries_sent_at is None:
        summary_services.assessment_summaries_prepare(by=officer, award=award)
        summary_services.assessment_summaries_send(by=officer, award=award)
    if award is not None and standstill.award_notice_required(award) and award.award_notice_published_on is None:
        award = publish_award_notice(award, officer, timezone.localdate())
    drafts = list(Agreement.objects.filter(commission=commission, cycle=commission.cycle, state=AgreementState.DRAFT))
    if not drafts and award is None:
        today = timezone.localdate()
        drafts = [
            agreement_services.agreement_create(
                by=officer,
                commission=commission,
                internal_team_name="Community services team",
                title=commission.title,
                value=commission.budget or Decimal("10000"),
                starts_on=commission.starts_on or today,
                ends_on=commission.ends_on or today + datetime.timedelta(days=365),
            )
        ]
    award_ends = award.standstill_ends_on if award is not None and award.standstill_applies else None
    for agreement in drafts:
        if award_ends is not None and award_ends >= timezone.localdate():
            with time_machine.travel(
                datetime.datetime.combine(award_ends + datetime.timedelta(days=1), datetime.time(10)), tick=False
            ):
                _sign_and_go_live(agreement, officer)
        else:
            _sign_and_go_live(agreement, officer)
    commission.refresh_from_db()
    if commission.state != State.DELIVERING:
        raise RuntimeError(f"{commission.reference} did not move into delivery: it is {commission.get_state_display()}")
    return commission
