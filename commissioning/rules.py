"""Permission predicates for commissioning views (the FSM transitions use `permissions.py`)."""

import rules

from commissioning.groups import selectors as group_selectors
from commissioning.permissions import (
    COMMISSIONERS,
    can_read_commission,
    can_read_review,
    is_commissioning_officer,
    is_lead_commissioner,
)
from councils.models import Role
from councils.permissions import (
    COMMISSIONING_READERS,
    ENGAGEMENT_OFFICERS,
    FUNDING_MANAGERS,
    OFFICER,
    PRIORITISATION_SETTERS,
    PROCUREMENT_RECORD_READERS,
    PROGRAMME_SCORERS,
    SAVINGS_RECORDERS,
    SOURCING_OFFICERS,
    WORKING_GROUP_NAMERS,
    council_of,
    has_any_role,
)
from providers.models import ProviderRole
from providers.rules import organisation_roles


@rules.predicate
def reads_commissioning(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), COMMISSIONING_READERS)


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
rules.add_perm("commissioning.list_commissions", reads_commissioning)
rules.add_perm("commissioning.create_commission", is_commissioner)
rules.add_perm("commissioning.read_funding", is_officer)
rules.add_perm("commissioning.manage_funding", can_manage_funding)
# The prioritised programme: everyone in the council reads it (cabinet decides on it, scrutiny
# follows it); the administrator and the lead commissioner set the criteria; commissioners score.
rules.add_perm("commissioning.read_programme", reads_commissioning)
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
def reads_group_subject(user, subject=None) -> bool:
    """Reads the review or commission itself, through its own pages."""
    return subject is not None and group_selectors.kind_of(subject).reads(user, subject)


@rules.predicate
def is_group_member(user, subject=None) -> bool:
    return subject is not None and group_selectors.is_member(user, subject)


@rules.predicate
def holds_the_portfolio(user, subject=None) -> bool:
    """The cabinet member holding the review's or commission's portfolio: who names its working group."""
    return (
        subject is not None
        and subject.portfolio_id is not None
        and subject.portfolio.holder_id == user.pk
        and has_any_role(user, subject.council, WORKING_GROUP_NAMERS)
    )


@rules.predicate
def leads_commissioning(user, subject=None) -> bool:
    return subject is not None and is_lead_commissioner(subject, user)


@rules.predicate
def behind_the_wall(user, subject=None) -> bool:
    return subject is not None and group_selectors.walled_off(user, subject)


# A review's or commission's member working group: its readers and its members read the working
# documents (never from behind the ethical wall); the holder of its portfolio names and removes
# members (the lead commissioner too, for work in no one's portfolio); only members comment.
rules.add_perm("commissioning.read_working_group", (reads_group_subject | is_group_member) & ~behind_the_wall)
rules.add_perm("commissioning.manage_working_group", (holds_the_portfolio | leads_commissioning) & ~behind_the_wall)
rules.add_perm("commissioning.comment_in_working_group", is_group_member & ~behind_the_wall)


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
rules.add_perm("commissioning.list_reviews", reads_commissioning)
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


@rules.predicate
def runs_engagement(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), ENGAGEMENT_OFFICERS)


# Early engagement on a commission's drafts: its readers read the consultations (commenters' emails
# included); commissioners open drafts for comment and answer the comments.
rules.add_perm("commissioning.read_consultations", can_read)
rules.add_perm("commissioning.run_consultation", can_read & runs_engagement)
