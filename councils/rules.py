"""Permission predicates for council-level access. Every council view names one of these."""

import rules

from councils.models import Membership, Role
from councils.permissions import (
    ADMINISTRATORS,
    AUDIT_READERS,
    FRAMEWORK_EDITORS,
    THRESHOLD_EDITORS,
    THRESHOLD_READERS,
    council_of,
    has_any_role,
    roles_in,
)


def role_predicate(name: str, roles) -> rules.Predicate:
    roles = frozenset(roles)

    def check(user, obj=None) -> bool:
        return has_any_role(user, council_of(obj), roles)

    return rules.predicate(check, name=name)


@rules.predicate
def is_council_member(user, obj=None) -> bool:
    return bool(roles_in(user, council_of(obj)))


can_edit_framework = role_predicate("can_edit_framework", FRAMEWORK_EDITORS)
can_read_people = role_predicate("can_read_people", ADMINISTRATORS)
is_council_admin = role_predicate("is_council_admin", (Role.COUNCIL_ADMIN,))
can_read_audit = role_predicate("can_read_audit", AUDIT_READERS)
can_read_thresholds = role_predicate("can_read_thresholds", THRESHOLD_READERS)
can_add_threshold = role_predicate("can_add_threshold", THRESHOLD_EDITORS)

rules.add_perm("councils.access_council", is_council_member)
rules.add_perm("councils.read_framework", is_council_member)
rules.add_perm("councils.edit_framework", can_edit_framework)
rules.add_perm("councils.edit_settings", is_council_admin)
# Publishing and unpublishing the framework and the commissioning plan: the council administrator's.
rules.add_perm("councils.publish_framework", is_council_admin)
rules.add_perm("councils.read_people", can_read_people)
rules.add_perm("councils.edit_people", is_council_admin)
rules.add_perm("councils.read_audit", can_read_audit)
rules.add_perm("councils.read_thresholds", can_read_thresholds)
rules.add_perm("councils.add_threshold", can_add_threshold)


@rules.predicate
def council_requires_two_factor(user, obj=None) -> bool:
    """Someone with a role in a council that requires two-factor sign-in may not turn it off."""
    return Membership.objects.filter(user=user, council__require_two_factor=True).exists()


# One's own account: anyone signed in; two-factor sign-in is optional only where no council requires it.
rules.add_perm("councils.manage_own_account", rules.is_authenticated)
rules.add_perm("councils.turn_off_two_factor", rules.is_authenticated & ~council_requires_two_factor)
