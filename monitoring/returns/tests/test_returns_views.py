"""Return pages: the provider files, saves and submits through the form and answers a query; officers
review, query and accept with RAG ratings; who sees what (404 for other organisations and councils,
scrutiny read-only); the agreement's monitoring section with its charts; settings and assessments;
and list pages that run in the same number of queries however many returns they show."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from councils.models import Role
from councils.tests.zips import Entry, xlsx
from monitoring.models import (
    KpiActual,
    MonitoringFrequency,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceAssessment,
    Rag,
    ReturnState,
)
from monitoring.tests.factories import agreeing_commission, live_agreement
from monitoring.tests.returns_factories import accept, query, returns_of, submit, writer
from providers.models import Organisation, ProviderRole
from tests.query_counts import assert_same_queries, assert_same_queries_between

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def july_2026():
    with time_machine.travel(datetime(2026, 7, 10, 10, tzinfo=LONDON), tick=False):
        yield


def signed_in(user) -> Client:
    """A client of its own for each person (several take turns in one test)."""
    client = Client()
    client.force_login(user)
    return client


def provider_of(people, key="provider_admin") -> Organisation:
    return people[key].organisation_memberships.get().organisation


@pytest.fixture
def agreement(council, people):
    """Live from 1 April 2026, quarterly, with the provider administrator's organisation."""
    return live_agreement(council, provider=provider_of(people))


def officer_url(name, monitoring_return, **kwargs):
    return reverse(
        f"monitoring:{name}",
        kwargs={"council_slug": monitoring_return.agreement.council.slug, "pk": monitoring_return.pk, **kwargs},
    )


def provider_url(name, monitoring_return, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"pk": monitoring_return.pk, **kwargs})


def form_data(monitoring_return, **values) -> dict:
    data = {
        "outcomes_narrative": "Forty-two older people joined the lunch clubs.",
        "case_study": "",
        "spend_to_date": "£14,500",
        "risks_and_issues": "",
    }
    for kpi in monitoring_return.agreement.kpis.all():
        data[f"actual_{kpi.pk}"] = "10"
        data[f"comment_{kpi.pk}"] = ""
    return {**data, **values}


# ---- The provider files a return ----------------------------------------------------------------------


def test_the_provider_saves_a_draft_then_submits_through_the_form(people, agreement):
    first = returns_of(agreement)[0]
    client = signed_in(people["provider_admin"])
    page = client.get(provider_url("provider_return", first))
    assert page.status_code == 200
    body = page.content.decode()
    kpi = agreement.kpis.get()
    target = kpi.targets.get(period_start=first.period_start).target
    assert f"Target for this period: {target.normalize():,f} sessions (higher is better)." in body
    assert "Payments scheduled by the end of this period: £15,000" in body

    response = client.post(provider_url("provider_return", first), {**form_data(first), "save_draft": ""})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.spend_to_date) == (ReturnState.DUE, Decimal("14500"))

    # Submitting with something missing: the error summary says what, and nothing is submitted.
    response = client.post(
        provider_url("provider_return", first),
        {**form_data(first, outcomes_narrative="", **{f"actual_{kpi.pk}": ""}), "submit_return": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter the actual for ‘Sessions delivered’" in body
    assert "Describe the outcomes achieved in the period" in body
    assert MonitoringReturn.objects.get(pk=first.pk).state == ReturnState.DUE

    response = client.post(provider_url("provider_return", first), {**form_data(first), "submit_return": ""})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == ReturnState.SUBMITTED
    page = client.get(response.url).content.decode()
    assert "submitted to the council for review" in page
    assert "The council is reviewing this return" in page
    # Once submitted, posting again changes nothing.
    response = client.post(provider_url("provider_return", first), {**form_data(first), "save_draft": ""})
    assert response.status_code == 302
    assert MonitoringReturn.objects.get(pk=first.pk).outcomes_narrative == first.outcomes_narrative


def test_a_late_submission_is_flagged_to_the_provider(people, agreement):
    first = returns_of(agreement)[0]
    with time_machine.travel(datetime(2026, 8, 5, 10, tzinfo=LONDON), tick=False):
        client = signed_in(people["provider_admin"])  # a new session: the first would have expired by now
        assert (
            "This return was due on 28 July 2026" in client.get(provider_url("provider_return", first)).content.decode()
        )
        response = client.post(provider_url("provider_return", first), {**form_data(first), "submit_return": ""})
        assert "so it is marked late" in client.get(response.url).content.decode()


def test_evidence_upload_and_download(people, agreement):
    first = returns_of(agreement)[0]
    client = signed_in(people["provider_admin"])
    upload = SimpleUploadedFile("sheets.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        provider_url("provider_evidence_add", first), {"title": "Attendance sheets", "document": upload}
    )
    assert response.status_code == 302
    item = first.evidence.get()
    download = client.get(provider_url("provider_evidence", first, evidence_pk=item.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    # Officers see it only once the return has been submitted.
    officer = signed_in(people[Role.COMMISSIONING_OFFICER])
    assert officer.get(officer_url("return_evidence", first, evidence_pk=item.pk)).status_code == 404
    submit(first)
    assert officer.get(officer_url("return_evidence", first, evidence_pk=item.pk)).status_code == 200
    # The provider can no longer remove it.
    assert client.get(provider_url("provider_evidence_remove", first, evidence_pk=item.pk)).status_code == 302
    assert first.evidence.exists()

    bad = SimpleUploadedFile("sheets.pdf", b"not really a pdf", content_type="application/pdf")
    second = returns_of(agreement)[1]
    response = client.post(provider_url("provider_evidence_add", second), {"title": "Fake", "document": bad})
    assert response.status_code == 200
    assert "is not a real PDF" in response.content.decode()


def test_only_the_organisations_writers_may_change_a_return(people, agreement):
    first = returns_of(agreement)[0]
    bid_writer = writer(agreement, role=ProviderRole.BID_WRITER)
    client = signed_in(bid_writer)
    page = client.get(provider_url("provider_return", first))
    assert page.status_code == 200
    assert "administrators and monitoring contacts fill in" in page.content.decode()
    assert client.post(provider_url("provider_return", first), form_data(first)).status_code == 403
    assert client.get(provider_url("provider_evidence_add", first)).status_code == 403
    for key in ("other_provider_admin", Role.LEAD_COMMISSIONER):
        other = signed_in(people[key])
        assert other.get(provider_url("provider_return", first)).status_code == 404, key
        assert other.post(provider_url("provider_return", first), form_data(first)).status_code == 404, key
    assert MonitoringReturn.objects.get(pk=first.pk).outcomes_narrative == ""


# ---- Officers review ---------------------------------------------------------------------------------


def test_officers_query_then_accept_with_a_rating_override(people, agreement):
    first = returns_of(agreement)[0]
    kpi = agreement.kpis.get()
    target = kpi.targets.get(period_start=first.period_start).target
    submit(first, actual=target * Decimal("0.95"))  # amber
    officer = signed_in(people[Role.COMMISSIONING_OFFICER])
    review = officer.get(officer_url("return_detail", first)).content.decode()
    assert "Forty people joined the lunch clubs." in review
    assert "Accept the return" in review

    response = officer.post(
        officer_url("return_query", first), {"from_state": "submitted", "question": "Which wards were they in?"}
    )
    assert response.status_code == 302
    assert MonitoringReturn.objects.get(pk=first.pk).state == ReturnState.QUERIED
    provider = signed_in(people["provider_admin"])
    page = provider.get(provider_url("provider_return", first)).content.decode()
    assert "The council has a question" in page
    assert "Which wards were they in?" in page
    response = provider.post(
        provider_url("provider_return", first),
        {**form_data(first), "answer": "Moorside and Low Fell.", "submit_return": ""},
    )
    assert response.status_code == 302

    officer = signed_in(people[Role.COMMISSIONING_OFFICER])
    accept_url = officer_url("return_accept", first)
    page = officer.get(accept_url)
    actual = KpiActual.objects.get(monitoring_return=first)
    assert page.context["form"][f"rag_{actual.pk}"].value() == Rag.GREEN  # 10 against a target of 9.97
    response = officer.post(accept_url, {"from_state": "submitted", f"rag_{actual.pk}": Rag.AMBER, "comment": ""})
    assert response.status_code == 200
    assert "Give the reason for rating ‘Sessions delivered’ amber rather than green" in response.content.decode()
    response = officer.post(
        accept_url,
        {
            "from_state": "submitted",
            f"rag_{actual.pk}": Rag.AMBER,
            f"rag_reason_{actual.pk}": "Two of the sessions were cut short.",
            "comment": "Thanks for the answer.",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.overall_rag) == (ReturnState.ACCEPTED, Rag.AMBER)
    review = officer.get(officer_url("return_detail", first)).content.decode()
    assert "Changed from green: Two of the sessions were cut short." in review
    assert "Moorside and Low Fell." in review
    # Nothing more to review: the steps send the officer back.
    assert officer.get(accept_url).status_code == 302


def test_a_stale_page_cannot_overwrite_a_newer_review(people, agreement):
    first = returns_of(agreement)[0]
    submit(first)
    officer = signed_in(people[Role.COMMISSIONING_OFFICER])
    response = officer.post(officer_url("return_query", first), {"from_state": "due", "question": "Why?"})
    assert response.status_code == 302
    assert MonitoringReturn.objects.get(pk=first.pk).state == ReturnState.SUBMITTED


def test_scrutiny_reads_but_cannot_review_and_outsiders_get_404(people, agreement):
    first = returns_of(agreement)[0]
    submit(first)
    scrutiny = signed_in(people[Role.SCRUTINY_MEMBER])
    page = scrutiny.get(officer_url("return_detail", first))
    assert page.status_code == 200
    assert "Accept the return" not in page.content.decode()
    assert scrutiny.get(officer_url("return_accept", first)).status_code == 403
    assert (
        scrutiny.post(officer_url("return_query", first), {"from_state": "submitted", "question": "x"}).status_code
        == 403
    )
    for key in ("other_council_officer", "provider_admin", "no_role", Role.PORTFOLIO_HOLDER):
        assert signed_in(people[key]).get(officer_url("return_detail", first)).status_code == 404, key
    assert MonitoringReturn.objects.get(pk=first.pk).state == ReturnState.SUBMITTED


def test_officers_do_not_see_a_providers_draft(people, agreement):
    first = returns_of(agreement)[0]
    provider = signed_in(people["provider_admin"])
    provider.post(
        provider_url("provider_return", first),
        {**form_data(first, outcomes_narrative="Draft thoughts, not for the council yet"), "save_draft": ""},
    )
    body = signed_in(people[Role.COMMISSIONING_OFFICER]).get(officer_url("return_detail", first)).content.decode()
    assert "Draft thoughts" not in body
    assert "The provider has not submitted this return yet." in body


# ---- The agreement's monitoring section, settings, assessments ---------------------------------------------


def test_the_agreement_page_shows_the_schedule_charts_and_a_payment_hold(people, agreement):
    first, second = returns_of(agreement)[:2]
    submit(first)
    accept(first)
    officer = signed_in(people[Role.LEAD_COMMISSIONER])
    body = officer.get(agreement.get_absolute_url()).content.decode()
    assert 'id="monitoring"' in body
    assert "1 April 2026 to 30 June 2026" in body
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body
    assert 'role="img"' in body
    assert "Sessions delivered (sessions): the figures as a table" in body
    assert "Cumulative spend against budget" in body
    assert "in 1 accepted period" in body
    assert "The next KPI assessment is due by 1 April 2027." in body
    assert "style=" not in body.split('id="monitoring"')[1]  # the CSP allows no inline style
    assert "Payments on hold" not in body

    signed_in(people[Role.COUNCIL_ADMIN]).post(
        reverse("monitoring:monitoring_settings", args=[agreement.council.slug]),
        {
            "return_due_days": "20",
            "due_days_are_working_days": "yes",
            "amber_tolerance_percent": "10",
            "hold_payments_when_overdue": "yes",
        },
    )
    assert MonitoringSettings.for_council(agreement.council).hold_payments_when_overdue
    with time_machine.travel(datetime(2026, 10, 30, 10, tzinfo=LONDON), tick=False):
        assert second.is_overdue
        officer = signed_in(people[Role.LEAD_COMMISSIONER])
        body = officer.get(agreement.get_absolute_url()).content.decode()
        assert "Payments on hold" in body
        provider_page = signed_in(people["provider_admin"]).get(
            reverse("monitoring:provider_agreement", args=[agreement.pk])
        )
        assert "put payments on hold until your overdue returns are submitted" in provider_page.content.decode()


def test_recording_an_assessment(people, agreement):
    officer = signed_in(people[Role.COMMISSIONING_OFFICER])
    url = reverse("monitoring:assessment_record", args=[agreement.council.slug, agreement.pk])
    kpi = agreement.kpis.get()
    assert officer.get(url).status_code == 200
    response = officer.post(url, {"kind": "interim", "assessed_on": "10/07/2026", f"rating_{kpi.pk}": "other"})
    assert response.status_code == 200
    assert "Explain the ‘other’ rating for ‘Sessions delivered’" in response.content.decode()
    response = officer.post(
        url, {"kind": "interim", "assessed_on": "10/07/2026", f"rating_{kpi.pk}": "approaching_target"}
    )
    assert response.status_code == 302
    assert PerformanceAssessment.objects.get().get_rating_display() == "Approaching target"
    assert "Approaching target" in officer.get(agreement.get_absolute_url()).content.decode()


def test_the_settings_form_refuses_nonsense(people, council):
    response = signed_in(people[Role.LEAD_COMMISSIONER]).post(
        reverse("monitoring:monitoring_settings", args=[council.slug]),
        {
            "return_due_days": "twenty",
            "due_days_are_working_days": "yes",
            "amber_tolerance_percent": "150",
            "hold_payments_when_overdue": "no",
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not MonitoringSettings.objects.exists()


# ---- Lists, in a fixed number of queries ---------------------------------------------------------------------


def monthly_agreements(council, count: int, **terms):
    """Live monthly agreements from 1 April 2026: four returns each have started by 10 July."""
    commission = agreeing_commission(council, title="Holiday hunger partnership")
    return [
        live_agreement(council, commission=commission, monitoring_frequency=MonitoringFrequency.MONTHLY, **terms)
        for _ in range(count)
    ]


def test_officer_list_runs_in_fixed_queries(people, council):
    live_agreement(council, monitoring_frequency=MonitoringFrequency.ANNUAL)
    client = signed_in(people[Role.LEAD_COMMISSIONER])
    listing = reverse("monitoring:return_list", args=[council.slug])

    def add_rows(count):
        for monthly in monthly_agreements(council, count // 4)[::2]:
            submit(returns_of(monthly)[0])

    _, response = assert_same_queries(client, listing, add_rows)
    assert response.context["page_obj"].paginator.count == 25


def test_officer_list_filters(people, council, agreement):
    first = returns_of(agreement)[0]
    submit(first)
    client = signed_in(people[Role.LEAD_COMMISSIONER])
    listing = reverse("monitoring:return_list", args=[council.slug])
    assert list(client.get(listing, {"state": "submitted"}).context["page_obj"]) == [first]

    commission = agreeing_commission(council, title="Holiday hunger partnership")
    monthly = live_agreement(council, commission=commission, monitoring_frequency=MonitoringFrequency.MONTHLY)
    for monitoring_return in returns_of(monthly)[:3]:
        submit(monitoring_return)
    assert len(client.get(listing, {"state": "submitted"}).context["page_obj"]) == 4

    # Submitted returns come first, then those with the provider; "no longer required" are left out.
    everything = list(client.get(listing).context["page_obj"])
    assert [r.state for r in everything[:4]] == [ReturnState.SUBMITTED] * 4
    assert len(everything) == 2 + 4  # periods that have started: two quarters, four months
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=LONDON), tick=False):
        client = signed_in(people[Role.LEAD_COMMISSIONER])
        overdue = list(client.get(listing, {"overdue": "on"}).context["page_obj"])
    assert {r.due_on < date(2026, 9, 1) for r in overdue} == {True}
    assert {r.agreement_id for r in overdue} == {monthly.pk}
    only = client.get(listing, {"agreement": agreement.pk}).context["page_obj"]
    assert {r.agreement_id for r in only} == {agreement.pk}


def test_a_portfolio_holder_lists_only_their_portfolios_returns(people, council, agreement):
    page = signed_in(people[Role.PORTFOLIO_HOLDER]).get(reverse("monitoring:return_list", args=[council.slug]))
    assert list(page.context["page_obj"]) == []
    assert (
        signed_in(people["other_council_officer"])
        .get(reverse("monitoring:return_list", args=[council.slug]))
        .status_code
        == 403
    )


def test_provider_list_shows_only_their_own_and_runs_in_fixed_queries(people, council):
    annual = live_agreement(council, provider=provider_of(people), monitoring_frequency=MonitoringFrequency.ANNUAL)
    client = signed_in(people["provider_admin"])
    listing = reverse("monitoring:provider_returns")

    def add_rows(count):
        mine = monthly_agreements(council, count // 4, provider=provider_of(people))
        submit(returns_of(mine[0])[0])
        live_agreement(council, commission=annual.commission, provider=provider_of(people, "other_provider_admin"))

    _, response = assert_same_queries(client, listing, add_rows)
    body = response.body.decode()
    assert body.count("Not submitted yet") == 24
    assert len(response.context["returns"]) == 25
    assert signed_in(people["other_provider_admin"]).get(listing).content.decode().count("Not submitted yet") == 2


def test_agreement_page_queries_do_not_grow_with_returns(people, council):
    """An agreement with one return against one with 25 monthly returns, submitted, accepted or queried."""
    with time_machine.travel(datetime(2028, 6, 1, 10, tzinfo=LONDON), tick=False):
        short = live_agreement(council, ends_on=date(2026, 6, 30), monitoring_frequency=MonitoringFrequency.ANNUAL)
        submit(returns_of(short)[0])
        commission = agreeing_commission(council, title="Holiday hunger partnership")
        long = live_agreement(
            council, commission=commission, ends_on=date(2028, 4, 30), monitoring_frequency=MonitoringFrequency.MONTHLY
        )
        assert len(returns_of(long)) == 25
        for number, monitoring_return in enumerate(returns_of(long)):
            submit(monitoring_return)
            if number % 3:
                accept(monitoring_return)
            elif number % 2:
                query(monitoring_return)
        _, response = assert_same_queries_between(
            signed_in(people[Role.LEAD_COMMISSIONER]), short.get_absolute_url(), long.get_absolute_url()
        )
    assert response.body.decode().count("govuk-tag--green") >= 16


def test_an_evidence_zip_bomb_is_refused_and_not_stored(people, agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = returns_of(agreement)[0]
    client = signed_in(people["provider_admin"])
    bomb = SimpleUploadedFile("sheets.xlsx", xlsx(Entry.zeros("xl/worksheets/sheet1.xml", 1024)))
    response = client.post(provider_url("provider_evidence_add", first), {"title": "Sheets", "document": bomb})
    assert response.status_code == 200
    assert "The selected file is too large when unpacked" in response.content.decode()
    assert not first.evidence.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
