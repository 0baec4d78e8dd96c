"""Demo savings, recorded through the real services: identified on a few commissions and on the review
each council kept in-house, realised on their live agreements.

The figures add up: each commission's savings realised never exceed those it identified, and savings
are realised only on live agreements, in the years since they went live. The finance officer records
most realised figures (confirmed as they are recorded); one, on Kirkby Moor's home support contract,
was recorded by the commissioning officer and waits for the finance officer's confirmation. Safe to
run again: a commission or review that already has savings is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from commissioning.models import Commission, Conclusion, Review, SavingsIdentified
from commissioning.savings import services as identified_services
from councils.financial_year import financial_year_of
from councils.models import Role
from demo.commissions import person
from monitoring.models import Agreement, AgreementState
from monitoring.savings import services as realised_services


@dataclass(frozen=True)
class DemoSavings:
    council: str
    title: str
    # (years after going live, amount, how): what the commission should save each year.
    identified: tuple[tuple[int, str, str], ...]
    # (years after going live, share of that year's identified saving realised, confirmed by finance?)
    realised: tuple[tuple[int, str, bool], ...]


DEMO_SAVINGS = (
    DemoSavings(
        "kirkby-moor",
        "Befriending for older people living alone",
        (
            (0, "18000", "Fewer GP appointments and home visits for loneliness, in the care budget"),
            (1, "24000", "A full year of volunteer befriending instead of paid sitting services"),
        ),
        ((0, "0.85", True), (1, "0.5", True)),
    ),
    DemoSavings(
        "kirkby-moor",
        "Home support for older people",
        (
            (0, "90000", "A lower hourly rate from the light-touch procurement"),
            (1, "120000", "The full year of the lower rate, and fewer emergency placements"),
        ),
        ((0, "0.6", False),),
    ),
    DemoSavings(
        "wyvern",
        "Healthy holidays activity programme",
        ((0, "12000", "School holiday meals bought together with the activities"),),
        ((0, "0.8", True),),
    ),
)
# The review each demo council kept in-house, with a new outcomes framework: what the new framework saves.
KEPT_REVIEW_SAVING = (
    Decimal("26300"),
    "The lunch clubs share transport and kitchens with the day centres under the new outcomes framework",
)


def _live_agreement(commission: Commission) -> Agreement | None:
    return (
        Agreement.objects.filter(commission=commission, state=AgreementState.LIVE)
        .select_related("council")
        .order_by("id")
        .first()
    )


def _seed_commission(spec: DemoSavings, this_year: int) -> int:
    commission = (
        Commission.objects.filter(council__slug=spec.council, title=spec.title).select_related("council").first()
    )
    if commission is None or SavingsIdentified.objects.filter(commission=commission).exists():
        return 0
    agreement = _live_agreement(commission)
    if agreement is None:
        return 0
    council = commission.council
    officer, finance = person(council, Role.COMMISSIONING_OFFICER), person(council, Role.FINANCE_OFFICER)
    first = financial_year_of(agreement.live_on or agreement.starts_on)
    amounts = {}
    for offset, amount, basis in spec.identified:
        saving = identified_services.savings_identified_record(
            by=officer, holder=commission, target_year=first + offset, amount=Decimal(amount), basis=basis
        )
        amounts[first + offset] = saving.amount
    for offset, share, confirmed in spec.realised:
        year = first + offset
        if year > this_year or year not in amounts:
            continue
        realised_services.savings_realised_record(
            by=finance if confirmed else officer,
            agreement=agreement,
            financial_year=year,
            amount=(amounts[year] * Decimal(share)).quantize(Decimal("1")),
            how="The budget monitoring report for the year, against the cost of the service before.",
        )
    return 1


def _seed_kept_review(review: Review, this_year: int) -> int:
    if review.savings_identified.exists():
        return 0
    officer = person(review.council, Role.COMMISSIONING_OFFICER)
    amount, basis = KEPT_REVIEW_SAVING
    for year in (this_year + 1, this_year + 2):
        identified_services.savings_identified_record(
            by=officer, holder=review, target_year=year, amount=amount, basis=basis
        )
    return 1


def seed_savings() -> int:
    """Savings on the demo commissions and kept reviews; how many commissions and reviews got them."""
    this_year = financial_year_of(timezone.localdate())
    seeded = sum(_seed_commission(spec, this_year) for spec in DEMO_SAVINGS)
    for review in Review.objects.filter(conclusion=Conclusion.KEEP).select_related("council"):
        seeded += _seed_kept_review(review, this_year)
    return seeded
