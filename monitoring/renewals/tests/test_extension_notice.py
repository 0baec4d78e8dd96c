"""The notice period to extend: recorded on the agreement, refused when longer than the agreement
(by the model, the service and the form, with nothing saved), shown on the agreement page and kept in
a variation's terms."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from councils.models import Role
from monitoring.agreements import variations
from monitoring.models import Agreement, AgreementType
from monitoring.tests.factories import agreeing_commission, approval, draft_agreement, live_agreement

pytestmark = pytest.mark.django_db

OPTIONS = {"max_extensions": 1, "extension_period_months": 12}


def test_a_notice_period_longer_than_the_agreement_is_refused_and_nothing_is_saved(council):
    with pytest.raises(ValidationError) as refused:
        draft_agreement(council, extension_notice_days=366, **OPTIONS)  # the term is 365 days
    assert "cannot be longer than the agreement itself (365 days" in str(refused.value.message_dict)
    assert not Agreement.objects.exists()

    agreement = draft_agreement(council, extension_notice_days=365, **OPTIONS)
    assert agreement.extension_notice_days == 365


def test_the_model_refuses_it_wherever_it_is_saved_from(council):
    agreement = draft_agreement(council, extension_notice_days=90, **OPTIONS)
    agreement.ends_on = date(2026, 5, 31)
    with pytest.raises(ValidationError) as refused:
        agreement.full_clean(exclude=["state", "signed_document"])
    assert "extension_notice_days" in refused.value.message_dict


def test_a_notice_period_needs_extension_options(council):
    with pytest.raises(ValidationError) as refused:
        draft_agreement(council, extension_notice_days=90)
    assert "no extension options to give notice of" in str(refused.value.message_dict["extension_notice_days"])


def test_bringing_the_end_forward_past_the_notice_period_is_refused(council):
    agreement = live_agreement(council, extension_notice_days=200, **OPTIONS)
    with pytest.raises(ValidationError) as refused:
        variations.agreement_vary_dates(
            by=agreement.commission.lead_officer,
            agreement=agreement,
            starts_on=agreement.starts_on,
            ends_on=date(2026, 9, 30),
            reason="Service no longer needed",
            approval=approval(council),
            effective_on=date(2026, 7, 1),
        )
    assert "cannot be longer than the agreement itself" in str(refused.value.message_dict["ends_on"])
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2027, 3, 31)
    assert not agreement.variations.exists()


def test_the_form_shows_the_error_and_the_page_shows_the_notice(client_for, council, people):
    commission = agreeing_commission(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    create = reverse("monitoring:agreement_create", kwargs={"council_slug": council.slug, "pk": commission.pk})
    data = {
        "title": "Befriending",
        "agreement_type": AgreementType.SERVICE_LEVEL_AGREEMENT,
        "provider": "",
        "internal_team_name": "Community Services",
        "value": "£60,000",
        "starts_on": "01/04/2026",
        "ends_on": "31/03/2027",
        "max_extensions": "1",
        "extension_period_months": "12",
        "extension_notice_days": "400",
        "monitoring_frequency": "quarterly",
        "council_contact": people[Role.COMMISSIONING_OFFICER].pk,
    }
    response = client.post(create, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "The notice period to extend (400 days) cannot be longer than the agreement itself" in body
    assert not Agreement.objects.exists()

    response = client.post(create, {**data, "extension_notice_days": "90"})
    agreement = Agreement.objects.get()
    assert response.url == agreement.get_absolute_url()
    body = client.get(agreement.get_absolute_url()).content.decode()
    assert "Notice to extend" in body
    assert "90 days before the end date: decide by 31 December 2026" in body


def test_a_variation_keeps_the_notice_period_in_its_terms(council):
    agreement = live_agreement(council, extension_notice_days=90, **OPTIONS)
    variation = variations.agreement_extend(
        by=agreement.commission.lead_officer,
        agreement=agreement,
        ends_on=date(2028, 3, 31),
        reason="Good results",
        approval=approval(council),
    )
    assert variation.before["extension_notice_days"] == variation.after["extension_notice_days"] == 90
