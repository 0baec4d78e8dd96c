"""Permission predicates for commissioning views (the FSM transitions use `permissions.py`)."""

import rules

from commissioning.permissions import (
    COMMISSIONERS,
    can_read_commission,
    can_read_review,
    is_commissioning_officer,
)
from councils.models import Role
from councils.permissions import (
    FUNDING_MANAGERS,
    OFFICER,
    PRIORITISATION_SETTERS,
    PROCUREMENT_RECORD_READERS,
    PROGRAMME_SCORERS,
    SAVINGS_RECORDERS,
    SOURCING_OFFICERS,
    council_of,
    has_any_role,
    roles_in,
)
from providers.models import ProviderRole
from providers.rules import organisation_roles


@rules.predicate
def is_council_member(user, obj=None) -> bool:
    return bool(roles_in(user, council_of(obj)))


@rules.predicate
def can_read(user, commission=None) -> bool:
    return commission is not None and can_read_commission(user, commission)


@rules.predicate
def is_commissioner(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), COMMISSIONERS)


@rules.predicate
def can_edit_commission(user, commission=None) -> bool:
    return commission is not None and is_commissioning_officer(commission, user)


@rules.predicate
def can_manage_funding(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), FUNDING_MANAGERS)


@rules.predicate
def is_sourcing_officer(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), SOURCING_OFFICERS)


@rules.predicate
def is_officer(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), OFFICER)


@rules.predicate
def records_savings(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), SAVINGS_RECORDERS)


@rules.predicate
def reads_procurement_records(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), PROCUREMENT_RECORD_READERS)


@rules.predicate
def sets_prioritisation_criteria(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), PRIORITISATION_SETTERS)


@rules.predicate
def scores_programme(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), PROGRAMME_SCORERS)


# On the council: seeing the list (scoped by the selector) and starting a commission.
rules.add_perm("commissioning.list_commissions", is_council_member)
rules.add_perm("commissioning.create_commission", is_commissioner)
rules.add_perm("commissioning.read_funding", is_officer)
rules.add_perm("commissioning.manage_funding", can_manage_funding)
# The prioritised programme: everyone in the council reads it (cabinet decides on it, scrutiny
# follows it); the administrator and the lead commissioner set the criteria; commissioners score.
rules.add_perm("commissioning.read_programme", is_council_member)
rules.add_perm("commissioning.set_prioritisation_criteria", sets_prioritisation_criteria)
rules.add_perm("commissioning.score_programme", scores_programme)
# On one commission.
rules.add_perm("commissioning.read_commission", can_read)
rules.add_perm("commissioning.edit_commission", can_edit_commission)
rules.add_perm("commissioning.confirm_regime", can_read & is_sourcing_officer)
rules.add_perm("commissioning.read_procurement_record", can_read & reads_procurement_records)
# Savings identified: whoever reads the commission reads them; commissioners and finance officers record them.
rules.add_perm("commissioning.record_savings", can_read & records_savings)


@rules.predicate
def can_read_a_review(user, review=None) -> bool:
    return review is not None and can_read_review(user, review)


@rules.predicate
def can_edit_review(user, review=None) -> bool:
    return review is not None and review.is_open and is_commissioning_officer(review, user)


@rules.predicate
def is_lead(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), (Role.LEAD_COMMISSIONER,))


# Reviews of existing services: on the council (the list, scoped by the selector; opening one)...
rules.add_perm("commissioning.list_reviews", is_council_member)
rules.add_perm("commissioning.open_review", is_lead)
# ...and on one review.
rules.add_perm("commissioning.read_review", can_read_a_review)
rules.add_perm("commissioning.edit_review", can_read_a_review & can_edit_review)
rules.add_perm("commissioning.conclude_review", can_read_a_review & is_lead)


@rules.predicate
def is_partner_admin(user, partner=None) -> bool:
    """An administrator of the organisation named as a partner in a joint bid."""
    if partner is None or partner.organisation_id is None:
        return False
    return ProviderRole.ORGANISATION_ADMIN in organisation_roles(user).get(partner.organisation_id, frozenset())


# On one joint-bid partner row: its organisation's administrators confirm or decline it.
rules.add_perm("bids.answer_partnership", is_partner_admin)
# A review's savings identified: its readers see them; commissioners and finance officers record them.
rules.add_perm("commissioning.record_review_savings", can_read_a_review & records_savings)
