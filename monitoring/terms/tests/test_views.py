"""The terms pages: commissioners record the payment model and clauses (by variation once live), readers
see them on the agreement page, the provider on its own page; denials answer 403 or 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from councils.models import Role
from monitoring.models import AgreementTerms, AgreementVariation, VariationKind
from monitoring.terms.tests.factories import record_terms
from monitoring.tests.factories import draft_agreement, go_live, sign
from providers.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(council, people):
    provider = Organisation.objects.get(members__user=people["provider_admin"])
    return draft_agreement(council, provider=provider)


def url(agreement, name="agreement_terms", **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"council_slug": agreement.council.slug, "pk": agreement.pk, **kwargs})


def terms_post(**overrides):
    data = {
        "payment_model": ["per_unit", "by_results"],
        "unit_name": "hour of support",
        "unit_price": "£24.50",
        "result": "A person in work for 13 weeks",
        "price": "1,500",
        "evidence": "Payslips or an employer's letter",
        "kpi": "",
        "has_break_clause": "yes",
        "break_notice_days": "90",
        "has_get_out_clause": "no",
        "get_out_notice_days": "",
        "get_out_circumstances": "",
        "tupe_applies": "yes",
        "tupe_note": "Six support workers transfer.",
    }
    return {**data, **overrides}


def test_a_commissioner_records_terms_and_the_agreement_page_shows_them(client_for, draft, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])

    response = client.post(url(draft, "agreement_terms_edit"), terms_post())

    assert response.status_code == 302
    assert response["Location"] == url(draft)
    terms = AgreementTerms.objects.get(agreement=draft)
    assert terms.unit_price == 24.5
    assert terms.results.get().price == 1500
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Payment terms and clauses" in page
    assert "Per unit: £24.50 per hour of support" in page
    assert "Yes, on 90 days' notice" in page
    assert "TUPE applies" in page


def test_a_notice_period_longer_than_the_agreement_is_shown_as_an_error_and_nothing_is_saved(client_for, draft, people):
    client = client_for(people[Role.LEAD_COMMISSIONER])

    response = client.post(url(draft, "agreement_terms_edit"), terms_post(break_notice_days="400"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "notice period must not be longer than the agreement: it runs 365 days" in page
    assert not AgreementTerms.objects.exists()


def test_the_form_explains_each_missing_part(client_for, draft, people):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = client.post(url(draft, "agreement_terms_edit"), terms_post(unit_price="", price="0", payment_model=[]))
    page = response.content.decode()
    assert "Choose how the provider is paid" in page
    assert not AgreementTerms.objects.exists()


@pytest.mark.parametrize("role", [Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, Role.COUNCIL_ADMIN])
def test_readers_who_do_not_commission_see_the_terms_but_cannot_change_them(client_for, draft, people, role):
    record_terms(draft)
    client = client_for(people[role])
    page = client.get(url(draft))
    assert page.status_code == 200
    assert "Change the payment terms" not in page.content.decode()
    assert client.get(url(draft, "agreement_terms_edit")).status_code == 403
    assert client.post(url(draft, "agreement_terms_edit"), terms_post(break_notice_days="30")).status_code == 403
    assert AgreementTerms.objects.get().break_notice_days == 90


@pytest.mark.parametrize("visitor", ["other_council_officer", "provider_admin", "no_role"])
def test_outsiders_get_404(client_for, draft, people, visitor):
    terms = record_terms(draft)
    client = client_for(people[visitor])
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft, "agreement_terms_edit"), terms_post()).status_code == 404
    result_pk = terms.results.get().pk
    assert client.post(url(draft, "agreement_result_remove", result_pk=result_pk)).status_code == 404


def test_another_agreements_result_is_404(client_for, council, draft, people):
    other = record_terms(draft_agreement(council)).results.get()
    record_terms(draft)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    assert client.get(url(draft, "agreement_result_edit", result_pk=other.pk)).status_code == 404


def test_the_provider_sees_its_signed_agreements_terms(client_for, draft, people):
    record_terms(draft)
    signed = sign(draft)
    page = client_for(people["provider_admin"]).get(reverse("monitoring:provider_agreement", kwargs={"pk": signed.pk}))
    assert page.status_code == 200
    assert "Per unit: £24.50 per hour of support" in page.content.decode()
    other = client_for(people["other_provider_admin"])
    assert other.get(reverse("monitoring:provider_agreement", kwargs={"pk": signed.pk})).status_code == 404


def test_after_go_live_the_change_is_a_variation(client_for, council, draft, people):
    record_terms(draft)
    live = go_live(sign(draft))
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert "only through a variation" in client.get(url(live)).content.decode()

    response = client.post(url(live, "agreement_terms_edit"), terms_post(break_notice_days="60"))
    assert response.status_code == 200
    assert "Give the reason for the variation" in response.content.decode()

    lead = people[Role.LEAD_COMMISSIONER]
    variation = {
        "reason": "Break notice shortened by agreement",
        "effective_on": "01/06/2026",
        "approved_by": str(lead.pk),
        "approved_on": "01/06/2026",
    }
    response = client.post(url(live, "agreement_terms_edit"), terms_post(break_notice_days="60", **variation))
    assert response.status_code == 302
    row = AgreementVariation.objects.get(agreement=live)
    assert row.kind == VariationKind.TERMS
    assert row.effective_on == date(2026, 6, 1)
    assert AgreementTerms.objects.get().break_notice_days == 60


def test_results_are_added_and_removed_on_the_terms_page(client_for, draft, people):
    terms = record_terms(draft)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(
        url(draft, "agreement_result_add"),
        {"result": "A tenancy kept for a year", "price": "800", "evidence": "Rent account", "kpi": ""},
    )
    assert response.status_code == 302
    assert terms.results.count() == 2
    first = terms.results.first()
    assert client.post(url(draft, "agreement_result_remove", result_pk=first.pk)).status_code == 302
    assert list(terms.results.values_list("result", flat=True)) == ["A tenancy kept for a year"]
    page = client.get(url(draft)).content.decode()
    assert "A tenancy kept for a year" in page
    assert "Earned so far" in page
