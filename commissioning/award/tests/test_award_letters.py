"""Outcome letters and the standstill: what each bidder is told (scores per criterion, the winner's
relative advantages, the reasons for an exclusion), the PDF and the email, and a contract's standstill
counted in working days over Easter before its agreement may be signed."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning.award import letters as award_letters
from commissioning.award import selectors, services
from commissioning.models import DeliveryRoute, OutcomeLetter, PriceMethod
from commissioning.tests.award_factories import approved_award, award_with_letters_sent
from commissioning.tests.evaluation_factories import bidder
from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from monitoring.agreements import steps as agreement_steps
from monitoring.models import Agreement, AgreementState
from providers.models import ProviderRole
from providers.tests.factories import OrganisationMemberFactory

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()), tick=False)


@pytest.fixture
def sent(council, people, django_capture_on_commit_callbacks, mailoutbox):
    """Three bids on a grant with price scored: the first wins, the second loses on quality and price
    but scores higher on the last criterion, the third is excluded at the compliance checks."""
    council.address = "Town Hall\nMarket Street\nTestford TE1 1ST"
    council.save(update_fields=["address"])
    world = approved_award(
        council,
        bidders=[bidder("Moorside Youth Trust", 48000), bidder("Brightwork", 52000), bidder("Late Starters", 40000)],
        price_method=PriceMethod.LOWEST_PRICE,
        failing={2: {"Eligible organisation": "Not constituted in the district"}},
    )
    # A second administrator of the losing organisation is written to as well.
    OrganisationMemberFactory(
        organisation=world.bids[1].organisation,
        role=ProviderRole.ORGANISATION_ADMIN,
        user__email="chair@brightwork.example",
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        award_with_letters_sent(council, world=world)
    return world


def letter_of(world, index) -> OutcomeLetter:
    return OutcomeLetter.objects.get(award=world.award, bid=world.bids[index])


def test_the_winner_gets_the_award_letter(sent):
    letter = letter_of(sent, 0)
    content = letter.content
    assert letter.successful
    assert content["kind"] == award_letters.AWARD
    assert content["subject"] == f"Award of {sent.opportunity.reference} {sent.opportunity.title}"
    assert content["won"] == [{"what": "The grant", "value": "48000.00", "value_text": "£48,000", "note": ""}]
    assert content["council"]["address"] == ["Town Hall", "Market Street", "Testford TE1 1ST"]
    assert content["ranking"]["rank"] == 1
    assert "The agreement can be signed from" in content["next_steps"][1]
    # A grant has no standstill.
    assert content["standstill"]["applies"] is False


def test_an_unsuccessful_bidder_gets_scores_feedback_and_the_winners_advantages(sent):
    content = letter_of(sent, 1).content
    assert content["kind"] == award_letters.UNSUCCESSFUL
    assert content["ranking"]["rank"] == 2
    assert content["ranking"]["winner"] == "Moorside Youth Trust"
    first = content["criteria"][0]
    assert first["title"] == "Links to corporate priorities and other approved strategies"
    assert (first["score"], first["winner_score"]) == (3, 4)
    assert first["score_text"] == "3 (satisfactory)"
    assert first["feedback"] == "Moderated: Brightwork on criterion 1."
    price = next(row for row in content["criteria"] if row["is_price"])
    assert price["score_text"] == "Price"
    advantages = content["advantages"]
    assert advantages[0].startswith(
        "Links to corporate priorities and other approved strategies (15%): the successful bid scored 4 (good) "
        "against your 3 (satisfactory). The panel's view of the successful bid: Moderated: Moorside Youth Trust"
    )
    assert any(item.startswith("Value for money (15%): the successful bid's price earned") for item in advantages)
    assert content["strengths"] == [
        "Service-specific criteria (10%): your score of 5 (excellent) earned 10.00 points against 8.00."
    ]
    # Its letter never shows the scores of any other losing bid.
    assert "Late Starters" not in str(content)


def test_an_excluded_bidder_is_told_why(sent):
    content = letter_of(sent, 2).content
    assert content["kind"] == award_letters.EXCLUDED
    assert content["excluded_reasons"] == ["Eligible organisation: Not constituted in the district"]
    assert content["criteria"] == []
    assert "award the grant to Moorside Youth Trust" in content["paragraphs"][1]


def test_letters_are_emailed_with_their_pdf_and_audited(sent, mailoutbox):
    assert len(mailoutbox) == 3
    loser = next(m for m in mailoutbox if m.subject.startswith("Outcome of your bid") and "Brightwork" in m.body)
    assert sorted(loser.to) == ["bids@brightwork.example", "chair@brightwork.example"]
    [(name, pdf, mimetype)] = loser.attachments
    assert (name, mimetype) == (f"{sent.opportunity.reference}-outcome-letter-{sent.bids[1].pk}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    html = loser.alternatives[0][0]
    assert "The successful bid&#x27;s relative advantages" in html or "The successful bid's relative advantages" in html
    assert "Your scores (the successful bid's in brackets):" in loser.body
    event = AuditEvent.objects.get(event_type="award.letters_sent")
    assert event.extra["letters"] == 3
    assert "Moderated" not in str(event.extra)


def test_the_pdf_is_the_letter_as_sent_every_time(sent):
    letter = letter_of(sent, 1)
    pdf = award_letters.letter_pdf(letter.content)
    assert pdf.startswith(b"%PDF-")
    assert pdf == award_letters.letter_pdf(letter.content)


def test_letters_go_once(sent, people):
    with pytest.raises(ValidationError, match="were sent on"):
        services.outcome_letters_send(by=people[Role.COMMISSIONING_OFFICER], award=sent.refresh_award())


# ---- Standstill ----------------------------------------------------------------------------------------


def test_a_contracts_standstill_skips_easter_and_holds_signing_until_it_ends(council, people):
    """Letters sent on Friday 27 March 2026: 8 working days (Good Friday and Easter Monday are bank
    holidays) end on Friday 10 April; the contract can be signed from Saturday 11 April."""
    with at(date(2026, 3, 2)):
        # £230,000: above the procurement threshold (£207,720 from 2026), below the key-decision threshold.
        world = approved_award(
            council,
            bidders=[bidder("Moorside Youth Trust", 230000), bidder("Brightwork", 235000)],
            route=DeliveryRoute.CONTRACT,
            budget=Decimal(240000),
        )
    assert selectors.standstill_applies(world.award)
    with at(date(2026, 3, 27)):
        award_with_letters_sent(council, world=world)
    award = world.award
    assert award.standstill_applies
    assert award.standstill_ends_on == date(2026, 4, 10)
    assert "ends at midnight at the end of 10 April 2026" in letter_of(world, 1).content["paragraphs"][-1]
    agreement = Agreement.objects.get(bid=world.bids[0])

    def sign(on: date):
        upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        return agreement_steps.agreement_sign(
            by=people[Role.LEGAL_OFFICER], agreement=agreement, document=upload, signed_on=on
        )

    with at(date(2026, 4, 10), hour=16), pytest.raises(TransitionRefused) as refused:
        sign(date(2026, 4, 10))
    assert refused.value.missing == [
        "The standstill period runs until the end of 10 April 2026: the agreement can be signed from 11 April 2026"
    ]
    with at(date(2026, 4, 11)):
        assert sign(date(2026, 4, 11)).state == AgreementState.SIGNED
