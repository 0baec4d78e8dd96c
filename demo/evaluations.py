"""Demo evaluations: opportunities whose bids are opened and judged, one at each step of the
evaluation, made through the real services as officers, bidders and panellists would make them.

Each demo opportunity lives through its own past: the clock is moved (`time_machine`, demo only)
to the day its commission was approved and the opportunity published, to the next day for the
bids, past the deadline for the opening, then a day at a time through the evaluation. Nothing is
written around the services — no state field, no date — so the audit trail reads as it happened,
and the deadlines, the opening and every gate are checked exactly as they are for real.

The steps (`EVALUATION_STEPS`), with who to sign in as to see them (password `commissioner-demo`):

- *declarations*: the panel is appointed; the chair and one panellist have declared, the finance
  officer has not (so none of them sees a bid yet but those who have declared);
- *scoring*: the chair and an independent service-user representative have submitted their scores,
  the procurement officer has a draft (blind scoring: they see no one else's);
- *moderation*: everyone has scored; the finance officer declared a conflict with one bid; the chair
  sees the spread, flagged where scores differ by 2 or more;
- *signed off*: the ranking is fixed and waits for the award recommendation.

The award steps that follow a signed-off evaluation are in `award_demo`, which builds on `evaluate`.
Safe to run again: an example whose commission already exists is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone

from commissioning.cycle import services
from commissioning.evaluation import selectors
from commissioning.evaluation import services as evaluation_services
from commissioning.models import (
    Bid,
    BidOutcome,
    BidPriceLine,
    Commission,
    DeliveryRoute,
    Evaluation,
    Opportunity,
    PriceMethod,
    State,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from councils.models import Council, Outcome, Role
from demo import commissions as demo
from demo import opportunities as opportunity_demo
from demo.bids import bid_writer
from demo.councils import demo_user
from demo.timeline import working_day
from providers.models import Organisation

DECLARATIONS = "declarations"
SCORING = "scoring"
MODERATION = "moderation"
SIGNED_OFF = "signed_off"
EVALUATION_STEPS = (DECLARATIONS, SCORING, MODERATION, SIGNED_OFF)

# An independent service-user representative (no council role) on Kirkby Moor's scoring panel.
INDEPENDENT = ("panel.resident@kirkby-moor.example", "Ruth Ellison (service-user representative)")
COMPLIANCE_CHECKS = [
    "Eligibility: the organisation meets the opportunity's eligibility requirements",
    "Completeness: every question answered and the declarations made",
    "Within the budget envelope",
]
JUSTIFICATIONS = [
    "No evidence offered against this criterion.",
    "Little evidence, and what there is does not fit this service.",
    "Some relevant evidence, but the approach is vague on delivery and on who will benefit.",
    "A sound approach with relevant examples; some gaps in how results will be measured.",
    "A strong, well-evidenced approach with named staff, venues and measures.",
    "Outstanding: specific, costed, tested locally and clear about what will change for residents.",
]


@dataclass(frozen=True)
class Example:
    """One demo opportunity: its commission, the bidders (organisation slug, price), and the step."""

    council: str
    title: str
    route: str
    budget: str
    outcome: str
    bidders: tuple[tuple[str, str], ...]
    step: str
    # How many days ago the opportunity was published (its commission approved the same day).
    published_days_ago: int = 40


@dataclass
class Evaluated:
    """What `evaluate` made, for the award steps to carry on from."""

    commission: Commission
    opportunity: Opportunity
    evaluation: Evaluation
    bids: list[Bid]
    day: datetime.date  # the day the evaluation reached its step


EXAMPLES = [
    Example(
        "kirkby-moor",
        "Social prescribing link workers",
        DeliveryRoute.GRANT,
        "70000",
        "Fewer older people isolated and lonely",
        (("kirkby-moor-age-concern", "64000"), ("riverside-residents-association", "52000")),
        DECLARATIONS,
        published_days_ago=24,
    ),
    Example(
        "kirkby-moor",
        "Carers' breaks and respite grants",
        DeliveryRoute.GRANT,
        "85000",
        "Fewer older people isolated and lonely",
        (
            ("kirkby-moor-age-concern", "81000"),
            ("st-annes-community-kitchen", "76500"),
            ("green-lanes-community-interest-company", "84000"),
        ),
        SCORING,
        published_days_ago=26,
    ),
    Example(
        "wyvern",
        "Employment support for young people",
        DeliveryRoute.GRANT,
        "60000",
        "More local people in good jobs",
        (("brightwork-training-ltd", "58000"), ("wyvern-citizens-advice", "55500")),
        MODERATION,
        published_days_ago=30,
    ),
    Example(
        "wyvern",
        "Domestic abuse outreach",
        DeliveryRoute.GRANT,
        "45000",
        "People feel safe in their neighbourhoods",
        (("wyvern-citizens-advice", "44000"), ("wyvern-leisure-trust", "41000")),
        SIGNED_OFF,
        published_days_ago=32,
    ),
]


# ---- The clock: each example's own past --------------------------------------------------------


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def travel(day: datetime.date, hour: int = 10, minute: int = 0):
    """Demo only: run the services as if it were that day and time (see the module docstring)."""
    return time_machine.travel(at(day, hour, minute), tick=False)


# ---- The commission, the opportunity and the bids ------------------------------------------------


def sourcing_commission(example: Example) -> Commission | None:
    """The example's commission, created and taken to Sourcing through the services (on the travelled day)."""
    council = Council.objects.filter(slug=example.council).first()
    if council is None:
        return None
    officer = demo.person(council, Role.COMMISSIONING_OFFICER)
    outcome = (
        Outcome.objects.filter(priority__plan__council=council, title=example.outcome)
        .select_related("portfolio")
        .first()
    )
    if officer is None or outcome is None or outcome.portfolio is None:
        return None
    commission = services.commission_create(
        by=officer,
        council=council,
        title=example.title,
        summary=f"{example.title}: commissioned to improve ‘{outcome.title.lower()}’.",
        lead_officer=officer,
        portfolio=outcome.portfolio,
        outcomes=[outcome],
    )
    return demo.advance(
        commission,
        State.SOURCING,
        route=example.route,
        budget=Decimal(example.budget),
        pot=demo.demo_pot(council),
        council_outcome=outcome,
        portfolio=outcome.portfolio,
    )


def _answer(organisation: Organisation, question, strength: int) -> str:
    openings = [
        "We would like to try",
        "We will build on a small pilot to",
        "We have done this for six years and will",
    ]
    return (
        f"{openings[strength % 3]} meet ‘{question.criterion.title.lower()}’ through {organisation}'s "
        "staff and volunteers in every ward, with venues we already run, named partners, and a quarterly "
        "report to the council on what has changed for the people we work with."
    )


def submit_bid(opportunity: Opportunity, slug: str, price: Decimal, strength: int) -> Bid | None:
    """A complete bid, submitted through the services by the organisation's administrator."""
    organisation, user = bid_writer(slug)
    if organisation is None:
        return None
    bid = bid_services.bid_start(by=user, opportunity=opportunity, organisation=organisation)
    questions = list(opportunity.questions.select_related("criterion"))
    bid_services.bid_save_answers(
        by=user,
        bid=bid,
        answers={q.pk: _answer(organisation, q, strength) for q in questions},
        summary=f"{organisation}: a local service, ready to start on day one.",
    )
    first_year = (price * Decimal("0.5")).quantize(Decimal("1"))
    bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidPriceLine,
        rows=[
            {"year": 1, "description": "Staff, volunteers' expenses and venues", "amount": first_year},
            {"year": 2, "description": "Staff, volunteers' expenses and venues", "amount": price - first_year},
        ],
    )
    bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidOutcome,
        rows=[
            {
                "description": "People who take part are better connected and supported",
                "measure": "People supported each year",
                "target": Decimal(80 + 20 * strength),
                "unit": "people",
            }
        ],
    )
    bid_services.bid_save_declarations(
        by=user, bid=bid, conflicts_declared="", no_conflicts=True, accuracy_confirmed=True
    )
    bid_services.bid_transition(by=user, bid=bid, name="submit")
    return bid


def opened_opportunity(example: Example, published_on: datetime.date) -> Opportunity | None:
    """Published on `published_on`, bid for the next day, closed at noon a fortnight later and
    opened that afternoon (by two officers for a contract at or above the tender threshold)."""
    with travel(published_on, 9):
        commission = sourcing_commission(example)
        if commission is None:
            return None
        opportunity = opportunity_demo.opportunity_for(
            commission,
            clarification_in=datetime.timedelta(days=7),
            submission_in=datetime.timedelta(days=14),
            questions=4,
            document=True,
        )
    with travel(published_on + datetime.timedelta(days=1)):
        for strength, (slug, price) in enumerate(example.bidders):
            submit_bid(opportunity, slug, Decimal(price), len(example.bidders) - strength)
    with travel(timezone.localdate(opportunity.submission_deadline), 14):
        council = opportunity.council
        opportunity_services.bids_open(by=demo.person(council, Role.PROCUREMENT_OFFICER), opportunity=opportunity)
        opportunity.refresh_from_db()
        if opportunity.two_person_opening:
            opportunity_services.bids_open(by=demo.person(council, Role.LEGAL_OFFICER), opportunity=opportunity)
    opportunity.refresh_from_db()
    return opportunity


# ---- The evaluation ---------------------------------------------------------------------------------


def _score(member_index: int, bid_index: int, criterion_index: int) -> int:
    """The panel broadly agrees on which bid is best, but not on every criterion (so some are flagged)."""
    return max(0, min(5, 4 - bid_index + (criterion_index + 2 * member_index) % 3 - 1))


def _scores(evaluation, member, member_index: int, bid_index: int) -> dict[int, tuple[int, str]]:
    criteria = selectors.member_criteria(evaluation, member)
    given = {}
    for criterion_index, criterion in enumerate(criteria):
        score = _score(member_index, bid_index, criterion_index)
        given[criterion.pk] = (score, JUSTIFICATIONS[score])
    return given


def _refresh(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_related("opportunity__council", "opportunity__commission").get(pk=evaluation.pk)


def evaluate(example: Example, published_on: datetime.date, step: str) -> Evaluated | None:
    """An opened opportunity's evaluation, taken to `step` (or to sign-off for the award steps) a day
    at a time from the day after the opening."""
    opportunity = opened_opportunity(example, published_on)
    if opportunity is None:
        return None
    council = opportunity.council
    lead = demo.person(council, Role.LEAD_COMMISSIONER)
    chair = demo.person(council, Role.COMMISSIONING_OFFICER)
    procurement = demo.person(council, Role.PROCUREMENT_OFFICER)
    finance = demo.person(council, Role.FINANCE_OFFICER)
    day = published_on + datetime.timedelta(days=15)
    contract = example.route == DeliveryRoute.CONTRACT
    with travel(day, 9):
        commission = opportunity.commission
        value_for_money = commission.criteria.filter(cycle=commission.cycle, title="Value for money").first()
        evaluation = evaluation_services.evaluation_set_up(
            by=lead,
            opportunity=opportunity,
            price_method=PriceMethod.LOWEST_PRICE if contract else PriceMethod.QUALITY_ONLY,
            price_criterion=value_for_money if contract else None,
            compliance_checks=COMPLIANCE_CHECKS,
        )
        members = [
            evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=chair, chair=True),
            evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=procurement),
        ]
        if example.step in EVALUATION_STEPS:
            # The award examples keep to the smallest panel (two officers): seeding stays quick.
            members.append(evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=finance))
        if step == SCORING:
            resident = demo_user(*INDEPENDENT)
            questions = list(opportunity.questions.order_by("position")[:2])
            members.append(
                evaluation_services.panel_appoint(
                    by=lead, evaluation=evaluation, user=resident, independent=True, questions=questions
                )
            )
        bids = list(selectors.evaluated_bids(opportunity).select_related("organisation"))
        # The finance officer declares last; at the moderation step they have a conflict with one bid.
        conflicted = bids[-1] if step == MODERATION else None
        for member in members:
            if step == DECLARATIONS and member.user == finance:
                continue
            answers = {bid.pk: (False, "") for bid in bids}
            if member.user == finance and conflicted is not None:
                answers[conflicted.pk] = (True, f"A close relative is a trustee of {conflicted.organisation}.")
            evaluation_services.declarations_record(by=member.user, evaluation=_refresh(evaluation), answers=answers)
    if step == DECLARATIONS:
        return Evaluated(commission, opportunity, _refresh(evaluation), bids, day)

    day += datetime.timedelta(days=1)
    with travel(day):
        evaluation_services.evaluation_transition(by=lead, evaluation=_refresh(evaluation), name="open_compliance")
        checks = dict.fromkeys(COMPLIANCE_CHECKS, (True, ""))
        for bid in bids:
            evaluation_services.compliance_record(by=chair, evaluation=_refresh(evaluation), bid=bid, results=checks)
        evaluation_services.evaluation_transition(by=chair, evaluation=_refresh(evaluation), name="open_scoring")

    day += datetime.timedelta(days=1)
    with travel(day, 11):
        for member_index, member in enumerate(members):
            readable = set(selectors.bids_for_panellist(member.user, opportunity).values_list("pk", flat=True))
            for bid_index, bid in enumerate(bids):
                if bid.pk not in readable:
                    continue
                # At the scoring step the procurement officer has only a draft of the first bid.
                draft_only = step == SCORING and member.user == procurement
                if draft_only and bid_index > 0:
                    continue
                evaluation_services.score_sheet_save(
                    by=member.user,
                    evaluation=_refresh(evaluation),
                    bid=bid,
                    scores=_scores(evaluation, member, member_index, bid_index),
                    submit=not draft_only,
                )
    if step == SCORING:
        return Evaluated(commission, opportunity, _refresh(evaluation), bids, day)

    day += datetime.timedelta(days=1)
    with travel(day, 14):
        evaluation_services.evaluation_transition(by=chair, evaluation=_refresh(evaluation), name="open_moderation")
    if step == MODERATION:
        return Evaluated(commission, opportunity, _refresh(evaluation), bids, day)

    day += datetime.timedelta(days=1)
    with travel(day, 11):
        chair_access = selectors.evaluation_access(chair, council, opportunity.pk)
        for row in selectors.spread_table(chair_access):
            scores = {}
            for cell in row.cells:
                values = sorted(score for _member, score in cell.scores if score is not None)
                agreed = values[len(values) // 2] if values else 0
                rationale = (
                    "Discussed: the panel agreed the middle view, as the evidence supports it."
                    if cell.flagged
                    else "The panel's scores are within a point of each other: their middle view stands."
                )
                scores[cell.criterion.pk] = (agreed, rationale)
            evaluation_services.moderation_record(by=chair, evaluation=_refresh(evaluation), bid=row.bid, scores=scores)
        evaluation_services.evaluation_transition(by=chair, evaluation=_refresh(evaluation), name="sign_off")
    return Evaluated(commission, opportunity, _refresh(evaluation), bids, day)


@transaction.atomic
def seed_evaluations() -> int:
    """The demo evaluations at each step (see the module docstring). Returns how many were made."""
    made = 0
    today = timezone.localdate()
    for example in EXAMPLES:
        if Commission.objects.filter(council__slug=example.council, title=example.title).exists():
            continue
        # Published on a working day, so its deadline a fortnight later is one too.
        published_on = working_day(today - datetime.timedelta(days=example.published_days_ago), back=True)
        made += evaluate(example, published_on, example.step) is not None
    return made
