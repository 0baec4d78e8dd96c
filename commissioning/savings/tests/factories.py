"""Savings identified, recorded through the real service."""

from __future__ import annotations

from decimal import Decimal

from commissioning.savings.services import savings_identified_record
from commissioning.tests.factories import staff
from commissioning.tests.review_factories import matrix_review
from councils.models import Role


def identify(holder, year: int, amount, basis: str = "A lower unit cost from the new contract", by=None):
    """A saving identified for a commission or a review."""
    return savings_identified_record(
        by=by or staff(holder.council, Role.COMMISSIONING_OFFICER),
        holder=holder,
        target_year=year,
        amount=Decimal(str(amount)),
        basis=basis,
    )


def matrix_saving_kwargs(world) -> dict:
    """For the access matrix: a saving identified on the matrix's commission, made on first use."""
    if "saving_identified" not in world:
        world["saving_identified"] = identify(world["commission"], 2027, 25000)
    commission = world["commission"]
    return {"council_slug": world["council"].slug, "pk": commission.pk, "saving_pk": world["saving_identified"].pk}


def matrix_review_saving_kwargs(world) -> dict:
    """For the access matrix: a saving identified on the matrix's review, made on first use."""
    review = matrix_review(world)["review"]
    if "review_saving" not in world:
        world["review_saving"] = identify(review, 2027, 12000)
    return {"council_slug": world["council"].slug, "pk": review.pk, "saving_pk": world["review_saving"].pk}
