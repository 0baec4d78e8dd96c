"""Monitoring returns in templates: a return's state and a RAG rating as GOV.UK tags.

Written in Python rather than as included templates: the returns tables draw two a row, and an
include a row cost more than the rest of the row (the agreement page of a return a month for some
years drew over eighty of them).
"""

from django import template
from django.utils.html import format_html

from councils.formatting import govuk_tag
from monitoring.models import Rag, ReturnState

register = template.Library()

STATE_COLOURS = {
    ReturnState.ACCEPTED: "green",
    ReturnState.SUBMITTED: "purple",
    ReturnState.QUERIED: "orange",
    ReturnState.DUE: "blue",
}
RAG_COLOURS = {Rag.RED: "red", Rag.AMBER: "orange", Rag.GREEN: "green"}
OVERDUE = govuk_tag("red", "Overdue")
LATE = govuk_tag("pink", "Late")


@register.simple_tag
def return_state_tag(monitoring_return) -> str:
    """The return's state as a tag, with "Overdue" and "Late" where they apply."""
    return format_html(
        "{}{}{}",
        format_html("{} ", OVERDUE) if monitoring_return.is_overdue else "",
        govuk_tag(STATE_COLOURS.get(monitoring_return.state, "grey"), monitoring_return.get_state_display()),
        format_html(" {}", LATE) if monitoring_return.is_late else "",
    )


@register.simple_tag
def rag_tag(rag, label) -> str:
    """A RAG rating as a tag; the word is always shown, so colour is never the only signal."""
    return govuk_tag(RAG_COLOURS.get(rag, "grey"), label)
