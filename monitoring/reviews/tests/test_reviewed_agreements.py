"""The agreements a review of existing services covers: only the council's own agreements that are
or were services, shown on the review page and carried into a recommission."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from commissioning import ports
from commissioning.models import Conclusion
from commissioning.reviews import services
from commissioning.tests.review_factories import open_review
from councils.models import Role
from monitoring.tests.factories import draft_agreement, live_agreement

pytestmark = pytest.mark.django_db


def test_a_review_covers_a_live_agreement_and_a_recommission_carries_it(council, people, client_for):
    agreement = live_agreement(council, title="Dial-a-ride")
    assert (
        agreement.pk,
        f"{agreement.reference}: Dial-a-ride ({agreement.party_name})",
    ) in ports.reviewed_agreements.choices(council)
    lead = people[Role.LEAD_COMMISSIONER]
    review = open_review(council, lead=lead, provisions=[], agreement_ids=[agreement.pk])
    assert [row.reference for row in ports.reviewed_agreements.of_review(review)] == [agreement.reference]
    page = client_for(lead).get(review.get_absolute_url()).content.decode()
    assert agreement.get_absolute_url() in page
    services.review_transition(by=lead, review=review, name="start")
    services.review_add_evidence(by=lead, review=review, title="Journeys", note="Down a third.")
    services.review_conclude(
        by=lead,
        review=review,
        conclusion=Conclusion.RECOMMISSION,
        reasons="Rural wards unserved.",
        findings="Few use it.",
    )
    carried = review.commission.existing_provision.get()
    assert carried.service_name == "Dial-a-ride"
    assert agreement.reference in carried.notes


def test_a_draft_or_another_councils_agreement_cannot_be_reviewed(council, other_council, people):
    draft = draft_agreement(council)
    theirs = live_agreement(other_council)
    for agreement in (draft, theirs):
        with pytest.raises(ValidationError):
            open_review(council, provisions=[], agreement_ids=[agreement.pk])
