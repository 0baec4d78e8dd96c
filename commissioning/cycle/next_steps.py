"""A commission's "Next steps": the cycle steps the viewer may take, creating the opportunity once the
commission is approved for sourcing, and whose turn it is when the next step is not the viewer's
(built with `councils.next_steps`, as every record page's is)."""

from __future__ import annotations

from django.urls import reverse

from commissioning.models import Commission, OpportunityState, Stage, State
from councils import next_steps
from councils.models import User
from councils.next_steps import NextStep

CLOSED_STATES = (State.DECOMMISSIONED, State.CANCELLED)


def commission_next_steps(commission: Commission, user: User, sourcing) -> list[NextStep]:
    """`sourcing` is the page's `sourcing_for_commission` (whether the viewer may create the opportunity)."""
    slug = commission.council.slug

    def step_url(step: dict) -> str:
        return reverse("commissioning:transition", args=[slug, commission.pk, step["name"]])

    steps = next_steps.from_workflow(commission, user, step_url)
    live = [o for o in sourcing.opportunities if o.state != OpportunityState.CANCELLED]
    if commission.state == State.SOURCING and commission.is_competitive and not live:
        # Approved for sourcing: the next step is the opportunity, drafted on a page of its own.
        if sourcing.can_create:
            steps.insert(
                0,
                next_steps.mine(
                    "Create the opportunity",
                    reverse("commissioning:opportunity_create", args=[slug, commission.pk]),
                    name="create_opportunity",
                ),
            )
        else:
            steps.append(
                next_steps.theirs(
                    "Create the opportunity",
                    "held by the commissioning and procurement officers",
                    name="create_opportunity",
                )
            )
    if commission.state == State.AWAITING_APPROVAL and not any(s.name == "approve" for s in steps):
        holder = (
            "held by the portfolio holder (a key decision)"
            if commission.is_key_decision
            else "held by the lead commissioner (a delegated decision)"
        )
        steps.append(next_steps.theirs("Approve the commission", holder, name="approve"))
    if commission.state in (State.UNDERSTANDING, State.PLANNING) and not steps:
        steps.append(
            next_steps.theirs(
                f"The {Stage(commission.stage).label} work", f"held by the lead officer, {commission.lead_officer}"
            )
        )
    return next_steps.ordered(steps)
