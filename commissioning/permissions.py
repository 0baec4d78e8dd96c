"""Who may move a commission through the cycle. Used as the FSM transitions' `permission=`
callables (instance, user) and by the rules predicates behind the views."""

from __future__ import annotations

from councils.models import Role
from councils.permissions import (
    COMMISSIONERS,
    CONFLICTS_ASSESSORS,
    OPENING_OFFICERS,
    SOURCING_OFFICERS,
    has_any_role,
    roles_in,
)
from providers.models import ProviderRole
from providers.rules import organisation_roles

READERS_ACROSS_COUNCIL = (
    Role.LEAD_COMMISSIONER,
    Role.COMMISSIONING_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.LEGAL_OFFICER,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_MEMBER,
    Role.COUNCIL_ADMIN,
)


def is_commissioning_officer(commission, user) -> bool:
    return has_any_role(user, commission.council, COMMISSIONERS)


def is_lead_commissioner(commission, user) -> bool:
    return has_any_role(user, commission.council, (Role.LEAD_COMMISSIONER,))


def can_approve(commission, user) -> bool:
    """Below the key-decision threshold the lead commissioner decides (delegated officer decision);
    at or above it, a cabinet member / portfolio holder records the key decision."""
    if commission.is_key_decision:
        return has_any_role(user, commission.council, (Role.PORTFOLIO_HOLDER,))
    return has_any_role(user, commission.council, (Role.LEAD_COMMISSIONER,))


def can_decide_referral(commission, user) -> bool:
    return can_approve(commission, user) or is_lead_commissioner(commission, user)


def can_cancel(commission, user) -> bool:
    return is_lead_commissioner(commission, user)


def can_read_commission(user, commission) -> bool:
    """Officers, scrutiny and administrators read every commission of their council; a portfolio
    holder reads the commissions in the portfolios they hold."""
    roles = roles_in(user, commission.council)
    if not roles.isdisjoint(READERS_ACROSS_COUNCIL):
        return True
    if Role.PORTFOLIO_HOLDER in roles:
        return commission.portfolio_id is not None and commission.portfolio.holder_id == user.pk
    return False


def can_read_review(user, review) -> bool:
    """The same readers as a commission: officers, scrutiny and administrators read every review of
    their council; a portfolio holder reads the reviews in the portfolios they hold."""
    roles = roles_in(user, review.council)
    if not roles.isdisjoint(READERS_ACROSS_COUNCIL):
        return True
    if Role.PORTFOLIO_HOLDER in roles:
        return review.portfolio_id is not None and review.portfolio.holder_id == user.pk
    return False


def can_publish_opportunity(opportunity, user) -> bool:
    return has_any_role(user, opportunity.council, SOURCING_OFFICERS)


def can_assess_conflicts(opportunity, user) -> bool:
    return has_any_role(user, opportunity.council, CONFLICTS_ASSESSORS)


def can_open_bids(opportunity, user) -> bool:
    return has_any_role(user, opportunity.council, OPENING_OFFICERS)


# Provider roles that may start, edit, submit and withdraw bids (any member may read them).
BID_WRITERS = (ProviderRole.ORGANISATION_ADMIN, ProviderRole.BID_WRITER)


def may_write_bid(bid, user) -> bool:
    return not organisation_roles(user).get(bid.organisation_id, frozenset()).isdisjoint(BID_WRITERS)
