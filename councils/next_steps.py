"""The "Next steps" panel of every record page (commission, opportunity, evaluation, award, agreement),
built one way: each step names the action, who holds it, and a link to it, and never offers a link
the viewer would be refused.

A page builds its list from the workflow steps the viewer may take (`from_workflow`, over
`workflow.available`), adds the actions that live on pages of their own (`mine`, when the page's
own permission check passes), and says whose turn it is when it is not the viewer's (`theirs`, no
link). `templates/includes/_next_steps.html` shows the list: what is missing before a step can be
taken, the steps' buttons, then whose turn the others are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

from councils import workflow


@dataclass(frozen=True)
class NextStep:
    label: str
    # Where the viewer takes it; empty when it is not theirs to take.
    url: str = ""
    # Who holds it (a role or a person), said when it is not the viewer's.
    holder: str = ""
    # What must be done first (the step's gate, in words); a step with something missing has no button.
    missing: tuple[str, ...] = field(default_factory=tuple)
    name: str = ""
    # "primary", "secondary" or "warning": how the button looks.
    style: str = "primary"

    @property
    def is_mine(self) -> bool:
        return bool(self.url)

    @property
    def is_ready(self) -> bool:
        return self.is_mine and not self.missing


def mine(label: str, url: str, *, name: str = "", style: str = "primary", missing: Iterable[str] = ()) -> NextStep:
    """An action the viewer may take on a page of its own (the caller has checked that page's rule)."""
    return NextStep(label=label, url=url, name=name, style=style, missing=tuple(missing))


def theirs(label: str, holder: str, *, name: str = "") -> NextStep:
    """An action someone else holds: said, never linked."""
    return NextStep(label=label, holder=holder, name=name)


def from_workflow(
    obj: models.Model, user, url_for: Callable[[dict], str], *, leave_out: Iterable[str] = ()
) -> list[NextStep]:
    """The workflow steps this person may take from here (`workflow.available`), each linked with
    `url_for(step)`, or with what is still missing; back steps are secondary and destructive ones warn."""
    left_out = set(leave_out)
    steps = []
    for step in workflow.available(obj, user):
        if step["name"] in left_out:
            continue
        style = "warning" if step["destructive"] else "secondary" if step["back_step"] else "primary"
        steps.append(
            NextStep(
                label=step["label"],
                url=url_for(step),
                name=step["name"],
                style=style,
                missing=tuple(step["missing"]),
            )
        )
    return steps


def ordered(steps: Iterable[NextStep]) -> list[NextStep]:
    """The viewer's forward steps first, then their back and destructive steps, then other people's."""
    rank = {"primary": 0, "secondary": 1, "warning": 2}
    return sorted(steps, key=lambda step: (not step.is_mine, rank.get(step.style, 1)))
