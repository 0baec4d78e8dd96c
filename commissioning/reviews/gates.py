"""What each step of a review needs before it can be taken, in words a commissioner can act on.

The workflow engine checks the same function the review page shows, on the locked row.
"""

from __future__ import annotations

from commissioning import ports
from commissioning.models import Conclusion, Review


def covers_something(review: Review) -> bool:
    return review.provisions.exists() or bool(ports.reviewed_agreements.of_review(review))


def missing_to_start(review: Review) -> list[str]:
    missing = []
    if not review.scope.strip():
        missing.append("Say what the review covers in its scope")
    if not covers_something(review):
        missing.append("Choose at least one existing service or agreement the review covers")
    return missing


def missing_evidence(review: Review) -> list[str]:
    if not review.evidence.exists():
        return ["Add at least one piece of evidence the conclusion rests on"]
    return []


def missing_to_conclude(review: Review) -> list[str]:
    """The conclusion is staged on the locked row by the step itself (`review_conclude`)."""
    missing = missing_evidence(review)
    if not review.findings.strip():
        missing.append("Record what the review found")
    if not review.conclusion:
        missing.append("Choose the conclusion")
    if not review.conclusion_reasons.strip():
        missing.append("Give the reasons for the conclusion")
    return missing


def missing_new_measures(conclusion: str, measures: list) -> list[str]:
    if conclusion == Conclusion.KEEP and not measures:
        return ["Record at least one success measure of the new outcomes framework"]
    return []
