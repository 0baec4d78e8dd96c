"""Reads for bids. The sealed-bid rule lives here and nowhere else.

Until an opportunity's bids are opened (`BIDS_READABLE_STATES`) nobody at the council can read a
bid: not an officer, not an administrator, not a superuser. After opening, the council's officers
read the *submitted* bids, except officers who are members of an organisation that bid, or
partnered in a bid, for that opportunity (the ethical wall for in-house teams and council-owned
companies). Provider staff read only their own organisations' bids. Every council-side read (the
bid list and page, document downloads, the admin) goes through `bids_visible_to` or
`bids_readable_by`, which apply the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from commissioning.models import (
    BIDS_READABLE_STATES,
    CONFIRMED_PARTNER,
    Bid,
    BidAnswer,
    BidDocument,
    BidPartner,
    BidReceipt,
    BidState,
    Declaration,
    Opportunity,
    OpportunityState,
    PanelMember,
)
from commissioning.permissions import BID_WRITERS
from commissioning.sourcing.selectors.bid_status import with_statuses
from councils.models import Council, User
from councils.permissions import OFFICER, has_any_role, roles_by_council
from providers.models import Organisation, ProviderRole
from providers.ports import WalledProcurement
from providers.rules import organisation_roles


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def member_organisation_ids(user: User, roles=None) -> set[int]:
    """The organisations the user acts for (in any provider role, or in one of `roles`)."""
    if not _signed_in(user):
        return set()
    wanted = None if roles is None else frozenset(roles)
    return {pk for pk, held in organisation_roles(user).items() if wanted is None or not held.isdisjoint(wanted)}


def organisations_that_may_bid(user: User) -> QuerySet[Organisation]:
    """The organisations this user may write bids for (organisation administrator or bid writer)."""
    return Organisation.objects.filter(pk__in=member_organisation_ids(user, BID_WRITERS))


def bids_of_organisations(organisation_ids) -> QuerySet[Bid]:
    """The bids these organisations lead, or are a confirmed partner in: the bids that wall their
    members off. A partner that has not confirmed walls nobody (a bidder cannot wall a council officer
    out by naming their organisation)."""
    return Bid.objects.filter(
        Q(organisation_id__in=organisation_ids) | Q(partners__organisation_id__in=organisation_ids, **CONFIRMED_PARTNER)
    )


def partnerships_for(user: User) -> QuerySet[BidPartner]:
    """The joint-bid partnerships the user answers for (as an administrator of the partner): each
    with only what the partner needs, the lead organisation, the opportunity and the role."""
    organisation_ids = member_organisation_ids(user, [ProviderRole.ORGANISATION_ADMIN])
    return (
        BidPartner.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation", "bid__organisation", "bid__opportunity__council")
        .order_by("-id")
    )


def partnership_for(user: User, pk: int) -> BidPartner:
    """One of them; anyone else's is a 404."""
    return get_object_or_404(partnerships_for(user), pk=pk)


def is_walled_off(user: User, opportunity: Opportunity) -> bool:
    """The ethical wall: the user is a member of an organisation that bid for, or is a confirmed
    partner in a bid for, this opportunity — whatever state that bid is in."""
    organisation_ids = member_organisation_ids(user)
    if not organisation_ids:
        return False
    return bids_of_organisations(organisation_ids).filter(opportunity=opportunity).exists()


def procurements_walled_by(organisation_id: int, council_ids: list[int]) -> list[WalledProcurement]:
    """The councils' opportunities whose bids the organisation's members may not read, and why (for
    the warning before someone accepts an invitation to act for it)."""
    bids = (
        bids_of_organisations([organisation_id])
        .filter(opportunity__council_id__in=council_ids)
        .select_related("opportunity__council", "opportunity__commission")
        .order_by("-opportunity__created_at", "opportunity_id", "id")
    )
    walled: dict[int, WalledProcurement] = {}
    for bid in bids:
        opportunity = bid.opportunity
        leads = bid.organisation_id == organisation_id
        if opportunity.pk in walled and not leads:
            continue
        walled[opportunity.pk] = WalledProcurement(
            council=opportunity.council.name,
            reference=opportunity.reference,
            title=opportunity.title,
            commission=opportunity.commission.title,
            reason="it bids for this opportunity" if leads else "it is a partner in a bid for this opportunity",
        )
    return list(walled.values())


def is_bid_reader(user: User, council: Council | None) -> bool:
    """Officers of the council may read its opened bids (subject to the ethical wall)."""
    return _signed_in(user) and has_any_role(user, council, OFFICER)


@dataclass(frozen=True)
class SealedRule:
    """What the sealed-bid rule lets one person read of one opportunity's bids: their own
    organisations' bids (as provider staff), and the submitted bids (as an officer, once opened and
    unless walled off). Worked out from who they are, apart from the query (`bids_under`), so a
    query kept by its shape (`councils.compiled`) can name it."""

    own_organisations: tuple[int, ...]
    submitted: bool


def sealed_rule(user: User, opportunity: Opportunity, *, walled_off: bool | None = None) -> SealedRule | None:
    """The rule for this person and opportunity; None for anyone not signed in (nothing at all).
    `walled_off`: the ethical wall, when the caller has already asked (a query for provider staff)."""
    if not _signed_in(user):
        return None
    return SealedRule(
        own_organisations=tuple(sorted(member_organisation_ids(user))),
        submitted=(
            opportunity.state in BIDS_READABLE_STATES
            and is_bid_reader(user, opportunity.council)
            and not (is_walled_off(user, opportunity) if walled_off is None else walled_off)
        ),
    )


def bids_under(rule: SealedRule | None, opportunity_id: int) -> QuerySet[Bid]:
    """The opportunity's bids that `rule` lets through."""
    if rule is None:
        return Bid.objects.none()
    visible = Q(organisation_id__in=rule.own_organisations) if rule.own_organisations else Q(pk__in=[])
    if rule.submitted:
        visible |= Q(state=BidState.SUBMITTED)
    return Bid.objects.filter(visible, opportunity=opportunity_id)


def bids_visible_to(user: User, opportunity: Opportunity) -> QuerySet[Bid]:
    """The bids for this opportunity that this user may read.

    Provider staff: their own organisations' bids, in any state. Council officers: nothing until
    the bids are opened; then the submitted bids, unless the ethical wall applies. Anyone else:
    nothing. A person who is both gets the union of the two.
    """
    return bids_under(sealed_rule(user, opportunity), opportunity.pk)


def bids_readable_by(user: User) -> QuerySet[Bid]:
    """`bids_visible_to` across every opportunity at once (for the admin and cross-checks)."""
    if not _signed_in(user):
        return Bid.objects.none()
    own_organisations = member_organisation_ids(user)
    visible = Q(organisation_id__in=own_organisations) if own_organisations else Q(pk__in=[])
    officer_councils = [
        council_id for council_id, roles in roles_by_council(user).items() if not roles.isdisjoint(OFFICER)
    ]
    if officer_councils:
        council_side = Q(
            state=BidState.SUBMITTED,
            opportunity__state__in=BIDS_READABLE_STATES,
            opportunity__council_id__in=officer_councils,
        )
        if own_organisations:
            walled = bids_of_organisations(own_organisations).values("opportunity_id")
            council_side &= ~Q(opportunity_id__in=walled)
        visible |= council_side
    return Bid.objects.filter(visible)


def opened_bids_metadata() -> QuerySet[Bid]:
    """Submitted bids of opened opportunities, for the admin's superusers: metadata only."""
    return Bid.objects.filter(state=BidState.SUBMITTED, opportunity__state__in=BIDS_READABLE_STATES)


def submitted_bid_count(opportunity: Opportunity) -> int:
    """How many bids are in: metadata officers may see before the opening, never who or what."""
    return Bid.objects.filter(opportunity=opportunity, state=BidState.SUBMITTED).count()


# ---- Provider side ------------------------------------------------------------------------------


def _with_everything(bids: QuerySet[Bid]) -> QuerySet[Bid]:
    return bids.select_related("opportunity__council", "opportunity__commission", "organisation").prefetch_related(
        "lots",
        Prefetch("answers", queryset=BidAnswer.objects.select_related("question__criterion")),
        "price_lines__lot",
        "proposed_outcomes",
        Prefetch("partners", queryset=BidPartner.objects.select_related("organisation")),
        "documents",
        "receipts",
        "social_value_commitments__measure__theme",
        "match_funding",
        "opportunity__social_value_asks__measure",
        "opportunity__lots",
        "opportunity__questions__criterion",
    )


def bid_for_provider_user(user: User, pk: int) -> Bid:
    """One of the user's own organisations' bids, or 404 (never a hint that it exists), with its
    `display_status` (and any outcome sent to the organisation)."""
    organisation_ids = member_organisation_ids(user)
    bid = _with_everything(Bid.objects.filter(pk=pk, organisation_id__in=organisation_ids)).first()
    if bid is None:
        raise Http404
    with_statuses([bid])
    return bid


def bids_for_provider_user(user: User) -> list[Bid]:
    """The user's organisations' bids with their opportunity, deadline, last receipt and display status."""
    organisation_ids = member_organisation_ids(user)
    if not organisation_ids:
        return []
    latest_receipts = BidReceipt.objects.order_by("-submitted_at", "-id")
    bids = (
        Bid.objects.filter(organisation_id__in=organisation_ids)
        .select_related("opportunity__council", "organisation")
        .prefetch_related(Prefetch("receipts", queryset=latest_receipts))
        .order_by("opportunity__submission_deadline", "organisation__legal_name", "id")
    )
    result = list(bids)
    for bid in result:
        receipts = list(bid.receipts.all())
        bid.last_receipt = receipts[0] if receipts else None
    return with_statuses(result)


def open_opportunity_by_reference(reference: str) -> Opportunity:
    """A published opportunity (open or past its deadline), or 404."""
    opportunity = (
        Opportunity.objects.select_related("council")
        .filter(reference=reference, state=OpportunityState.PUBLISHED)
        .first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


def existing_bids_by_organisation(opportunity: Opportunity, organisation_ids) -> dict[int, Bid]:
    bids = with_statuses(
        list(
            Bid.objects.filter(opportunity=opportunity, organisation_id__in=organisation_ids).select_related(
                "opportunity__council"
            )
        )
    )
    return {bid.organisation_id: bid for bid in bids}


# ---- Council side -------------------------------------------------------------------------------


def opportunity_for_council(council: Council, pk: int, *also: str) -> Opportunity:
    """An opportunity of this council, with its commission and `also` joined in; else 404. The council
    is the one in hand, not joined again (each table joined costs planning and building time, and this
    runs before every page about the opportunity). Through get(), not first(): ordering a wide join
    costs more to compile than the query to run."""
    return in_council(
        get_object_or_404(Opportunity.objects.select_related("commission", *also), council=council, pk=pk), council
    )


def in_council(opportunity: Opportunity, council: Council) -> Opportunity:
    """The opportunity (read with its commission) pointing at the council in hand rather than reading it again."""
    opportunity.council = council
    if opportunity.commission.council_id == council.pk:
        opportunity.commission.council = council
    return opportunity


def behind_declarations(
    user: User | int, opportunity: Opportunity | int, bids: QuerySet[Bid], member: PanelMember | int | None
) -> QuerySet[Bid]:
    """Wall 3, conflicts of interest, wherever council people see bids (the council's bid pages and
    the evaluation's): a bid the person has declared a conflict against is never shown to them, and
    a current panellist (`member`) sees none of `bids` until they have declared against every one.
    The person, opportunity and member may be given as their keys (`councils.compiled`)."""

    if member is not None:
        # In the same query as the bids themselves (the database works the condition out once): any
        # bid the member has not declared against means none of them.
        undeclared = bids.exclude(pk__in=Declaration.objects.filter(member=member).values("bid_id"))
        bids = bids.filter(~Exists(undeclared))
    conflicted = Declaration.objects.filter(member__user=user, bid__opportunity=opportunity, has_conflict=True)
    return bids.exclude(pk__in=conflicted.values("bid_id"))


def _behind_declarations(user: User, opportunity: Opportunity, bids: QuerySet[Bid]) -> QuerySet[Bid]:

    member = PanelMember.objects.filter(user=user, ended_at__isnull=True, evaluation__opportunity=opportunity).first()
    return behind_declarations(user, opportunity, bids, member)


def council_bids_visible_to(user: User, opportunity: Opportunity) -> QuerySet[Bid]:
    """The submitted bids the council side shows this person: sealed rule, then declarations."""
    bids = bids_visible_to(user, opportunity).filter(state=BidState.SUBMITTED)
    own_organisations = member_organisation_ids(user)
    if own_organisations:
        # Provider staff who are also officers keep their own organisation's bid (read as a provider).
        return bids.filter(organisation_id__in=own_organisations) | _behind_declarations(user, opportunity, bids)
    return _behind_declarations(user, opportunity, bids)


def council_bid_list(user: User, opportunity: Opportunity) -> QuerySet[Bid]:
    latest = BidReceipt.objects.order_by("-submitted_at", "-id")
    return (
        council_bids_visible_to(user, opportunity)
        .select_related("organisation")
        .prefetch_related("lots", Prefetch("receipts", queryset=latest))
        .order_by("submitted_at", "id")
    )


def council_bid_detail(user: User, opportunity: Opportunity, pk: int) -> Bid:
    """One readable bid with everything in it, or 404: before the opening, always 404."""
    bid = _with_everything(council_bids_visible_to(user, opportunity).filter(pk=pk)).first()
    if bid is None:
        raise Http404
    return bid


def document_for_user(user: User, pk: int) -> BidDocument:
    """A bid document the user may download (their own organisation's, or an opened bid's), or 404."""
    document = BidDocument.objects.select_related("bid__opportunity__council").filter(pk=pk).first()
    if document is None:
        raise Http404
    bid = document.bid
    own = bid.organisation_id in member_organisation_ids(user)
    if not own and not council_bids_visible_to(user, bid.opportunity).filter(pk=bid.pk).exists():
        raise Http404
    return document
