"""Reads for the procurement record: the record of one commission as one reader may see it, built from
every registered source in a fixed number of queries, oldest first.

Who reads it is the view's permission (`commissioning.read_procurement_record`: the council's officers
and scrutiny members). On top of that the walls of the procurement apply: someone who acts for an
organisation that bid is kept out of the whole record (`walled_opportunities`), and a panellist who
declared a conflict of interest with a bid sees nothing about that bid (`hidden_bid_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commissioning.models import Commission, Declaration, Opportunity, OpportunityState
from commissioning.procurement_record.registry import Entry, Procurement, sources
from commissioning.sourcing.selectors.bids import bids_of_organisations, member_organisation_ids
from councils.models import User

# Bids are in, or may come in, but are sealed: nobody at the council knows yet who bid.
SEALED_STATES = (OpportunityState.PUBLISHED, OpportunityState.CLOSED)


@dataclass
class Record:
    commission: Commission
    entries: list[Entry] = field(default_factory=list)
    # Opportunities whose bids are still sealed: the record says who bid once they are opened.
    sealed: list[Opportunity] = field(default_factory=list)


def walled_opportunities(user: User, commission: Commission) -> list[Opportunity]:
    """The commission's opportunities that an organisation the user acts for bid for, or partners in
    a bid for (the ethical wall): the record is not for them."""
    organisations = member_organisation_ids(user)
    if not organisations:
        return []
    bid_for = bids_of_organisations(organisations).values("opportunity_id")
    return list(Opportunity.objects.filter(commission=commission, pk__in=bid_for).order_by("pk"))


def hidden_bid_ids(user: User, commission: Commission) -> set[int]:
    """The bids of this commission the user declared a conflict of interest with on a panel."""
    declared = Declaration.objects.filter(
        member__user=user, has_conflict=True, evaluation__opportunity__commission=commission
    )
    return set(declared.values_list("bid_id", flat=True))


def procurement_record(user: User, commission: Commission) -> Record:
    """Every source's entries for this commission, as `user` may see them, in time order (entries at
    the same moment keep the order their source gave them)."""
    procurement = Procurement(commission=commission, user=user)
    entries: list[Entry] = []
    for source in sources():
        if source.entries is not None:
            entries.extend(source.entries(procurement))
    hidden = hidden_bid_ids(user, commission)
    entries = [entry for entry in entries if entry.bid_id is None or entry.bid_id not in hidden]
    entries.sort(key=lambda entry: entry.at)
    sealed = list(Opportunity.objects.filter(commission=commission, state__in=SEALED_STATES).order_by("pk"))
    return Record(commission=commission, entries=entries, sealed=sealed)
