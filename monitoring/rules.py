"""Permission predicates for agreements and notices.

Officers, scrutiny members and council administrators read every agreement of their council; a
portfolio holder reads the agreements of the commissions in their portfolios (as for commissions).
Commissioners (lead commissioner, commissioning officer) create and change agreements; the legal
officer may also record the signature; only the lead commissioner terminates early. Provider staff
read their own organisation's agreements once signed, through the provider pages.

Invoices and their payment: officers who read the agreement read them; finance officers and
commissioners record them. The quarterly list of payments over £30,000 is the notice readers'.
Notices are read by NOTICE_READERS (officers, scrutiny, the council administrator); the notice officers
record their publication; their other steps follow the model's transition permissions.
"""

import rules

from commissioning.permissions import COMMISSIONERS, can_read_commission
from councils.permissions import (
    COMMISSIONING_READERS,
    INVOICE_READERS,
    INVOICE_RECORDERS,
    NOTICE_OFFICERS,
    NOTICE_READERS,
    council_of,
    has_any_role,
)
from monitoring.models import PROVIDER_VISIBLE_STATES, can_sign_agreement, can_terminate_agreement
from providers.rules import is_organisation_member


@rules.predicate
def reads_commissioning(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), COMMISSIONING_READERS)


@rules.predicate
def is_commissioner(user, obj=None) -> bool:
    """On a council, a commission or an agreement: the user commissions for its council."""
    return has_any_role(user, council_of(obj), COMMISSIONERS)


@rules.predicate
def is_notice_reader(user, obj=None) -> bool:
    """On a council or a notice: the user reads the council's notices."""
    return has_any_role(user, council_of(obj), NOTICE_READERS)


@rules.predicate
def is_notice_officer(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), NOTICE_OFFICERS)


@rules.predicate
def can_read_agreement(user, agreement=None) -> bool:
    return agreement is not None and can_read_commission(user, agreement.commission)


@rules.predicate
def can_sign(user, agreement=None) -> bool:
    return agreement is not None and can_sign_agreement(agreement, user)


@rules.predicate
def can_terminate(user, agreement=None) -> bool:
    return agreement is not None and can_terminate_agreement(agreement, user)


@rules.predicate
def can_read_invoices(user, agreement=None) -> bool:
    return (
        agreement is not None
        and has_any_role(user, agreement.council, INVOICE_READERS)
        and can_read_commission(user, agreement.commission)
    )


@rules.predicate
def can_record_invoices(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, INVOICE_RECORDERS)


@rules.predicate
def is_providers_agreement(user, agreement=None) -> bool:
    """The user acts for the agreement's provider organisation, and the agreement has been signed."""
    return (
        agreement is not None
        and agreement.provider_id is not None
        and agreement.state in PROVIDER_VISIBLE_STATES
        and is_organisation_member(user, agreement.provider)
    )


# On the council: the agreement list (scoped by the selector).
rules.add_perm("monitoring.list_agreements", reads_commissioning)
# On a commission: drafting its agreements.
rules.add_perm("monitoring.create_agreement", is_commissioner)
# On one agreement.
rules.add_perm("monitoring.read_agreement", can_read_agreement)
rules.add_perm("monitoring.edit_agreement", is_commissioner)
rules.add_perm("monitoring.sign_agreement", can_sign)
rules.add_perm("monitoring.terminate_agreement", can_terminate)
rules.add_perm("monitoring.read_own_agreement", is_providers_agreement)
rules.add_perm("monitoring.read_invoices", can_read_invoices)
rules.add_perm("monitoring.record_invoice", can_record_invoices)
# On the council: the quarterly payments over £30,000, as a file for Find a Tender.
rules.add_perm("monitoring.download_payments_over_30000", is_notice_reader)
# On the council: its notices page. On one notice: reading it, and recording its publication.
rules.add_perm("monitoring.list_notices", is_notice_reader)
rules.add_perm("monitoring.read_notice", is_notice_reader)
rules.add_perm("monitoring.publish_notice", is_notice_officer)
