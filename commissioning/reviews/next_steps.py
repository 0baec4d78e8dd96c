"""A review's "Next steps" (built with `councils.next_steps`, as every record page's is): its evidence
while it is open, starting it, recording the conclusion (a page of its own), withdrawing it, and whose
turn it is when the next step is not the viewer's."""

from __future__ import annotations

from django.urls import reverse

from commissioning.models import Review, ReviewState
from commissioning.reviews import gates
from councils import next_steps
from councils.models import User
from councils.next_steps import NextStep


def review_next_steps(review: Review, user: User) -> list[NextStep]:
    slug = review.council.slug

    def step_url(step: dict) -> str:
        return reverse("commissioning:review_transition", args=[slug, review.pk, step["name"]])

    steps = next_steps.from_workflow(review, user, step_url)
    if review.is_open and user.has_perm("commissioning.edit_review", review) and not review.evidence.exists():
        steps.insert(
            0,
            next_steps.mine(
                "Add evidence", reverse("commissioning:review_evidence_add", args=[slug, review.pk]), name="evidence"
            ),
        )
    if review.state == ReviewState.UNDER_WAY:
        if user.has_perm("commissioning.conclude_review", review):
            steps.insert(
                0,
                next_steps.mine(
                    "Record the conclusion",
                    reverse("commissioning:review_conclude", args=[slug, review.pk]),
                    name="conclude",
                    missing=gates.missing_evidence(review),
                ),
            )
        else:
            steps.append(next_steps.theirs("Record the conclusion", "held by the lead commissioner", name="conclude"))
    if review.state == ReviewState.OPEN and not any(s.name == "start" for s in steps):
        steps.append(next_steps.theirs("Start the review", f"held by the lead officer, {review.lead_officer}"))
    return next_steps.ordered(steps)
