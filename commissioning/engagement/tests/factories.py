"""Early engagement test data, through the real services: a commission whose drafts are written
(in Plan: outcomes sought with a measure, and a summary of the service), and a consultation opened
on them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commissioning.engagement import services
from commissioning.models import ConsultationAudience, DraftPart, State
from commissioning.tests.factories import commission_in_state, complete_plan, staff
from councils.models import Role

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
