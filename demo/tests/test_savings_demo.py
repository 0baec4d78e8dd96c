"""The demo's savings add up: identified on a few commissions and the kept reviews, realised only on live
agreements, never more than was identified, and one figure waiting for the finance officer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from commissioning.models import Conclusion, SavingsIdentified
from demo.savings import DEMO_SAVINGS, seed_savings
from monitoring.models import AgreementState, SavingsRealised

pytestmark = pytest.mark.django_db


def test_the_demo_savings_add_up(demo_data):
    identified = SavingsIdentified.objects.filter(commission__isnull=False)
    assert {s.commission.title for s in identified.select_related("commission")} == {d.title for d in DEMO_SAVINGS}
    realised = SavingsRealised.objects.select_related("agreement__commission")
    assert realised.exists()
    assert {r.agreement.state for r in realised} == {AgreementState.LIVE}
    for commission_id in identified.values_list("commission", flat=True).distinct():
        found = identified.filter(commission=commission_id).aggregate(total=Sum("amount"))["total"]
        made = realised.filter(agreement__commission=commission_id).aggregate(total=Sum("amount"))["total"]
        assert (made or Decimal("0")) <= found
    assert realised.filter(confirmed_at__isnull=True).count() == 1
    assert realised.filter(confirmed_at__isnull=False).exists()


def test_each_review_kept_in_house_identified_savings(demo_data):
    kept = SavingsIdentified.objects.filter(review__conclusion=Conclusion.KEEP)
    assert kept.values("review").distinct().count() >= 3


def test_seeding_the_savings_again_adds_nothing(demo_data):
    assert seed_savings() == 0
