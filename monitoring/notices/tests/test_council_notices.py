"""The council's periodic notices: the payments compliance notice (UK17) each six months, the payments
over £30,000 each quarter (with their CSV), and the pipeline notice (UK1) for a council that says it
pays more than £100 million a year under public contracts. Each counts public contracts only, falls due
on the day the Act says, and gives a release that validates."""

from __future__ import annotations

import csv
import datetime
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle import services as commission_services
from commissioning.models import DeliveryRoute, Regime, State
from commissioning.tests.factories import commission_in_state
from councils import services as council_services
from councils.models import AuditEvent, Role
from monitoring.dashboards.tests.test_dashboards_views import dashboard_url
from monitoring.invoices import services as invoice_services
from monitoring.invoices.tests.factories import contract, invoice
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.notices import council as kinds
from monitoring.notices import ocds, services
from monitoring.notices.council_selectors import payments_compliance_figures
from monitoring.open_data.common import Period, financial_year_of
from monitoring.tests.factories import live_agreement
from tests.worlds import shared_world, world_with

pytestmark = pytest.mark.django_db

# A day well after the first periods ended: the notices below are due on fixed days, whatever today is.
TODAY = date(2026, 12, 6)
APRIL_TO_SEPTEMBER = Period(date(2026, 4, 1), date(2026, 9, 30))


def test_reporting_periods_quarters_and_due_days():
    first = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert kinds.reporting_periods(date(2026, 3, 31)) == []  # not ended yet
    assert kinds.reporting_periods(date(2026, 4, 1)) == [first]  # the short first period
    assert kinds.reporting_periods(date(2027, 4, 1)) == [
        first,
        APRIL_TO_SEPTEMBER,
        Period(date(2026, 10, 1), date(2027, 3, 31)),
    ]
    # 30 days beginning with the period's last day: 31 March is day 1, so the last day is 29 April.
    assert kinds.last_day_within(date(2026, 3, 31), 30) == date(2026, 4, 29)
    assert kinds.last_day_within(date(2026, 9, 30), 30) == date(2026, 10, 29)
    assert kinds.quarters(date(2026, 6, 30)) == []
    assert kinds.quarters(date(2027, 1, 1)) == [
        Period(date(2026, 4, 1), date(2026, 6, 30)),
        Period(date(2026, 7, 1), date(2026, 9, 30)),
        Period(date(2026, 10, 1), date(2026, 12, 31)),
    ]
    assert kinds.last_day_within(date(2026, 6, 30), 30) == date(2026, 7, 29)
    # The pipeline notice: 56 days beginning with 1 April.
    assert kinds.last_day_within(date(2026, 4, 1), 56) == date(2026, 5, 26)
    assert kinds.period_words(Period(date(2026, 10, 1), date(2027, 3, 31))) == "1 October 2026 to 31 March 2027"


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, payments = shared_world(
    world_with(payments=lambda council, people: paid_invoices(council)), "payments"
)


def paid_invoices(council):
    """Invoices paid from April to September 2026 under a public contract, and others that must not count."""
    act = contract(council)
    for number, received, amount, paid in (
        ("A", date(2026, 5, 1), "12000", date(2026, 5, 31)),  # day 30: within 30 days
        ("B", date(2026, 6, 2), "45000", date(2026, 7, 3)),  # day 31: the second band
        ("C", date(2026, 6, 1), "30000", date(2026, 6, 1)),  # the same day; exactly £30,000
        ("D", date(2026, 7, 1), "60000", date(2026, 8, 31)),  # day 61
        ("E", date(2026, 8, 15), "9000", None),  # fell due on 14 September, still unpaid on the 30th
        ("F", date(2026, 9, 20), "9000", date(2026, 10, 25)),  # paid, and fell due, after the period
    ):
        invoice(act, number, received, amount, paid_on=paid)
    wrong = invoice(act, "G", date(2026, 5, 1), "99000", paid_on=date(2026, 5, 2))
    invoice_services.invoice_withdraw(by=wrong.recorded_by, invoice=wrong, reason="Typed twice")
    # Not public contracts: a partnership agreement, and a contract below the threshold.
    invoice(live_agreement(council), "P", date(2026, 5, 1), "50000", paid_on=date(2026, 8, 1))
    below = contract(council, regime=Regime.BELOW_THRESHOLD, budget=Decimal(100000), title="Grounds maintenance")
    invoice(below, "Q", date(2026, 5, 1), "50000", paid_on=date(2026, 8, 1))
    return act


def test_figures_count_public_contracts_by_days_after_the_invoice_day(council, payments):
    figures = payments_compliance_figures(council, APRIL_TO_SEPTEMBER)
    assert (figures.payments, figures.within_30_days, figures.within_31_to_60_days, figures.after_60_days) == (
        4,
        2,
        1,
        1,
    )
    assert figures.within_30_days_percent == Decimal("50.0")
    assert figures.after_60_days_percent == Decimal("25.0")
    assert figures.average_days == Decimal("30.5")  # (30 + 31 + 0 + 61) / 4
    assert figures.amount_paid == Decimal("147000")
    assert (figures.fell_due, figures.fell_due_unpaid, figures.fell_due_unpaid_percent) == (5, 1, Decimal("20.0"))
    nothing = payments_compliance_figures(council, Period(date(2026, 1, 1), date(2026, 3, 31)))
    assert not nothing.has_activity
    assert nothing.average_days is None


def test_the_payments_compliance_notice_is_the_section_151_officers_to_approve(council, people, payments):
    notices = services.council_notices_refresh(council, TODAY)
    (notice,) = [n for n in notices if n.notice_type == NoticeType.UK17]  # January to March had no payments
    assert (notice.subject, notice.due_on, notice.commission) == ("2026-04-01", date(2026, 10, 29), None)
    assert ocds.release_errors(notice.data) == []
    (document,) = notice.data["planning"]["documents"]
    assert document["noticeType"] == "UK17"
    assert "Paid within 30 days: 50.0% (2)" in document["description"]
    for role in (Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER):
        with pytest.raises(PermissionDenied):
            services.notice_step(by=people[role], notice=notice, name="mark_ready")
    finance = people[Role.FINANCE_OFFICER]
    services.notice_step(by=finance, notice=notice, name="mark_ready")
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY
    assert ocds.release_errors(notice.data) == []
    (approval,) = notice.data["planning"]["milestones"]
    assert approval["type"] == "approval"
    assert finance.full_name in approval["description"]
    services.notice_publish(
        by=people[Role.PROCUREMENT_OFFICER], notice=notice, fat_identifier="012345-2026", published_on=TODAY
    )
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED
    assert AuditEvent.objects.filter(event_type="notice.mark_ready", actor=finance).exists()


def test_the_payments_compliance_notice_waits_in_the_queue_of_whoever_takes_its_next_step(
    client_for, council, people, payments
):
    """A draft UK17 waits for the section 151 officer; once they mark it ready, for the notice officers
    who publish it (and no longer for them: it is out of their hands)."""
    (notice,) = [n for n in services.council_notices_refresh(council, TODAY) if n.notice_type == NoticeType.UK17]
    finance, legal = people[Role.FINANCE_OFFICER], people[Role.LEGAL_OFFICER]

    def queue(user) -> list[int]:
        return [n.pk for n in client_for(user).get(dashboard_url(council, view="officer")).context["notices"]]

    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=datetime.UTC), tick=False):
        assert (notice.pk in queue(finance), notice.pk in queue(legal)) == (True, False)
        services.notice_step(by=finance, notice=notice, name="mark_ready")
        assert (notice.pk in queue(finance), notice.pk in queue(legal)) == (False, True)


def test_payments_over_30000_each_quarter_with_the_csv(client_for, council, people, payments):
    # Procured in March 2026, before s.70 applied: its payments count in UK17 but are not published.
    earlier = contract(council, procured=datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), title="Gritting")
    invoice(earlier, "R", date(2026, 7, 1), "70000", paid_on=date(2026, 7, 20))
    notices = services.council_notices_refresh(council, TODAY)
    (notice,) = [n for n in notices if n.notice_type == NoticeType.PAYMENTS]  # none over £30,000 in April–June
    assert (notice.subject, notice.due_on, notice.title) == (
        "2026-07-01",
        date(2026, 10, 29),
        "Payments over £30,000: July to September 2026",
    )
    assert ocds.release_errors(notice.data) == []
    (paid_under,) = notice.data["contracts"]
    assert paid_under["id"] == payments.reference
    transactions = paid_under["implementation"]["transactions"]
    assert [(t["source"], t["value"]["amount"]) for t in transactions] == [("B", 45000), ("D", 60000)]
    assert payments_compliance_figures(council, APRIL_TO_SEPTEMBER).payments == 5  # R counts there

    csv_url = reverse(
        "monitoring:payments_over_30000_csv", kwargs={"council_slug": council.slug, "quarter": "2026-07-01"}
    )
    response = client_for(people[Role.FINANCE_OFFICER]).get(csv_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == kinds.PAYMENTS_CSV_HEADER
    assert [(row[0], row[1], row[4], row[7]) for row in rows[1:]] == [
        ("2026-07-03", "45000.00", payments.reference, "B"),
        ("2026-08-31", "60000.00", payments.reference, "D"),
    ]
    assert rows[1][2] == payments.provider.legal_name
    for who, status in (("provider_admin", 403), ("other_council_officer", 403), (Role.PORTFOLIO_HOLDER, 403)):
        assert client_for(people[who]).get(csv_url).status_code == status
    client = client_for(people[Role.SCRUTINY_MEMBER])
    assert client.get(csv_url).status_code == 200
    for quarter in ("2026-08-01", "2026-01-01", "not-a-day"):  # not a quarter since s.70 applied
        bad = reverse("monitoring:payments_over_30000_csv", kwargs={"council_slug": council.slug, "quarter": quarter})
        assert client.get(bad).status_code == 404


def test_the_pipeline_notice_only_for_a_council_that_says_it_pays_over_100m(council, people):
    today = timezone.localdate()
    year_start = date(financial_year_of(today), 4, 1)
    officer = people[Role.COMMISSIONING_OFFICER]

    def planned(title, route, budget, starts_on):
        commission = commission_in_state(council, State.PLANNING, title=title)
        commission.delivery_route, commission.budget = route, Decimal(budget)
        commission.starts_on, commission.ends_on = starts_on, date(starts_on.year + 5, 3, 31)
        return commission_services.commission_update(by=officer, commission=commission)

    waste = planned("Waste collection", DeliveryRoute.CONTRACT, "12000000", date(year_start.year + 1, 4, 1))
    planned("Youth grants", DeliveryRoute.GRANT, "3000000", date(year_start.year + 1, 4, 1))
    planned("Library IT", DeliveryRoute.CONTRACT, "2000000", date(year_start.year + 1, 4, 1))  # not over £2m
    planned("Leisure centres", DeliveryRoute.CONTRACT, "9000000", date(year_start.year + 3, 4, 1))  # too far off
    assert not [n for n in services.council_notices_refresh(council, today) if n.notice_type == NoticeType.UK1]

    admin = people[Role.COUNCIL_ADMIN]
    council.expects_over_100m_contract_spend = True
    council_services.council_update(by=admin, council=council, changed=["expects_over_100m_contract_spend"])
    (notice,) = [n for n in services.council_notices_refresh(council, today) if n.notice_type == NoticeType.UK1]
    assert (notice.subject, notice.due_on) == (f"{year_start:%Y-%m-%d}", date(year_start.year, 5, 26))
    assert ocds.release_errors(notice.data) == []
    assert [p["identifier"] for p in notice.data["relatedProcesses"]] == [ocds.ocid(waste)]
    (milestone,) = notice.data["planning"]["milestones"]
    assert milestone["dueDate"].startswith(f"{year_start.year}-10-01")  # six months before the start

    council.expects_over_100m_contract_spend = False
    council_services.council_update(by=admin, council=council, changed=["expects_over_100m_contract_spend"])
    services.council_notices_refresh(council, today)
    assert not Notice.objects.filter(notice_type=NoticeType.UK1).exists()  # the draft is withdrawn


def test_the_council_setting_is_on_the_settings_page(client_for, council, people):
    page = reverse("councils:settings", kwargs={"council_slug": council.slug})
    body = client_for(people[Role.COUNCIL_ADMIN]).get(page).content.decode()
    assert "expects_over_100m_contract_spend" in body
