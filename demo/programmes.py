"""Demo prioritised programmes: each demo council's own criteria and weights, and a small programme
for the current financial year — its commissions still to be decided and any reviews still running,
scored with reasons, sent to cabinet and approved (all through the real services and the engine)."""

from __future__ import annotations

from django.utils import timezone

from commissioning.cycle.services import Decision
from commissioning.models import Commission, DecisionMaker, Programme, Review, State
from commissioning.programme import selectors, services
from councils.models import Council, Role
from demo.commissions import person

# Each council weighs its own reasons differently (weights compare, they need not add up to anything).
CRITERIA = {
    "kirkby-moor": [
        ("Prevention", 3),
        ("Return on investment", 2),
        ("Match funding", 1),
        ("Risk", 2),
        ("Sustainability", 2),
    ],
    "wyvern": [("Prevention", 2), ("Return on investment", 3), ("Match funding", 2), ("Risk", 1)],
    "ashby-vale": [("Prevention", 2), ("Return on investment", 1), ("Sustainability", 3)],
    "brookfield": [("Prevention", 3), ("Risk", 2), ("Sustainability", 1)],
}
CRITERION_MEANS = {
    "Prevention": "Stops needs growing into crises the council pays for later.",
    "Return on investment": "What it saves or earns for each pound spent.",
    "Match funding": "Money partners add to the council's.",
    "Risk": "What happens if the council does nothing: the higher, the more urgent.",
    "Sustainability": "Whether the benefit lasts after the funding ends.",
}
# Commissions still to be decided on are the candidates (not yet sourcing, or being reviewed).
CANDIDATE_STATES = (State.UNDERSTANDING, State.PLANNING, State.AWAITING_APPROVAL, State.REVIEWING)
REASONS = {
    "Prevention": ("No preventive effect we can show", "Some early help", "Keeps people out of crisis services"),
    "Return on investment": (
        "Costs more than it saves",
        "Pays for itself over three years",
        "Saves more than it costs",
    ),
    "Match funding": ("No partner money", "Some partner money in kind", "Partners add a third or more"),
    "Risk": ("Little harm in waiting a year", "Demand is rising", "A statutory duty is at stake"),
    "Sustainability": ("Stops when the grant ends", "Partly self-funding", "Community-run once set up"),
}


def _score(title: str, criterion: str) -> int:
    # Stable scores that differ between candidates and criteria, so the ranking has something to show.
    return sum(map(ord, title + criterion)) % 6


def _reason(criterion: str, score: int) -> str:
    return REASONS.get(criterion, ("Low", "Middling", "High"))[min(score // 2, 2)]


def seed_programme(council: Council) -> bool:
    year = selectors.financial_year_of(timezone.localdate())
    if Programme.objects.filter(council=council, financial_year=year).exists():
        return False
    lead = person(council, Role.LEAD_COMMISSIONER)
    officer = person(council, Role.COMMISSIONING_OFFICER)
    holder = person(council, Role.PORTFOLIO_HOLDER)
    if not (lead and officer and holder):
        return False
    if not selectors.criteria(council):
        for name, weight in CRITERIA.get(council.slug, CRITERIA["kirkby-moor"]):
            services.criterion_save(
                by=lead, council=council, name=name, weight=weight, description=CRITERION_MEANS[name]
            )
    criteria = selectors.criteria(council)
    programme = services.programme_start(by=officer, council=council, financial_year=year)
    subjects = [
        {"review": review}
        for review in Review.objects.filter(council=council, state__in=selectors.RUNNING_REVIEWS).order_by("id")[:2]
    ] + [
        {"commission": commission}
        for commission in Commission.objects.filter(council=council, state__in=CANDIDATE_STATES).order_by("id")[:3]
    ]
    if not subjects:
        return False
    for subject in subjects:
        candidate = services.candidate_add(by=officer, programme=programme, **subject)
        scores = {c.pk: _score(candidate.title, c.name) for c in criteria}
        reasons = {c.pk: _reason(c.name, scores[c.pk]) for c in criteria}
        services.candidate_score(
            by=officer, candidate=candidate, scores={pk: (scores[pk], reasons[pk]) for pk in scores}
        )
    services.programme_transition(by=officer, programme=programme, name="submit")
    services.programme_transition(
        by=holder,
        programme=programme,
        name="approve",
        reason="Approved as ranked; the top three start this year.",
        decision=Decision(
            decision_maker=DecisionMaker.CABINET,
            reference=f"CAB/{year}/{council.short_code}-PRG",
            decided_on=timezone.localdate(),
            minute_url=f"https://democracy.{council.slug}.example/cabinet/{year}/programme",
        ),
    )
    return True


def seed_programmes() -> int:
    return sum(seed_programme(council) for council in Council.objects.filter(slug__in=CRITERIA).order_by("id"))
