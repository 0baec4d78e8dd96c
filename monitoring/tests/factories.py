"""Agreements made through the real services, as officers would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from commissioning.models import DeliveryRoute, State
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role
from demo.providers import tiny_pdf
from monitoring.agreements import services, steps, variations
from providers.tests.factories import OrganisationFactory

START = date(2026, 4, 1)
END = date(2027, 3, 31)


def signed_pdf(name="signed.pdf"):
    return ContentFile(tiny_pdf("Signed agreement"), name=name)


def agreeing_commission(council, route=DeliveryRoute.PARTNERSHIP, **kwargs):
    return commission_in_state(council, State.AGREEING, route=route, **kwargs)


def draft_agreement(council, *, commission=None, provider=None, by=None, **terms):
    commission = commission or agreeing_commission(council)
    if provider is None and "internal_team_name" not in terms:
        provider = OrganisationFactory()
    defaults = {"title": "Befriending partnership", "value": Decimal("60000"), "starts_on": START, "ends_on": END}
    return services.agreement_create(
        by=by or staff(council, Role.COMMISSIONING_OFFICER),
        commission=commission,
        provider=provider,
        **{**defaults, **terms},
    )


def sign(agreement, by=None, signed_on=date(2026, 3, 20)):
    return steps.agreement_sign(
        by=by or staff(agreement.council, Role.LEGAL_OFFICER),
        agreement=agreement,
        document=signed_pdf(),
        signed_on=signed_on,
    )


def go_live(agreement, by=None, live_on=START):
    return steps.agreement_go_live(
        by=by or staff(agreement.council, Role.COMMISSIONING_OFFICER), agreement=agreement, live_on=live_on
    )


def live_agreement(council, **kwargs):
    return go_live(sign(draft_agreement(council, **kwargs)))


def approval(council, role=Role.LEAD_COMMISSIONER, on=date(2026, 6, 1)):
    return variations.Approval(approved_by=staff(council, role), approved_on=on, reference="DEL/2026/014")


def matrix_agreements(world) -> dict:
    """For the access matrix, built on first use and kept in the world: a partnership commission
    putting agreements in place, with a draft agreement and a signed one, both with the provider
    administrator's organisation."""
    if "agreements" not in world:
        from providers.models import Organisation

        council = world["council"]
        provider = Organisation.objects.get(members__user=world["people"]["provider_admin"])
        commission = agreeing_commission(council, title="Food poverty partnership")
        draft = draft_agreement(council, commission=commission, provider=provider)
        world["agreements"] = {
            "commission": commission,
            "draft": draft,
            "kpi": draft.kpis.first(),
            "payment": draft.payments.first(),
            "signed": sign(draft_agreement(council, commission=commission, provider=provider)),
        }
    return world["agreements"]


def matrix_kwargs(key: str = "draft", **values) -> Callable[[dict], dict]:
    """URL kwargs for one of the matrix's agreements (`key`), plus e.g. kpi_pk="kpi" or action="sign"."""

    def build(world) -> dict:
        objects = matrix_agreements(world)
        kwargs = {"council_slug": world["council"].slug, "pk": objects[key].pk}
        for name, value in values.items():
            kwargs[name] = objects[value].pk if value in objects and name.endswith("_pk") else value
        return kwargs

    return build
