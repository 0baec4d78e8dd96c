"""Savings identified on a commission: one figure per financial year, recorded by commissioners and
finance officers, shown beside what its agreements realised."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.models import SavingsIdentified, State
from commissioning.savings import services
from commissioning.savings.selectors import holder_savings
from commissioning.savings.tests.factories import identify
from commissioning.tests.factories import commission_in_state, create_commission
from commissioning.tests.review_factories import review_under_way
from councils.financial_year import financial_year_of
from councils.models import AuditEvent, Role
from monitoring.savings.tests.factories import live_since_last_year, realise
from monitoring.tests.factories import agreeing_commission

pytestmark = pytest.mark.django_db


def test_a_year_has_one_figure_recorded_again_replaces_it(council, people):
    commission = create_commission(council)
    identify(commission, 2027, 40000)
    saving = identify(commission, 2027, 45000, basis="Fewer residential placements", by=people[Role.FINANCE_OFFICER])
    assert SavingsIdentified.objects.filter(commission=commission).count() == 1
    assert (saving.amount, saving.basis, saving.recorded_by) == (
        Decimal("45000"),
        "Fewer residential placements",
        people[Role.FINANCE_OFFICER],
    )
    events = AuditEvent.objects.filter(event_type__startswith="commission.savings_identified").order_by("id")
    assert [e.event_type for e in events] == [
        "commission.savings_identified.recorded",
        "commission.savings_identified.changed",
    ]
    assert events.last().extra == {"year": "2027/28", "amount": "45000", "was": "40000.00"}


def test_the_database_keeps_one_figure_per_year(council, people):
    commission = create_commission(council)
    identify(commission, 2027, 1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        SavingsIdentified.objects.create(
            council=council,
            commission=commission,
            target_year=2027,
            amount=Decimal("5"),
            basis="x",
            recorded_by=people[Role.COMMISSIONING_OFFICER],
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"target_year": 1999}, "target_year"),
        ({"basis": "  "}, "basis"),
        ({"identified_on": timezone.localdate() + timedelta(days=1)}, "identified_on"),
    ],
)
def test_what_a_figure_needs(council, people, changes, field):
    commission = create_commission(council)
    values = {"target_year": 2027, "amount": Decimal("100"), "basis": "Lower unit cost", **changes}
    with pytest.raises(ValidationError) as refused:
        services.savings_identified_record(by=people[Role.LEAD_COMMISSIONER], holder=commission, **values)
    assert field in refused.value.message_dict
    assert not SavingsIdentified.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.LEGAL_OFFICER, Role.PROCUREMENT_OFFICER]
)
def test_only_commissioners_and_finance_record_savings(council, people, role):
    commission = create_commission(council)
    with pytest.raises(PermissionDenied):
        services.savings_identified_record(
            by=people[role], holder=commission, target_year=2027, amount=Decimal("1"), basis="x"
        )


def test_a_cancelled_commission_saves_nothing(council, people):
    commission = commission_in_state(council, State.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        identify(commission, 2027, 100)


def test_removing_a_figure_needs_a_reason_kept_in_the_trail(council, people):
    commission = create_commission(council)
    saving = identify(commission, 2028, 900)
    with pytest.raises(ValidationError):
        services.savings_identified_remove(by=people[Role.LEAD_COMMISSIONER], saving=saving, reason=" ")
    services.savings_identified_remove(by=people[Role.LEAD_COMMISSIONER], saving=saving, reason="Service kept")
    assert not SavingsIdentified.objects.exists()
    event = AuditEvent.objects.get(event_type="commission.savings_identified.removed")
    assert (event.reason, event.extra["amount"]) == ("Service kept", "900")


def test_each_year_shows_what_was_identified_beside_what_agreements_realised(council, people):
    agreement = live_since_last_year(council, commission=agreeing_commission(council))
    year = financial_year_of(agreement.live_on)
    identify(agreement.commission, year, 30000)
    identify(agreement.commission, year + 1, 50000)
    realise(agreement, year, 20000)
    realise(agreement, financial_year_of(timezone.localdate()), 7000, role=Role.COMMISSIONING_OFFICER)

    savings = holder_savings(agreement.commission)

    first = savings["years"][0]
    assert (first.year, first.identified_amount, first.realised) == (year, Decimal("30000"), Decimal("20000"))
    assert savings["identified_total"] == Decimal("80000")
    assert savings["realised_total"] == Decimal("20000")
    assert savings["awaiting_total"] == Decimal("7000")


def test_the_savings_page_and_its_forms(client_for, council, people):
    commission = create_commission(council)
    page = reverse("commissioning:savings", args=[council.slug, commission.pk])
    record = reverse("commissioning:savings_record", args=[council.slug, commission.pk])
    officer = client_for(people[Role.COMMISSIONING_OFFICER])

    response = officer.post(record, {"target_year": "2027", "amount": "£12,500", "basis": "Shared back office"})

    assert response.status_code == 302
    assert response["Location"] == page
    body = officer.get(page).content.decode()
    assert "2027/28" in body
    assert "£12,500" in body
    assert "Shared back office" in body
    assert "Record a saving identified" in body
    invalid = officer.post(record, {"target_year": "2027", "amount": "0", "basis": ""})
    assert invalid.status_code == 200
    assert "govuk-error-summary" in invalid.content.decode()

    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    assert "Record a saving identified" not in scrutiny.get(page).content.decode()
    assert scrutiny.post(record, {"target_year": "2028", "amount": "1", "basis": "x"}).status_code == 403
    assert SavingsIdentified.objects.count() == 1


def test_another_councils_saving_is_not_found(client_for, council, other_council, people):
    ours = create_commission(council)
    theirs = identify(create_commission(other_council), 2027, 100)
    url = reverse("commissioning:savings_remove", args=[council.slug, ours.pk, theirs.pk])
    assert client_for(people[Role.LEAD_COMMISSIONER]).get(url).status_code == 404


def test_a_review_identifies_savings_too_and_exactly_one_holder_is_named(client_for, council, people):
    review = review_under_way(council)
    saving = identify(review, 2027, 263000, basis="Two day centres merged")
    assert (saving.review, saving.commission, saving.holder) == (review, None, review)
    assert AuditEvent.objects.filter(event_type="review.savings_identified.recorded").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SavingsIdentified.objects.create(
            council=council,
            commission=create_commission(council),
            review=review,
            target_year=2028,
            amount=Decimal("5"),
            basis="x",
            recorded_by=people[Role.COMMISSIONING_OFFICER],
        )
    page = client_for(people[Role.SCRUTINY_MEMBER]).get(
        reverse("commissioning:review_savings", args=[council.slug, review.pk])
    )
    assert page.status_code == 200
    assert "£263,000" in page.content.decode()
    record = reverse("commissioning:review_savings_record", args=[council.slug, review.pk])
    assert client_for(people[Role.SCRUTINY_MEMBER]).get(record).status_code == 403
    finance = client_for(people[Role.FINANCE_OFFICER])
    assert (
        finance.post(record, {"target_year": "2028", "amount": "1000", "basis": "Shared transport"}).status_code == 302
    )
    assert review.savings_identified.count() == 2
