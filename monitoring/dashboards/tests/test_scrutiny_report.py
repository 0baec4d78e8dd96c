"""The scrutiny progress report: commissions completed in the period with their value, bidders and
outcome; performance exceptions; scrutiny's notes and flags. On screen, as a PDF and as a workbook,
for scrutiny members and the lead commissioner only, each download audited, in fixed queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from commissioning.models import BidState
from commissioning.savings.tests.factories import identify
from commissioning.tests.award_factories import approved_award
from commissioning.tests.factories import create_commission
from commissioning.tests.review_factories import concluded_review, open_review, review_under_way
from councils.financial_year import financial_year_of
from councils.models import AuditEvent, Role
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.dashboards.selectors.scrutiny_report import default_period
from monitoring.dashboards.tests.test_dashboards_meeting_pack import pdf_text
from monitoring.dashboards.tests.test_dashboards_world import dashboards_world
from monitoring.models import add_months
from monitoring.savings.tests.factories import realise
from monitoring.tests.returns_factories import accept, recent_live_agreement, returns_of, submit
from tests.query_counts import assert_same_queries
from tests.worlds import shared_world

pytestmark = pytest.mark.django_db


# Built once for the module; each test has its own copy, in a savepoint.
shared, module_copy, council, other_council, people, world = shared_world(dashboards_world, "world")


def report_url(council, name="scrutiny_report", **params) -> str:
    url = reverse(f"monitoring:{name}", args=[council.slug])
    return f"{url}?{urlencode(params)}" if params else url


def red_kpi_agreement(council):
    """A live agreement whose first return is in and accepted with every KPI rated red by the officer."""
    agreement = recent_live_agreement(council, title="Lunch clubs")
    first = submit(returns_of(agreement)[0], actual=Decimal("1"))
    overrides = {actual.pk: ("red", "Far below the target.") for actual in first.actuals.all()}
    accept(first, overrides=overrides)
    return agreement, first


def test_the_default_period_is_the_last_six_months():
    assert default_period(date(2026, 12, 6)) == (date(2026, 6, 6), date(2026, 12, 6))
    assert default_period(date(2026, 8, 31)) == (date(2026, 2, 28), date(2026, 8, 31))


def test_the_report_shows_what_was_completed_the_exceptions_and_the_notes(client_for, world):
    award_world = approved_award(world.council)
    award = award_world.refresh_award()
    submitted = award.opportunity.bids.filter(state=BidState.SUBMITTED).count()
    red_agreement, red_return = red_kpi_agreement(world.council)
    member = world.people[Role.SCRUTINY_MEMBER]
    scrutiny_services.scrutiny_note_add(
        by=member, commission=world.overdue.commission, text="Why are the transport returns late?"
    )
    scrutiny_services.agenda_flag_add(by=member, commission=world.overdue.commission, reason="Returns are late.")

    response = client_for(member).get(report_url(world.council))
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.start, report.end) == default_period()
    (completed,) = report.completed
    assert completed.reference == award.commission.reference
    assert completed.bidders == submitted == 2
    assert completed.value == sum((item.value for item in award.items.all()), Decimal("0"))
    assert completed.result.startswith("Awarded to ")
    assert completed.result.removeprefix("Awarded to ") in {"Moorside Youth Trust", "Brightwork"}
    assert {k.monitoring_return_id for k in report.red_kpis} == {red_return.pk}
    assert world.overdue in report.at_risk
    assert red_agreement in report.at_risk
    overdue = {r.agreement_id for r in report.overdue_returns}
    assert world.overdue.pk in overdue
    assert world.rated.pk not in overdue
    assert [n.text for n in report.notes] == ["Why are the transport returns late?"]
    assert [f.reason for f in report.flags] == ["Returns are late."]
    body = response.content.decode()
    assert f"{award.commission.reference} {award.commission.title}" in body
    assert "Why are the transport returns late?" in body
    assert "Reviews by stage" in body
    assert "Savings found and made" in body


def test_reviews_by_stage_and_savings_found_and_made(client_for, world):
    today = timezone.localdate()
    running = review_under_way(
        world.council, title="Review of day services", starts_on=today - timedelta(days=60), concludes_by=today
    )
    concluded = concluded_review(
        world.council, title="Review of meals at home", starts_on=today - timedelta(days=90), concludes_by=today
    )
    open_review(
        world.council,
        title="Review of libraries",
        starts_on=today + timedelta(days=400),
        concludes_by=today + timedelta(days=500),
    )
    year = financial_year_of(world.rated.live_on)
    found = identify(world.rated.commission, year + 1, 12000)
    from_review = identify(concluded, year + 1, 3000)
    made = realise(world.rated, year, 5000)
    waiting = realise(world.overdue, financial_year_of(world.overdue.live_on), 750, role=Role.COMMISSIONING_OFFICER)

    response = client_for(world.people[Role.SCRUTINY_MEMBER]).get(report_url(world.council))
    report = response.context["report"]
    # The libraries review starts after the period: it is not reported.
    assert [r.pk for r in report.reviews] == [running.pk, concluded.pk]
    assert {s["label"]: s["count"] for s in report.review_stages} == {"Opened": 0, "Under way": 1, "Concluded": 1}
    assert report.savings_found == [found, from_review]
    assert {s.pk for s in report.savings_made} == {made.pk, waiting.pk}
    assert (report.found_total, report.made_total, report.awaiting_total) == (
        Decimal("15000"),
        Decimal("5000"),
        Decimal("750"),
    )
    (portfolio,) = [row for row in report.savings_by_portfolio if row.label == "Health and Wellbeing"]
    assert (portfolio.identified, portfolio.realised) == (Decimal("12000"), Decimal("5000"))
    body = response.content.decode()
    assert "Review of libraries" not in body
    assert "Keep as it is, with a new outcomes framework" in body
    assert "£15,000 found and £5,000 made" in body
    assert concluded.reference in body

    workbook = load_workbook(
        BytesIO(
            client_for(world.people[Role.LEAD_COMMISSIONER])
            .get(report_url(world.council, "scrutiny_report_xlsx"))
            .content
        )
    )
    summary = dict(workbook["Summary"].values)
    assert summary["Savings found"] == 15000
    assert summary["Reviews under way"] == 1
    assert [row[0] for row in list(workbook["Reviews"].values)[1:]] == [r.reference for r in report.reviews]


def test_the_period_narrows_the_report(client_for, world):
    member = world.people[Role.SCRUTINY_MEMBER]
    scrutiny_services.scrutiny_note_add(by=member, commission=world.overdue.commission, text="A note of today.")
    today = timezone.localdate()
    long_ago = add_months(today, -30)
    response = client_for(member).get(
        report_url(world.council, start=long_ago.strftime("%d/%m/%Y"), end=add_months(today, -24).strftime("%d/%m/%Y"))
    )
    report = response.context["report"]
    assert report.start == long_ago
    assert report.notes == []
    assert report.overdue_returns == []
    assert report.completed == []
    assert "Scrutiny recorded no notes in the period." in response.content.decode()


def test_a_period_that_ends_before_it_starts_is_explained(client_for, world):
    client = client_for(world.people[Role.LEAD_COMMISSIONER])
    response = client.get(report_url(world.council, start="01/10/2026", end="01/04/2026"))
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "The end of the period must be the same as or after its start." in body
    pdf = client.get(report_url(world.council, "scrutiny_report_pdf", start="01/10/2026", end="01/04/2026"))
    assert pdf.status_code == 302
    assert pdf["Location"].startswith(report_url(world.council))
    assert not AuditEvent.objects.filter(event_type="scrutiny_report.exported").exists()


def test_the_pdf_and_the_workbook_carry_the_report_and_are_audited(client_for, world):
    member = world.people[Role.SCRUTINY_MEMBER]
    scrutiny_services.scrutiny_note_add(by=member, commission=world.overdue.commission, text="Chase the provider.")
    client = client_for(member)
    start, end = default_period()

    pdf = client.get(report_url(world.council, "scrutiny_report_pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    expected = f"scrutiny-report-{world.council.slug}-{start.isoformat()}-to-{end.isoformat()}"
    assert pdf["Content-Disposition"] == f'attachment; filename="{expected}.pdf"'
    text = pdf_text(pdf.content)
    assert "Scrutiny progress report" in text
    assert world.overdue.reference in text
    assert "Chase the provider." in text

    xlsx = client.get(report_url(world.council, "scrutiny_report_xlsx"))
    assert xlsx.status_code == 200
    workbook = load_workbook(BytesIO(xlsx.content))
    assert workbook.sheetnames == [
        "Summary",
        "Commissions completed",
        "Reviews",
        "Savings found",
        "Savings made",
        "Savings by portfolio",
        "KPIs rated red",
        "Overdue returns",
        "Agreements at risk",
        "Scrutiny notes",
        "Agenda flags",
    ]
    notes = list(workbook["Scrutiny notes"].values)
    assert notes[0] == ("Commission", "Written on", "By", "Note")
    assert notes[1][0] == world.overdue.commission.reference
    assert notes[1][3] == "Chase the provider."
    at_risk = [row[0] for row in list(workbook["Agreements at risk"].values)[1:]]
    assert world.overdue.reference in at_risk

    events = AuditEvent.objects.filter(event_type="scrutiny_report.exported").order_by("id")
    assert [(e.actor, e.extra["format"], e.extra["start"]) for e in events] == [
        (member, "pdf", start.isoformat()),
        (member, "xlsx", start.isoformat()),
    ]


def test_only_scrutiny_and_the_lead_commissioner_read_the_report(client_for, world):
    for role in (Role.SCRUTINY_MEMBER, Role.LEAD_COMMISSIONER):
        assert client_for(world.people[role]).get(report_url(world.council)).status_code == 200
    for visitor in (Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER, Role.COUNCIL_ADMIN, "other_council_officer"):
        for name in ("scrutiny_report", "scrutiny_report_pdf", "scrutiny_report_xlsx"):
            assert client_for(world.people[visitor]).get(report_url(world.council, name)).status_code == 403
    assert Client().get(report_url(world.council)).status_code == 302
    assert not AuditEvent.objects.filter(event_type="scrutiny_report.exported").exists()


def test_the_report_runs_in_a_fixed_number_of_queries(client_for, world):
    """One note and one flag, then 25 of each on 25 commissions."""
    member = world.people[Role.SCRUTINY_MEMBER]
    officer = world.people[Role.COMMISSIONING_OFFICER]

    def noted(count):
        for n in range(count):
            commission = create_commission(world.council, title=f"Noted {n}", officer=officer)
            scrutiny_services.scrutiny_note_add(by=member, commission=commission, text=f"Note {n}")
            scrutiny_services.agenda_flag_add(by=member, commission=commission, reason=f"Flag {n}")

    noted(1)
    _, response = assert_same_queries(client_for(member), report_url(world.council), noted)
    assert len(response.context["report"].notes) == 25


def test_a_meeting_pack_can_end_with_the_report(client_for, world):
    member = world.people[Role.SCRUTINY_MEMBER]
    scrutiny_services.scrutiny_note_add(by=member, commission=world.overdue.commission, text="Ask about transport.")
    pack = reverse("monitoring:meeting_pack", args=[world.council.slug])
    client = client_for(member)
    page = client.get(f"{pack}?scrutiny_report=on&meeting=Scrutiny+committee")
    assert page.context["entries"] == []
    assert page.context["report"].notes[0].text == "Ask about transport."
    assert "Scrutiny progress report, " in page.content.decode()
    pdf = client.get(reverse("monitoring:meeting_pack_pdf", args=[world.council.slug]) + "?scrutiny_report=on")
    assert "Ask about transport." in pdf_text(pdf.content)
    event = AuditEvent.objects.get(event_type="meeting_pack.exported")
    assert event.extra["scrutiny_report"]["start"] == default_period()[0].isoformat()


def test_only_those_who_read_the_report_may_put_it_in_a_pack(client_for, world):
    """A commissioning officer makes packs but is not offered the report, and asking for it adds nothing."""
    client = client_for(world.people[Role.COMMISSIONING_OFFICER])
    pack = reverse("monitoring:meeting_pack", args=[world.council.slug])
    assert "scrutiny_report" not in client.get(pack).context["form"].fields
    page = client.get(f"{pack}?scrutiny_report=on&commissions={world.rated.commission_id}")
    assert page.context.get("report") is None
    assert "Scrutiny progress report" not in page.content.decode()
    alone = client.get(f"{pack}?scrutiny_report=on")
    assert "Choose at least one commission" in alone.content.decode()
