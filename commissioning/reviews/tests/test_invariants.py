"""Whatever anyone presses in whatever order: a concluded review always says what it concluded and
why, a recommission always links the commission it started (and only a recommission starts one),
a service kept as it is always has its new outcomes framework, and a review that has not concluded
has no conclusion at all."""

from __future__ import annotations

import contextlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissioning.models import Commission, Conclusion, Review, ReviewState
from commissioning.reviews import services
from commissioning.tests.review_factories import open_review
from councils.models import Role
from councils.workflow import TransitionConflict, TransitionRefused

pytestmark = pytest.mark.django_db

REFUSALS = (TransitionRefused, TransitionConflict, PermissionDenied, ValidationError)
ACTORS = (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER)
MEASURE = services.NewMeasure("People stay connected", "80% report less loneliness")

presses = st.lists(
    st.one_of(
        st.tuples(st.just("start"), st.sampled_from(ACTORS)),
        st.tuples(st.just("withdraw"), st.sampled_from(ACTORS), st.sampled_from(["", "Merged with another"])),
        st.tuples(st.just("evidence"), st.sampled_from(ACTORS)),
        st.tuples(
            st.just("conclude"),
            st.sampled_from(ACTORS),
            st.sampled_from(Conclusion.values),
            st.sampled_from(["", "  ", "The need has changed."]),
            st.sampled_from(["", "Attendance fell."]),
            st.booleans(),
        ),
    ),
    max_size=6,
)


def press(review: Review, people, action: tuple) -> None:
    by = people[action[1]]
    if action[0] == "start":
        services.review_transition(by=by, review=review, name="start")
    elif action[0] == "withdraw":
        services.review_transition(by=by, review=review, name="withdraw", reason=action[2])
    elif action[0] == "evidence":
        services.review_add_evidence(by=by, review=review, title="Survey", note="Users want evening sessions.")
    else:
        _, _, conclusion, reasons, findings, with_measures = action
        services.review_conclude(
            by=by,
            review=review,
            conclusion=conclusion,
            reasons=reasons,
            findings=findings,
            measures=[MEASURE] if with_measures else [],
        )


def check(review: Review) -> None:
    review = Review.objects.get(pk=review.pk)
    if review.state == ReviewState.CONCLUDED:
        assert review.conclusion in Conclusion.values
        assert review.conclusion_reasons.strip()
        assert review.findings.strip()
        assert review.evidence.exists()
        assert review.concluded_on is not None
        if review.conclusion == Conclusion.RECOMMISSION:
            assert review.commission is not None
            assert review.commission.from_review == review
        else:
            assert review.commission is None
        if review.conclusion == Conclusion.KEEP:
            assert review.new_measures.exists()
    else:
        assert review.conclusion == ""
        assert review.commission is None
        assert not review.new_measures.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(under_way=st.booleans(), actions=presses)
def test_a_conclusion_is_always_complete_whatever_anyone_presses(council, people, under_way, actions):
    commissions_before = Commission.objects.count()
    with transaction.atomic():
        savepoint = transaction.savepoint()
        review = open_review(council, lead=people[Role.LEAD_COMMISSIONER])
        if under_way:
            # Half the examples start where a conclusion can be recorded, so they reach it often.
            press(review, people, ("start", Role.LEAD_COMMISSIONER))
            press(review, people, ("evidence", Role.COMMISSIONING_OFFICER))
        for action in actions:
            with contextlib.suppress(*REFUSALS):
                press(review, people, action)
            check(review)
        recommissioned = Review.objects.filter(pk=review.pk, conclusion=Conclusion.RECOMMISSION).count()
        # The review's provision map commission, plus one for a recommission.
        assert Commission.objects.count() == commissions_before + 1 + recommissioned
        transaction.savepoint_rollback(savepoint)
