"""The returns tables' tags: a return's state (with overdue and late) and a RAG rating, colour never alone."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from monitoring.models import MonitoringReturn, Rag, ReturnState


def _render(source: str, **context) -> str:
    return Template("{% load returns %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("state", "colour"),
    [
        (ReturnState.ACCEPTED, "green"),
        (ReturnState.SUBMITTED, "purple"),
        (ReturnState.QUERIED, "orange"),
        (ReturnState.DUE, "blue"),
        (ReturnState.NOT_REQUIRED, "grey"),
    ],
)
def test_each_state_has_its_colour_and_its_words(state, colour):
    due = MonitoringReturn(state=state, due_on=timezone.localdate() + timedelta(days=7))
    assert _render("{% return_state_tag r %}", r=due) == (
        f'<strong class="govuk-tag govuk-tag--{colour}">{due.get_state_display()}</strong>'
    )


def test_an_overdue_return_and_a_late_one_say_so():
    overdue = MonitoringReturn(state=ReturnState.DUE, due_on=timezone.localdate() - timedelta(days=1))
    assert _render("{% return_state_tag r %}", r=overdue).startswith(
        '<strong class="govuk-tag govuk-tag--red">Overdue</strong> <strong class="govuk-tag govuk-tag--blue">'
    )
    late = MonitoringReturn(state=ReturnState.ACCEPTED, due_on=timezone.localdate(), is_late=True)
    assert _render("{% return_state_tag r %}", r=late).endswith(
        '</strong> <strong class="govuk-tag govuk-tag--pink">Late</strong>'
    )


@pytest.mark.parametrize(
    ("rag", "colour"), [(Rag.RED, "red"), (Rag.AMBER, "orange"), (Rag.GREEN, "green"), (Rag.NOT_RATED, "grey")]
)
def test_a_rating_is_a_word_in_its_colour(rag, colour):
    assert _render("{% rag_tag rag label %}", rag=rag, label="<Red>") == (
        f'<strong class="govuk-tag govuk-tag--{colour}">&lt;Red&gt;</strong>'
    )
