"""The deliverables and risk register pages: who sees and does what, the return's deliverables
section on both sides, denials and 404s, and a fixed number of queries per list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.models import Role
from monitoring.delivery.tests.factories import (
    add_deliverable,
    agreement_risk,
    evidence_pdf,
    milestone_agreement,
    report,
)
from monitoring.models import Deliverable, DeliverableState, PaymentKind
from monitoring.tests.returns_factories import returns_of, submit
from providers.models import Organisation
from tests.query_counts import queries_afresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(council, people):
    provider = Organisation.objects.get(members__user=people["provider_admin"])
    return milestone_agreement(council, provider=provider)


def url(name, agreement, *extra):
    return reverse(f"monitoring:{name}", args=[agreement.council.slug, agreement.pk, *extra])


def test_commissioners_add_a_deliverable_others_read_or_are_refused(agreement, people, client_for):
    milestone = agreement.payments.get(kind=PaymentKind.MILESTONE)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    page = officer.get(url("agreement_deliverables", agreement))
    assert b"Add a deliverable" in page.content
    response = officer.post(
        url("deliverable_add", agreement),
        {"title": "Hub opened", "due_on": agreement.ends_on + timedelta(days=1), "payment": milestone.pk},
    )
    assert response.status_code == 200
    assert "due within the agreement" in response.content.decode()
    assert not Deliverable.objects.exists()
    response = officer.post(
        url("deliverable_add", agreement),
        {"title": "Hub opened", "due_on": agreement.starts_on.strftime("%d/%m/%Y"), "payment": milestone.pk},
    )
    assert response.status_code == 302
    deliverable = Deliverable.objects.get()
    assert deliverable.payment == milestone
    assert "Payable once accepted" in officer.get(agreement.get_absolute_url()).content.decode()

    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    page = scrutiny.get(url("agreement_deliverables", agreement))
    assert page.status_code == 200
    assert b"Hub opened" in page.content
    assert b"Add a deliverable" not in page.content
    assert scrutiny.get(url("deliverable_add", agreement)).status_code == 403
    assert scrutiny.post(url("deliverable_edit", agreement, deliverable.pk), {"title": "X"}).status_code == 403
    assert client_for(people["other_council_officer"]).get(url("agreement_deliverables", agreement)).status_code == 404
    assert client_for(people["provider_admin"]).get(url("agreement_deliverables", agreement)).status_code == 404


def test_the_provider_reports_in_the_return_and_the_officer_decides_in_review(agreement, people, client_for):
    milestone = agreement.payments.get(kind=PaymentKind.MILESTONE)
    deliverable = add_deliverable(agreement, payment=milestone)
    first = returns_of(agreement)[0]
    provider = client_for(people["provider_admin"])
    page = provider.get(reverse("monitoring:provider_return", args=[first.pk])).content.decode()
    assert "Community hub opened" in page
    assert "Report as achieved" in page
    report_url = reverse("monitoring:provider_deliverable_report", args=[first.pk, deliverable.pk])
    future = provider.post(
        report_url,
        {"achieved_on": (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y"), "evidence_text": "Opened"},
    )
    assert future.status_code == 200
    assert "cannot be in the future" in future.content.decode()
    response = provider.post(
        report_url,
        {
            "achieved_on": deliverable.due_on.strftime("%d/%m/%Y"),
            "evidence_text": "Opened by the mayor",
            "evidence_document": evidence_pdf(),
        },
    )
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.REPORTED
    assert deliverable.evidence_document
    # The rest of the return goes as before.
    submit(first, by=people["provider_admin"])

    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    review = officer.get(reverse("monitoring:return_detail", args=[agreement.council.slug, first.pk])).content
    assert b"Accept or refuse" in review
    assert b"Download the evidence file" in review
    evidence = officer.get(url("deliverable_evidence", agreement, deliverable.pk))
    assert evidence.status_code == 200
    decide_url = reverse("monitoring:deliverable_decide", args=[agreement.council.slug, first.pk, deliverable.pk])
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    assert scrutiny.get(decide_url).status_code == 403
    assert client_for(people["provider_admin"]).get(decide_url).status_code == 404
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    refused = officer.post(decide_url, {"decision": "refuse", "reason": ""})
    assert refused.status_code == 200
    assert "Give the reason" in refused.content.decode()
    assert officer.post(decide_url, {"decision": "accept"}).status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.ACCEPTED
    assert "Payable</strong>" in officer.get(agreement.get_absolute_url()).content.decode()
    # Decided: nothing more to decide.
    again = officer.get(decide_url)
    assert again.status_code == 302
    assert again.url.endswith(f"/returns/{first.pk}/")

    provider = client_for(people["provider_admin"])
    mine = provider.get(reverse("monitoring:provider_deliverables", args=[agreement.pk])).content.decode()
    assert "Accepted" in mine
    assert provider.get(reverse("monitoring:provider_deliverable_evidence", args=[agreement.pk, deliverable.pk]))
    other = client_for(people["other_provider_admin"])
    assert other.get(reverse("monitoring:provider_deliverables", args=[agreement.pk])).status_code == 404
    assert other.get(report_url).status_code == 404


def test_a_deliverable_of_a_later_period_is_not_reported_in_this_return(agreement, people, client_for):
    first, second = returns_of(agreement)[:2]
    later = add_deliverable(agreement, due_on=second.period_end)
    provider = client_for(people["provider_admin"])
    url_ = reverse("monitoring:provider_deliverable_report", args=[first.pk, later.pk])
    assert provider.get(url_).status_code == 404
    assert (
        provider.get(reverse("monitoring:provider_deliverable_report", args=[second.pk, later.pk])).status_code == 200
    )


def test_the_risk_register_is_the_councils_not_the_providers(agreement, people, client_for):
    risk = agreement_risk(agreement)
    officer = client_for(people[Role.LEAD_COMMISSIONER])
    page = officer.get(url("agreement_risks", agreement)).content.decode()
    assert risk.description in page
    assert "Add a risk" in page
    response = officer.post(
        url("agreement_risk_edit", agreement, risk.pk),
        {
            "description": risk.description,
            "likelihood": 1,
            "impact": 5,
            "owner": people[Role.FINANCE_OFFICER].pk,
            "mitigation": "Lease renewal negotiated early",
            "status": "managed",
        },
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.likelihood, risk.status, risk.owner) == (1, "managed", people[Role.FINANCE_OFFICER])
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    assert scrutiny.get(url("agreement_risks", agreement)).status_code == 200
    assert scrutiny.get(url("agreement_risk_add", agreement)).status_code == 403
    for outsider in ("provider_admin", "other_council_officer"):
        assert client_for(people[outsider]).get(url("agreement_risks", agreement)).status_code == 404
    provider_page = client_for(people["provider_admin"]).get(
        reverse("monitoring:provider_agreement", args=[agreement.pk])
    )
    assert b"Risk register" not in provider_page.content


def test_lists_take_the_same_number_of_queries_however_many_rows(agreement, people, client_for):
    first = returns_of(agreement)[0]
    officer = client_for(people[Role.COMMISSIONING_OFFICER])

    def queries(name) -> int:
        with queries_afresh() as captured:
            assert officer.get(url(name, agreement)).status_code == 200
        return len(captured)

    add_deliverable(agreement, title="One")
    agreement_risk(agreement)
    few = (queries("agreement_deliverables"), queries("agreement_risks"))
    for index in range(3):
        reported = add_deliverable(agreement, title=f"Reported {index}")
        report(reported, first, document=evidence_pdf())
        agreement_risk(agreement, description=f"Risk {index}", owner=people[Role.FINANCE_OFFICER])
    assert (queries("agreement_deliverables"), queries("agreement_risks")) == few
