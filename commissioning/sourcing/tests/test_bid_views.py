"""The provider's bid pages over HTTP: starting, each section, autosave, uploads, submitting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissioning.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidOutcome,
    BidPriceLine,
    BidState,
    FormType,
    OpportunityQuestion,
)
from commissioning.sourcing import gates
from commissioning.sourcing.services import bids as bid_services
from commissioning.tests.bid_factories import (
    bid_writer,
    clock,
    complete_bid,
    open_opportunity,
    organisation_of,
    start_bid,
    submitted_bid,
)
from councils.models import Role
from providers.models import ProviderRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(council, people):
    return open_opportunity(council, lots=2, questions=2, word_limit=10)


@pytest.fixture
def bid(opportunity, people):
    return start_bid(opportunity, people["provider_admin"])


@pytest.fixture
def provider(client, people):
    client.force_login(people["provider_admin"])
    return client


def section_url(bid, section):
    return reverse("bids:section", kwargs={"pk": bid.pk, "section": section})


def answers_data(bid, **texts):
    data = {"summary": texts.pop("summary", "")}
    for question in bid.opportunity.questions.all():
        data[f"answer_{question.pk}"] = texts.get(f"q{question.position}", "")
    return data


def test_starting_a_bid_from_the_opportunity(opportunity, provider, people):
    url = reverse("bids:start", kwargs={"reference": opportunity.reference})
    page = provider.get(url).content.decode()
    assert "Start your bid" in page
    organisation = organisation_of(people["provider_admin"])
    response = provider.post(url, {"organisation": organisation.pk})
    bid = Bid.objects.get(opportunity=opportunity, organisation=organisation)
    assert response["Location"] == reverse("bids:detail", kwargs={"pk": bid.pk})
    assert provider.post(url, {"organisation": organisation.pk})["Location"] == response["Location"]
    assert "Continue Moorside Youth Trust’s bid" in provider.get(url).content.decode()


def test_only_provider_staff_can_start_bids(opportunity, client, people):
    client.force_login(people[Role.LEAD_COMMISSIONER])
    assert client.get(reverse("bids:start", kwargs={"reference": opportunity.reference})).status_code == 403
    assert client.get(reverse("bids:start", kwargs={"reference": "NO-SUCH-REF"})).status_code == 404


def test_the_form_is_generated_from_the_questions_with_live_word_counts(bid, provider):
    page = provider.get(section_url(bid, "questions")).content.decode()
    for question in bid.opportunity.questions.all():
        assert question.text in page
        assert f'name="answer_{question.pk}"' in page
        assert question.criterion.title in page
    assert page.count('data-module="govuk-character-count"') == 2
    assert 'data-maxwords="10"' in page
    assert "govuk-js-character-count" in page
    assert '<script type="module" src="/static/js/autosave.mjs"></script>' in page
    assert "data-autosave-url" in page


def test_word_limits_are_enforced_on_the_server_without_losing_the_answer(bid, provider):
    too_long = " ".join(["word"] * 12)
    response = provider.post(section_url(bid, "questions"), answers_data(bid, q1=too_long, q2="Short and fine"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Your answer to question 1 must be 10 words or fewer. It has 12 words." in page
    assert too_long in page  # shown again exactly as typed
    assert sorted(bid.answers.values_list("text", flat=True)) == ["Short and fine", too_long]  # and kept


def test_saving_good_answers_returns_to_the_task_list(bid, provider):
    response = provider.post(section_url(bid, "questions"), answers_data(bid, q1="One", q2="Two"))
    assert response["Location"] == reverse("bids:detail", kwargs={"pk": bid.pk})
    page = provider.get(response["Location"]).content.decode()
    assert "Your answers have been saved." in page
    assert f'data-autosave-clear="{bid.pk}"' in page  # the browser may drop its kept copy now


def test_autosave_saves_in_the_background(bid, provider):
    url = section_url(bid, "questions") + "?autosave=1"
    response = provider.post(url, answers_data(bid, q1="Typed a moment ago"))
    assert response.status_code == 204
    assert bid.answers.filter(text="Typed a moment ago").exists()


def test_autosave_after_the_session_has_ended_is_sent_to_sign_in(bid, client):
    url = section_url(bid, "questions") + "?autosave=1"
    response = client.post(url, answers_data(bid, q1="Lost?"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_autosave_of_a_submitted_bid_is_refused(opportunity, people, provider):
    bid = submitted_bid(opportunity, people["provider_admin"])
    response = provider.post(section_url(bid, "questions") + "?autosave=1", answers_data(bid, q1="Changed"))
    assert response.status_code == 409
    assert not bid.answers.filter(text="Changed").exists()


def test_pricing_keeps_every_typed_line_when_one_is_invalid(bid, provider):
    lot_1, lot_2 = bid.opportunity.lots.order_by("number")
    data = {
        "lots": [lot_1.pk, lot_2.pk],
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
        "rows-0-id": "",
        "rows-0-lot": lot_1.pk,
        "rows-0-year": "1",
        "rows-0-description": "Youth workers",
        "rows-0-amount": "£20,000",
        "rows-1-id": "",
        "rows-1-lot": lot_2.pk,
        "rows-1-year": "1",
        "rows-1-description": "Minibus hire",
        "rows-1-amount": "lots of money",
    }
    response = provider.post(section_url(bid, "pricing"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter an amount in pounds, like 20000 or £20,000.50" in page
    assert "Minibus hire" in page
    assert "lots of money" in page
    assert "£20,000" in page
    assert not BidPriceLine.objects.filter(bid=bid).exists()
    assert set(bid.lots.all()) == {lot_1, lot_2}  # the valid part (lots) was saved

    data["rows-1-amount"] = "3500.50"
    response = provider.post(section_url(bid, "pricing"), data)
    assert response["Location"] == reverse("bids:detail", kwargs={"pk": bid.pk})
    assert sorted(BidPriceLine.objects.filter(bid=bid).values_list("amount", flat=True)) == [
        Decimal("3500.50"),
        Decimal("20000"),
    ]


def test_add_another_line_and_remove_a_line(bid, provider, people):
    BidOutcome.objects.create(bid=bid, description="A", measure="M1", target=1, unit="people")
    url = section_url(bid, "outcomes")
    page = provider.get(url).content.decode()
    assert "Outcome 1" in page
    assert "Outcome 2" not in page
    first = bid.proposed_outcomes.get()
    base = {
        "rows-INITIAL_FORMS": "1",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
        "rows-0-id": first.pk,
        "rows-0-description": "A",
        "rows-0-measure": "M1",
        "rows-0-target": "1",
        "rows-0-unit": "people",
    }
    response = provider.post(url, {**base, "rows-TOTAL_FORMS": "1", "add": "1"})
    assert response["Location"] == f"{url}?add=1"
    assert "Outcome 2" in provider.get(response["Location"]).content.decode()
    second_row = {
        "rows-1-id": "",
        "rows-1-description": "B",
        "rows-1-measure": "M2",
        "rows-1-target": "2",
        "rows-1-unit": "sessions",
    }
    provider.post(url, {**base, **second_row, "rows-TOTAL_FORMS": "2"})
    assert list(bid.proposed_outcomes.order_by("id").values_list("measure", flat=True)) == ["M1", "M2"]
    second = bid.proposed_outcomes.get(measure="M2")
    second_row["rows-1-id"] = second.pk
    provider.post(url, {**base, **second_row, "rows-TOTAL_FORMS": "2", "remove": "0"})
    assert list(bid.proposed_outcomes.values_list("measure", flat=True)) == ["M2"]


def test_declarations_keep_what_was_typed_when_contradictory(bid, provider):
    response = provider.post(
        section_url(bid, "declarations"),
        {"conflicts_declared": "Our chair is married to a councillor", "no_conflicts": "on"},
    )
    page = response.content.decode()
    assert "Either describe your conflicts of interest or confirm that there are none, not both." in page
    assert "Our chair is married to a councillor" in page


def test_a_disguised_executable_is_refused_and_nothing_is_stored(bid, provider):
    executable = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "application/pdf")
    response = provider.post(section_url(bid, "documents"), {"title": "Delivery plan", "file": executable})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The selected file is not a real PDF." in page
    assert not BidDocument.objects.exists()


def test_a_real_pdf_is_uploaded_and_downloaded_by_its_organisation_only(bid, provider, client, people):
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = provider.post(section_url(bid, "documents"), {"title": "Delivery plan", "file": pdf})
    assert response.status_code == 302
    document = BidDocument.objects.get()
    url = reverse("bids:document", kwargs={"pk": document.pk})
    download = provider.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    client.force_login(people["other_provider_admin"])
    assert client.get(url).status_code == 404


def test_short_grants_ask_only_for_what_is_proportionate(council, people, provider):
    opportunity = open_opportunity(council, form_type=FormType.SHORT_GRANT)
    bid = start_bid(opportunity, people["provider_admin"])
    page = provider.get(reverse("bids:detail", kwargs={"pk": bid.pk})).content.decode()
    for title in ("Answer the questions", "Budget", "Outcomes", "Declarations", "Check and submit"):
        assert title in page
    assert "Partners" not in page
    assert "Documents" not in page
    assert provider.get(section_url(bid, "partners")).status_code == 404
    assert provider.get(section_url(bid, "documents")).status_code == 404
    budget = provider.get(section_url(bid, "pricing")).content.decode()
    assert "Year of the contract" not in budget


def test_full_tenders_ask_for_everything(bid, provider):
    page = provider.get(reverse("bids:detail", kwargs={"pk": bid.pk})).content.decode()
    for title in ("Answer the questions", "Pricing", "Outcomes", "Partners", "Declarations", "Documents"):
        assert title in page
    assert "Year of the contract" in provider.get(section_url(bid, "pricing")).content.decode()


def test_check_submit_withdraw_and_resubmit(bid, provider, people):
    user = people["provider_admin"]
    check = provider.get(reverse("bids:check", kwargs={"pk": bid.pk})).content.decode()
    assert "Before you can submit your bid" in check
    assert "Moorside Youth Trust" in check  # the organisation's details, reused read-only
    complete_bid(bid, user)
    check = provider.get(reverse("bids:check", kwargs={"pk": bid.pk})).content.decode()
    assert "Now submit your bid" in check

    submit = reverse("bids:transition", kwargs={"pk": bid.pk, "name": "submit"})
    response = provider.post(submit, {"from_state": BidState.DRAFT})
    assert response["Location"] == reverse("bids:receipt", kwargs={"pk": bid.pk})
    receipt = bid.receipts.get()
    page = provider.get(response["Location"]).content.decode()
    assert "Bid submitted" in page
    assert receipt.reference in page
    assert receipt.digest in page

    # Locked: the sections send the bidder back to the task list with the reason.
    response = provider.get(section_url(bid, "questions"), follow=True)
    assert "Withdraw it to make changes" in response.content.decode()

    withdraw = reverse("bids:transition", kwargs={"pk": bid.pk, "name": "withdraw"})
    assert "Withdraw your bid" in provider.get(withdraw).content.decode()
    provider.post(withdraw, {"from_state": BidState.SUBMITTED})
    bid.refresh_from_db()
    assert bid.state == BidState.WITHDRAWN
    assert provider.get(section_url(bid, "questions")).status_code == 200
    provider.post(submit, {"from_state": BidState.WITHDRAWN})
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    assert bid.receipts.count() == 2


def test_a_double_click_on_submit_is_a_conflict_not_a_second_receipt(bid, provider, people):
    complete_bid(bid, people["provider_admin"])
    submit = reverse("bids:transition", kwargs={"pk": bid.pk, "name": "submit"})
    provider.post(submit, {"from_state": BidState.DRAFT})
    response = provider.post(submit, {"from_state": BidState.DRAFT}, follow=True)
    assert "Someone else changed this bid a moment ago" in response.content.decode()
    assert bid.receipts.count() == 1


def test_a_bid_writer_may_write_but_a_monitoring_contact_may_only_read(bid, client, people):
    organisation = bid.organisation
    writer = bid_writer(organisation, role=ProviderRole.BID_WRITER)
    contact = bid_writer(organisation, role=ProviderRole.MONITORING_CONTACT)
    client.force_login(writer)
    assert client.get(section_url(bid, "questions")).status_code == 200
    client.force_login(contact)
    assert client.get(reverse("bids:detail", kwargs={"pk": bid.pk})).status_code == 200
    assert client.get(section_url(bid, "questions")).status_code == 403
    assert client.post(reverse("bids:transition", kwargs={"pk": bid.pk, "name": "submit"})).status_code == 403


def test_another_provider_gets_404_on_every_page_of_the_bid(bid, client, people):
    client.force_login(people["other_provider_admin"])
    urls = [
        reverse("bids:detail", kwargs={"pk": bid.pk}),
        reverse("bids:check", kwargs={"pk": bid.pk}),
        reverse("bids:receipt", kwargs={"pk": bid.pk}),
        reverse("bids:transition", kwargs={"pk": bid.pk, "name": "submit"}),
        section_url(bid, "questions"),
        section_url(bid, "questions") + "?autosave=1",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, answers_data(bid, q1="Hijack")).status_code == 404, url
    assert not bid.answers.exists()


def test_my_bids_and_the_provider_portal_list_the_organisations_bids(opportunity, people, provider):
    bid = submitted_bid(opportunity, people["provider_admin"])
    receipt = bid.receipts.get()
    page = provider.get(reverse("bids:mine")).content.decode()
    assert opportunity.title in page
    assert receipt.reference in page
    assert "Submitted" in page
    from django.template.loader import render_to_string

    portal = render_to_string("providers/_portal_bids.html", {"user": people["provider_admin"]})
    assert receipt.reference in portal
    assert reverse("bids:detail", kwargs={"pk": bid.pk}) in portal
    other = render_to_string("providers/_portal_bids.html", {"user": people["other_provider_admin"]})
    assert opportunity.title not in other


# ---- The bid's status as its organisation sees it -------------------------------------------------


def _withdrawn(opportunity, user):
    bid = submitted_bid(opportunity, user)
    bid_services.bid_transition(by=user, bid=bid, name="withdraw")
    return bid


@pytest.mark.parametrize(
    ("make", "after_deadline", "label", "says", "never"),
    [
        (start_bid, False, "Draft", "The deadline for bids is", "Bids closed"),
        (submitted_bid, False, "Submitted", "withdraw it, make your changes and submit it again", "Bids closed"),
        (submitted_bid, True, "Being evaluated", "Bids closed on", "before the deadline"),
        (_withdrawn, False, "Withdrawn", "submit it again before the deadline", "Bids closed"),
        (_withdrawn, True, "Withdrawn", "did not submit it again before bids closed", "make your changes"),
        (start_bid, True, "Not submitted", "was not submitted before bids closed", "before the deadline"),
    ],
)
def test_a_bid_says_where_it_stands_before_and_after_the_deadline(
    opportunity, people, provider, make, after_deadline, label, says, never
):
    """The status follows the bid's real state: no "change your bid until…" once the deadline has
    passed, and never an outcome before one is sent (the award tests cover the outcome itself)."""
    bid = make(opportunity, people["provider_admin"])
    if make is start_bid:
        complete_bid(bid, people["provider_admin"])
    at = opportunity.submission_deadline + timedelta(days=30) if after_deadline else timezone.now()
    with clock(at):
        provider.force_login(people["provider_admin"])  # signed in then, not days before
        page = provider.get(reverse("bids:detail", kwargs={"pk": bid.pk})).content.decode()
        listed = provider.get(reverse("bids:mine")).content.decode()
    tag = f">{label}</strong>"
    assert tag in page
    assert tag in listed
    assert says in page
    assert never not in page
    assert "Successful" not in page
    assert "Unsuccessful" not in page
    assert "data-outcome" not in page


# ---- Messages number questions as the form does -------------------------------------------------


def test_messages_name_questions_by_the_number_the_form_shows(bid, provider, people):
    """The stored position (52, 53 after reordering) or the id is not what the bidder sees: the form
    labels the questions 1 and 2, and the word-limit error and the submit gate say the same."""
    first, second = bid.opportunity.questions.order_by("position", "id")
    OpportunityQuestion.objects.filter(pk=first.pk).update(position=52)
    OpportunityQuestion.objects.filter(pk=second.pk).update(position=53)
    form = provider.get(section_url(bid, "questions")).content.decode()
    assert f"1. {first.text}" in form
    assert f"2. {second.text}" in form
    too_long = " ".join(["word"] * 12)
    data = {"summary": "", f"answer_{first.pk}": "Fine", f"answer_{second.pk}": too_long}
    page = provider.post(section_url(bid, "questions"), data).content.decode()
    assert "Your answer to question 2 must be 10 words or fewer. It has 12 words." in page
    assert "question 53" not in page
    bid = Bid.objects.get(pk=bid.pk)
    missing = gates.missing_to_submit(bid)
    assert "Your answer to question 2 must be 10 words or fewer. It has 12 words." in missing
    BidAnswer.objects.filter(bid=bid, question=first).update(text="")
    assert any(item.startswith("Answer question 1: ") for item in gates.missing_to_submit(bid))
    check = provider.get(reverse("bids:check", kwargs={"pk": bid.pk})).content.decode()
    assert "Answer question 1: " in check
    assert "question 52" not in check
