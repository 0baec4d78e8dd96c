"""Programmes in each state, made through the real services (never by writing `state`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commissioning.cycle.services import Decision
from commissioning.models import DecisionMaker, Programme, ProgrammeState
from commissioning.programme import selectors, services
from commissioning.tests.factories import create_commission, staff
from councils.models import Role

CRITERIA = (("Prevention", 3), ("Return on investment", 2), ("Match funding", 1))


def set_criteria(council, criteria=CRITERIA):
    lead = staff(council, Role.LEAD_COMMISSIONER)
    return [services.criterion_save(by=lead, council=council, name=name, weight=weight) for name, weight in criteria]


def this_year() -> int:
    return selectors.financial_year_of(timezone.localdate())


def programme_in_state(
    council, state: str = ProgrammeState.DRAFT, *, year: int | None = None, commissions=(), scored=True
):
    """A programme for `year` (this financial year by default) with the council's criteria (set if it has
    none), a candidate for each commission (one new commission when none is given), scored when asked,
    taken to `state` through the workflow engine."""
    officer = staff(council, Role.COMMISSIONING_OFFICER)
    criteria = selectors.criteria(council) or set_criteria(council)
    programme = services.programme_start(by=officer, council=council, financial_year=year or this_year())
    commissions = list(commissions) or [create_commission(council, title="Falls prevention")]
    for n, commission in enumerate(commissions):
        candidate = services.candidate_add(by=officer, programme=programme, commission=commission)
        if scored or state != ProgrammeState.DRAFT:
            services.candidate_score(
                by=officer,
                candidate=candidate,
                scores={c.pk: ((n + i) % 6, f"Reason {i}") for i, c in enumerate(criteria)},
            )
    if state == ProgrammeState.DRAFT:
        return programme
    services.programme_transition(by=officer, programme=programme, name="submit")
    if state == ProgrammeState.AWAITING_APPROVAL:
        return programme
    approve(programme)
    return programme


def approve(programme: Programme, *, reference: str = "CAB/2026/012"):
    holder = staff(programme.council, Role.PORTFOLIO_HOLDER)
    return services.programme_transition(
        by=holder,
        programme=programme,
        name="approve",
        decision=Decision(
            decision_maker=DecisionMaker.CABINET,
            reference=reference,
            decided_on=timezone.localdate(),
            minute_url="https://example.org/cabinet/minutes",
        ),
    )


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def matrix_programme(world) -> dict:
    """For the access matrix, built on first use and kept in the world: this year's programme being
    prepared, with the world's commission put forward, and next year's sent to cabinet."""
    if "programme" not in world:
        council = world["council"]
        draft = programme_in_state(council, commissions=[world["commission"]])
        awaiting = programme_in_state(council, ProgrammeState.AWAITING_APPROVAL, year=this_year() + 1)
        world["programme"] = {
            "draft": draft,
            "awaiting": awaiting,
            "candidate": draft.candidates.get(),
            "criterion": selectors.criteria(council)[0],
        }
    return world["programme"]


def programme_kwargs(which: str | None = "draft", **values):
    """URL kwargs for one of the matrix's programmes (None: the council's programme pages), plus e.g.
    candidate_pk="candidate", criterion_pk="criterion" or name="submit"."""

    def build(world) -> dict:
        objects = matrix_programme(world)
        kwargs = {"council_slug": world["council"].slug}
        if which:
            kwargs["year"] = objects[which].financial_year
        for name, value in values.items():
            kwargs[name] = objects[value].pk if name.endswith("_pk") else value
        return kwargs

    return build
