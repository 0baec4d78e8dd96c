"""Reads for the prioritised programme, always within the council in the URL (anything else is a 404).

The ranked programme page reads in a fixed number of queries however many candidates it has: the
criteria once, the candidates with their commissions, and all their scores in one prefetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from commissioning.models import (
    CandidateScore,
    Commission,
    PrioritisationCriterion,
    Programme,
    ProgrammeCandidate,
    ProgrammeState,
    Review,
    ReviewState,
    State,
)
from commissioning.permissions import READERS_ACROSS_COUNCIL
from commissioning.programme import ranking
from councils.models import Council, User
from councils.permissions import roles_in

# Commissions that have ended are not put forward for a programme; reviews are while they run.
ENDED = (State.CANCELLED, State.DECOMMISSIONED)
RUNNING_REVIEWS = (ReviewState.OPEN, ReviewState.UNDER_WAY)
SUBJECTS = ("commission__council", "commission__portfolio", "review__council", "review__portfolio")


def financial_year_of(day: date) -> int:
    """The calendar year the financial year containing `day` starts in (1 April to 31 March)."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def criteria(council: Council) -> list[PrioritisationCriterion]:
    return list(PrioritisationCriterion.objects.filter(council=council))


def criterion(council: Council, pk: int) -> PrioritisationCriterion:
    return get_object_or_404(PrioritisationCriterion, council=council, pk=pk)


def programmes(council: Council) -> QuerySet[Programme]:
    return Programme.objects.filter(council=council).select_related("decided_by").order_by("-financial_year")


def programme(council: Council, year: int) -> Programme:
    return get_object_or_404(
        Programme.objects.select_related("council", "decided_by", "submitted_by"), council=council, financial_year=year
    )


def candidate(programme: Programme, pk: int) -> ProgrammeCandidate:
    return get_object_or_404(
        ProgrammeCandidate.objects.select_related("programme__council", *SUBJECTS).prefetch_related("scores"),
        programme=programme,
        pk=pk,
    )


def commission_choices(programme: Programme) -> QuerySet[Commission]:
    """The council's commissions that could be put forward: not ended, not already a candidate."""
    return (
        Commission.objects.filter(council=programme.council)
        .exclude(state__in=ENDED)
        .exclude(programme_candidacies__programme=programme)
        .order_by("reference")
    )


def review_choices(programme: Programme) -> QuerySet[Review]:
    """The council's reviews that could be put forward: still running, not already a candidate."""
    return (
        Review.objects.filter(council=programme.council, state__in=RUNNING_REVIEWS)
        .exclude(programme_candidacies__programme=programme)
        .order_by("reference")
    )


def reads_every_subject(user: User, council: Council) -> bool:
    """Officers, scrutiny and administrators read every commission and review of the council; a portfolio
    holder reads those in the portfolios they hold (the programme links only what the reader may open)."""
    return not roles_in(user, council).isdisjoint(READERS_ACROSS_COUNCIL)


@dataclass
class Row:
    """One line of the ranked programme, live or as fixed when it was sent to cabinet."""

    position: int
    reference: str
    title: str
    kind: str
    total: str
    scores: list[dict] = field(default_factory=list)
    url: str = ""
    candidate_pk: int | None = None
    complete: bool = True
    # Who holds the portfolio the candidate is in: a portfolio holder opens only their own.
    holder_id: int | None = None


def _tie_key(candidate: ProgrammeCandidate) -> tuple:
    return (candidate.reference.casefold(), candidate.title.casefold(), candidate.pk)


def live_ranking(programme: Programme, council_criteria: list[PrioritisationCriterion]) -> list[Row]:
    """The programme as it ranks now, against the council's criteria as they are now."""
    candidates = (
        programme.candidates.select_related(*SUBJECTS)
        .prefetch_related(Prefetch("scores", queryset=CandidateScore.objects.order_by()))
        .order_by("id")
    )
    weights = {c.pk: c.weight for c in council_criteria}
    entries = []
    for candidate_ in candidates:
        by_criterion = {score.criterion_id: score for score in candidate_.scores.all()}
        scores = {pk: s.score for pk, s in by_criterion.items() if pk in weights}
        entries.append(((candidate_, by_criterion), _tie_key(candidate_), scores))
    rows = []
    for ranked in ranking.rank(entries, weights):
        candidate_, by_criterion = ranked.item
        rows.append(
            Row(
                position=ranked.position,
                reference=candidate_.reference,
                title=candidate_.title,
                kind=candidate_.kind,
                total=ranking.shown(ranked.total),
                scores=[_score(c, by_criterion.get(c.pk)) for c in council_criteria],
                url=candidate_.subject_url,
                candidate_pk=candidate_.pk,
                complete=ranked.total is not None,
                holder_id=candidate_.subject.portfolio.holder_id if candidate_.subject.portfolio_id else None,
            )
        )
    return rows


def _score(criterion_: PrioritisationCriterion, score: CandidateScore | None) -> dict:
    return {
        "criterion": criterion_.name,
        "weight": criterion_.weight,
        "score": None if score is None else score.score,
        "reason": "" if score is None else score.reason,
    }


def fixed_ranking(programme: Programme) -> tuple[list[dict], list[Row]]:
    """The criteria and the ranking as they were when the programme was sent to cabinet."""
    fixed = programme.ranking or {}
    rows = [Row(**row) for row in fixed.get("rows", [])]
    return fixed.get("criteria", []), rows


def ranking_snapshot(programme: Programme) -> dict:
    """What is fixed when the programme goes to cabinet (kept as JSON on the programme)."""
    council_criteria = criteria(programme.council)
    rows = live_ranking(programme, council_criteria)
    return {
        "criteria": [{"name": c.name, "weight": c.weight, "description": c.description} for c in council_criteria],
        "rows": [row.__dict__ for row in rows],
    }


def programme_page(programme: Programme) -> dict:
    """What the ranked programme page shows: live while it is being prepared, fixed once sent."""
    if programme.state == ProgrammeState.DRAFT:
        council_criteria = criteria(programme.council)
        shown_criteria = [{"name": c.name, "weight": c.weight, "description": c.description} for c in council_criteria]
        return {"criteria": shown_criteria, "rows": live_ranking(programme, council_criteria), "fixed": False}
    shown_criteria, rows = fixed_ranking(programme)
    return {"criteria": shown_criteria, "rows": rows, "fixed": True}
