"""Social value in the demo: the asks a few demo opportunities make (from the council's default
measures) and what demo bids commit to, with their match funding, all through the services.

Only the demo's own opportunities ask for social value (`seed_opportunities` and the delivering
commission `seed_commissions` names), so the test worlds that share the demo's procurement road keep
the KPIs they expect.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from commissioning.models import (
    Bid,
    BidMatchFunding,
    BidSocialValueCommitment,
    MatchFundingKind,
    Opportunity,
    OpportunitySocialValueAsk,
    SocialValueMeasure,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from councils.models import User

# (measure code, quantity hoped for, guidance)
ASKS = (
    ("SV1", Decimal("2"), "People living in the district, employed on this work for at least six months."),
    ("SV6", Decimal("400"), "Hours given by volunteers to local community groups, from your volunteering records."),
    ("SV4", Decimal("5000"), "Spend with voluntary, community and social enterprises based in the district."),
)
# (measure code, quantity committed, months after the service starts)
COMMITMENTS = (("SV1", Decimal("2"), 12), ("SV6", Decimal("480"), 12), ("SV4", Decimal("6000"), 12))
MATCH_FUNDING = (
    (MatchFundingKind.CASH, "The Moorland Community Foundation", Decimal("8000"), True),
    (MatchFundingKind.IN_KIND, "Volunteers' time (480 hours at the national living wage)", Decimal("5800"), False),
)


def ask_for_social_value(opportunity: Opportunity, officer: User) -> None:
    """The draft opportunity asks for three of the council's default measures."""
    measures = {m.code: m for m in SocialValueMeasure.objects.filter(council=opportunity.council)}
    for code, hoped_for, guidance in ASKS:
        if code in measures:
            opportunity_services.record_save(
                by=officer,
                opportunity=opportunity,
                instance=OpportunitySocialValueAsk(
                    opportunity=opportunity, measure=measures[code], hoped_for=hoped_for, guidance=guidance
                ),
            )


def commit_social_value(bid: Bid, writer: User, *, starts_on: datetime.date | None = None) -> None:
    """A draft bid commits to what its opportunity asks for and brings some match funding."""
    asked = {ask.measure.code: ask.measure for ask in bid.opportunity.social_value_asks.select_related("measure")}
    if not asked:
        return
    starts_on = starts_on or bid.opportunity.service_starts_on
    rows = [
        {
            "measure": asked[code],
            "quantity": quantity,
            "by_when": starts_on + datetime.timedelta(days=round(months * 30.4)),
            "how": "Recorded monthly and evidenced in each monitoring return.",
        }
        for code, quantity, months in COMMITMENTS
        if code in asked
    ]
    bid_services.bid_save_rows(by=writer, bid=bid, model=BidSocialValueCommitment, rows=rows)
    bid_services.bid_save_rows(
        by=writer,
        bid=bid,
        model=BidMatchFunding,
        rows=[
            {"kind": kind, "source": source, "amount": amount, "confirmed": confirmed}
            for kind, source, amount, confirmed in MATCH_FUNDING
        ],
    )
