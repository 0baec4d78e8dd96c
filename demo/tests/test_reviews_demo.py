"""Each demo council has a programme of reviews of existing services: one kept in-house with a new
outcomes framework, one that led to a recommission, and one still under way."""

from __future__ import annotations

import pytest

from commissioning.models import Conclusion, ReviewState
from commissioning.models import State as CommissionState
from councils.models import Council
from demo.commissions import DEMO_COMMISSIONS
from demo.reviews import RECOMMISSIONED, seed_reviews

pytestmark = pytest.mark.django_db


def test_every_demo_council_has_a_programme_of_reviews(demo_data):
    for council in Council.objects.filter(slug__in=list(DEMO_COMMISSIONS)):
        reviews = {review.state: review for review in council.reviews.select_related("commission")}
        assert len(council.reviews.all()) == 3, council.slug
        kept = council.reviews.get(conclusion=Conclusion.KEEP)
        assert kept.state == ReviewState.CONCLUDED
        assert kept.new_measures.count() == 2
        assert kept.provisions.exists()
        recommissioned = council.reviews.get(conclusion=Conclusion.RECOMMISSION)
        commission = recommissioned.commission
        assert commission.title == RECOMMISSIONED
        assert commission.state == CommissionState.UNDERSTANDING
        assert commission.from_review == recommissioned
        assert commission.existing_provision.exists()
        assert ReviewState.UNDER_WAY in reviews
        assert reviews[ReviewState.UNDER_WAY].concludes_by > reviews[ReviewState.UNDER_WAY].starts_on


def test_a_running_review_looks_at_a_live_agreement_where_there_is_one(demo_data):
    running = Council.objects.get(slug="kirkby-moor").reviews.get(state=ReviewState.UNDER_WAY)
    assert running.reviewed_agreements.exists()


def test_seeding_the_reviews_again_adds_nothing(demo_data):
    assert seed_reviews() == 0
