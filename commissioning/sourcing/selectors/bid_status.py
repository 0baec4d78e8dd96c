"""What a bid's own organisation is told about where its bid stands: a display status derived from the
bid's state, the opportunity's deadline and state, and the outcome sent to the organisation.

The Bid FSM stops at submitted or withdrawn; everything after the deadline (evaluation, the outcome)
happens to the opportunity and the award. A provider reading "Submitted" a month after the outcome
went out is told nothing, so the provider pages show this status instead.

The ethical wall for outcomes: a bid's outcome shows only once its own assessment summary (or, before
summaries, its outcome letter) has been sent, and only through the bid's own rows, which the callers
have already scoped to the person's organisations. A draft summary, or another bidder's, never shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import dateformat, timezone

from commissioning.models import AssessmentSummary, Bid, BidState, OpportunityState
from councils.formatting import london_time

# Tag colours (GOV.UK Frontend tag modifiers).
GREY, BLUE, GREEN, RED, ORANGE, PURPLE = "grey", "blue", "green", "red", "orange", "purple"


@dataclass(frozen=True)
class BidStatus:
    label: str
    colour: str
    # What the status means for the bidder, and what happens next.
    message: str
    # False once the bid can no longer be changed, withdrawn or submitted (deadline passed, cancelled).
    open: bool
    outcomes: list[AssessmentSummary] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return bool(self.outcomes)


def sent_summaries_by_bid(bid_ids: Iterable[int]) -> dict[int, list[AssessmentSummary]]:
    """The outcomes sent for these bids, oldest first: only sent ones (the wall), in one query."""
    by_bid: dict[int, list[AssessmentSummary]] = defaultdict(list)
    summaries = (
        AssessmentSummary.objects.filter(bid_id__in=list(bid_ids), sent_at__isnull=False)
        .select_related("award")
        .order_by("sent_at", "id")
    )
    for summary in summaries:
        by_bid[summary.bid_id].append(summary)
    return by_bid


def _day(value) -> str:
    return dateformat.format(value, "j F Y")


def _standstill_sentence(summaries: list[AssessmentSummary]) -> str:
    ends = [s.award.standstill_ends_on for s in summaries if s.award.standstill_applies and s.award.standstill_ends_on]
    if not ends:
        return ""
    last = max(ends)
    if last >= timezone.localdate():
        return f" The standstill period ends on {_day(last)}: the contract will not be entered into before then."
    return f" The standstill period ended on {_day(last)}."


def bid_status(bid: Bid, outcomes: list[AssessmentSummary] | None = None) -> BidStatus:
    """The bid's display status. `outcomes` are its sent summaries (from `sent_summaries_by_bid`)."""
    outcomes = list(outcomes or [])
    opportunity = bid.opportunity
    deadline = london_time(opportunity.submission_deadline)
    before_deadline = timezone.now() < opportunity.submission_deadline
    open_for_bids = opportunity.state == OpportunityState.PUBLISHED and before_deadline
    if outcomes:
        sent_on = _day(timezone.localtime(outcomes[-1].sent_at))
        standstill = _standstill_sentence(outcomes)
        if any(summary.successful for summary in outcomes):
            return BidStatus(
                "Successful",
                GREEN,
                f"Your bid was successful: {opportunity.council.name} told you the outcome on {sent_on}.{standstill} "
                "Next, the council sends you the draft agreement to check and sign; delivery starts once it is "
                "signed and live.",
                False,
                outcomes,
            )
        return BidStatus(
            "Unsuccessful",
            RED,
            f"Your bid was not successful: {opportunity.council.name} told you the outcome on {sent_on}, with your "
            f"scores and the reasons.{standstill}",
            False,
            outcomes,
        )
    if opportunity.state == OpportunityState.CANCELLED:
        return BidStatus(
            "Cancelled", GREY, "This opportunity has been cancelled, so no bids for it will be considered.", False
        )
    if bid.state == BidState.SUBMITTED:
        if open_for_bids:
            return BidStatus(
                "Submitted",
                GREEN,
                f"Your bid was submitted and is locked. To change it, withdraw it, make your changes and submit it "
                f"again before the deadline, {deadline}.",
                True,
            )
        return BidStatus(
            "Being evaluated",
            BLUE,
            f"Bids closed on {deadline}; {opportunity.council.name} is evaluating them. You will be told the "
            "outcome, with your scores and the reasons, once the council has decided.",
            False,
        )
    if bid.state == BidState.WITHDRAWN:
        if open_for_bids:
            return BidStatus(
                "Withdrawn",
                ORANGE,
                f"You withdrew this bid. It will not be considered unless you submit it again before the deadline, "
                f"{deadline}.",
                True,
            )
        return BidStatus(
            "Withdrawn",
            ORANGE,
            f"You withdrew this bid and did not submit it again before bids closed on {deadline}, so it will not "
            "be considered.",
            False,
        )
    if open_for_bids:
        return BidStatus("Draft", GREY, f"Not submitted yet. The deadline for bids is {deadline}.", True)
    return BidStatus(
        "Not submitted",
        GREY,
        f"This bid was not submitted before bids closed on {deadline}, so it will not be considered.",
        False,
    )


def with_statuses(bids: Iterable[Bid]) -> Iterable[Bid]:
    """Set `display_status` on each of the bids (their opportunity and council already joined), in one
    query for the outcomes. Returns the same bids, for chaining."""
    outcomes = sent_summaries_by_bid(bid.pk for bid in bids)
    for bid in bids:
        bid.display_status = bid_status(bid, outcomes.get(bid.pk))
    return bids
