"""Commissions brought to each point of the cycle by calling the real services, as officers would.

Used by `seed_demo` (demo commissions in every state across the demo councils) and by the test
factories, so that demo data and test data take the same road.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commissioning.cycle import regime, services
from commissioning.models import (
    COMPETITIVE_ROUTES,
    Commission,
    DecisionMaker,
    DecommissioningRecord,
    DeliveryOption,
    DeliveryRoute,
    EngagementActivity,
    EngagementKind,
    Evidence,
    EvidenceKind,
    ExistingProvision,
    FundingCommitment,
    FundingPot,
    FundingSource,
    GapAnalysis,
    NeedsAssessment,
    OutcomeSought,
    Procedure,
    Recommendation,
    Regime,
    ReviewReport,
    Risk,
    State,
    SuccessMeasure,
)
from councils.models import Council, Membership, Outcome, Portfolio, Role, User
from demo import procurement
from demo.fit import fit_for, outcome_for
from demo.timeline import Timeline, travel


def people(council: Council, role: str) -> list[User]:
    memberships = Membership.objects.filter(council=council, role=role).select_related("user").order_by("id")
    return [membership.user for membership in memberships]


def person(council: Council, role: str) -> User | None:
    membership = Membership.objects.filter(council=council, role=role).select_related("user").order_by("id").first()
    return membership.user if membership else None


def complete_understand(commission: Commission, officer: User) -> None:
    def save(instance):
        return services.stage_record_save(by=officer, commission=commission, instance=instance)

    fit = fit_for(commission.title)
    if fit is None:
        save(
            NeedsAssessment(
                commission=commission,
                population_and_demand=(
                    "2,400 people over 75 live alone; demand for support has risen 12% in three years."
                ),
                desktop_research="Joint Strategic Needs Assessment 2025; Campaign to End Loneliness research.",
                service_user_feedback="Residents' survey: a third of older respondents rarely speak to anyone.",
                summary_of_need="Older people who live alone need regular contact and ways to join in.",
            )
        )
    else:
        save(
            NeedsAssessment(
                commission=commission,
                population_and_demand=fit.need,
                desktop_research="Joint Strategic Needs Assessment; the council's own service data.",
                service_user_feedback="Residents' survey and the voluntary sector forum.",
                summary_of_need=fit.need,
            )
        )
    save(Evidence(commission=commission, kind=EvidenceKind.DATA, title="Census 2021 household data", source="ONS"))
    save(Evidence(commission=commission, kind=EvidenceKind.FEEDBACK, title="Residents' survey 2025", source="Council"))
    save(
        ExistingProvision(
            commission=commission,
            service_name="Lunch club" if fit is None else f"Existing small-scale provision: {commission.title.lower()}",
            provider_name="St Anne's Community Kitchen" if fit is None else "Local voluntary groups",
            funding_source="Community grants",
            annual_funding=Decimal("8000"),
        )
    )
    save(
        EngagementActivity(
            commission=commission,
            kind=EngagementKind.WORKSHOP,
            held_on=timezone.localdate() - timedelta(days=30),
            participants="Voluntary sector forum, two residents' groups, NHS social prescribers",
            number_of_participants=24,
            what_we_heard="Transport is the main barrier in the rural wards.",
        )
    )
    gaps = "No befriending in the rural wards." if fit is None else "Nothing meets this need across the whole area."
    save(GapAnalysis(commission=commission, gaps=gaps, opportunities="Match NHS funding."))


# Of Lancaster's core criteria, those the demo panels judge on the bid as a whole: the demo opportunities'
# questions are marked against the other four.
WHOLE_BID_CRITERIA = ("Deliverability", "Sustainability", "Collaboration", "Service-specific criteria")


def complete_plan(
    commission: Commission,
    officer: User,
    *,
    route: str,
    budget: Decimal,
    pot: FundingPot,
    council_outcome: Outcome,
    portfolio: Portfolio,
    starts_on: date | None = None,
) -> None:
    def save(instance):
        return services.stage_record_save(by=officer, commission=commission, instance=instance)

    for option_route, scores in ((route, (3, 4, 4, 4)), (DeliveryRoute.DO_NOTHING, (5, 1, 1, 1))):
        save(
            DeliveryOption(
                commission=commission,
                route=option_route,
                description=f"Deliver through: {DeliveryRoute(option_route).label}.",
                cost_score=scores[0],
                risk_score=scores[1],
                outcomes_score=scores[2],
                social_value_score=scores[3],
            )
        )
    commission.portfolio = portfolio
    commission.delivery_route = route
    commission.budget = budget
    commission.starts_on = starts_on or timezone.localdate() + timedelta(days=90)
    commission.ends_on = commission.starts_on + timedelta(days=3 * 365 - 1)
    commission.social_value = "Local volunteering and training opportunities."
    services.commission_update(by=officer, commission=commission)
    commission.outcomes.add(council_outcome)
    save(FundingCommitment(commission=commission, pot=pot, amount=budget))
    fit = fit_for(commission.title)
    sought, measure, target, unit = (
        ("Fewer people feel isolated", "Sessions delivered", Decimal("40"), "sessions")
        if fit is None
        else (fit.sought, fit.measure, fit.target_amount, fit.unit)
    )
    outcome = save(OutcomeSought(commission=commission, council_outcome=council_outcome, description=sought))
    save(SuccessMeasure(outcome_sought=outcome, description=measure, target=target, unit=unit))
    save(Risk(commission=commission, description="Too few local providers bid", likelihood=2, impact=4))
    if route in COMPETITIVE_ROUTES:
        for criterion in services.criteria_apply_default_template(by=officer, commission=commission):
            # The demo opportunities ask about the other four (demo.opportunities.QUESTIONS).
            if criterion.title in WHOLE_BID_CRITERIA:
                criterion.scored_on_whole_bid = True
                save(criterion)


def approve(commission: Commission) -> Commission:
    council = commission.council
    today = timezone.localdate()
    if commission.is_key_decision:
        return services.commission_transition(
            by=person(council, Role.PORTFOLIO_HOLDER),
            commission=commission,
            name="approve",
            reason="Agreed by cabinet.",
            decision=services.Decision(
                decision_maker=DecisionMaker.CABINET,
                reference=f"CAB/{today.year}/{commission.pk:03d}",
                decided_on=today,
                minute_url=f"https://democracy.{council.slug}.example/decisions/{commission.pk}",
            ),
        )
    return services.commission_transition(
        by=person(council, Role.LEAD_COMMISSIONER),
        commission=commission,
        name="approve",
        reason="Delegated decision: evidence and plan are sound.",
        decision=services.Decision(decided_on=today),
    )


def write_review(commission: Commission, officer: User, recommendation: str) -> ReviewReport:
    return services.stage_record_save(
        by=officer,
        commission=commission,
        instance=ReviewReport(
            commission=commission,
            outcomes_achieved="38 of 40 sessions delivered; 210 people took part.",
            value_for_money="£1,500 per session, below the regional benchmark.",
            lessons_learned="Rural transport was the main barrier; partner with community transport.",
            user_feedback="Participants valued the regular contact.",
            recommendation=recommendation,
            rationale="Outcomes largely met and the need remains.",
        ),
    )


def advance(
    commission: Commission,
    state: str,
    *,
    route: str = DeliveryRoute.GRANT,
    budget: Decimal = Decimal("60000"),
    pot: FundingPot,
    council_outcome: Outcome,
    portfolio: Portfolio,
    timeline: Timeline | None = None,
    social_value: bool = False,
) -> Commission:
    """Take a new commission through the cycle to `state` with the real services.

    With a `timeline`, each step happens on its own day in the past (the clock moved back, demo only),
    so approvals, awards and signatures carry the dates the story needs; without one, all happen now.
    With `social_value`, its opportunity asks for social value and the winning bid commits to it.
    """
    council = commission.council
    officer = commission.lead_officer
    lead = person(council, Role.LEAD_COMMISSIONER)

    def on(day):
        return travel(day) if timeline is not None else nullcontext()

    def step(name, by=officer, reason=""):
        return services.commission_transition(by=by, commission=commission, name=name, reason=reason)

    if state == State.UNDERSTANDING:
        return commission
    if state == State.CANCELLED:
        with on(timeline and timeline.day(21)):
            return step("cancel", by=lead, reason="Need now met by a partner's service.")
    with on(timeline and timeline.day(28)):
        complete_understand(commission, officer)
    with on(timeline and timeline.planning):
        step("start_planning")
    if state == State.PLANNING:
        return commission
    with on(timeline and timeline.submitted):
        complete_plan(
            commission,
            officer,
            route=route,
            budget=budget,
            pot=pot,
            council_outcome=council_outcome,
            portfolio=portfolio,
            starts_on=timeline and timeline.starts_on,
        )
        step("submit_for_approval")
    if state == State.AWAITING_APPROVAL:
        return commission
    with on(timeline and timeline.approved):
        approve(commission)
    if state == commission.state:
        return commission
    if commission.state == State.SOURCING:
        with on(timeline and timeline.sourcing):
            procurement.award_approved(commission, timed=timeline is not None, social_value=social_value)
    if state == State.AGREEING:
        return commission
    with on(timeline and timeline.goes_live):
        procurement.agreements_live(commission)
    if state == State.DELIVERING:
        return commission
    with on(timeline and timeline.reviewed()):
        step("start_review")
    if state == State.REVIEWING:
        return commission
    if state == State.DECOMMISSIONED:
        with on(timeline and timeline.decommissioned()):
            write_review(commission, officer, Recommendation.DECOMMISSION)
            services.stage_record_save(
                by=officer,
                commission=commission,
                instance=DecommissioningRecord(
                    commission=commission,
                    rationale="Need now met by the NHS social prescribing service; evaluation showed duplication.",
                    impact_on_service_users="Users transfer to social prescribing; no protected group is worse off.",
                    providers_notified_on=timezone.localdate() - timedelta(days=180),
                    notification_details="Letters and a meeting with the provider and partners six months ahead.",
                ),
            )
            return step("decommission", by=lead)
    raise ValueError(f"No route to {state}")


# (title, state, route, budget) for each demo council; every state appears somewhere.
DEMO_COMMISSIONS = {
    "kirkby-moor": [
        ("Befriending for older people living alone", State.DELIVERING, DeliveryRoute.GRANT, "60000"),
        ("Youth work in the rural wards", State.SOURCING, DeliveryRoute.GRANT, "120000"),
        ("Parks and open spaces volunteering", State.PLANNING, DeliveryRoute.CONTRACT, "80000"),
        ("Town centre events programme", State.UNDERSTANDING, DeliveryRoute.GRANT, "40000"),
        ("Independent advice services", State.AWAITING_APPROVAL, DeliveryRoute.CONTRACT, "300000"),
        ("Community arts commissioning round", State.REVIEWING, DeliveryRoute.GRANT, "90000"),
        ("Leisure centre management", State.AGREEING, DeliveryRoute.IN_HOUSE, "450000"),
        ("Community transport scheme", State.DECOMMISSIONED, DeliveryRoute.GRANT, "30000"),
        ("Street festival fund", State.CANCELLED, DeliveryRoute.GRANT, "15000"),
    ],
    "wyvern": [
        ("Healthy holidays activity programme", State.DELIVERING, DeliveryRoute.GRANT, "45000"),
        ("Debt and money advice", State.SOURCING, DeliveryRoute.CONTRACT, "180000"),
        ("Food poverty partnership", State.PLANNING, DeliveryRoute.PARTNERSHIP, "70000"),
        ("Tackling anti-social behaviour", State.UNDERSTANDING, DeliveryRoute.CONTRACT, "50000"),
    ],
    "ashby-vale": [
        ("Shared waste education service", State.AGREEING, DeliveryRoute.SHARED_SERVICE, "95000"),
        ("Village hall improvement grants", State.REVIEWING, DeliveryRoute.GRANT, "50000"),
        ("Volunteer centre", State.AWAITING_APPROVAL, DeliveryRoute.GRANT, "65000"),
    ],
    "brookfield": [
        ("Rural broadband champions", State.DELIVERING, DeliveryRoute.GRANT, "35000"),
        ("Homelessness prevention", State.UNDERSTANDING, DeliveryRoute.CONTRACT, "200000"),
    ],
}


# Delivering commissions whose procurement asked for social value: their live agreement carries the
# accepted commitments as KPIs, reported in accepted returns (`demo.social_value`).
SOCIAL_VALUE_COMMISSIONS = frozenset({"Healthy holidays activity programme"})


# What each demo commission buys, as its main CPV code: care and community services are light-touch.
DEMO_CPV_CODES = {
    "Befriending for older people living alone": "85312400",
    "Youth work in the rural wards": "98133110",
    "Parks and open spaces volunteering": "77310000",
    "Town centre events programme": "79952000",
    "Independent advice services": "85312300",
    "Community arts commissioning round": "92310000",
    "Leisure centre management": "92610000",
    "Community transport scheme": "60130000",
    "Street festival fund": "79952100",
    "Healthy holidays activity programme": "92000000",
    "Debt and money advice": "85312300",
    "Food poverty partnership": "85320000",
    "Tackling anti-social behaviour": "75200000",
    "Shared waste education service": "90500000",
    "Village hall improvement grants": "45210000",
    "Volunteer centre": "98133000",
    "Rural broadband champions": "72400000",
    "Homelessness prevention": "85312000",
}


def confirm_proposed_regime(commission: Commission, officer: User) -> None:
    """Once the route and budget are planned, the officer confirms the regime the law points to."""
    if commission.state == State.UNDERSTANDING or commission.state not in regime.REGIME_OPEN_IN:
        return
    proposal = regime.propose_regime(commission)
    procedure = Procedure.OPEN if proposal.regime == Regime.ABOVE_THRESHOLD else ""
    regime.regime_confirm(by=officer, commission=commission, regime=proposal.regime, procedure=procedure)


def demo_pot(council: Council) -> FundingPot:
    year = timezone.localdate().year
    pot, _ = FundingPot.objects.get_or_create(
        council=council,
        name="Community commissioning budget",
        defaults={
            "source": FundingSource.COUNCIL_BUDGET,
            "amount": Decimal("2000000"),
            "starts_on": timezone.datetime(year, 4, 1).date(),
            "ends_on": timezone.datetime(year + 4, 3, 31).date(),
        },
    )
    FundingPot.objects.get_or_create(
        council=council,
        name="NHS health inequalities contribution",
        defaults={
            "source": FundingSource.NHS,
            "amount": Decimal("250000"),
            "starts_on": timezone.datetime(year, 4, 1).date(),
            "ends_on": timezone.datetime(year + 2, 3, 31).date(),
        },
    )
    return pot


@transaction.atomic
def seed_commissions() -> int:
    created = 0
    for slug, specs in DEMO_COMMISSIONS.items():
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            continue
        officer = person(council, Role.COMMISSIONING_OFFICER)
        pot = demo_pot(council)
        for title, state, route, budget in specs:
            if Commission.objects.filter(council=council, title=title).exists():
                continue
            outcome = outcome_for(council, title)
            portfolio = outcome.portfolio or Portfolio.objects.filter(council=council).first()
            timeline = Timeline.reaching(state)
            with travel(timeline.began):
                commission = services.commission_create(
                    by=officer,
                    council=council,
                    title=title,
                    summary=f"{fit_for(title).sought}: towards ‘{outcome.title}’.",
                    lead_officer=officer,
                    portfolio=portfolio,
                    outcomes=[outcome],
                )
                if title in DEMO_CPV_CODES:
                    services.commission_set_cpv_code(by=officer, commission=commission, code=DEMO_CPV_CODES[title])
            advance(
                commission,
                state,
                route=route,
                budget=Decimal(budget),
                pot=pot,
                council_outcome=outcome,
                portfolio=portfolio,
                timeline=timeline,
                social_value=title in SOCIAL_VALUE_COMMISSIONS,
            )
            # Officers confirm the regime the law points to once the plan is settled: in the demo, lately.
            with travel(timezone.localdate() - timedelta(days=1)):
                confirm_proposed_regime(Commission.objects.get(pk=commission.pk), officer)
            created += 1
    return created
