"""The bid services: who may write, when a bid can change, submission, receipts and digests."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.models import (
    Bid,
    BidOutcome,
    BidPartner,
    BidPriceLine,
    BidReceipt,
    BidState,
    FormType,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.tests.bid_factories import (
    bid_writer,
    complete_bid,
    open_opportunity,
    organisation_of,
    pdf_upload,
    start_bid,
    submitted_bid,
)
from councils.models import AuditEvent, Role
from councils.workflow import TransitionConflict, TransitionRefused
from providers.models import ProviderRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(council, people):
    return open_opportunity(council, lots=2)


def test_a_bid_writer_starts_one_bid_per_organisation(opportunity, people):
    writer = bid_writer(organisation_of(people["provider_admin"]), role=ProviderRole.BID_WRITER)
    bid = start_bid(opportunity, people["provider_admin"])
    assert start_bid(opportunity, writer) == bid  # the colleague carries on with the same bid
    assert Bid.objects.filter(opportunity=opportunity).count() == 1
    event = AuditEvent.objects.get(event_type="bid.started")
    assert event.council == opportunity.council


@pytest.mark.parametrize("who", [Role.LEAD_COMMISSIONER, "no_role"])
def test_people_who_do_not_act_for_the_organisation_cannot_start_its_bid(opportunity, people, who):
    with pytest.raises(PermissionDenied):
        bid_services.bid_start(
            by=people[who], opportunity=opportunity, organisation=organisation_of(people["provider_admin"])
        )


def test_a_monitoring_contact_cannot_write_bids(opportunity, people):
    organisation = organisation_of(people["provider_admin"])
    contact = bid_writer(organisation, role=ProviderRole.MONITORING_CONTACT)
    with pytest.raises(PermissionDenied):
        bid_services.bid_start(by=contact, opportunity=opportunity, organisation=organisation)
    bid = start_bid(opportunity, people["provider_admin"])
    with pytest.raises(PermissionDenied):
        bid_services.bid_save_answers(by=contact, bid=bid, answers={})
    with pytest.raises(PermissionDenied):
        bid_services.bid_transition(by=contact, bid=bid, name="submit")


def test_another_organisation_cannot_touch_the_bid(opportunity, people):
    bid = start_bid(opportunity, people["provider_admin"])
    with pytest.raises(PermissionDenied):
        bid_services.bid_save_answers(by=people["other_provider_admin"], bid=bid, answers={})
    with pytest.raises(PermissionDenied):
        bid_services.bid_transition(by=people["other_provider_admin"], bid=bid, name="submit")


def test_answers_over_the_word_limit_are_kept_but_block_submission(council, people):
    opportunity = open_opportunity(council, questions=1, word_limit=10)
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    question = opportunity.questions.get()
    long_answer = " ".join(["word"] * 11)
    errors = bid_services.bid_save_answers(by=user, bid=bid, answers={question.pk: long_answer})
    assert errors == {question.pk: "Your answer to question 1 must be 10 words or fewer. It has 11 words."}
    assert bid.answers.get().text == long_answer  # nothing typed is lost
    with pytest.raises(TransitionRefused) as refused:
        bid_services.bid_transition(by=user, bid=bid, name="submit")
    assert "Your answer to question 1 must be 10 words or fewer. It has 11 words." in refused.value.missing


def test_the_gate_lists_everything_missing(opportunity, people):
    bid = start_bid(opportunity, people["provider_admin"])
    with pytest.raises(TransitionRefused) as refused:
        bid_services.bid_transition(by=people["provider_admin"], bid=bid, name="submit")
    missing = refused.value.missing
    assert any(item.startswith("Answer question 1") for item in missing)
    assert "Declare any conflicts of interest, or confirm there are none" in missing
    assert "Confirm that the information in the bid is accurate" in missing
    assert "Choose at least one lot" in missing
    assert "Add at least one line to your pricing" in missing
    assert "Propose at least one outcome with a success measure and target" in missing
    bid.refresh_from_db()
    assert bid.state == BidState.DRAFT
    assert not BidReceipt.objects.exists()


def test_each_chosen_lot_is_priced_in_a_full_tender(opportunity, people):
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidPriceLine,
        rows=[{"lot": opportunity.lots.get(number=1), "year": 1, "description": "Staff", "amount": Decimal("10")}],
    )
    with pytest.raises(TransitionRefused) as refused:
        bid_services.bid_transition(by=user, bid=bid, name="submit")
    assert refused.value.missing == ["Add pricing for lot 2: Ward 2"]


def test_rows_are_replaced_as_a_whole_and_nothing_is_saved_if_one_is_invalid(opportunity, people):
    user = people["provider_admin"]
    bid = start_bid(opportunity, user)
    lot = opportunity.lots.get(number=1)
    first, second = bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidPriceLine,
        rows=[
            {"lot": lot, "year": 1, "description": "Staff", "amount": Decimal("100")},
            {"lot": lot, "year": 2, "description": "Staff", "amount": Decimal("110")},
        ],
    )
    with pytest.raises(bid_services.RowsInvalid) as invalid:
        bid_services.bid_save_rows(
            by=user,
            bid=bid,
            model=BidPriceLine,
            rows=[
                {"id": first.pk, "lot": lot, "year": 1, "description": "Staff", "amount": Decimal("120")},
                {"lot": lot, "year": 11, "description": "Too late", "amount": Decimal("1")},
            ],
        )
    assert list(invalid.value.row_errors) == [1]
    assert sorted(bid.price_lines.values_list("amount", flat=True)) == [Decimal("100"), Decimal("110")]
    bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidPriceLine,
        rows=[{"id": first.pk, "lot": lot, "year": 1, "description": "Staff", "amount": Decimal("120")}],
    )
    assert list(bid.price_lines.values_list("pk", "amount")) == [(first.pk, Decimal("120"))]


def test_a_partner_cannot_be_the_lead_organisation(opportunity, people):
    user = people["provider_admin"]
    bid = start_bid(opportunity, user)
    with pytest.raises(bid_services.RowsInvalid):
        bid_services.bid_save_rows(
            by=user,
            bid=bid,
            model=BidPartner,
            rows=[{"organisation": bid.organisation, "name": "", "role": "Everything"}],
        )
    partner = organisation_of(people["other_provider_admin"])
    (saved,) = bid_services.bid_save_rows(
        by=user, bid=bid, model=BidPartner, rows=[{"organisation": partner, "name": "", "role": "Sports"}]
    )
    assert saved.name == partner.legal_name


def test_a_document_is_stored_with_its_sha256(opportunity, people):
    user = people["provider_admin"]
    bid = start_bid(opportunity, user)
    upload = pdf_upload()
    document = bid_services.bid_document_add(by=user, bid=bid, title="Delivery plan", upload=upload)
    assert document.sha256 == hashlib.sha256(upload.open().read()).hexdigest()
    with document.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_a_submitted_bid_is_locked_until_withdrawn(opportunity, people):
    user = people["provider_admin"]
    bid = submitted_bid(opportunity, user)
    with pytest.raises(ValidationError, match="Withdraw it to make changes"):
        bid_services.bid_save_answers(by=user, bid=bid, answers={})
    with pytest.raises(ValidationError):
        bid_services.bid_save_rows(by=user, bid=bid, model=BidOutcome, rows=[])
    with pytest.raises(ValidationError):
        bid_services.bid_document_add(by=user, bid=bid, title="Late", upload=pdf_upload())
    bid_services.bid_transition(by=user, bid=bid, name="withdraw")
    bid_services.bid_save_answers(by=user, bid=bid, answers={}, summary="Changed after withdrawing")
    assert Bid.objects.get(pk=bid.pk).summary == "Changed after withdrawing"


def test_submit_withdraw_and_resubmit_give_numbered_receipts_and_emails(
    opportunity, people, django_capture_on_commit_callbacks
):
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    with django_capture_on_commit_callbacks(execute=True):
        bid_services.bid_transition(by=user, bid=bid, name="submit")
    first = bid.receipts.get()
    organisation_id = f"{bid.organisation_id:04d}"
    assert first.reference == f"{opportunity.reference}-{organisation_id}-1"
    assert first.digest == bid_services.bid_digest(bid)
    assert first.submitted_by == user
    bid_services.bid_transition(by=user, bid=bid, name="withdraw")
    bid_services.bid_save_answers(by=user, bid=bid, answers={}, summary="A sharper summary")
    with django_capture_on_commit_callbacks(execute=True):
        bid_services.bid_transition(by=user, bid=bid, name="submit")
    second = bid.receipts.order_by("-id").first()
    assert second.reference.endswith(f"-{organisation_id}-2")
    assert second.digest != first.digest  # the content changed

    assert [m.to for m in mail.outbox] == [[user.email], [user.email]]
    message = mail.outbox[-1]
    assert second.reference in message.subject
    assert second.digest in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert second.digest in html
    assert "A sharper summary" not in message.body + html  # a receipt, not the bid


def test_audit_events_never_contain_the_bids_contents(opportunity, people):
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user, partner="Secret Partner CIC")
    bid_services.bid_save_answers(by=user, bid=bid, answers={}, summary="CONFIDENTIAL-PLAN")
    bid_services.bid_transition(by=user, bid=bid, name="submit")
    bid_services.bid_transition(by=user, bid=bid, name="withdraw")
    events = AuditEvent.objects.filter(event_type__startswith="bid.")
    assert [e.event_type for e in events.order_by("id")] == ["bid.started", "bid.submit", "bid.withdraw"]
    assert {e.council_id for e in events} == {opportunity.council_id}
    text = " ".join(f"{e.object_repr} {e.reason} {e.extra}" for e in events)
    for secret in ("CONFIDENTIAL-PLAN", "Secret Partner", "Youth workers", "word word", "20000"):
        assert secret not in text
    submit = events.get(event_type="bid.submit")
    assert submit.extra["digest"] == bid.receipts.get().digest


def test_the_digest_is_canonical(opportunity, people):
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    lot_1, lot_2 = opportunity.lots.order_by("number")
    rows = [
        {"lot": lot_1, "year": 1, "description": "Staff", "amount": Decimal("20000")},
        {"lot": lot_2, "year": 1, "description": "Staff", "amount": Decimal("20000.00")},
    ]
    bid_services.bid_save_rows(by=user, bid=bid, model=BidPriceLine, rows=rows)
    digest = bid_services.bid_digest(bid)
    bid_services.bid_save_rows(by=user, bid=bid, model=BidPriceLine, rows=list(reversed(rows)))
    assert bid_services.bid_digest(bid) == digest  # same content, other row order: same digest
    content = bid_services.bid_content(bid)
    assert set(content) >= {"answers", "lots", "price_lines", "outcomes", "partners", "declarations", "documents"}
    bid_services.bid_document_add(by=user, bid=bid, title="Plan", upload=pdf_upload())
    assert bid_services.bid_digest(bid) != digest  # documents count, by their sha256


def test_a_stale_page_cannot_submit_twice(opportunity, people):
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    stale = Bid.objects.get(pk=bid.pk)
    bid_services.bid_transition(by=user, bid=bid, name="submit")
    # The page said "draft" but a colleague has submitted since: nothing happens.
    with pytest.raises(TransitionConflict):
        bid_services.bid_transition(
            by=user, bid=Bid.objects.get(pk=bid.pk), name="submit", expected_state=BidState.DRAFT
        )
    # An object loaded before the submission: the locked row says otherwise.
    with pytest.raises(TransitionConflict):
        bid_services.bid_transition(by=user, bid=stale, name="submit")
    assert stale.state == BidState.SUBMITTED  # refreshed to match the database
    assert BidReceipt.objects.filter(bid=bid).count() == 1


def test_short_grants_need_only_a_simple_budget(council, people):
    opportunity = open_opportunity(council, form_type=FormType.SHORT_GRANT)
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    bid_services.bid_transition(by=user, bid=bid, name="submit")
    assert bid.state == BidState.SUBMITTED
