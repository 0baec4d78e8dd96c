"""Early engagement pages: the officers' (denials, 404 for another council, the open form's errors,
answering) and the public site's (listings by audience, the consultation page without emails, the
comment form with its consent, honeypot and rate limit, and closed consultations)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from commissioning.engagement import services, spam
from commissioning.engagement.tests.factories import drafted_commission, open_consultation
from commissioning.models import Consultation, ConsultationAudience, ConsultationComment, State
from councils.models import Role
from providers.models import Organisation

pytestmark = pytest.mark.django_db


def officer_url(name, commission, **kwargs):
    return reverse(
        f"commissioning:{name}", kwargs={"council_slug": commission.council.slug, "pk": commission.pk, **kwargs}
    )


def public_url(consultation, name="consultation"):
    return reverse(
        f"opportunities:{name}",
        kwargs={"council_slug": consultation.commission.council.slug, "pk": consultation.pk},
    )


def public_comment(consultation, text="Include weekends.", section="general"):
    return services.consultation_comment(
        consultation=consultation, section=section, text=text, name="Ann Smith", email="ann.smith@example.org"
    )


def test_an_officer_opens_drafts_for_comment(client_for, commission, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    assert client.get(officer_url("consultations", commission)).status_code == 200
    today = timezone.localdate()
    response = client.post(
        officer_url("consultation_open", commission),
        {
            "parts": ["specification"],
            "audience": "public",
            "opens_on": today.strftime("%d/%m/%Y"),
            "closes_on": (today + timedelta(days=7)).strftime("%d/%m/%Y"),
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response.url == services.consultation_url(consultation)
    assert consultation.parts == ["specification"]
    page = client.get(response.url).content.decode()
    assert "The service" in page
    assert "Outcome 1" not in page


def test_a_closing_date_in_the_past_is_refused_with_a_clear_error(client_for, commission, people):
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    today = timezone.localdate()
    response = client.post(
        officer_url("consultation_open", commission),
        {
            "parts": ["outcomes"],
            "audience": "providers",
            "opens_on": today.strftime("%d/%m/%Y"),
            "closes_on": (today - timedelta(days=1)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    assert "The closing date must be today or in the future." in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("visitor", "status"),
    [
        (Role.SCRUTINY_MEMBER, 403),
        (Role.FINANCE_OFFICER, 403),
        ("other_council_officer", 404),
        ("provider_admin", 404),
        ("no_role", 404),
    ],
)
def test_only_commissioners_open_drafts(client_for, commission, people, visitor, status):
    client = client_for(people[visitor])
    assert client.get(officer_url("consultation_open", commission)).status_code == status
    assert client.post(officer_url("consultation_open", commission), {}).status_code == status


def test_another_councils_consultation_is_a_404(client_for, commission, people, other_council):
    consultation = open_consultation(commission)
    comment = public_comment(consultation)
    client = client_for(people["other_council_officer"])
    for url in (
        officer_url("consultations", commission),
        officer_url("consultation", commission, consultation_pk=consultation.pk),
        officer_url("consultation_answer", commission, consultation_pk=consultation.pk, comment_pk=comment.pk),
    ):
        assert client.get(url).status_code == 404
    # Through another council's slug, the consultation does not exist.
    wrong = reverse("opportunities:consultation", kwargs={"council_slug": other_council.slug, "pk": consultation.pk})
    assert client.get(wrong).status_code == 404


def test_the_officer_reads_who_commented_and_answers(client_for, commission, people):
    consultation = open_consultation(commission)
    comment = public_comment(consultation, text="Evening visits please.")
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    page = scrutiny.get(officer_url("consultation", commission, consultation_pk=consultation.pk)).content.decode()
    assert "ann.smith@example.org" in page
    assert "Answer this comment" not in page
    answer_url = officer_url("consultation_answer", commission, consultation_pk=consultation.pk, comment_pk=comment.pk)
    assert scrutiny.post(answer_url, {"answer": "No"}).status_code == 403
    client = client_for(people[Role.LEAD_COMMISSIONER])
    assert client.post(answer_url, {"answer": ""}).status_code == 200
    response = client.post(answer_url, {"answer": "We will ask for evening visits.", "draft_changed_because": ""})
    assert response.status_code == 302
    assert ConsultationComment.objects.get().answer == "We will ask for evening visits."


def test_the_public_page_shows_comments_and_answers_but_no_emails(client, commission, people):
    consultation = open_consultation(commission)
    comment = public_comment(consultation, text="Evening visits please.")
    services.comment_answer(by=people[Role.LEAD_COMMISSIONER], comment=comment, answer="We will ask providers.")
    page = client.get(public_url(consultation)).content.decode()
    assert "Evening visits please." in page
    assert "We will ask providers." in page
    assert "A member of the public" in page
    assert "ann.smith@example.org" not in page
    assert "Ann Smith" not in page


def test_listings_show_providers_only_consultations_to_providers_only(client_for, client, commission, people):
    public = open_consultation(commission)
    providers_only = open_consultation(commission, audience=ConsultationAudience.PROVIDERS)
    listing = reverse("opportunities:consultations")
    council_listing = reverse("opportunities:council_consultations", kwargs={"council_slug": commission.council.slug})
    for url in (listing, council_listing):
        page = client.get(url).content.decode()
        assert public_url(public) in page
        assert public_url(providers_only) not in page
    assert client.get(public_url(providers_only)).status_code == 404
    assert client.get(public_url(providers_only, "consultation_comment")).status_code == 404
    provider = client_for(people["provider_admin"])
    assert public_url(providers_only) in provider.get(listing).content.decode()
    assert provider.get(public_url(providers_only)).status_code == 200


def test_another_councils_listing_shows_none_of_this_council(client, commission, other_council):
    consultation = open_consultation(commission)
    url = reverse("opportunities:council_consultations", kwargs={"council_slug": other_council.slug})
    assert public_url(consultation) not in client.get(url).content.decode()


def comment_form(**values):
    return {"section": "general", "text": "Please include weekends.", **values}


def test_a_member_of_the_public_comments_with_consent(client, commission):
    consultation = open_consultation(commission)
    url = public_url(consultation, "consultation_comment")
    page = client.get(url).content.decode()
    assert reverse("privacy") in page
    refused = client.post(url, comment_form(name="Ann", email="ann@example.org"))
    assert refused.status_code == 200
    assert "Agree to the council keeping your details" in refused.content.decode()
    response = client.post(url, comment_form(name="Ann", email="ann@example.org", consent="on"))
    assert response.status_code == 302
    comment = ConsultationComment.objects.get()
    assert comment.email == "ann@example.org"
    assert comment.organisation is None


def test_a_provider_comments_for_its_organisation(client_for, commission, people):
    consultation = open_consultation(commission, audience=ConsultationAudience.PROVIDERS)
    client = client_for(people["provider_admin"])
    organisation = Organisation.objects.get(members__user=people["provider_admin"])
    other = Organisation.objects.get(members__user=people["other_provider_admin"])
    url = public_url(consultation, "consultation_comment")
    assert client.post(url, comment_form(organisation=other.pk)).status_code == 200
    assert client.post(url, comment_form(organisation=organisation.pk)).status_code == 302
    assert ConsultationComment.objects.get().organisation == organisation


def test_the_honeypot_keeps_bots_out(client, commission):
    consultation = open_consultation(commission)
    url = public_url(consultation, "consultation_comment")
    response = client.post(url, comment_form(name="Bot", email="bot@example.org", consent="on", website="spam"))
    assert response.status_code == 302
    assert not ConsultationComment.objects.exists()


def test_comments_from_one_address_are_limited(client, commission, monkeypatch):
    monkeypatch.setattr(spam, "COMMENTS_PER_HOUR", 2)
    consultation = open_consultation(commission)
    url = public_url(consultation, "consultation_comment")
    for _ in range(3):
        client.post(url, comment_form(name="Ann", email="ann@example.org", consent="on"))
    assert ConsultationComment.objects.count() == 2


def test_a_closed_consultation_takes_no_comments(client, commission):
    consultation = open_consultation(commission, days=2)
    url = public_url(consultation, "consultation_comment")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert client.get(url).status_code == 302
        response = client.post(url, comment_form(name="Ann", email="ann@example.org", consent="on"))
        assert response.status_code == 302
        page = client.get(public_url(consultation)).content.decode()
        assert "comments can no longer be made" in page
        assert public_url(consultation) not in client.get(reverse("opportunities:consultations")).content.decode()
    assert not ConsultationComment.objects.exists()


def test_the_engagement_log_links_the_consultation(client_for, commission, people):
    consultation = open_consultation(commission)
    page = client_for(people[Role.COMMISSIONING_OFFICER]).get(commission.get_absolute_url()).content.decode()
    assert officer_url("consultation", commission, consultation_pk=consultation.pk) in page
    assert "Consultation on the draft outcomes and success measures and draft specification" in page


def test_drafts_already_out_to_market_offer_no_opening(client_for, council, people):
    commission = drafted_commission(council, state=State.SOURCING)
    page = client_for(people[Role.COMMISSIONING_OFFICER]).get(officer_url("consultations", commission))
    assert "Open drafts for comment" not in page.content.decode()
