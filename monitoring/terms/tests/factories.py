"""Agreement terms recorded through the real services, as a commissioner would."""

from __future__ import annotations

from decimal import Decimal

from commissioning.tests.factories import staff
from councils.models import Role
from monitoring.models import ResultPayment
from monitoring.terms import services
from monitoring.tests.factories import matrix_agreements


def result_line(
    result="A person in work for 13 weeks", price="1500", evidence="Payslips or an employer's letter", kpi=None
):
    return ResultPayment(result=result, price=Decimal(price), evidence=evidence, kpi=kpi)


def record_terms(agreement, *, by=None, **overrides):
    """A unit price with payment by results (one result), a 90-day break clause and TUPE."""
    terms = {
        "pays_fixed": False,
        "pays_per_unit": True,
        "pays_by_results": True,
        "unit_name": "hour of support",
        "unit_price": Decimal("24.50"),
        "has_break_clause": True,
        "break_notice_days": 90,
        "tupe_applies": True,
        "tupe_note": "Six support workers transfer from the outgoing provider.",
        "first_result": result_line(),
    }
    return services.terms_save(
        by=by or staff(agreement.council, Role.COMMISSIONING_OFFICER), agreement=agreement, **{**terms, **overrides}
    )


def matrix_terms(world) -> dict:
    """For the access matrix, built on first use: the matrix's draft agreement with terms and one result."""
    if "terms" not in world:
        draft = matrix_agreements(world)["draft"]
        terms = record_terms(draft)
        world["terms"] = {"agreement": draft, "result": terms.results.first()}
    return world["terms"]


def matrix_terms_kwargs(*, result: bool = False):
    def build(world) -> dict:
        objects = matrix_terms(world)
        kwargs = {"council_slug": world["council"].slug, "pk": objects["agreement"].pk}
        if result:
            kwargs["result_pk"] = objects["result"].pk
        return kwargs

    return build
