"""The numbers people see on an opportunity's questions: 1, 2, 3 in the order the bid form and the
opportunity page list them (position, then id). The stored position may have gaps or repeats and the
id means nothing to a bidder, so every message that names a question takes its number from here, as
the form's labels do."""

from __future__ import annotations

from collections.abc import Iterable

from commissioning.models import OpportunityQuestion


def question_numbers(questions: Iterable[OpportunityQuestion]) -> dict[int, int]:
    """OpportunityQuestion id → its displayed number, given all of one opportunity's questions."""
    ordered = sorted(questions, key=lambda question: (question.position, question.pk))
    return {question.pk: number for number, question in enumerate(ordered, start=1)}


def question_number(question: OpportunityQuestion) -> int:
    """One question's displayed number (a query for its opportunity's questions: prefer
    `question_numbers` when numbering several)."""
    siblings = OpportunityQuestion.objects.filter(opportunity_id=question.opportunity_id).only("pk", "position")
    return question_numbers(siblings)[question.pk]
