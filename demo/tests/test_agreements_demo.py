"""The demo agreements: made through the services, safe to seed again, and on the public register."""

import pytest
from django.urls import reverse

from commissioning.models import Commission, State
from demo.agreements import seed_agreements
from monitoring.models import Agreement, AgreementState, VariationKind

pytestmark = pytest.mark.django_db


def test_seed_agreements_is_idempotent_and_fills_the_register(client, demo_data):
    """On the whole demo (`seed_demo`, which seeded the agreements through the services)."""
    assert demo_data.count(Agreement) > 0
    states = dict(Commission.objects.values_list("title", "state"))
    count = Agreement.objects.count()
    assert seed_agreements() == 0
    assert Agreement.objects.count() == count
    # Seeding again leaves the commissions' states where the demo put them.
    assert dict(Commission.objects.values_list("title", "state")) == states

    shared = Agreement.objects.get(commission__title="Shared waste education service")
    assert shared.state == AgreementState.SIGNED
    assert shared.party_name == "Vale Shared Services Ltd (council-owned)"
    # Left for the demo officer to draft (the in-house journey).
    assert not Agreement.objects.filter(commission__title="Leisure centre management").exists()
    # The grant the procurement awarded is there too; this one was recorded directly.
    befriending = Agreement.objects.get(
        commission__title="Befriending for older people living alone", provider__legal_name="Kirkby Moor Age Concern"
    )
    assert befriending.variations.get().kind == VariationKind.VALUE
    # Payment terms on two agreements: a unit price with results on the befriending grant, TUPE on the shared service.
    assert befriending.payment_terms.pays_per_unit
    assert befriending.payment_terms.results.get().kpi.agreement == befriending
    assert shared.payment_terms.tupe_applies
    arts = Agreement.objects.filter(commission__title="Community arts commissioning round")
    assert arts.exclude(provider__legal_name__startswith="Community provider for").count() == 2
    assert not Agreement.objects.filter(commission__state=State.AGREEING, state=AgreementState.LIVE).exists()

    body = client.get(reverse("monitoring:register")).content.decode()
    assert "Kirkby Moor Age Concern" in body
    assert "Leisure Services" not in body
