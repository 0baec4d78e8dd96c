"""An opportunity's "Next steps" (built with `councils.next_steps`, as every record page's is): its own
steps, opening the bids once the deadline has passed, then the evaluation. The evaluation is linked
only for the people its pages let in (the lead commissioner and the current panel); anyone else is
told whose turn it is."""

from __future__ import annotations

from django.urls import reverse

from commissioning.award.selectors import may_read_award
from commissioning.evaluation.selectors import current_member
from commissioning.models import BidOpening, Opportunity, OpportunityState
from commissioning.permissions import can_open_bids
from councils import next_steps
from councils.models import Role, User
from councils.next_steps import NextStep
from councils.permissions import has_any_role

OPENING_HOLDERS = "held by the opening officers (the lead commissioner, procurement and legal officers)"


def may_open_evaluation(opportunity: Opportunity, user: User) -> bool:
    """What the evaluation's pages allow (`EvaluationAccess.takes_part`): the lead commissioner, or a
    current member of its panel."""
    if has_any_role(user, opportunity.council, (Role.LEAD_COMMISSIONER,)):
        return True
    return current_member(user, getattr(opportunity, "evaluation", None)) is not None


def opportunity_next_steps(opportunity: Opportunity, user: User, opening: BidOpening | None) -> list[NextStep]:
    slug = opportunity.council.slug
    args = [slug, opportunity.pk]

    def step_url(step: dict) -> str:
        return reverse("commissioning:opportunity_transition", args=[*args, step["name"]])

    steps = next_steps.from_workflow(opportunity, user, step_url)
    if opportunity.state == OpportunityState.CLOSED:
        confirmed_by_me = opening is not None and opening.first_officer_id == user.pk
        if confirmed_by_me:
            steps.append(next_steps.theirs("Confirm the opening", "held by a second, different opening officer"))
        elif can_open_bids(opportunity, user):
            label = "Confirm the opening as the second officer" if opening else "Open the bids"
            steps.append(next_steps.mine(label, reverse("commissioning:opportunity_opening", args=args), name="open"))
        else:
            steps.append(next_steps.theirs("Open the bids", OPENING_HOLDERS, name="open"))
    elif opportunity.state == OpportunityState.OPENED:
        steps.append(_evaluation_step(opportunity, user, args))
    return next_steps.ordered(steps)


def _evaluation_step(opportunity: Opportunity, user: User, args: list) -> NextStep:
    evaluation = getattr(opportunity, "evaluation", None)
    is_lead = has_any_role(user, opportunity.council, (Role.LEAD_COMMISSIONER,))
    if evaluation is None:
        if is_lead:
            return next_steps.mine(
                "Set up the evaluation", reverse("commissioning:evaluation_setup", args=args), name="evaluation"
            )
        return next_steps.theirs("Set up the evaluation", "held by the lead commissioner", name="evaluation")
    if evaluation.is_signed_off:
        if may_read_award(user, opportunity):
            return next_steps.mine("Go to the award", reverse("commissioning:award_detail", args=args), name="award")
        return next_steps.theirs("The award", "held by the commissioners", name="award")
    if may_open_evaluation(opportunity, user):
        return next_steps.mine(
            "Go to the evaluation", reverse("commissioning:evaluation", args=args), name="evaluation"
        )
    return next_steps.theirs(
        "The evaluation", f"held by the evaluation panel ({evaluation.get_state_display().lower()})", name="evaluation"
    )
