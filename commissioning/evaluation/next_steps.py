"""An evaluation's "Next steps" (built with `councils.next_steps`, as every record page's is): the
evaluation's own steps for whoever may take them, the visitor's own panel task (declare, score,
moderate), and whose turn it is when it is nobody's here; once signed off, the award, linked only
for those its page lets in."""

from __future__ import annotations

from django.urls import reverse

from commissioning.award.selectors import may_read_award
from commissioning.evaluation import queues
from commissioning.evaluation.selectors import EvaluationAccess
from commissioning.models import Evaluation
from councils import next_steps
from councils.next_steps import NextStep


def evaluation_next_steps(access: EvaluationAccess, evaluation: Evaluation) -> list[NextStep]:
    opportunity = access.opportunity
    args = [opportunity.council.slug, opportunity.pk]

    def step_url(step: dict) -> str:
        return reverse("commissioning:evaluation_step", args=[*args, step["name"]])

    steps = next_steps.from_workflow(evaluation, access.user, step_url)
    if evaluation.is_signed_off:
        if may_read_award(access.user, opportunity):
            steps.append(next_steps.mine("Go to the award", reverse("commissioning:award_detail", args=args)))
        else:
            steps.append(next_steps.theirs("The award", "held by the commissioners"))
        return next_steps.ordered(steps)
    if access.member is not None:
        member = queues.panel_memberships(access.user).filter(pk=access.member.pk).first()
        if member is not None:
            task = queues.panel_task(member)
            steps.append(NextStep(label=task.label, url=task.url, holder=task.holder, name="panel_task"))
    if not any(step.is_mine for step in steps) and evaluation.state in queues.STEP_HOLDERS:
        label, holder = queues.STEP_HOLDERS[evaluation.state]
        steps.append(next_steps.theirs(label, holder))
    return next_steps.ordered(steps)
