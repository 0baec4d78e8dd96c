"""The wall between early engagement and evaluation: a provider that commented on the drafts and
later bids is judged on its bid alone. No evaluator's page, the bid's score sheet included, shows
anything of its comment (nor of the council's answer)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissioning.cycle import services as cycle_services
from commissioning.engagement import services
from commissioning.engagement.tests.factories import open_consultation
from commissioning.models import PriceMethod
from commissioning.tests.evaluation_factories import (
    Bidder,
    bidder,
    open_compliance,
    open_scoring,
    open_the_bids,
    panel_set_up,
    published_with_bids,
)
from councils.models import Role
from demo.commissions import approve
from providers.models import Organisation

pytestmark = pytest.mark.django_db

COMMENT = "Forty sessions a year is too few for a rural area like ours"
ANSWER = "We have raised the target to sixty sessions"


def test_no_evaluator_page_shows_a_bidders_engagement_comment(client_for, commission, people):
    provider = people["provider_admin"]
    consultation = open_consultation(commission)
    comment = services.consultation_comment(
        consultation=consultation,
        section="outcome-1",
        text=COMMENT,
        by=provider,
        organisation=Organisation.objects.get(members__user=provider),
    )
    services.comment_answer(by=people[Role.LEAD_COMMISSIONER], comment=comment, answer=ANSWER)
    cycle_services.commission_transition(by=commission.lead_officer, commission=commission, name="submit_for_approval")
    approve(commission)
    opportunity = open_the_bids(
        published_with_bids(
            commission.council,
            [Bidder(user=provider, price=Decimal(48000)), bidder("Dale Works", 52000)],
            commission=commission,
        )
    )
    world = panel_set_up(opportunity, PriceMethod.QUALITY_ONLY)
    open_compliance(world)
    open_scoring(world)
    moorside_bid = next(bid for bid in world.bids if bid.organisation.members.filter(user=provider).exists())
    base = {"council_slug": commission.council.slug, "opportunity_pk": opportunity.pk}
    urls = [
        reverse("commissioning:my_panels"),
        reverse("commissioning:evaluation", kwargs=base),
        reverse("commissioning:evaluation_bid", kwargs={**base, "bid_pk": moorside_bid.pk}),
        reverse("commissioning:evaluation_compliance", kwargs={**base, "bid_pk": moorside_bid.pk}),
        reverse("commissioning:evaluation_summary", kwargs=base),
        reverse("commissioning:evaluation_scores_export", kwargs=base),
    ]
    for evaluator in (world.chair, world.panellist):
        client = client_for(evaluator)
        for url in urls:
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code == 200, url
            assert COMMENT not in body, url
            assert ANSWER not in body, url
    # The comment is still there, on the consultation: the wall hides it from evaluation only.
    assert consultation.comments.get().text == COMMENT
