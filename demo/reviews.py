"""Each demo council's programme of reviews of existing services, through the real services.

Three a council: one concluded "keep in-house with a new outcomes framework", one that led to a
recommission (the commission it started is in Understand, carrying the review's findings), and one
still under way. They cover the services on the provision map of the council's demo commissions (and
the running review, a live agreement where the council has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from commissioning import ports
from commissioning.models import Conclusion, ExistingProvision, Review
from commissioning.reviews import services
from councils.models import Council, Outcome, Role
from demo.commissions import DEMO_COMMISSIONS, person
from demo.fit import ISOLATION, VCFS
from demo.timeline import travel


@dataclass(frozen=True)
class DemoReview:
    title: str
    outcome: str
    scope: str
    evidence: tuple[str, str]
    findings: str
    # Days ago the review opened, and days from opening to its planned conclusion.
    opened: int
    length: int
    conclusion: str = ""
    reasons: str = ""
    # Days ago it concluded (only for a concluded review).
    concluded: int = 0
    measures: tuple[tuple[str, str], ...] = ()


# The recommissioned review's title is its commission's too (demo.fit.SERVICES names its outcome).
RECOMMISSIONED = "Community transport for older and disabled people"

DEMO_REVIEWS = (
    DemoReview(
        title="Lunch clubs and day activities for older people",
        outcome=ISOLATION,
        scope="The lunch clubs and day activities the council funds, run in-house and by voluntary groups.",
        evidence=(
            "Attendance and satisfaction 2024/25",
            "Attendance is steady at about 180 people a week; 92% of members rate the clubs good or very good.",
        ),
        findings="The clubs are well used and valued, but the council could not say what difference they make.",
        opened=280,
        length=150,
        conclusion=Conclusion.KEEP,
        reasons=(
            "The service meets the need at a fair cost and members value it; what it lacks is a way to show its "
            "outcomes. It stays in-house, under a new outcomes framework reported every quarter."
        ),
        concluded=100,
        measures=(
            ("Older people feel less isolated", "75% of members say they feel less lonely after six months"),
            ("Older people stay independent at home", "90% of members still living at home a year on"),
        ),
    ),
    DemoReview(
        title=RECOMMISSIONED,
        outcome=ISOLATION,
        scope="Dial-a-ride and the voluntary car schemes taking older and disabled people to shops and appointments.",
        evidence=(
            "Passenger survey and journey data",
            "Journeys fell by a third in two years; half the requests from the rural wards could not be met.",
        ),
        findings=(
            "The current schemes no longer reach the people who need them most: the rural wards are poorly "
            "served and booking only by telephone puts off younger disabled people."
        ),
        opened=220,
        length=120,
        conclusion=Conclusion.RECOMMISSION,
        reasons=(
            "A new service covering the whole district, with online booking and rural routes, is needed; the "
            "market can deliver it. Recommission through an open grant round."
        ),
        concluded=60,
    ),
    DemoReview(
        title="Grants to voluntary and community groups",
        outcome=VCFS,
        scope="The small grants and core funding the council gives voluntary and community groups.",
        evidence=(
            "Grant monitoring returns 2025",
            "41 groups funded; a quarter of the money goes to four groups, funded every year since 2015.",
        ),
        findings="",
        opened=45,
        length=150,
    ),
)


def _covered(council: Council, index: int) -> list[ExistingProvision]:
    """One service from the provision map of the council's commissions, a different one for each review
    where there are enough."""
    provisions = list(
        ExistingProvision.objects.filter(commission__council=council, cycle=F("commission__cycle")).order_by(
            "commission_id", "id"
        )
    )
    return [provisions[index % len(provisions)]] if provisions else []


def _outcome(council: Council, title: str) -> Outcome | None:
    return Outcome.objects.filter(priority__plan__council=council, title=title).select_related("portfolio").first()


def seed_review(council: Council, spec: DemoReview, index: int) -> Review | None:
    lead = person(council, Role.LEAD_COMMISSIONER)
    officer = person(council, Role.COMMISSIONING_OFFICER) or lead
    if lead is None:
        return None
    outcome = _outcome(council, spec.outcome)
    today = timezone.localdate()
    opened_on = today - timedelta(days=spec.opened)
    # The running review also looks at a live agreement, where the council has one.
    agreements = [] if spec.conclusion else [pk for pk, _label in ports.reviewed_agreements.choices(council)[:1]]
    with travel(opened_on):
        review = services.review_open(
            by=lead,
            council=council,
            title=spec.title,
            scope=spec.scope,
            lead_officer=officer,
            starts_on=opened_on,
            concludes_by=opened_on + timedelta(days=spec.length),
            portfolio=outcome.portfolio if outcome else None,
            outcomes=[outcome] if outcome else [],
            provisions=_covered(council, index),
            agreement_ids=agreements,
        )
    with travel(opened_on + timedelta(days=7)):
        services.review_transition(by=officer, review=review, name="start")
    with travel(opened_on + timedelta(days=21)):
        services.review_add_evidence(by=officer, review=review, title=spec.evidence[0], note=spec.evidence[1])
    if not spec.conclusion:
        return review
    with travel(today - timedelta(days=spec.concluded)):
        return services.review_conclude(
            by=lead,
            review=review,
            conclusion=spec.conclusion,
            reasons=spec.reasons,
            findings=spec.findings,
            measures=[services.NewMeasure(outcome=o, measure=m) for o, m in spec.measures],
        )


def seed_reviews() -> int:
    created = 0
    for council in Council.objects.filter(slug__in=list(DEMO_COMMISSIONS)).order_by("id"):
        for index, spec in enumerate(DEMO_REVIEWS):
            if Review.objects.filter(council=council, title=spec.title).exists():
                continue
            if seed_review(council, spec, index) is not None:
                created += 1
    return created
