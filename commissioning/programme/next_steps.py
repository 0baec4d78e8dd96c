"""The ranked programme's "Next steps" (built with `councils.next_steps`, as every record page's is):
putting commissions forward while it is prepared, the workflow's steps, and whose turn it is."""

from __future__ import annotations

from django.urls import reverse

from commissioning.models import Programme, ProgrammeState
from councils import next_steps
from councils.next_steps import NextStep


def programme_next_steps(programme: Programme, steps: list[dict], *, may_score: bool) -> list[NextStep]:
    args = [programme.council.slug, programme.financial_year]
    result: list[NextStep] = []
    if may_score and programme.state == ProgrammeState.DRAFT:
        result.append(
            next_steps.mine(
                "Put a review or a commission forward",
                reverse("commissioning:programme_candidate_add", args=args),
                style="secondary",
            )
        )
    for step in steps:
        if step["name"] == "approve":
            url = reverse("commissioning:programme_decision", args=args)
        else:
            url = reverse("commissioning:programme_step", args=[*args, step["slug"]])
        style = "warning" if step["destructive"] else "secondary" if step["back_step"] else "primary"
        result.append(
            NextStep(label=step["label"], url=url, name=step["name"], style=style, missing=tuple(step["missing"]))
        )
    if not steps:
        if programme.state == ProgrammeState.DRAFT and not may_score:
            result.append(next_steps.theirs("Prepare and send the programme to cabinet", "the commissioners"))
        elif programme.state == ProgrammeState.AWAITING_APPROVAL:
            result.append(next_steps.theirs("Decide on the programme", "cabinet (a portfolio holder records it)"))
    return result
