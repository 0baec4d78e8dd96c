"""Agreements with a remedies log, made through the real services."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from commissioning.tests.factories import staff
from councils.models import Role
from monitoring.models import Agreement, Deduction
from monitoring.remedies import services
from monitoring.tests.factories import draft_agreement, matrix_agreements, sign
from providers.models import Organisation


def providers_agreement(council, provider_user, **terms) -> Agreement:
    """A signed agreement with the organisation `provider_user` acts for (60,000 in instalments)."""
    provider = Organisation.objects.get(members__user=provider_user)
    return sign(draft_agreement(council, provider=provider, **terms))


def deduct(agreement, amount, payment=None, reason="Sessions below target", **kwargs) -> Deduction:
    return services.deduction_record(
        by=staff(agreement.council, Role.COMMISSIONING_OFFICER),
        agreement=agreement,
        payment=payment or agreement.payments.order_by("due_on", "id").first(),
        amount=Decimal(amount),
        reason=reason,
        **kwargs,
    )


def matrix_remedy_kwargs(world) -> dict:
    """For the access matrix: a deduction on the matrix's signed agreement, made on first use."""
    objects = matrix_agreements(world)
    if "deduction" not in objects:
        objects["deduction"] = deduct(objects["signed"], "100")
    return {
        "council_slug": world["council"].slug,
        "pk": objects["signed"].pk,
        "kind": "deductions",
        "item_pk": objects["deduction"].pk,
    }


def matrix_plan_kwargs(world) -> dict:
    """For the access matrix: an open remedy plan on the matrix's signed agreement."""
    objects = matrix_agreements(world)
    if "plan" not in objects:
        agreement = objects["signed"]
        objects["plan"] = services.remedy_plan_agree(
            by=staff(agreement.council, Role.COMMISSIONING_OFFICER),
            agreement=agreement,
            actions="Recruit two volunteers",
            due_on=timezone.localdate(),
        )
    return {"council_slug": world["council"].slug, "pk": objects["signed"].pk, "item_pk": objects["plan"].pk}


def matrix_respond_kwargs(world) -> dict:
    kwargs = matrix_remedy_kwargs(world)
    return {"pk": kwargs["pk"], "kind": kwargs["kind"], "item_pk": kwargs["item_pk"]}
