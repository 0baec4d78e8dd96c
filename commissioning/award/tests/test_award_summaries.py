"""Assessment summaries (Procurement Regulations 2024, reg 31), which replaced the outcome letters:
prepared from the moderated scores (per criterion the weighting, the score and the scores available,
an explanation by reference to the tender, the totals, and why a bid lost), previewed and corrected
by an officer (corrections kept and audited), then sent — on each bidder's bid page and by email
with the PDF — and read by each provider for its own bid only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.award import documents, summary_services
from commissioning.award.summaries import EXCLUDED, REASONS, SUCCESSFUL, UNSUCCESSFUL, criterion_part
from commissioning.models import AssessmentSummary, AssessmentSummaryCorrection, PriceMethod
from commissioning.tests.award_factories import approved_award
from commissioning.tests.evaluation_factories import Bidder, bidder
from councils.models import AuditEvent, Role
from providers.models import ProviderRole
from providers.tests.factories import OrganisationMemberFactory
from tests.worlds import make_world, shared_world

pytestmark = pytest.mark.django_db

CORRECTED = "Your plan names three venues but no one to run them: a 4 needed named staff."


def prepare(world: dict) -> dict:
    """A grant scored with a price criterion: the first bid wins; the second (the provider
    administrator's, Moorside Youth Trust) loses on quality and price; the third is excluded at the
    compliance checks. The officer has prepared the drafts."""
    council, people = world["council"], world["people"]
    council.address = "Town Hall\nMarket Street\nTestford TE1 1ST"
    council.save(update_fields=["address"])
    organisation = people["provider_admin"].organisation_memberships.get().organisation
    organisation.ppon = "PABC-1234-WXYZ"
    organisation.registered_address, organisation.postcode = "1 Mill Lane\nTestford", "LA1 1AA"
    organisation.save()
    award = approved_award(
        council,
        bidders=[
            bidder("Dale Community Interest Company", 48000),
            Bidder(user=people["provider_admin"], price=52000),
            bidder("Late Starters", 40000),
        ],
        price_method=PriceMethod.LOWEST_PRICE,
        failing={2: {"Eligible organisation": "Not constituted in the district"}},
    )
    summary_services.assessment_summaries_prepare(by=award.officer, award=award.refresh_award())
    return {**world, "prepared": award}


shared, module_copy, council, other_council, people, prepared = shared_world(lambda: prepare(make_world()), "prepared")


def summary_of(world, index) -> AssessmentSummary:
    return AssessmentSummary.objects.get(award=world.award, bid=world.bids[index])


def url(world, route="award_detail", **kwargs):
    return reverse(
        f"commissioning:{route}", kwargs={"council_slug": world.council.slug, "pk": world.opportunity.pk, **kwargs}
    )


def send(world, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary_services.assessment_summaries_send(by=world.officer, award=world.refresh_award())


# ---- Prepared from the moderated scores -----------------------------------------------------------------


def test_each_losing_bid_is_told_its_scores_explanations_totals_and_why_it_lost(prepared):
    summary = summary_of(prepared, 1)
    content = summary.content
    assert (summary.successful, summary.sent_at, content["kind"]) == (False, None, UNSUCCESSFUL)
    assert content["supplier"] == {
        "name": "Moorside Youth Trust",
        "address": ["1 Mill Lane", "Testford", "LA1 1AA"],
        "email": summary.bid.created_by.email,
        "identifier": "GB-PPON-PABC-1234-WXYZ",
    }
    # The scores available, from the evaluation's scale, and how they became points.
    assert [row["score"] for row in content["method"]["scores"]] == [0, 1, 2, 3, 4, 5]
    assert content["method"]["scores"][3]["label"] == "Satisfactory"
    assert "score ÷ 5 × weighting" in content["method"]["text"]
    first = content["criteria"][0]
    assert (first["title"], first["weight"], first["score"], first["max_score"]) == (
        "Links to corporate priorities and other approved strategies",
        15,
        3,
        5,
    )
    assert first["score_text"] == "3 out of 5 (satisfactory)"
    assert first["points"] == "9.00"
    # The explanation starts from what the panel recorded at moderation about this tender.
    assert first["explanation"] == "Moderated: Moorside Youth Trust on criterion 1."
    price = next(row for row in content["criteria"] if row["is_price"])
    assert price["explanation"].startswith("The tendered price of £52,000 earned")
    # The totals add up from the points, and it is told why it lost, with no other bid's scores.
    points = sum(float(row["points"]) for row in content["criteria"])
    assert float(content["totals"]["total"]) == pytest.approx(points, abs=0.011)
    assert float(content["totals"]["price_points"]) == float(price["points"])
    assert content["reasons"] == [
        f"Your tender scored {content['totals']['total']} points out of 100 and was ranked 2nd of 2 tenders "
        "assessed: it was not the most advantageous tender for the grant."
    ]
    assert "Late Starters" not in str(content)
    assert "Moderated: Dale" not in str(content)


def test_the_winner_and_an_excluded_bid(prepared):
    winner = summary_of(prepared, 0)
    assert (winner.successful, winner.content["kind"]) == (True, SUCCESSFUL)
    assert winner.content["won"] == [{"what": "The grant", "value": "48000.00", "value_text": "£48,000", "note": ""}]
    assert winner.content["reasons"] == []
    assert sum(not row["is_price"] for row in winner.content["criteria"]) == len(prepared.criteria)
    # A grant is not procurement: the same summary is the outcome message, with no notice to come.
    assert winner.content["statutory"] is False
    assert winner.content["notice"] == {"name": "", "standstill": "none"}
    excluded = summary_of(prepared, 2).content
    assert excluded["kind"] == EXCLUDED
    assert excluded["reasons"] == ["Eligible organisation: Not constituted in the district"]
    assert (excluded["criteria"], excluded["totals"]) == ([], None)
    assert "disqualified" in excluded["paragraphs"][0]


# ---- Preview and correct --------------------------------------------------------------------------------


def test_an_officer_previews_and_corrects_a_draft_and_the_correction_is_kept(prepared, people, client_for):
    summary = summary_of(prepared, 1)
    criterion = summary.content["criteria"][0]["criterion_id"]
    page_url = url(prepared, "award_summary", summary_pk=summary.pk)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    page = officer.get(page_url).content.decode()
    assert "What the bidder will read" in page
    assert "Moderated: Moorside Youth Trust on criterion 1." in page
    assert f'name="explanation_{criterion}"' in page
    data = {f"explanation_{row['criterion_id']}": row["explanation"] for row in summary.content["criteria"]}
    # An explanation cannot be emptied.
    refused = officer.post(page_url, {**data, f"explanation_{criterion}": " ", "reasons": "x"}).content.decode()
    assert "Enter why Links to corporate priorities and other approved strategies scored as it did" in refused
    data.update({f"explanation_{criterion}": CORRECTED, "reasons": "Ranked second of two.\nLower quality score."})
    assert officer.post(page_url, data).status_code == 302
    summary.refresh_from_db()
    assert summary.content["criteria"][0]["explanation"] == CORRECTED
    assert summary.content["reasons"] == ["Ranked second of two.", "Lower quality score."]
    corrections = {c.part: c for c in AssessmentSummaryCorrection.objects.filter(summary=summary)}
    assert set(corrections) == {criterion_part(criterion), REASONS}
    assert corrections[criterion_part(criterion)].before == "Moderated: Moorside Youth Trust on criterion 1."
    assert corrections[criterion_part(criterion)].corrected_by == people[Role.COMMISSIONING_OFFICER]
    event = AuditEvent.objects.get(event_type="award.assessment_summary_corrected")
    assert event.extra["parts"] == [criterion_part(criterion), REASONS]
    assert CORRECTED not in str(event.extra)
    # The page shows the correction and its history; preparing again keeps it.
    assert "Before" in officer.get(page_url).content.decode()
    summary_services.assessment_summaries_prepare(by=people[Role.LEAD_COMMISSIONER], award=prepared.refresh_award())
    summary.refresh_from_db()
    assert summary.content["criteria"][0]["explanation"] == CORRECTED
    assert summary.content["reasons"] == ["Ranked second of two.", "Lower quality score."]
    # Other officers read the draft but only commissioners correct it.
    reader = client_for(people[Role.PROCUREMENT_OFFICER])
    assert reader.get(page_url).status_code == 200
    assert reader.post(page_url, data).status_code == 403


# ---- Sending -------------------------------------------------------------------------------------------


def test_sending_emails_each_summary_with_its_pdf_and_records_the_day(
    prepared, people, mailoutbox, django_capture_on_commit_callbacks
):
    OrganisationMemberFactory(
        organisation=prepared.bids[1].organisation,
        role=ProviderRole.ORGANISATION_ADMIN,
        user__email="chair@moorside.example",
    )
    summary = summary_of(prepared, 1)
    criterion = summary.content["criteria"][0]["criterion_id"]
    summary_services.assessment_summary_correct(
        by=people[Role.LEAD_COMMISSIONER], summary=summary, explanations={criterion: CORRECTED}
    )
    send(prepared, mailoutbox, django_capture_on_commit_callbacks)
    award = prepared.refresh_award()
    assert award.assessment_summaries_sent_at is not None
    assert AssessmentSummary.objects.filter(award=award, sent_at=award.assessment_summaries_sent_at).count() == 3
    summary.refresh_from_db()
    assert summary.content["criteria"][0]["explanation"] == CORRECTED  # as corrected, kept as sent
    assert len(mailoutbox) == 3
    loser = next(m for m in mailoutbox if "Dear Moorside Youth Trust" in m.body)
    assert loser.subject == f"Assessment summary: {prepared.opportunity.reference} {prepared.opportunity.title}"
    assert sorted(loser.to) == sorted([people["provider_admin"].email, "chair@moorside.example"])
    assert f"Why: {CORRECTED}" in loser.body
    [(name, pdf, mimetype)] = loser.attachments
    assert (name, mimetype) == (
        f"{prepared.opportunity.reference}-assessment-summary-{prepared.bids[1].pk}.pdf",
        "application/pdf",
    )
    assert pdf == documents.summary_pdf(summary.content)  # the PDF is rebuilt from the stored content
    event = AuditEvent.objects.get(event_type="award.assessment_summaries_sent")
    assert (event.extra["summaries"], event.extra["successful"]) == (3, 1)
    # Sent once; no longer corrected.
    with pytest.raises(ValidationError, match="were sent on"):
        summary_services.assessment_summaries_send(by=prepared.officer, award=award)
    with pytest.raises(ValidationError, match="were sent on"):
        summary_services.assessment_summary_correct(by=prepared.officer, summary=summary, explanations={})


def test_summaries_are_prepared_before_they_are_sent(council):
    world = approved_award(council)
    with pytest.raises(ValidationError, match="Prepare the assessment summaries"):
        summary_services.assessment_summaries_send(by=world.officer, award=world.refresh_award())


# ---- Who reads which summary -----------------------------------------------------------------------------


def test_a_provider_reads_its_own_summary_once_sent_and_no_one_elses(
    prepared, people, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    own, theirs = summary_of(prepared, 1), summary_of(prepared, 0)
    reference = prepared.opportunity.reference
    own_url = reverse("opportunities:assessment_summary", kwargs={"reference": reference, "summary_pk": own.pk})
    other_url = reverse("opportunities:assessment_summary", kwargs={"reference": reference, "summary_pk": theirs.pk})
    bid_url = reverse("bids:detail", kwargs={"pk": prepared.bids[1].pk})
    provider = client_for(people["provider_admin"])
    # A draft is nobody's to read outside the council.
    assert provider.get(own_url).status_code == 404
    assert own_url not in provider.get(bid_url).content.decode()
    send(prepared, mailoutbox, django_capture_on_commit_callbacks)
    assert own_url in provider.get(bid_url).content.decode()
    response = provider.get(own_url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Another bidder's summary, even under the right opportunity, is not there for it; nor is its own
    # summary for anyone else, council officers included (they read it on the award's pages).
    assert provider.get(other_url).status_code == 404
    assert client_for(people["other_provider_admin"]).get(own_url).status_code == 404
    assert client_for(people[Role.LEAD_COMMISSIONER]).get(own_url).status_code == 404
    # The bidder acting for a bid is walled off from the award's pages altogether.
    assert client_for(people["provider_admin"]).get(url(prepared, "award_summaries")).status_code == 404


def test_the_summaries_page_lists_the_drafts_and_prepares_them(council, people, client_for):
    world = approved_award(council)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    page = officer.get(url(world, "award_summaries")).content.decode()
    assert "No assessment summary has been prepared yet." in page
    assert officer.post(url(world, "award_summaries")).status_code == 302
    page = officer.get(url(world, "award_summaries")).content.decode()
    assert page.count("Check and correct") == 2
    assert "Send the assessment summaries" in page
    award_page = officer.get(url(world)).content.decode()
    assert "Send the assessment summaries" in award_page
    assert "Prepare the assessment summaries" not in award_page
    # Scrutiny reads the drafts, and cannot prepare them.
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER])
    assert scrutiny.get(url(world, "award_summaries")).status_code == 200
    assert scrutiny.post(url(world, "award_summaries")).status_code == 403


def test_the_pdf_is_the_same_every_time_and_a_draft_says_so(prepared, people, client_for):
    summary = summary_of(prepared, 1)
    pdf = documents.summary_pdf(summary.content)
    assert pdf.startswith(b"%PDF-")
    assert pdf == documents.summary_pdf(summary.content)
    draft = client_for(people[Role.LEGAL_OFFICER]).get(url(prepared, "award_summary_pdf", summary_pk=summary.pk))
    assert draft["Content-Disposition"].endswith(f'-assessment-summary-draft-{summary.bid_id}.pdf"')
    assert draft.content == documents.summary_pdf(summary.content, draft=True) != pdf


LETTER = {
    "version": 1,
    "kind": "unsuccessful",
    "council": {"name": "Testshire County Council", "address": ["Town Hall"]},
    "date": "2026-03-02",
    "date_text": "2 March 2026",
    "reference": "TCC-2026-0001-OPP1/L2",
    "to": {"organisation": "Moorside Youth Trust", "address": []},
    "opportunity": {"reference": "TCC-2026-0001-OPP1", "title": "Tackling loneliness"},
    "subject": "Outcome of your bid for TCC-2026-0001-OPP1 Tackling loneliness",
    "greeting": "Dear Moorside Youth Trust",
    "paragraphs": ["Thank you for your bid.", "It was ranked 2nd of 2."],
    "won": [],
    "excluded_reasons": [],
    "criteria": [
        {
            "title": "Delivery",
            "weight": 50,
            "score_text": "3 (satisfactory)",
            "points": "30.00",
            "max_score": 5,
            "feedback": "Sound plan.",
            "winner_score_text": "4 (good)",
            "winner_points": "40.00",
        }
    ],
    "advantages": ["Delivery (50%): the successful bid scored 4 (good) against your 3 (satisfactory)."],
    "strengths": [],
    "next_steps": [],
    "signatory": {"name": "Gavin Kaur", "job_title": "", "council": "Testshire County Council"},
}


def test_an_outcome_letter_sent_before_summaries_is_still_its_pdf(prepared, people, client_for):
    """Letters sent before summaries replaced them became summaries of content version 1: the PDF is
    still rebuilt from what was sent, and the page that shows a summary offers that PDF."""
    summary = summary_of(prepared, 1)
    summary.content = LETTER
    summary.save(update_fields=["content"])
    pdf = documents.summary_pdf(LETTER)
    assert pdf.startswith(b"%PDF-")
    assert pdf == documents.summary_pdf(LETTER)
    assert documents.filename(summary) == f"TCC-2026-0001-OPP1-outcome-letter-{summary.bid_id}.pdf"
    page = client_for(people[Role.COMMISSIONING_OFFICER]).get(url(prepared, "award_summary", summary_pk=summary.pk))
    assert page.status_code == 302
    assert page["Location"] == url(prepared, "award_summary_pdf", summary_pk=summary.pk)


def test_a_bid_shows_its_outcome_on_its_pages_only_once_sent_and_only_to_its_own_organisation(
    prepared, people, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    """The outcome is the bid's status ("Successful", "Unsuccessful") on the bid page, the provider's
    list of bids and its dashboard, and the summary is on the bid page as HTML, but only from the moment
    it is sent: a prepared draft shows nothing, and a provider never sees another bidder's."""
    loser, winner = prepared.bids[1], prepared.bids[0]
    loser_url = reverse("bids:detail", kwargs={"pk": loser.pk})
    provider = client_for(people["provider_admin"])
    pages = [loser_url, reverse("bids:mine"), reverse("monitoring:provider_dashboard")]
    for page in pages:
        html = provider.get(page).content.decode()
        assert "Being evaluated" in html, page
        assert "Unsuccessful" not in html, page
        assert "Successful" not in html, page
    before = provider.get(loser_url).content.decode()
    assert "is evaluating them" in before
    assert "before the deadline" not in before
    assert "data-outcome" not in before
    assert CORRECTED not in before

    send(prepared, mailoutbox, django_capture_on_commit_callbacks)
    for page in pages:
        html = provider.get(page).content.decode()
        assert "Unsuccessful" in html, page
        assert "Being evaluated" not in html, page
    page = provider.get(loser_url).content.decode()
    content = summary_of(prepared, 1).content
    assert page.count("data-outcome") == 1
    # The summary itself, as HTML: the scores table, the reasons, and who won.
    assert 'id="summary-scores"' in page
    assert 'id="summary-reasons"' in page
    assert content["reasons"]
    assert all(reason in page for reason in content["reasons"])
    assert "Dale Community Interest Company" in page
    assert "before the deadline" not in page

    winner_page = client_for(winner.organisation.members.get().user).get(
        reverse("bids:detail", kwargs={"pk": winner.pk})
    )
    assert "Successful" in winner_page.content.decode()
    assert "draft agreement" in winner_page.content.decode()
    # The wall: another provider gets no page at all, let alone the outcome.
    assert client_for(people["other_provider_admin"]).get(loser_url).status_code == 404
    assert provider.get(reverse("bids:detail", kwargs={"pk": winner.pk})).status_code == 404


# ---- Preview and free text before sending ------------------------------------------------------------------

OPENING = "We were grateful for the care your team put into this bid. <b>Not bold</b>"
FEEDBACK = "Your safeguarding plan was clear.\n\nName the person who will run the Thursday sessions next time."
CLOSING = "We hope you will bid for our next round in the spring."


def free_text_form(summary, **free_text) -> dict:
    data = {f"explanation_{row['criterion_id']}": row["explanation"] for row in summary.content["criteria"]}
    if summary.content["reasons"]:
        data["reasons"] = "\n".join(summary.content["reasons"])
    return {**data, **free_text}


def test_an_officer_writes_the_free_text_as_a_draft_and_previews_the_letter(prepared, people, client_for):
    summary = summary_of(prepared, 1)
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    edit_url = url(prepared, "award_summary", summary_pk=summary.pk)
    preview_url = url(prepared, "award_summary_preview", summary_pk=summary.pk)
    assert preview_url in officer.get(edit_url).content.decode()
    assert preview_url in officer.get(url(prepared, "award_summaries")).content.decode()
    form = free_text_form(summary, opening=OPENING, feedback=FEEDBACK, closing=CLOSING)
    assert officer.post(edit_url, form).status_code == 302
    summary.refresh_from_db()
    assert (summary.content["opening"], summary.content["feedback"], summary.content["closing"]) == (
        OPENING,
        FEEDBACK,
        CLOSING,
    )
    assert summary.sent_at is None
    parts = AssessmentSummaryCorrection.objects.filter(summary=summary).values_list("part", flat=True)
    assert set(parts) == {"opening", "feedback", "closing"}  # the generated parts were unchanged
    event = AuditEvent.objects.get(event_type="award.assessment_summary_corrected")
    assert event.extra["parts"] == ["opening", "feedback", "closing"]
    assert FEEDBACK not in str(event.extra)
    page = officer.get(preview_url).content.decode()
    assert "This is a draft" in page
    assert "We were grateful for the care your team put into this bid. &lt;b&gt;Not bold&lt;/b&gt;" in page
    assert "<p>Your safeguarding plan was clear.</p>" in page  # paragraphs kept
    assert CLOSING in page
    assert summary.content["subject"] in page
    assert "Why the bid was not successful" in page
    assert "ranked 2nd of 2 tenders" in page
    # No tie was broken here, so the letter says nothing of one.
    assert summary.content["tie_breaks"] == []
    assert "How a tie was decided" not in page
    # Emptying a paragraph takes it out, and is kept as a change too.
    assert officer.post(edit_url, {**form, "opening": ""}).status_code == 302
    summary.refresh_from_db()
    assert summary.content["opening"] == ""
    assert OPENING[:20] not in officer.get(preview_url).content.decode()


def test_a_draft_that_fails_to_save_keeps_nothing_of_it(prepared, people, client_for):
    summary = summary_of(prepared, 1)
    criterion = summary.content["criteria"][0]["criterion_id"]
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    edit_url = url(prepared, "award_summary", summary_pk=summary.pk)
    form = free_text_form(summary, opening=OPENING, **{f"explanation_{criterion}": " "})
    response = officer.post(edit_url, form)
    assert response.status_code == 200
    assert OPENING.split("<")[0].strip() in response.content.decode()  # the officer's words are still in the form
    summary.refresh_from_db()
    assert summary.content["opening"] == ""
    assert not AssessmentSummaryCorrection.objects.filter(summary=summary).exists()


def test_only_the_officers_who_send_the_summaries_preview_them(prepared, people, client_for):
    summary = summary_of(prepared, 1)
    preview_url = url(prepared, "award_summary_preview", summary_pk=summary.pk)
    for role in (Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER):
        assert client_for(people[role]).get(preview_url).status_code == 200
    for role in (Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER, Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER):
        assert client_for(people[role]).get(preview_url).status_code == 403
    for outsider in ("other_council_officer", "provider_admin", "other_provider_admin"):
        assert client_for(people[outsider]).get(preview_url).status_code == 404
    # Nor can an officer write free text they may not send.
    reader = client_for(people[Role.PROCUREMENT_OFFICER])
    edit_url = url(prepared, "award_summary", summary_pk=summary.pk)
    assert reader.post(edit_url, free_text_form(summary, opening=OPENING)).status_code == 403
    summary.refresh_from_db()
    assert summary.content["opening"] == ""


def test_sending_uses_the_saved_free_text_and_the_bidder_never_sees_a_draft(
    prepared, people, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    summary = summary_of(prepared, 1)
    summary_services.assessment_summary_correct(
        by=people[Role.LEAD_COMMISSIONER],
        summary=summary,
        explanations={},
        free_text={"opening": OPENING, "feedback": FEEDBACK, "closing": CLOSING},
    )
    provider = client_for(people["provider_admin"])
    bid_page = provider.get(reverse("bids:detail", kwargs={"pk": prepared.bids[1].pk})).content.decode()
    assert "Your safeguarding plan" not in bid_page
    own_url = reverse(
        "opportunities:assessment_summary",
        kwargs={"reference": prepared.opportunity.reference, "summary_pk": summary.pk},
    )
    assert provider.get(own_url).status_code == 404
    # Preparing again rebuilds the generated parts and keeps the free text.
    summary_services.assessment_summaries_prepare(by=prepared.officer, award=prepared.refresh_award())
    summary.refresh_from_db()
    assert summary.content["feedback"] == FEEDBACK
    send(prepared, mailoutbox, django_capture_on_commit_callbacks)
    summary.refresh_from_db()
    assert summary.is_sent
    assert summary.content["feedback"] == FEEDBACK
    loser = next(m for m in mailoutbox if "Dear Moorside Youth Trust" in m.body)
    assert OPENING in loser.body
    assert FEEDBACK in loser.body
    assert CLOSING in loser.body
    html = loser.alternatives[0][0]
    assert "Name the person who will run the Thursday sessions next time." in html
    assert loser.attachments[0][1] == documents.summary_pdf(summary.content)
    # The other bidders' letters carry none of it.
    others = [m for m in mailoutbox if m is not loser]
    assert all(FEEDBACK not in m.body for m in others)
    # Once sent the preview shows the letter as sent, and nothing can be changed.
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    page = officer.get(url(prepared, "award_summary_preview", summary_pk=summary.pk)).content.decode()
    assert "This is a draft" not in page
    assert "Your safeguarding plan was clear." in page
    with pytest.raises(ValidationError, match="were sent on"):
        summary_services.assessment_summary_correct(
            by=prepared.officer, summary=summary, explanations={}, free_text={"closing": "Too late"}
        )


def test_the_free_text_is_in_the_pdf(prepared):
    summary = summary_of(prepared, 1)
    plain = documents.summary_pdf(summary.content)
    with_text = documents.summary_pdf({**summary.content, "feedback": FEEDBACK, "closing": CLOSING})
    assert with_text != plain
    assert len(with_text) > len(plain)


# ---- A tie decided by the tie rule ------------------------------------------------------------------------


def tied_scores(bid_index: int, criterion_index: int) -> int:
    """Equal totals: the first bid scores 4 and 2 on the first two criteria (15% each), the second 3 and
    3; everything else 3. The first comes ahead on the highest-weighted criterion where they differ."""
    if bid_index == 0 and criterion_index in (0, 1):
        return (4, 2)[criterion_index]
    return 3


def test_the_summaries_explain_a_tie_decided_by_the_tie_rule(council, people):
    world = approved_award(
        council,
        bidders=[bidder("Dale Community Interest Company", 48000), Bidder(user=people["provider_admin"], price=52000)],
        moderated=tied_scores,
    )
    summary_services.assessment_summaries_prepare(by=world.officer, award=world.refresh_award())
    winner, loser = summary_of(world, 0).content, summary_of(world, 1).content
    assert winner["kind"] == SUCCESSFUL
    assert loser["kind"] == UNSUCCESSFUL
    assert winner["totals"]["total"] == loser["totals"]["total"]
    title = "Links to corporate priorities and other approved strategies"
    assert loser["tie_breaks"] == [
        f"Your tender had the same total as the successful tender, {loser['totals']['total']} points out of 100, "
        "so the tie rule set out in the opportunity decided between them: the successful tender came ahead on "
        f"the higher moderated score on ‘{title}’ (15%). Its moderated score on ‘{title}’, the highest-weighted "
        "criterion on which the two differed was 4 out of 5; yours was 3 out of 5."
    ]
    assert winner["tie_breaks"] == [
        f"Another tender had the same total as yours, {winner['totals']['total']} points out of 100, so the tie "
        "rule set out in the opportunity decided between them: yours came ahead on the higher moderated score on "
        f"‘{title}’ (15%). Your moderated score on ‘{title}’, the highest-weighted criterion on which the two "
        "differed was 4 out of 5; the other tender's was 3 out of 5."
    ]
    # Said once: the reasons do not repeat the tie, and no other figure of the winner's is given.
    assert not any("same total" in reason for reason in loser["reasons"])
    assert "Moderated: Dale" not in str(loser)


def test_no_tie_is_explained_where_none_was_broken(prepared):
    for index in range(3):
        assert summary_of(prepared, index).content["tie_breaks"] == []
