"""Which audit events are sealed (see `councils.sealing`): those about a bid, or anything a bid
holds, until its opportunity's bids are opened. The opening is the only key: the opportunity is in
a state whose bids are readable, or its opening was recorded in full (it may have been cancelled
since). Only submitted bids are opened: a draft or withdrawn bid is the provider's business and its
events stay sealed for good, as do those of a bid whose opportunity was cancelled before opening."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from commissioning.models import (
    BIDS_READABLE_STATES,
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
)
from councils import sealing

# What a bid holds: sealed with it.
BID_CONTENTS = (
    BidAnswer,
    BidPriceLine,
    BidOutcome,
    BidPartner,
    BidDocument,
    BidReceipt,
    BidSocialValueCommitment,
    BidMatchFunding,
)


def opened(prefix: str = "") -> Q:
    """Opportunities (reached through `prefix`) whose bids have been opened."""
    return (
        Q(**{f"{prefix}state__in": BIDS_READABLE_STATES})
        | Q(**{f"{prefix}opening__isnull": False, f"{prefix}two_person_opening": False})
        | Q(**{f"{prefix}opening__second_confirmed_at__isnull": False})
    )


def sealed_bids() -> QuerySet[Bid]:
    return Bid.objects.exclude(Q(state=BidState.SUBMITTED) & opened("opportunity__"))


def _keys(queryset: QuerySet) -> QuerySet:
    # AuditEvent.object_id is text: compare it with the primary keys as text.
    return queryset.annotate(key=Cast("pk", CharField())).values("key")


def sealed_events() -> Q:
    bids = sealed_bids()
    condition = Q(content_type=ContentType.objects.get_for_model(Bid), object_id__in=_keys(bids))
    for model in BID_CONTENTS:
        condition |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=_keys(model.objects.filter(bid__in=bids.values("pk"))),
        )
    return condition


def register() -> None:
    sealing.register(sealed_events)
