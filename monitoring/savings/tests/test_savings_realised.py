"""Savings realised under an agreement: recorded once it has taken effect, by commissioners or the
finance team, and counted once a finance officer has confirmed them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councils.financial_year import financial_year_of
from councils.models import AuditEvent, Role
from monitoring.models import SavingsRealised
from monitoring.savings import services
from monitoring.savings.selectors import agreement_savings, realised_by_year
from monitoring.savings.tests.factories import realise
from monitoring.tests.factories import agreeing_commission, draft_agreement, sign
from monitoring.tests.returns_factories import recent_live_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(council, people):
    return recent_live_agreement(council, commission=agreeing_commission(council))


def this_year() -> int:
    return financial_year_of(timezone.localdate())


def test_a_finance_officers_figure_is_confirmed_a_commissioners_waits(live, people):
    year = this_year()
    mine = realise(live, year, 12000, role=Role.COMMISSIONING_OFFICER)
    assert not mine.is_confirmed
    assert agreement_savings(live)["realised"] == 0
    assert realised_by_year(live.commission)[year].awaiting_confirmation == Decimal("12000")

    confirmed = services.savings_realised_confirm(by=people[Role.FINANCE_OFFICER], saving=mine)
    assert confirmed.confirmed_by == people[Role.FINANCE_OFFICER]
    assert realised_by_year(live.commission)[year].confirmed == Decimal("12000")
    with pytest.raises(ValidationError, match="confirmed already"):
        services.savings_realised_confirm(by=people[Role.FINANCE_OFFICER], saving=mine)

    # A commissioner's change to a confirmed figure waits for confirmation again.
    changed = realise(live, year, 15000, role=Role.LEAD_COMMISSIONER)
    assert SavingsRealised.objects.count() == 1
    assert not changed.is_confirmed
    assert realise(live, year, 15000).is_confirmed
    assert AuditEvent.objects.filter(event_type__startswith="agreement.savings_realised").count() == 4


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER, Role.SCRUTINY_MEMBER])
def test_only_finance_officers_confirm(live, people, role):
    saving = realise(live, this_year(), 100, role=Role.COMMISSIONING_OFFICER)
    with pytest.raises(PermissionDenied):
        services.savings_realised_confirm(by=people[role], saving=saving)


@pytest.mark.parametrize("role", [Role.LEGAL_OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER])
def test_only_commissioners_and_finance_record(live, people, role):
    with pytest.raises(PermissionDenied):
        realise(live, this_year(), 100, role=role)


def test_savings_are_realised_only_once_the_agreement_has_gone_live(council, people):
    signed = sign(draft_agreement(council, commission=agreeing_commission(council)))
    with pytest.raises(ValidationError, match="once it has gone live"):
        realise(signed, this_year(), 100)


def test_a_saving_falls_between_going_live_and_this_year(live):
    for year in (financial_year_of(live.live_on) - 1, this_year() + 1):
        with pytest.raises(ValidationError) as refused:
            realise(live, year, 100)
        assert "financial_year" in refused.value.message_dict
    with pytest.raises(ValidationError):
        realise(live, this_year(), 0)
    assert not SavingsRealised.objects.exists()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.booleans(), st.integers(1, 50000), st.booleans()), min_size=1, max_size=6))
def test_realised_counts_only_what_a_finance_officer_stands_behind(live, people, steps):
    """Whatever order figures are recorded, changed and confirmed in, the confirmed total is the sum of
    the figures whose last word came from a finance officer."""
    SavingsRealised.objects.filter(agreement=live).delete()
    first, last = financial_year_of(live.live_on), this_year()
    for by_finance, amount, later_year in steps:
        year = last if later_year else first
        saving = realise(live, year, amount, role=Role.FINANCE_OFFICER if by_finance else Role.COMMISSIONING_OFFICER)
        assert saving.is_confirmed == by_finance
    rows = list(SavingsRealised.objects.filter(agreement=live))
    totals = agreement_savings(live)
    assert totals["realised"] == sum((r.amount for r in rows if r.confirmed_at), Decimal("0"))
    assert totals["realised"] + totals["awaiting"] == sum((r.amount for r in rows), Decimal("0"))


def test_the_savings_page_record_and_confirm(client_for, council, people, live):
    page = reverse("monitoring:agreement_savings", args=[council.slug, live.pk])
    record = reverse("monitoring:agreement_saving_record", args=[council.slug, live.pk])
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    response = officer.post(record, {"financial_year": str(this_year()), "amount": "8000", "how": "Fewer visits"})
    assert response.status_code == 302
    saving = SavingsRealised.objects.get()
    body = officer.get(page).content.decode()
    assert "Awaiting confirmation" in body
    assert "£8,000" in body
    confirm = reverse("monitoring:agreement_saving_confirm", args=[council.slug, live.pk, saving.pk])
    assert officer.post(confirm).status_code == 403

    finance = client_for(people[Role.FINANCE_OFFICER])
    assert finance.get(confirm).status_code == 200
    assert finance.post(confirm).status_code == 302
    saving.refresh_from_db()
    assert saving.confirmed_by == people[Role.FINANCE_OFFICER]
    # Confirmed already: the page sends the finance officer back with a message.
    assert finance.get(confirm).status_code == 302


def test_the_agreement_page_links_to_its_savings(client_for, council, people, live):
    body = client_for(people[Role.SCRUTINY_MEMBER]).get(live.get_absolute_url()).content.decode()
    assert reverse("monitoring:agreement_savings", args=[council.slug, live.pk]) in body
