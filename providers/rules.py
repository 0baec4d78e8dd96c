"""Permission predicates for provider organisations.

Provider staff act for the organisations they are members of (their `OrganisationMember` rows);
council officers see every organisation through their council's provider directory, verify
organisations and keep the council's approved suppliers list. Councillors and council
administrators do neither.
"""

import rules

from councils.permissions import OFFICER
from councils.rules import role_predicate

from .models import OrganisationMember, ProviderRole


def _member_roles(user, organisation) -> set[str]:
    """The user's provider roles in the organisation, looked up once per user and organisation."""
    if organisation is None or not user.is_authenticated or not user.is_active:
        return set()
    cache = user.__dict__.setdefault("_commissioner_provider_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = set(
            OrganisationMember.objects.filter(user=user, organisation=organisation).values_list("role", flat=True)
        )
    return cache[organisation.pk]


def forget_provider_roles(user) -> None:
    """Drop the per-request cache after someone's provider roles change."""
    user.__dict__.pop("_commissioner_provider_roles", None)


@rules.predicate
def is_organisation_member(user, organisation=None) -> bool:
    return bool(_member_roles(user, organisation))


@rules.predicate
def is_organisation_admin(user, organisation=None) -> bool:
    return ProviderRole.ORGANISATION_ADMIN in _member_roles(user, organisation)


# Objects are councils: the council in the URL of the officer's provider directory.
is_council_officer = role_predicate("is_council_officer", OFFICER)

rules.add_perm("providers.view_organisation", is_organisation_member)
rules.add_perm("providers.edit_organisation", is_organisation_admin)
rules.add_perm("providers.manage_people", is_organisation_admin)
rules.add_perm("providers.manage_documents", is_organisation_admin)
rules.add_perm("providers.view_directory", is_council_officer)
rules.add_perm("providers.verify_organisation", is_council_officer)
rules.add_perm("providers.manage_approved_suppliers", is_council_officer)
