"""Review pages: opening, evidence (with the upload checks), steps and the conclusion; denials."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.models import Commission, Conclusion, Review, ReviewEvidence, ReviewState
from commissioning.tests.review_factories import concluded_review, open_review, provision, review_under_way
from councils.models import Role
from councils.tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db


def url(route, review, **kwargs):
    return reverse(f"commissioning:{route}", kwargs={"council_slug": review.council.slug, "pk": review.pk, **kwargs})


def pdf(name="survey.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def test_the_lead_commissioner_opens_a_review_from_the_form(council, people, client_for):
    day_centre = provision(council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    page = client.get(reverse("commissioning:review_open", args=[council.slug]))
    assert day_centre.service_name in page.content.decode()
    response = client.post(
        reverse("commissioning:review_open", args=[council.slug]),
        {
            "title": "Review of day services",
            "scope": "The council's day centres for older people.",
            "lead_officer": people[Role.COMMISSIONING_OFFICER].pk,
            "starts_on": "01/04/2026",
            "concludes_by": "30/09/2026",
            "provisions": [day_centre.pk],
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302
    assert response.url == review.get_absolute_url()
    assert list(review.provisions.all()) == [day_centre]
    assert review.lead_officer == people[Role.COMMISSIONING_OFFICER]


def test_a_timetable_that_runs_backwards_is_refused_on_the_form(council, people, client_for):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = client.post(
        reverse("commissioning:review_open", args=[council.slug]),
        {
            "title": "Review",
            "scope": "Scope",
            "lead_officer": people[Role.LEAD_COMMISSIONER].pk,
            "starts_on": "01/09/2026",
            "concludes_by": "01/04/2026",
        },
    )
    assert response.status_code == 200
    assert "The planned conclusion date must be the same as or after the start date" in response.content.decode()
    assert not Review.objects.exists()


def test_another_councils_review_answers_404(council, other_council, people, client_for):
    theirs = open_review(other_council, provisions=[provision(other_council)])
    client = client_for(people[Role.LEAD_COMMISSIONER])
    # Through this council's address and through theirs, it does not exist for this person.
    assert client.get(reverse("commissioning:review", args=[council.slug, theirs.pk])).status_code == 404
    assert client.get(theirs.get_absolute_url()).status_code in (403, 404)
    other = client_for(people["other_council_officer"])
    ours = open_review(council)
    assert other.get(ours.get_absolute_url()).status_code == 404
    assert other.get(url("review_conclude", ours)).status_code == 404


def test_a_portfolio_holder_reads_only_the_reviews_in_their_portfolio(council, people, client_for):
    holder = people[Role.PORTFOLIO_HOLDER]
    mine = open_review(council, title="Mine", portfolio=PortfolioFactory(council=council, holder=holder))
    not_mine = open_review(council, title="Not mine")
    client = client_for(holder)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(not_mine.get_absolute_url()).status_code == 404
    listed = client.get(reverse("commissioning:reviews", args=[council.slug])).context["reviews"]
    assert list(listed) == [mine]


def test_evidence_is_uploaded_and_downloaded(council, people, client_for):
    review = open_review(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    response = client.post(url("review_evidence_add", review), {"title": "Survey", "document": pdf()})
    assert response.status_code == 302
    evidence = ReviewEvidence.objects.get()
    download = client_for(people[Role.SCRUTINY_MEMBER]).get(
        url("review_evidence_download", review, evidence_pk=evidence.pk)
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_file_that_is_not_what_it_claims_is_refused(council, people, client_for):
    review = open_review(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    fake = SimpleUploadedFile("survey.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url("review_evidence_add", review), {"title": "Survey", "document": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["document"]
    assert not ReviewEvidence.objects.exists()


def test_evidence_needs_a_note_or_a_document(council, people, client_for):
    review = open_review(council)
    response = client_for(people[Role.COMMISSIONING_OFFICER]).post(url("review_evidence_add", review), {"title": "X"})
    assert response.context["form"].errors["note"] == ["Write a note or choose a document"]


def test_a_concluded_reviews_evidence_cannot_be_changed(council, people, client_for):
    review = concluded_review(council, Conclusion.DECOMMISSION)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    assert client.get(url("review_evidence_add", review)).status_code == 403
    assert client.post(url("review_edit", review), {"title": "New"}).status_code == 403


def test_starting_the_review_through_its_step_page(council, people, client_for):
    review = open_review(council)
    client = client_for(people[Role.COMMISSIONING_OFFICER])
    page = client.get(review.get_absolute_url())
    assert url("review_transition", review, name="start") in page.content.decode()
    response = client.post(url("review_transition", review, name="start"), {"from_state": ReviewState.OPEN})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.UNDER_WAY


def test_only_the_lead_commissioner_withdraws(council, people, client_for):
    review = open_review(council)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    assert (
        officer.post(
            url("review_transition", review, name="withdraw"), {"from_state": "open", "reason": "x"}
        ).status_code
        == 403
    )
    review.refresh_from_db()
    assert review.state == ReviewState.OPEN


def test_the_conclusion_step_has_only_its_own_page(council, people, client_for):
    review = review_under_way(council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    assert client.get(url("review_transition", review, name="conclude")).status_code == 404


def conclude(client, review, **data):
    return client.post(
        url("review_conclude", review),
        {
            "from_state": ReviewState.UNDER_WAY,
            "findings": "Attendance fell where transport is poor.",
            "reasons": "A new service model is needed across the district.",
            **data,
        },
    )


def test_a_commissioning_officer_cannot_record_the_conclusion(council, people, client_for):
    review = review_under_way(council)
    response = conclude(client_for(people[Role.COMMISSIONING_OFFICER]), review, conclusion=Conclusion.DECOMMISSION)
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.state == ReviewState.UNDER_WAY


def test_keeping_a_service_asks_for_its_new_outcomes_framework(council, people, client_for):
    review = review_under_way(council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = conclude(client, review, conclusion=Conclusion.KEEP)
    assert response.context["form"].errors["measures"]
    response = conclude(client, review, conclusion=Conclusion.KEEP, measures="No colon on this line")
    assert "Line 1" in response.context["form"].errors["measures"][0]
    response = conclude(
        client, review, conclusion=Conclusion.KEEP, measures="People stay connected: 80% report less loneliness\n\n"
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.CONCLUDED
    assert [(m.outcome, m.measure) for m in review.new_measures.all()] == [
        ("People stay connected", "80% report less loneliness")
    ]


def test_recommissioning_goes_on_to_the_new_commission_which_links_back(council, people, client_for):
    review = review_under_way(council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    response = conclude(client, review, conclusion=Conclusion.RECOMMISSION)
    commission = Commission.objects.get(from_review=review)
    assert response.url == commission.get_absolute_url()
    page = client.get(commission.get_absolute_url()).content.decode()
    assert review.get_absolute_url() in page
    review_page = client.get(review.get_absolute_url()).content.decode()
    assert commission.get_absolute_url() in review_page


def test_the_review_list_and_the_lead_dashboard_link_to_reviews(council, people, client_for):
    review = open_review(council)
    client = client_for(people[Role.LEAD_COMMISSIONER])
    listing = client.get(reverse("commissioning:reviews", args=[council.slug])).content.decode()
    assert review.get_absolute_url() in listing
    commissions = client.get(reverse("commissioning:list", args=[council.slug])).content.decode()
    assert reverse("commissioning:reviews", args=[council.slug]) in commissions
