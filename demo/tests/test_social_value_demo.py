"""The demo's social value: opportunities that ask for it, bids that commit to it with match funding,
and one live agreement whose social value KPIs are delivered in accepted returns."""

from __future__ import annotations

import pytest

from commissioning.models import BidMatchFunding, BidSocialValueCommitment, OpportunitySocialValueAsk
from monitoring.models import Agreement, AgreementState, KpiSource
from monitoring.social_value.selectors import social_value_delivered

pytestmark = pytest.mark.django_db


def test_the_demo_asks_for_commits_to_and_delivers_social_value(demo_data):
    asking = OpportunitySocialValueAsk.objects.values("opportunity").distinct().count()
    assert asking >= 2
    assert BidSocialValueCommitment.objects.filter(bid__state="submitted").exists()
    assert BidMatchFunding.objects.filter(confirmed=True).exists()
    assert BidMatchFunding.objects.filter(confirmed=False).exists()
    live = Agreement.objects.filter(
        state=AgreementState.LIVE,
        kpis__source=KpiSource.SOCIAL_VALUE,
        commission__title="Healthy holidays activity programme",
    ).distinct()
    assert live.count() == 1
    delivered = social_value_delivered(live)
    assert {row.code for row in delivered.measures} == {"SV1", "SV4", "SV6"}
    assert delivered.proxy_delivered > 0
    assert delivered.proxy_committed > delivered.proxy_delivered
