"""Flags, plans and interventions made through the real services, as officers would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from commissioning.tests.factories import staff
from councils.models import Role
from monitoring.agreements import variations
from monitoring.continuity import services
from monitoring.models import FlagLevel, TerminationGround
from monitoring.tests.factories import agreeing_commission, live_agreement, matrix_agreements


def lead(council):
    return staff(council, Role.LEAD_COMMISSIONER)


def officer(council):
    return staff(council, Role.COMMISSIONING_OFFICER)


def complete_plan(agreement, **overrides):
    council = agreement.council
    terms = {
        "vital": True,
        "why_vital": "Meals for people who cannot cook for themselves.",
        "if_provider_fails": "The in-house reablement team delivers frozen meals within 24 hours.",
        "fallback": "in_house",
        "fallback_detail": "Reablement team, 40 meals a day within 24 hours.",
        "responsible": officer(council),
        "last_tested_on": timezone.localdate() - timedelta(days=30),
    }
    return services.plan_save(by=officer(council), agreement=agreement, **{**terms, **overrides})


def flag(agreement=None, *, provider=None, council=None, level=FlagLevel.AT_RISK, reason="Lost its chef", by=None):
    council = council or agreement.council
    return services.flag_raise(
        by=by or officer(council), council=council, agreement=agreement, provider=provider, level=level, reason=reason
    )


def terminate_for_failure(agreement, on=None):
    return variations.agreement_terminate(
        by=lead(agreement.council),
        agreement=agreement,
        terminated_on=on or timezone.localdate(),
        reason="The provider went into administration.",
        ground=TerminationGround.FAILURE,
    )


def matrix_continuity(world) -> dict:
    """For the access matrix, built on first use: the matrix's signed agreement (in nobody's portfolio)
    flagged at risk, its intervention with one action."""
    if "continuity" not in world:
        signed = matrix_agreements(world)["signed"]
        raised = flag(signed)
        intervention = signed.interventions.get()
        action = services.action_add(
            by=officer(signed.council),
            intervention=intervention,
            what="Meet the provider's board",
            owner=officer(signed.council),
            due_on=timezone.localdate() + timedelta(days=7),
        )
        # A service of its own commission, delivered, whose provider failed: the lead's next step is open.
        failed = live_agreement(world["council"], commission=agreeing_commission(world["council"], title="Meals"))
        terminate_for_failure(failed)
        world["continuity"] = {"flag": raised, "intervention": intervention, "action": action, "failed": failed}
    return world["continuity"]


def matrix_continuity_kwargs(key: str, **extra) -> Callable[[dict], dict]:
    """URL kwargs for one of the matrix's continuity records (`key`: "flag", "intervention", "failed"),
    plus e.g. part="action", or action_pk=True for the intervention's action."""

    def build(world) -> dict:
        objects = matrix_continuity(world)
        kwargs = {"council_slug": world["council"].slug, "pk": objects[key].pk, **extra}
        if extra.get("action_pk"):
            kwargs["action_pk"] = objects["action"].pk
        return kwargs

    return build
