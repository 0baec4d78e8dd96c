"""Who may move a commission through the cycle. Used as the FSM transitions' `permission=`
callables (instance, user) and by the rules predicates behind the views."""

from __future__ import annotations

from councils.models import Role
from councils.permissions import has_any_role, roles_in

COMMISSIONERS = (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER)
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


def can_record_award(commission, user) -> bool:
    """The lead commissioner, or whoever decided this cycle's approved award (a portfolio holder takes
    a key decision): approving the award moves the commission on in the same step."""
    if is_lead_commissioner(commission, user):
        return True
    from commissioning.models import Award, AwardState
    from commissioning.models.award import can_decide_award

    awards = Award.objects.filter(
        commission=commission, cycle=commission.cycle, state=AwardState.APPROVED
    ).select_related("commission__portfolio", "commission__council")
    return any(can_decide_award(award, user) for award in awards)


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


SOURCING_OFFICERS = (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER)
OPENING_OFFICERS = (Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER)


def can_publish_opportunity(opportunity, user) -> bool:
    return has_any_role(user, opportunity.council, SOURCING_OFFICERS)


def can_open_bids(opportunity, user) -> bool:
    return has_any_role(user, opportunity.council, OPENING_OFFICERS)
