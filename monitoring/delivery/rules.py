"""Permission predicates for deliverables and the agreement risk register, registered when the
area's services, selectors or views are imported.

Whoever reads an agreement reads its deliverables and its risk register; commissioners
(`DELIVERABLE_MANAGERS`, `AGREEMENT_RISK_EDITORS`) set deliverables, accept or refuse what the
provider reports, and keep the register. Provider staff read their own organisation's deliverables
(never the council's risk register); its administrators and monitoring contacts report them achieved
in a return, under the return's own permission (`monitoring.write_own_return`).
"""

import rules

from councils.permissions import AGREEMENT_RISK_EDITORS, DELIVERABLE_MANAGERS, has_any_role
from monitoring.rules import can_read_agreement, is_providers_agreement


@rules.predicate
def manages_deliverables(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, DELIVERABLE_MANAGERS)


@rules.predicate
def edits_agreement_risks(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, AGREEMENT_RISK_EDITORS)


@rules.predicate
def can_read_return_agreement(user, monitoring_return=None) -> bool:
    return monitoring_return is not None and can_read_agreement(user, monitoring_return.agreement)


@rules.predicate
def manages_return_deliverables(user, monitoring_return=None) -> bool:
    return monitoring_return is not None and manages_deliverables(user, monitoring_return.agreement)


# On one agreement.
rules.add_perm("monitoring.read_deliverables", can_read_agreement)
rules.add_perm("monitoring.manage_deliverables", can_read_agreement & manages_deliverables)
rules.add_perm("monitoring.read_agreement_risks", can_read_agreement)
rules.add_perm("monitoring.edit_agreement_risks", can_read_agreement & edits_agreement_risks)
rules.add_perm("monitoring.read_own_deliverables", is_providers_agreement)
# On one return: accepting or refusing the deliverables reported in it.
rules.add_perm("monitoring.decide_deliverables", can_read_return_agreement & manages_return_deliverables)
