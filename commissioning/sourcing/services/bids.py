"""Writes for bids: starting one, saving each section of the draft, documents, and the only way a bid
changes state — `bid_transition` (submit, withdraw), through the workflow engine.

The rules every write follows:

- only provider staff of the bid's organisation with the role organisation administrator or bid
  writer may write;
- a bid can be changed while it is a draft or withdrawn, and only before the deadline (server time,
  compared as aware datetimes, shown in London time); a submitted bid is locked — withdraw it to
  change it, then submit it again;
- drafts keep everything typed (an answer over its word limit too): limits are reported on Save and
  enforced when the bid is submitted;
- each submission gets a `BidReceipt` whose digest is the SHA-256 of a canonical JSON of exactly
  what was submitted, emailed to the submitter;
- audit events (start, submit, withdraw) belong to the opportunity's council and never contain
  what the bid says: only references, states and the digest.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from commissioning.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidMatchFunding,
    BidOutcome,
    BidPartner,
    BidPriceLine,
    BidReceipt,
    BidSocialValueCommitment,
    BidState,
    Opportunity,
    OpportunityState,
)
from commissioning.permissions import may_write_bid
from commissioning.sourcing import gates as sourcing_gates
from commissioning.sourcing.gates import before_deadline, deadline_message, word_limit_error
from commissioning.sourcing.numbering import question_numbers
from commissioning.sourcing.selectors.bids import organisations_that_may_bid
from commissioning.sourcing.services.partners import partner_changed, partners_ask
from councils import page_cache, workflow
from councils.models import User
from councils.services import audit_record
from councils.uploads import validate_upload
from councils.workflow import Effect, Step
from providers.models import Organisation

EDITABLE_STATES = frozenset({BidState.DRAFT, BidState.WITHDRAWN})
DIGEST_FORMAT_VERSION = 1
# The page-cache family of bids and their rows, for the writes made with update() (no signals).
SOURCING = page_cache.family_of(Bid)
ROW_MODELS = (BidPriceLine, BidOutcome, BidPartner, BidSocialValueCommitment, BidMatchFunding)


# ---- Who may write, and when --------------------------------------------------------------------


def _require_writer(by: User, bid: Bid) -> None:
    if not may_write_bid(bid, by):
        raise PermissionDenied


def editing_refusal(bid: Bid) -> str:
    """Why the bid cannot be changed now ('' when it can)."""
    opportunity = bid.opportunity
    if opportunity.state == OpportunityState.CANCELLED:
        return "This opportunity has been cancelled. Bids can no longer be changed."
    if opportunity.state != OpportunityState.PUBLISHED or not before_deadline(opportunity):
        return deadline_message(opportunity, "changed")
    if bid.state not in EDITABLE_STATES:
        return "Your bid has been submitted, so it is locked. Withdraw it to make changes, then submit it again."
    return ""


def can_edit(user: User, bid: Bid) -> bool:
    return may_write_bid(bid, user) and not editing_refusal(bid)


def can_withdraw(user: User, bid: Bid) -> bool:
    opportunity = bid.opportunity
    return (
        bid.state == BidState.SUBMITTED
        and opportunity.state == OpportunityState.PUBLISHED
        and before_deadline(opportunity)
        and may_write_bid(bid, user)
    )


def _require_editable(by: User, bid: Bid) -> Bid:
    """Check permission and state, then lock the bid's row for the rest of the transaction, so a
    submission cannot slip in between the check and the write."""
    _require_writer(by, bid)
    locked = Bid.objects.select_for_update().select_related("opportunity").get(pk=bid.pk)
    refusal = editing_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="locked")
    return locked


def _touch(bid: Bid) -> None:
    Bid.objects.filter(pk=bid.pk).update(updated_at=timezone.now())
    page_cache.bump_council(bid.opportunity.council_id, SOURCING)  # update() sends no signal


# ---- Starting a bid -----------------------------------------------------------------------------


def bid_start(*, by: User, opportunity: Opportunity, organisation: Organisation) -> Bid:
    """Start (or return) the organisation's one bid for an open opportunity."""
    if not organisations_that_may_bid(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    existing = Bid.objects.filter(opportunity=opportunity, organisation=organisation).first()
    if existing is not None:
        return existing
    if opportunity.state != OpportunityState.PUBLISHED:
        raise ValidationError("This opportunity is not open for bids.")
    if not before_deadline(opportunity):
        raise ValidationError(deadline_message(opportunity, "started"))
    try:
        with transaction.atomic():
            bid = Bid.objects.create(opportunity=opportunity, organisation=organisation, created_by=by)
            audit_record(
                council=opportunity.council,
                actor=by,
                event_type="bid.started",
                obj=bid,
                to_state=bid.state,
                extra={"opportunity": opportunity.reference},
            )
            return bid
    except IntegrityError:
        # A colleague started the organisation's bid at the same moment: carry on with theirs.
        return Bid.objects.get(opportunity=opportunity, organisation=organisation)


# ---- Saving the sections of a draft -------------------------------------------------------------


@transaction.atomic
def bid_save_answers(*, by: User, bid: Bid, answers: dict[int, str], summary: str | None = None) -> dict[int, str]:
    """Save the answers as typed (whatever their length) and return the word-limit errors by question id."""
    return _write_answers(_require_editable(by, bid), answers, summary)


def _write_answers(bid: Bid, answers: dict[int, str], summary: str | None = None) -> dict[int, str]:
    questions = {q.pk: q for q in bid.opportunity.questions.all()}
    numbers = question_numbers(questions.values())
    existing = {a.question_id: a for a in BidAnswer.objects.filter(bid=bid)}
    errors = {}
    for question_id, text in answers.items():
        question = questions.get(question_id)
        if question is None:
            continue
        text = (text or "").replace("\r\n", "\n")
        answer = existing.get(question_id)
        if answer is None:
            BidAnswer.objects.create(bid=bid, question=question, text=text)
        elif answer.text != text:
            answer.text = text
            answer.save(update_fields=["text"])
        error = word_limit_error(question, text, numbers[question_id])
        if error:
            errors[question_id] = error
    if summary is not None and summary != bid.summary:
        Bid.objects.filter(pk=bid.pk).update(summary=summary)
    _touch(bid)
    return errors


@transaction.atomic
def bid_save_lots(*, by: User, bid: Bid, lots) -> None:
    _write_lots(_require_editable(by, bid), lots)


def _write_lots(bid: Bid, lots) -> None:
    lots = list(lots)
    if any(lot.opportunity_id != bid.opportunity_id for lot in lots):
        raise ValidationError({"lots": "Choose lots of this opportunity."})
    bid.lots.set(lots)
    _touch(bid)


DECLARATION_FIELDS = ("conflicts_declared", "no_conflicts", "accuracy_confirmed")


@transaction.atomic
def bid_save_declarations(*, by: User, bid: Bid, conflicts_declared: str, no_conflicts: bool, accuracy_confirmed: bool):
    _write_declarations(_require_editable(by, bid), conflicts_declared, no_conflicts, accuracy_confirmed)


def _write_declarations(bid: Bid, conflicts_declared: str, no_conflicts: bool, accuracy_confirmed: bool) -> None:
    if no_conflicts and conflicts_declared.strip():
        raise ValidationError(
            {"no_conflicts": "Either describe your conflicts of interest or confirm that there are none, not both."}
        )
    Bid.objects.filter(pk=bid.pk).update(
        conflicts_declared=conflicts_declared.strip(),
        no_conflicts=no_conflicts,
        accuracy_confirmed=accuracy_confirmed,
        updated_at=timezone.now(),
    )
    page_cache.bump_council(bid.opportunity.council_id, SOURCING)


class RowsInvalid(Exception):
    """Some rows could not be saved (nothing was): `row_errors` maps each row's index to its error."""

    def __init__(self, row_errors: dict[int, ValidationError]):
        super().__init__(f"{len(row_errors)} rows are invalid")
        self.row_errors = row_errors


@transaction.atomic
def bid_save_rows(*, by: User, bid: Bid, model: type[models.Model], rows: list[dict]) -> list[models.Model]:
    """Replace the bid's price lines, proposed outcomes, partners, social value commitments or match
    funding with `rows`, in one go.

    `rows` is the whole list as the bidder now has it: field values, with `id` for a row already
    saved. Saved rows that are not in the list are removed. Every row is validated first; if any
    is invalid nothing is saved and `RowsInvalid` says which, so the page can show the typed rows
    again with their errors.
    """
    if model not in ROW_MODELS:
        raise ValueError(model)
    return _write_rows(_require_editable(by, bid), model, rows)


def _write_rows(bid: Bid, model: type[models.Model], rows: list[dict]) -> list[models.Model]:
    owned = {row.pk: row for row in model.objects.filter(bid=bid)}
    before = {pk: (row.organisation_id, row.role) for pk, row in owned.items()} if model is BidPartner else {}
    instances, errors = [], {}
    for index, values in enumerate(rows):
        values = dict(values)
        instance = owned.get(values.pop("id", None)) or model(bid=bid)
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            _check_row(bid, instance)
            instance.full_clean()
        except ValidationError as error:
            errors[index] = error
        instances.append(instance)
    if errors:
        raise RowsInvalid(errors)
    kept = {instance.pk for instance in instances if instance.pk}
    model.objects.filter(bid=bid).exclude(pk__in=kept).delete()
    to_ask = []
    for instance in instances:
        if model is BidPartner and partner_changed(instance, before.get(instance.pk)):
            instance.confirmed_at = instance.confirmed_by = instance.declined_at = None
            to_ask.append(instance)
        instance.save()
    _touch(bid)
    partners_ask(bid, to_ask)
    return instances


def _check_row(bid: Bid, instance: models.Model) -> None:
    asked = bid.opportunity.social_value_asks
    if isinstance(instance, BidSocialValueCommitment) and not asked.filter(measure_id=instance.measure_id).exists():
        raise ValidationError({"measure": "Choose one of the social value measures this opportunity asks for."})
    if isinstance(instance, BidPriceLine) and instance.lot_id and instance.lot.opportunity_id != bid.opportunity_id:
        raise ValidationError({"lot": "Choose one of this opportunity's lots."})
    if isinstance(instance, BidPartner):
        # A partner confirms before its name is on the bid, so it must be an organisation registered here.
        if not instance.organisation_id:
            raise ValidationError(
                {
                    "organisation": "Choose the partner from the organisations registered on this service: a partner "
                    "confirms that it is one, so it must be registered."
                }
            )
        if instance.organisation_id == bid.organisation_id:
            raise ValidationError({"organisation": "Your organisation leads the bid: add other organisations here."})
        instance.name = instance.organisation.legal_name


def _file_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def bid_document_add(*, by: User, bid: Bid, title: str, upload) -> BidDocument:
    """Store a supporting document after checking its content (not just its name); keep its SHA-256."""
    return _write_document(_require_editable(by, bid), title, upload)


def _write_document(bid: Bid, title: str, upload) -> BidDocument:
    validate_upload(upload)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter a title for the document."})
    document = BidDocument(bid=bid, title=title[:200], sha256=_file_sha256(upload))
    document.file.save(upload.name, upload, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    _touch(bid)
    return document


@transaction.atomic
def bid_document_remove(*, by: User, bid: Bid, document_pk: int) -> None:
    bid = _require_editable(by, bid)
    document = BidDocument.objects.filter(bid=bid, pk=document_pk).first()
    if document is None:
        return
    file = document.file
    document.delete()
    transaction.on_commit(lambda: file.delete(save=False))
    _touch(bid)


# ---- What a submission is -----------------------------------------------------------------------


def _money(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def bid_content(bid: Bid) -> dict:
    """Everything the bid says, read fresh from the database, in a canonical order (by content, not
    by row id), so the same content always gives the same digest."""
    bid = Bid.objects.select_related("opportunity", "organisation").get(pk=bid.pk)
    answers = BidAnswer.objects.filter(bid=bid).values_list("question_id", "text")
    lines = BidPriceLine.objects.filter(bid=bid).select_related("lot")
    outcomes = BidOutcome.objects.filter(bid=bid)
    partners = BidPartner.objects.filter(bid=bid)
    documents = BidDocument.objects.filter(bid=bid)
    content = {
        "format": DIGEST_FORMAT_VERSION,
        "opportunity": bid.opportunity.reference,
        "organisation": bid.organisation_id,
        "summary": bid.summary,
        "answers": sorted(({"question": q, "text": text} for q, text in answers), key=lambda a: a["question"]),
        "lots": sorted(bid.lots.values_list("number", flat=True)),
        "price_lines": sorted(
            (
                {
                    "lot": line.lot.number if line.lot_id else None,
                    "year": line.year,
                    "description": line.description,
                    "amount": _money(line.amount),
                }
                for line in lines
            ),
            key=lambda r: (r["lot"] or 0, r["year"], r["description"], r["amount"]),
        ),
        "outcomes": sorted(
            (
                {"description": o.description, "measure": o.measure, "target": str(o.target), "unit": o.unit}
                for o in outcomes
            ),
            key=lambda r: (r["measure"], r["description"], r["target"], r["unit"]),
        ),
        "partners": sorted(
            ({"organisation": p.organisation_id, "name": p.name, "role": p.role} for p in partners),
            key=lambda r: (r["name"], r["organisation"] or 0, r["role"]),
        ),
        "declarations": {
            "conflicts_declared": bid.conflicts_declared,
            "no_conflicts": bid.no_conflicts,
            "accuracy_confirmed": bid.accuracy_confirmed,
        },
        "documents": sorted(
            ({"title": d.title, "sha256": d.sha256} for d in documents), key=lambda r: (r["sha256"], r["title"])
        ),
    }
    content.update(_social_value_content(bid))
    return content


def _social_value_content(bid: Bid) -> dict:
    """Social value commitments and match funding, only when the bid has any: a receipt issued before
    bids could carry them keeps the digest it was given."""
    content = {}
    commitments = BidSocialValueCommitment.objects.filter(bid=bid).select_related("measure")
    if commitments:
        content["social_value"] = sorted(
            (
                {"measure": c.measure.code, "quantity": str(c.quantity), "by_when": c.by_when.isoformat(), "how": c.how}
                for c in commitments
            ),
            key=lambda r: (r["measure"], r["by_when"], r["quantity"], r["how"]),
        )
    funding = BidMatchFunding.objects.filter(bid=bid)
    if funding:
        content["match_funding"] = sorted(
            (
                {"kind": f.kind, "source": f.source, "amount": _money(f.amount), "confirmed": f.confirmed}
                for f in funding
            ),
            key=lambda r: (r["kind"], r["source"], r["amount"], r["confirmed"]),
        )
    return content


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def bid_digest(bid: Bid) -> str:
    return hashlib.sha256(canonical_json(bid_content(bid))).hexdigest()


# ---- Submit, withdraw ---------------------------------------------------------------------------


def _receipt_reference(bid: Bid) -> str:
    number = BidReceipt.objects.filter(bid=bid).count() + 1
    suffix = f"-{bid.organisation_id:04d}-{number}"
    return f"{bid.opportunity.reference[: 60 - len(suffix)]}{suffix}"


def _issue_receipt(bid: Bid, by: User) -> BidReceipt:
    """The receipt for a submission: its reference, time and the digest of exactly what was submitted."""
    return BidReceipt.objects.create(
        bid=bid,
        reference=_receipt_reference(bid),
        submitted_at=bid.submitted_at,
        submitted_by=by,
        digest=bid_digest(bid),
    )


def _send_receipt(receipt_pk: int) -> None:
    receipt = BidReceipt.objects.select_related("bid__opportunity__council", "bid__organisation", "submitted_by").get(
        pk=receipt_pk
    )
    context = {"receipt": receipt, "bid": receipt.bid, "opportunity": receipt.bid.opportunity}
    message = EmailMultiAlternatives(
        subject=f"Bid received: {receipt.reference}",
        body=render_to_string("bids/email/receipt.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[receipt.submitted_by.email],
    )
    message.attach_alternative(render_to_string("bids/email/receipt.html", context), "text/html")
    message.send()


def bid_transition(*, by: User, bid: Bid, name: str, expected_state: str | None = None) -> Bid:
    """Submit or withdraw a bid through the workflow engine, all or nothing, audited.

    `expected_state` is the state the bidder saw on the page: if it has moved since (a colleague
    acted first), nothing changes and `TransitionConflict` says so. The engine works on the row as it
    is now, under its lock, so no edit lands between the gate, the digest and the state change."""
    if not may_write_bid(bid, by):
        raise PermissionDenied
    return workflow.run(by=by, obj=bid, name=name, seen_state=expected_state)


def _receipt(step: Step) -> dict:
    receipt = _issue_receipt(step.obj, step.by)
    step.scratch["receipt"] = receipt.pk
    return {"receipt": receipt.reference, "digest": receipt.digest}


def _bid_details(step: Step) -> dict:
    return {"opportunity": step.obj.opportunity.reference}


workflow.machine(
    Bid,
    noun="bid",
    gates=sourcing_gates,
    details=_bid_details,
    lockers={"opportunity": sourcing_gates.lock_opportunity},
)
workflow.effect(Bid, "receipt", Effect(follow=_receipt, on_commit=lambda step: _send_receipt(step.scratch["receipt"])))
