"""Bid pages for the council: the bids of one opportunity and one bid, read through
`bid_selectors.bids_visible_to`, so they are empty (list) or 404 (bid) until the bids are opened.

Kept apart from the provider's bid pages because the access rule differs: council pages need an
officer role in the council in the URL (403 otherwise); the opportunity must be that council's (404
otherwise); a bid is 404 until the opening, and after it for officers behind the ethical wall (see
also tests/access_matrix.py).
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from commissioning.sourcing.selectors import bids as selectors
from commissioning.sourcing.services import bids as services
from commissioning.sourcing.views.bid_contents import bid_summary_context
from councils import reading


class CouncilBidsMixin(LoginRequiredMixin):
    """An opportunity of the council in the URL; officers of that council only (403 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not selectors.is_bid_reader(request.user, request.council):
                raise PermissionDenied
            self.opportunity = selectors.opportunity_for_council(request.council, kwargs["opportunity_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.update(
            council=self.request.council,
            opportunity=self.opportunity,
            walled_off=selectors.is_walled_off(self.request.user, self.opportunity),
            submitted_count=selectors.submitted_bid_count(self.opportunity),
        )
        return super().get_context_data(**kwargs)


class CouncilBidListView(CouncilBidsMixin, TemplateView):
    template_name = "bids/council_list.html"

    def get_context_data(self, **kwargs):
        bids = list(selectors.council_bid_list(self.request.user, self.opportunity))
        for bid in bids:
            receipts = list(bid.receipts.all())
            bid.last_receipt = receipts[0] if receipts else None
        kwargs.update(bids=bids, sealed=not self.opportunity.bids_are_readable)
        return super().get_context_data(**kwargs)


class CouncilBidDetailView(CouncilBidsMixin, reading.RecordsReadingMixin, TemplateView):
    """An opened bid, in full. Every reading is recorded (the procurement's record lists them)."""

    template_name = "bids/council_detail.html"

    def record_reading(self, response):
        reading.record_read(
            by=self.request.user,
            council=self.request.council,
            event_type=reading.READ_BID,
            obj=self.bid,
            extra={"opportunity": self.opportunity.pk, "page": "bid"},
        )

    def get_context_data(self, **kwargs):
        bid = self.bid = selectors.council_bid_detail(self.request.user, self.opportunity, self.kwargs["bid_pk"])
        receipts = list(bid.receipts.all())
        receipt = receipts[0] if receipts else None
        kwargs.update(bid_summary_context(bid))
        kwargs.update(
            bid=bid,
            receipt=receipt,
            # Proof that what the council reads is what was submitted.
            digest_now=services.bid_digest(bid),
        )
        return super().get_context_data(**kwargs)
