"""Dated procurement thresholds: the figure in force on the day a procurement started, national rows
shipped by migration, a council's own rows for its own procurements, and the page that lists and adds them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from councils import services
from councils.models import AuditEvent, ProcurementThreshold, Role, ThresholdKind
from councils.selectors import threshold_for

pytestmark = pytest.mark.django_db

SUB_CENTRAL, LIGHT_TOUCH, WORKS = ThresholdKind.SUB_CENTRAL, ThresholdKind.LIGHT_TOUCH, ThresholdKind.WORKS


def amount(kind, on, council=None) -> Decimal:
    return threshold_for(kind, on, council).amount


@pytest.mark.parametrize(
    ("kind", "on_31_december_2025", "on_1_january_2026"),
    [
        (SUB_CENTRAL, Decimal("214904"), Decimal("207720")),
        (LIGHT_TOUCH, Decimal("663540"), Decimal("663540")),
        (WORKS, Decimal("5372609"), Decimal("5193000")),
    ],
)
def test_thresholds_are_chosen_by_the_procurements_start_date(kind, on_31_december_2025, on_1_january_2026):
    assert amount(kind, date(2025, 12, 31)) == on_31_december_2025
    assert amount(kind, date(2026, 1, 1)) == on_1_january_2026
    # Older procurements keep older figures; later ones keep the latest until a new row starts.
    assert amount(kind, date(2024, 1, 1)) == on_31_december_2025
    assert amount(kind, date(2030, 6, 1)) == on_1_january_2026


def test_a_date_before_the_table_gets_its_earliest_row():
    assert threshold_for(SUB_CENTRAL, date(2020, 5, 1)).valid_from == date(2024, 1, 1)


def test_a_councils_own_row_applies_to_its_procurements_only(council, other_council, people):
    admin = people[Role.COUNCIL_ADMIN]
    services.procurement_threshold_add(
        by=admin,
        council=council,
        kind=SUB_CENTRAL,
        valid_from=date(2028, 1, 1),
        amount=Decimal("220000"),
        source="New thresholds from 1 January 2028",
    )
    assert amount(SUB_CENTRAL, date(2027, 12, 31), council) == Decimal("207720")
    assert amount(SUB_CENTRAL, date(2028, 1, 1), council) == Decimal("220000")
    assert amount(SUB_CENTRAL, date(2028, 1, 1), other_council) == Decimal("207720")
    assert amount(SUB_CENTRAL, date(2028, 1, 1)) == Decimal("207720")
    assert AuditEvent.objects.filter(council=council, event_type="threshold.added").count() == 1


def test_a_councils_row_on_a_national_date_wins_for_that_council(council, people):
    services.procurement_threshold_add(
        by=people[Role.COUNCIL_ADMIN],
        council=council,
        kind=WORKS,
        valid_from=date(2026, 1, 1),
        amount=Decimal("5200000"),
        source="Checked against the published figure",
    )
    assert amount(WORKS, date(2026, 3, 1), council) == Decimal("5200000")


def test_only_a_council_administrator_adds_a_threshold(council, other_council, people):
    row = {"kind": SUB_CENTRAL, "valid_from": date(2028, 1, 1), "amount": Decimal("1"), "source": "x"}
    for who in (Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER, "other_council_officer"):
        with pytest.raises(PermissionDenied):
            services.procurement_threshold_add(by=people[who], council=council, **row)
    assert not ProcurementThreshold.objects.filter(council__isnull=False).exists()


def test_the_same_kind_and_date_twice_is_refused_with_a_message(council, people):
    row = {"kind": SUB_CENTRAL, "valid_from": date(2028, 1, 1), "amount": Decimal("220000"), "source": "SI"}
    services.procurement_threshold_add(by=people[Role.COUNCIL_ADMIN], council=council, **row)
    with pytest.raises(ValidationError, match="already has a figure"):
        services.procurement_threshold_add(by=people[Role.COUNCIL_ADMIN], council=council, **row)
    with pytest.raises(ValidationError):
        services.procurement_threshold_add(
            by=people[Role.COUNCIL_ADMIN], council=council, **{**row, "amount": Decimal("0")}
        )
    assert ProcurementThreshold.objects.filter(council=council).count() == 1


def test_the_page_lists_the_table_and_an_administrator_adds_a_row(council, people, client_for):
    list_url = reverse("councils:thresholds", kwargs={"council_slug": council.slug})
    add_url = reverse("councils:threshold_add", kwargs={"council_slug": council.slug})
    officer_page = client_for(people[Role.PROCUREMENT_OFFICER]).get(list_url).content.decode()
    assert "£207,720" in officer_page
    assert "£214,904" in officer_page
    assert add_url not in officer_page

    client = client_for(people[Role.COUNCIL_ADMIN])
    bad = client.post(add_url, {"kind": "works", "valid_from": "31/02/2028", "amount": "lots", "source": ""})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"valid_from", "amount", "source"}
    response = client.post(
        add_url,
        {"kind": "works", "valid_from": "1/1/2028", "amount": "£5,400,000", "source": "New thresholds 2028"},
    )
    assert response.status_code == 302
    assert amount(WORKS, date(2028, 1, 1), council) == Decimal("5400000")
    page = client.get(list_url).content.decode()
    assert "£5,400,000" in page
    assert "New thresholds 2028" in page


def test_only_officers_and_administrators_see_the_table(council, people, client_for):
    list_url = reverse("councils:thresholds", kwargs={"council_slug": council.slug})
    add_url = reverse("councils:threshold_add", kwargs={"council_slug": council.slug})
    assert client_for(people[Role.SCRUTINY_MEMBER]).get(list_url).status_code == 403
    assert client_for(people["other_council_officer"]).get(list_url).status_code == 403
    assert client_for(people[Role.LEAD_COMMISSIONER]).post(add_url, {}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_national_rows_come_back_after_a_flush():
    """Test runs flush the database between transactional tests: the shipped figures are made again
    at post_migrate, so later procurements never find an empty table."""
    call_command("flush", interactive=False, verbosity=0)
    assert amount(SUB_CENTRAL, date(2026, 1, 1)) == Decimal("207720")
    assert ProcurementThreshold.objects.filter(council__isnull=True).count() == 6
