"""Reviews of existing services: opening, evidence, and the conclusion through the workflow engine."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from commissioning.models import Commission, Conclusion, Review, ReviewState
from commissioning.models import State as CommissionState
from commissioning.reviews import services
from commissioning.tests.review_factories import concluded_review, open_review, provision, review_under_way
from councils.models import AuditEvent, Notification, Role
from councils.workflow import TransitionRefused

pytestmark = pytest.mark.django_db


def test_a_lead_commissioner_opens_a_review_of_existing_services(council, people):
    day_centre = provision(council)
    review = open_review(council, lead=people[Role.LEAD_COMMISSIONER], provisions=[day_centre])
    assert review.state == ReviewState.OPEN
    assert review.reference.startswith(f"{council.short_code}-REV-2026-")
    assert list(review.provisions.all()) == [day_centre]
    assert AuditEvent.objects.filter(event_type="review.opened", object_id=str(review.pk)).exists()


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER])
def test_only_a_lead_commissioner_opens_a_review(council, people, role):
    with pytest.raises(PermissionDenied):
        open_review(council, lead=people[role], lead_officer=people[Role.LEAD_COMMISSIONER])
    assert not Review.objects.exists()


def test_another_councils_services_cannot_be_reviewed(council, other_council, people):
    theirs = provision(other_council)
    with pytest.raises(ValidationError):
        open_review(council, lead=people[Role.LEAD_COMMISSIONER], provisions=[theirs])


def test_the_timetable_runs_forwards(council, people):
    with pytest.raises(ValidationError):
        open_review(council, starts_on=date(2026, 9, 1), concludes_by=date(2026, 4, 1))


def test_a_review_starts_only_once_it_covers_something(council, people):
    review = open_review(council, provisions=[])
    with pytest.raises(TransitionRefused) as refused:
        services.review_transition(by=people[Role.LEAD_COMMISSIONER], review=review, name="start")
    assert "Choose at least one existing service or agreement the review covers" in refused.value.missing
    assert review.state == ReviewState.OPEN


def test_concluding_needs_evidence_findings_and_reasons(council, people):
    lead = people[Role.LEAD_COMMISSIONER]
    review = open_review(council, lead=lead)
    services.review_transition(by=lead, review=review, name="start")
    with pytest.raises(TransitionRefused) as refused:
        services.review_conclude(by=lead, review=review, conclusion=Conclusion.DECOMMISSION, reasons="  ")
    assert refused.value.missing == [
        "Add at least one piece of evidence the conclusion rests on",
        "Record what the review found",
        "Give the reasons for the conclusion",
    ]
    review.refresh_from_db()
    assert review.state == ReviewState.UNDER_WAY
    assert review.conclusion == ""


def test_keeping_a_service_records_its_new_outcomes_framework(council, people):
    review = concluded_review(council, Conclusion.KEEP)
    assert review.state == ReviewState.CONCLUDED
    assert review.concluded_on is not None
    assert [m.measure for m in review.new_measures.all()] == ["80% of users report less loneliness"]
    assert review.commission is None


def test_keeping_a_service_without_new_outcomes_is_refused(council, people):
    review = review_under_way(council)
    with pytest.raises(TransitionRefused) as refused:
        services.review_conclude(
            by=people[Role.LEAD_COMMISSIONER],
            review=review,
            conclusion=Conclusion.KEEP,
            reasons="It works.",
            findings="It works.",
        )
    assert refused.value.missing == ["Record at least one success measure of the new outcomes framework"]


def test_a_commissioning_officer_cannot_conclude(council, people):
    review = review_under_way(council)
    with pytest.raises(PermissionDenied):
        services.review_conclude(
            by=people[Role.COMMISSIONING_OFFICER],
            review=review,
            conclusion=Conclusion.DECOMMISSION,
            reasons="Little used.",
            findings="Little used.",
        )


def test_recommissioning_starts_a_commission_carrying_the_findings(council, people):
    review = concluded_review(council, Conclusion.RECOMMISSION)
    commission = review.commission
    assert commission.state == CommissionState.UNDERSTANDING
    assert commission.from_review == review
    assert review.reference in commission.summary
    assert review.findings in commission.summary
    assert review.conclusion_reasons in commission.summary
    assert [p.service_name for p in commission.existing_provision.all()] == ["Day centre for older people"]
    assert [e.title for e in commission.evidence.all()] == ["Attendance figures 2025/26"]
    assert AuditEvent.objects.filter(event_type="commission.created", object_id=str(commission.pk)).exists()
    event = AuditEvent.objects.get(event_type="review.conclude", object_id=str(review.pk))
    assert event.extra["commission"] == commission.reference


def test_the_portfolio_holder_is_told_the_review_concluded(council, people):
    from councils.tests.factories import PortfolioFactory

    portfolio = PortfolioFactory(council=council, holder=people[Role.PORTFOLIO_HOLDER])
    review = concluded_review(council, Conclusion.DECOMMISSION, portfolio=portfolio)
    told = Notification.objects.filter(user=people[Role.PORTFOLIO_HOLDER], title__startswith="Review concluded")
    assert told.count() == 1
    assert told.get().url == review.get_absolute_url()


def test_a_withdrawal_needs_a_reason(council, people):
    review = open_review(council)
    with pytest.raises(ValidationError):
        services.review_transition(by=people[Role.LEAD_COMMISSIONER], review=review, name="withdraw")
    services.review_transition(by=people[Role.LEAD_COMMISSIONER], review=review, name="withdraw", reason="Merged")
    assert review.state == ReviewState.WITHDRAWN


def test_the_database_refuses_a_recommission_without_its_commission(council, people):
    review = concluded_review(council, Conclusion.RECOMMISSION)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(commission=None)
    assert Commission.objects.filter(from_review=review).exists()
