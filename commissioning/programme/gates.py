"""What a programme needs before it goes to cabinet, in words the commissioner can act on. The workflow
engine checks the same list the programme page shows, on the locked programme row."""

from __future__ import annotations

from commissioning.models import CandidateScore, PrioritisationCriterion, Programme


def missing_to_submit(programme: Programme) -> list[str]:
    criteria = list(PrioritisationCriterion.objects.filter(council=programme.council).values_list("pk", "name"))
    candidates = list(programme.candidates.select_related("commission").order_by("id"))
    missing = []
    if not criteria:
        missing.append("Set the council's prioritisation criteria and their weights")
    if not candidates:
        missing.append("Put forward at least one candidate for the programme")
    scored = set(
        CandidateScore.objects.filter(candidate__programme=programme).values_list("candidate_id", "criterion_id")
    )
    for candidate in candidates:
        unscored = [name for pk, name in criteria if (candidate.pk, pk) not in scored]
        if unscored:
            missing.append(f"Score {candidate.reference} ‘{candidate.title}’ against: {', '.join(unscored)}")
    return missing
