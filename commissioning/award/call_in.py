"""Call-in by scrutiny: members ask, one request each, during the call-in period; when as many have
asked as the council's constitution sets (`Council.call_in_threshold`), the decision is called in
through the workflow engine (the `call_in` transition, whose gate counts the requests). Until then a
member may withdraw their request. Every request and withdrawal is audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from commissioning import handoffs
from commissioning.award import gates
from commissioning.award.services import lock_award
from commissioning.models import Award, AwardState, CallInRequest
from commissioning.models.award import can_call_in
from councils import workflow
from councils.models import User
from councils.services import audit_record


@dataclass
class CallInProgress:
    """Who has asked for a decision to be called in, against how many the constitution needs."""

    requests: list[CallInRequest]
    threshold: int
    mine: CallInRequest | None
    # Why nobody can ask now (empty while the call-in period runs).
    closed: list[str]

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def needed(self) -> int:
        return max(self.threshold - self.count, 0)

    @property
    def sentence(self) -> str:
        return f"{self.count} of {self.threshold} members have asked to call this decision in"


def call_in_progress(award: Award, user: User) -> CallInProgress:
    requests = list(gates.call_in_requests(award).select_related("requested_by"))
    return CallInProgress(
        requests=requests,
        threshold=award.council.call_in_threshold,
        mine=next((r for r in requests if r.requested_by_id == user.pk), None),
        closed=gates.missing_to_ask_for_call_in(award),
    )


def _reasons(award: Award) -> str:
    requests = gates.call_in_requests(award).select_related("requested_by")
    return "\n".join(f"{r.requested_by}: {r.reason}" for r in requests)


def call_in_request(*, by: User, award: Award, reason: str) -> Award:
    """A scrutiny member asks for the key decision to be called in, with why. When theirs is the
    request that reaches the council's threshold, the decision is called in at once (in the same
    transaction, through the engine); before that, the request is recorded and nothing else happens."""
    reason = (reason or "").strip()
    with transaction.atomic():
        award = lock_award(award)
        if not can_call_in(award, by):
            raise PermissionDenied
        if not reason:
            raise ValidationError({"reason": "Say why the decision should be called in."})
        closed = gates.missing_to_ask_for_call_in(award)
        if closed:
            raise ValidationError(closed)
        if gates.call_in_requests(award).filter(requested_by=by).exists():
            raise ValidationError("You have already asked to call this decision in.")
        request = CallInRequest.objects.create(
            award=award, requested_by=by, decision_approved_at=award.approved_at, reason=reason
        )
        needed = gates.call_in_still_needed(award)
        audit_record(
            council=award.council,
            actor=by,
            event_type="award.call_in_requested",
            obj=award,
            reason=reason,
            extra={"request": request.pk, "threshold": award.council.call_in_threshold, "still_needed": needed},
        )
        if needed and gates.call_in_requests(award).count() == 1:
            handoffs.tell_call_in_asked(award, by=by, needed=needed)
        if needed == 0:
            workflow.run(by=by, obj=award, name="call_in", reason=_reasons(award), internal=True)
    return award


def call_in_request_withdraw(*, by: User, award: Award) -> Award:
    """A scrutiny member withdraws their request, while the decision has not been called in."""
    with transaction.atomic():
        award = lock_award(award)
        if not can_call_in(award, by):
            raise PermissionDenied
        request = gates.call_in_requests(award).filter(requested_by=by).first()
        if request is None:
            raise ValidationError("You have not asked to call this decision in.")
        if award.state != AwardState.APPROVED:
            raise ValidationError("The decision has been called in: the requests can no longer be withdrawn.")
        audit_record(
            council=award.council,
            actor=by,
            event_type="award.call_in_request_withdrawn",
            obj=award,
            reason=request.reason,
            extra={"request": request.pk},
        )
        request.delete()
    return award
