"""Early engagement test data, through the real services: a commission whose drafts are written
(in Plan: outcomes sought with a measure, and a summary of the service), and a consultation opened
on them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commissioning.cycle import services as cycle_services
from commissioning.engagement import services
from commissioning.models import ConsultationAudience, DraftPart, State
from commissioning.tests.factories import commission_in_state, complete_plan, staff
from councils.models import Role
from providers.models import Organisation

SUMMARY = "A befriending service for older people who live alone, with weekly visits and calls."


def drafted_commission(council, state=State.PLANNING, **kwargs):
    """In Plan (the default) the drafts are written but not submitted; later states have them too."""
    kwargs.setdefault("summary", SUMMARY)
    commission = commission_in_state(council, state, **kwargs)
    if state == State.PLANNING:
        complete_plan(commission)
    return commission


def open_consultation(
    commission,
    *,
    by=None,
    audience=ConsultationAudience.PUBLIC,
    parts=(DraftPart.OUTCOMES, DraftPart.SPECIFICATION),
    days=14,
):
    return services.consultation_open(
        by=by or staff(commission.council, Role.COMMISSIONING_OFFICER),
        commission=commission,
        parts=list(parts),
        audience=audience,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=days),
    )


def matrix_consultation(world, audience=ConsultationAudience.PUBLIC) -> dict:
    """For the access matrix: on the matrix's commission (in Plan), its specification drafted and
    opened for comment (to the public, or to providers only), with a comment; made on first use."""
    key = f"consultation_{audience}"
    if key not in world:
        commission = world["commission"]
        officer = world["people"][Role.COMMISSIONING_OFFICER]
        if not commission.summary:
            commission.summary = SUMMARY
            cycle_services.commission_update(by=officer, commission=commission)
        consultation = open_consultation(commission, by=officer, audience=audience, parts=(DraftPart.SPECIFICATION,))
        provider = world["people"]["provider_admin"]
        commenter = (
            {"name": "Ann", "email": "ann@example.org"}
            if audience == ConsultationAudience.PUBLIC
            else {"by": provider, "organisation": Organisation.objects.get(members__user=provider)}
        )
        comment = services.consultation_comment(
            consultation=consultation, section="general", text="A comment", **commenter
        )
        world[key] = {"consultation": consultation, "comment": comment}
    return world[key]


def matrix_consultation_kwargs(*, comment=False, audience=ConsultationAudience.PUBLIC):
    """The officers' pages of the matrix's consultation (and its comment)."""

    def build(world) -> dict:
        made = matrix_consultation(world, audience)
        kwargs = {
            "council_slug": world["council"].slug,
            "pk": world["commission"].pk,
            "consultation_pk": made["consultation"].pk,
        }
        if comment:
            kwargs["comment_pk"] = made["comment"].pk
        return kwargs

    return build


def public_consultation_kwargs(audience=ConsultationAudience.PUBLIC):
    def build(world) -> dict:
        return {"council_slug": world["council"].slug, "pk": matrix_consultation(world, audience)["consultation"].pk}

    return build
