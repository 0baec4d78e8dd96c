"""Monitoring returns in templates: a return's state and a RAG rating as GOV.UK tags.

Written in Python rather than as included templates: the returns tables draw two a row, and an
include a row cost more than the rest of the row (the agreement page of a return a month for some
years drew over eighty of them).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from monitoring.models import Rag, ReturnState

register = template.Library()

STATE_COLOURS = {
    ReturnState.ACCEPTED: "green",
    ReturnState.SUBMITTED: "purple",
    ReturnState.QUERIED: "orange",
    ReturnState.DUE: "blue",
}
RAG_COLOURS = {Rag.RED: "red", Rag.AMBER: "orange", Rag.GREEN: "green"}
OVERDUE = SafeString('<strong class="govuk-tag govuk-tag--red">Overdue</strong> ')
LATE = SafeString(' <strong class="govuk-tag govuk-tag--pink">Late</strong>')


@register.simple_tag
def return_state_tag(monitoring_return) -> str:
    """The return's state as a tag, with "Overdue" and "Late" where they apply."""
    return format_html(
        '{}<strong class="govuk-tag govuk-tag--{}">{}</strong>{}',
        OVERDUE if monitoring_return.is_overdue else "",
        STATE_COLOURS.get(monitoring_return.state, "grey"),
        monitoring_return.get_state_display(),
        LATE if monitoring_return.is_late else "",
    )


@register.simple_tag
def rag_tag(rag, label) -> str:
    """A RAG rating as a tag; the word is always shown, so colour is never the only signal."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', RAG_COLOURS.get(rag, "grey"), label)
