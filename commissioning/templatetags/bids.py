"""Template helpers for bids: bid state tags and the provider portal's bids (`|london` is built in)."""

from django import template

from commissioning.models import BidState
from commissioning.sourcing.selectors import bids as bid_selectors

register = template.Library()

STATE_TAG_COLOURS = {BidState.DRAFT: "grey", BidState.SUBMITTED: "green", BidState.WITHDRAWN: "orange"}


@register.filter
def bid_state_colour(state: str) -> str:
    return STATE_TAG_COLOURS.get(state, "grey")


@register.inclusion_tag("bids/_bids_table.html", takes_context=True)
def provider_bids(context):
    """The signed-in provider's bids, for the provider portal (used when its view does not pass them)."""
    user = context.get("user") or context["request"].user
    bids = context.get("provider_bids")
    if bids is None:
        bids = bid_selectors.bids_for_provider_user(user)
    return {"provider_bids": bids}
