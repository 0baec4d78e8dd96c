"""Permission predicates for monitoring returns, registered when the returns' services, selectors or
views are imported.

Everyone who reads an agreement reads its returns once submitted (scrutiny members and council
administrators read-only); commissioners (lead commissioner, commissioning officer) review them and
record performance assessments; the council administrator and the lead commissioner set the council's
monitoring rules. Provider staff read their own organisation's returns; its administrators and
monitoring contacts fill them in and submit them.
"""

import rules

from councils.permissions import ADMINISTRATORS
from councils.rules import role_predicate
from monitoring.models import PROVIDER_VISIBLE_STATES, is_return_reviewer, is_return_writer
from monitoring.rules import can_read_agreement, is_commissioner, reads_commissioning
from providers.rules import is_organisation_member

SETTINGS_EDITORS = ADMINISTRATORS


@rules.predicate
def can_read_return(user, monitoring_return=None) -> bool:
    return monitoring_return is not None and can_read_agreement(user, monitoring_return.agreement)


@rules.predicate
def can_review_return(user, monitoring_return=None) -> bool:
    return monitoring_return is not None and is_return_reviewer(monitoring_return, user)


@rules.predicate
def is_providers_return(user, monitoring_return=None) -> bool:
    if monitoring_return is None:
        return False
    agreement = monitoring_return.agreement
    return (
        agreement.provider_id is not None
        and agreement.state in PROVIDER_VISIBLE_STATES
        and is_organisation_member(user, agreement.provider)
    )


@rules.predicate
def can_write_return(user, monitoring_return=None) -> bool:
    return monitoring_return is not None and is_return_writer(monitoring_return, user)


can_edit_monitoring_settings = role_predicate("can_edit_monitoring_settings", SETTINGS_EDITORS)

# On the council.
rules.add_perm("monitoring.list_returns", reads_commissioning)
rules.add_perm("monitoring.edit_monitoring_settings", can_edit_monitoring_settings)
# On one return.
rules.add_perm("monitoring.read_return", can_read_return)
rules.add_perm("monitoring.review_return", can_review_return)
rules.add_perm("monitoring.read_own_return", is_providers_return)
rules.add_perm("monitoring.write_own_return", is_providers_return & can_write_return)
# On one agreement.
rules.add_perm("monitoring.record_assessment", is_commissioner)
