"""Permission predicates for provider organisations.

Provider staff act for the organisations they are members of (their `OrganisationMember` rows);
council officers see every organisation through their council's provider directory, verify
organisations and keep the council's approved suppliers list. Councillors and council
administrators do neither.
"""

import rules

from councils.permissions import ADMINISTRATORS, OFFICER, forget_kept_by_access, grouped_roles, kept_by_access
from councils.rules import role_predicate
from providers.models import OrganisationMember, ProviderRole

_ROLES_ATTR = "_commissioner_provider_roles"


def organisation_roles(user) -> dict[int, frozenset[str]]:
    """Every organisation the user acts for, with their roles in it: one query, kept on the user
    object for the rest of the request (pages ask "which organisations?" many times over)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cached = user.__dict__.get(_ROLES_ATTR)
    if cached is None:
        cached = user.__dict__[_ROLES_ATTR] = kept_by_access(user, "organisations", lambda: _organisation_roles(user))
    return cached


def _organisation_roles(user) -> dict[int, frozenset[str]]:
    return grouped_roles(OrganisationMember.objects.filter(user=user).values_list("organisation_id", "role"))


def _member_roles(user, organisation) -> frozenset[str]:
    if organisation is None:
        return frozenset()
    return organisation_roles(user).get(organisation.pk, frozenset())


def forget_provider_roles(user) -> None:
    """Drop what is kept of someone's provider roles after they change in this request."""
    user.__dict__.pop(_ROLES_ATTR, None)
    forget_kept_by_access(user, "organisations")


@rules.predicate
def is_organisation_member(user, organisation=None) -> bool:
    return bool(_member_roles(user, organisation))


@rules.predicate
def is_organisation_admin(user, organisation=None) -> bool:
    return ProviderRole.ORGANISATION_ADMIN in _member_roles(user, organisation)


# Objects are councils: the council in the URL of the officer's provider directory.
is_council_officer = role_predicate("is_council_officer", OFFICER)
# Objects are councils: who reviews the council's staff's memberships made without their consent.
is_council_administrator = role_predicate("is_council_administrator", ADMINISTRATORS)

rules.add_perm("providers.view_organisation", is_organisation_member)
rules.add_perm("providers.edit_organisation", is_organisation_admin)
rules.add_perm("providers.manage_people", is_organisation_admin)
rules.add_perm("providers.manage_documents", is_organisation_admin)
rules.add_perm("providers.view_directory", is_council_officer)
rules.add_perm("providers.verify_organisation", is_council_officer)
rules.add_perm("providers.manage_approved_suppliers", is_council_officer)
rules.add_perm("providers.review_staff_memberships", is_council_administrator)
