"""The demo's prioritised programmes: every demo council has its own criteria and a programme for the
current financial year, every candidate scored with reasons, sent to cabinet and approved."""

from django.utils import timezone

from commissioning.models import CandidateScore, PrioritisationCriterion, Programme, ProgrammeState
from commissioning.programme import selectors
from councils.models import Council


def test_every_demo_council_has_an_approved_scored_programme_for_this_year(demo_data):
    year = selectors.financial_year_of(timezone.localdate())
    for council in Council.objects.all():
        programme = Programme.objects.get(council=council, financial_year=year)
        assert programme.state == ProgrammeState.APPROVED
        assert programme.decision_reference
        assert programme.decided_by is not None
        criteria = PrioritisationCriterion.objects.filter(council=council).count()
        candidates = programme.candidates.count()
        assert candidates >= 1
        scores = CandidateScore.objects.filter(candidate__programme=programme)
        assert scores.count() == criteria * candidates
        assert not scores.filter(reason="").exists()
        rows = programme.ranking["rows"]
        assert [row["position"] for row in rows] == list(range(1, candidates + 1))
        assert all(row["complete"] for row in rows)
