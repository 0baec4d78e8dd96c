"""Template filters that turn stored codes (states, audit event types) into the council's words."""

from functools import cache

from django import template

from commissioning.models import Commission, OpportunityState, State
from councils.formatting import govuk_tag, london_time

register = template.Library()


@cache
def _transition_labels() -> dict[str, str]:
    return {t.name: t.custom.get("label", t.name) for t in Commission().get_all_state_transitions()}


@register.filter
def state_label(value: str) -> str:
    if not value:
        return ""
    try:
        return State(value).label
    except ValueError:
        return value


@register.filter
def event_label(event_type: str) -> str:
    """commission.start_planning → "Move to Plan"; commission.evidence.added → "Evidence added";
    membership.granted → "Membership granted"."""
    parts = event_type.split(".")
    if parts[0] == "commission" and len(parts) > 1:
        if len(parts) == 2 and parts[1] in _transition_labels():
            return _transition_labels()[parts[1]]
        parts = parts[1:]
    words = " ".join(parts).replace("_", " ")
    return words[:1].upper() + words[1:]


def _state_colour(commission) -> str:
    if commission.state in (State.CANCELLED, State.DECOMMISSIONED):
        return "grey"
    if commission.state == State.AWAITING_APPROVAL:
        return "yellow"
    return {"understand": "light-blue", "plan": "purple", "do": "green"}.get(commission.stage, "orange")


@register.simple_tag
def commission_state_tag(commission) -> str:
    """The commission's state as a coloured tag (as commissioning/_state_tag.html draws it): in Python,
    because a list draws one a row and an include a row cost more than the rest of the row."""
    return govuk_tag(_state_colour(commission), commission.get_state_display())


def _opportunity_tag(opportunity) -> tuple[str, str]:
    if opportunity.state == OpportunityState.PUBLISHED and not opportunity.is_open_for_bids:
        return "blue", "Closed: bids sealed"
    colour = {OpportunityState.PUBLISHED: "green", OpportunityState.DRAFT: "grey", OpportunityState.CANCELLED: "red"}
    return colour.get(opportunity.state, "blue"), opportunity.get_state_display()


@register.simple_tag
def opportunity_state_tag(opportunity) -> str:
    """The opportunity's state as a coloured tag, for a published one past its deadline "Closed: bids
    sealed": in Python, as `commission_state_tag` is, because lists draw one a row."""
    return govuk_tag(*_opportunity_tag(opportunity))


@register.filter
def london(value) -> str:
    """A deadline or a moment: 24 November 2026, 12:00pm (London time), whatever the server's zone."""
    return london_time(value) if value else ""
