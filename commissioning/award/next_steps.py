"""An award's "Next steps" (built with `councils.next_steps`, as every record page's is), from what the
award page has already worked out for the visitor: the recommendation, the decision, the award's own
steps, the assessment summaries and the voluntary standstill; and whose turn it is when none is theirs."""

from __future__ import annotations

from django.urls import reverse

from commissioning.models import Award, AwardState
from councils import next_steps
from councils.next_steps import NextStep


def award_next_steps(award: Award, page: dict) -> list[NextStep]:
    """`page` is the award page's context: its `steps` (the workflow's, already filtered), `can_edit`,
    `may_decide`, `missing_to_approve`, `can_prepare_summaries`, `can_send_summaries`,
    `may_choose_standstill`."""
    args = [award.council.slug, award.opportunity_id]
    steps: list[NextStep] = []
    if page["can_edit"]:
        steps.append(
            next_steps.mine(
                "Change the recommendation", reverse("commissioning:award_items", args=args), style="secondary"
            )
        )
    if page["may_decide"]:
        steps.append(
            next_steps.mine(
                "Take the decision",
                reverse("commissioning:award_decision", args=args),
                name="approve",
                missing=page["missing_to_approve"],
            )
        )
    for step in page["steps"]:
        style = "warning" if step["destructive"] else "secondary" if step["name"] == "refer_back" else "primary"
        steps.append(
            NextStep(
                label=step["label"],
                url=reverse("commissioning:award_step", args=[*args, step["name"]]),
                name=step["name"],
                style=style,
                missing=tuple(step["missing"]),
            )
        )
    if page["can_prepare_summaries"]:
        url = reverse("commissioning:award_summaries", args=args)
        steps.append(next_steps.mine("Prepare the assessment summaries", url, name="summaries"))
    if page["can_send_summaries"]:
        url = reverse("commissioning:award_summaries_send", args=args)
        steps.append(next_steps.mine("Send the assessment summaries", url, name="summaries"))
    if page["may_choose_standstill"]:
        url = reverse("commissioning:award_standstill", args=args)
        steps.append(next_steps.mine("Choose about a voluntary standstill", url, style="secondary"))
    if not any(step.is_mine for step in steps):
        steps.extend(_whose_turn(award))
    return next_steps.ordered(steps)


def _whose_turn(award: Award) -> list[NextStep]:
    if award.state == AwardState.DRAFT:
        return [next_steps.theirs("Send the recommendation for decision", "held by the commissioners")]
    if award.state == AwardState.AWAITING_DECISION:
        holder = (
            "held by the portfolio holder (a key decision)"
            if award.is_key_decision
            else "held by the lead commissioner (a delegated decision)"
        )
        return [next_steps.theirs("Take the decision", holder)]
    if award.state == AwardState.APPROVED and award.assessment_summaries_sent_at is None:
        return [next_steps.theirs("Send the assessment summaries", "held by the commissioners")]
    return []
