"""Emptying bids past retention (the schedule is `councils.retention`; which bids are due is decided
in `monitoring.records`, which knows when their contracts were entered into and ended).

A bid is not deleted: receipts, scores, the evaluation's ranking and the award point at it. What goes
is what the organisation wrote: the summary, declared conflicts, answers, proposed outcomes, partners'
roles, price line descriptions, how social value will be delivered, and documents (files too, once the
transaction commits). The bid's organisation, state, dates, prices, social value quantities, match
funding and receipts (with their digests) stay.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from commissioning.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidOutcome,
    BidPartner,
    BidPriceLine,
    BidSocialValueCommitment,
)
from councils import page_cache
from councils.retention import delete_file_on_commit

REMOVED = "Removed under retention"


def with_content(bids: QuerySet[Bid]) -> QuerySet[Bid]:
    """Bids still holding what their organisation wrote (so not yet emptied)."""
    return bids.filter(
        ~Q(summary="")
        | ~Q(conflicts_declared="")
        | Exists(BidAnswer.objects.filter(bid=OuterRef("pk")).exclude(text=""))
        | Exists(BidDocument.objects.filter(bid=OuterRef("pk")))
        | Exists(BidOutcome.objects.filter(bid=OuterRef("pk")))
        | Exists(BidSocialValueCommitment.objects.filter(bid=OuterRef("pk")).exclude(how=""))
    )


def bids_empty(bids: QuerySet[Bid]) -> int:
    """Empty these bids of their content; returns how many. The caller holds the transaction."""
    ids = list(bids.values_list("pk", flat=True))
    if not ids:
        return 0
    for document in BidDocument.objects.filter(bid_id__in=ids):
        delete_file_on_commit(document.file)
    BidDocument.objects.filter(bid_id__in=ids).delete()
    BidOutcome.objects.filter(bid_id__in=ids).delete()
    BidAnswer.objects.filter(bid_id__in=ids).update(text="")
    BidPartner.objects.filter(bid_id__in=ids).update(role=REMOVED)
    BidPriceLine.objects.filter(bid_id__in=ids).update(description=REMOVED)
    # The measures, quantities and dates stay (the agreement's social value KPIs came from them).
    BidSocialValueCommitment.objects.filter(bid_id__in=ids).update(how="")
    Bid.objects.filter(pk__in=ids).update(summary="", conflicts_declared="")
    page_cache.bump("shared")  # queryset updates send no signals
    return len(ids)
