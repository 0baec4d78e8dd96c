"""Permission predicates for agreements and notices.

Officers, scrutiny members and council administrators read every agreement of their council; a
portfolio holder reads the agreements of the commissions in their portfolios (as for commissions).
Commissioners (lead commissioner, commissioning officer) create and change agreements; the legal
officer may also record the signature; only the lead commissioner terminates early. Provider staff
read their own organisation's agreements once signed, through the provider pages.

The remedies log (deductions, default notices, remedy plans): whoever reads the agreement reads it; the
agreement's editors (REMEDY_RECORDERS) record; the provider's people read and answer their own.

Invoices and their payment: officers who read the agreement read them; finance officers and
commissioners record them. The quarterly list of payments over £30,000 is the notice readers'.
Notices are read by NOTICE_READERS (officers, scrutiny, the council administrator); the notice officers
record their publication; their other steps follow the model's transition permissions.
"""

import rules

from commissioning.permissions import COMMISSIONERS, can_read_commission
from councils.models import Outcome, Role
from councils.permissions import (
    COMMISSIONING_READERS,
    CONTINUITY_MANAGERS,
    CONTINUITY_READERS,
    FAILURE_DECIDERS,
    INVOICE_READERS,
    INVOICE_RECORDERS,
    NOTICE_OFFICERS,
    NOTICE_READERS,
    OUTCOME_REPORT_READERS,
    REMEDY_RECORDERS,
    SAVINGS_CONFIRMERS,
    SAVINGS_RECORDERS,
    SCRUTINY_REPORT_READERS,
    TERMS_EDITORS,
    council_of,
    has_any_role,
    roles_in,
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
def is_scrutiny_report_reader(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), SCRUTINY_REPORT_READERS)


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
def records_savings(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, SAVINGS_RECORDERS)


@rules.predicate
def confirms_savings(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, SAVINGS_CONFIRMERS)


@rules.predicate
def edits_terms(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, TERMS_EDITORS)


@rules.predicate
def records_remedies(user, agreement=None) -> bool:
    return agreement is not None and has_any_role(user, agreement.council, REMEDY_RECORDERS)


@rules.predicate
def reads_outcome_reports(user, council=None) -> bool:
    """The lead commissioner and scrutiny read every outcome's report; a portfolio holder those of the
    outcomes in their portfolios, and an outcome's accountable officer theirs (an empty list if none)."""
    roles = roles_in(user, council)
    if not roles.isdisjoint(OUTCOME_REPORT_READERS) or Role.PORTFOLIO_HOLDER in roles:
        return True
    return bool(roles) and Outcome.objects.filter(priority__plan__council=council, accountable_officer=user).exists()


@rules.predicate
def reads_outcome_report(user, outcome=None) -> bool:
    if outcome is None:
        return False
    roles = roles_in(user, council_of(outcome))
    if not roles.isdisjoint(OUTCOME_REPORT_READERS):
        return True
    if not roles:
        return False
    if outcome.accountable_officer_id is not None and outcome.accountable_officer_id == user.pk:
        return True
    return (
        Role.PORTFOLIO_HOLDER in roles and outcome.portfolio_id is not None and outcome.portfolio.holder_id == user.pk
    )


@rules.predicate
def is_providers_agreement(user, agreement=None) -> bool:
    """The user acts for the agreement's provider organisation, and the agreement has been signed."""
    return (
        agreement is not None
        and agreement.provider_id is not None
        and agreement.state in PROVIDER_VISIBLE_STATES
        and is_organisation_member(user, agreement.provider)
    )


# ---- Provider risk, failure and continuity (issue 21) ----


@rules.predicate
def reads_continuity(user, obj=None) -> bool:
    """On the council, a flag or an intervention: the continuity page and interventions (an agreement's
    intervention is further scoped to those who read the agreement, by its selector: 404 otherwise)."""
    return has_any_role(user, council_of(obj), CONTINUITY_READERS)


@rules.predicate
def manages_continuity(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), CONTINUITY_MANAGERS)


@rules.predicate
def decides_after_failure(user, obj=None) -> bool:
    return has_any_role(user, council_of(obj), FAILURE_DECIDERS)


rules.add_perm("monitoring.read_continuity", reads_continuity)
rules.add_perm("monitoring.manage_continuity", manages_continuity)
rules.add_perm("monitoring.decide_after_failure", decides_after_failure)

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
# Savings realised under one agreement: commissioners and finance officers record; finance officers confirm.
rules.add_perm("monitoring.record_savings", can_read_agreement & records_savings)
rules.add_perm("monitoring.confirm_savings", can_read_agreement & confirms_savings)
# Payment terms and clauses of one agreement: commissioners record them (by variation once it is live).
rules.add_perm("monitoring.edit_terms", can_read_agreement & edits_terms)
# The remedies log of one agreement: whoever reads the agreement reads it; its editors record, withdraw
# and close out; the provider's people read and answer their own (on the provider pages).
rules.add_perm("monitoring.read_remedies", can_read_agreement)
rules.add_perm("monitoring.record_remedy", can_read_agreement & records_remedies)
rules.add_perm("monitoring.respond_to_remedy", is_providers_agreement)
# Reporting by outcome: the index of outcomes (on the council) and one outcome's report.
rules.add_perm("monitoring.list_outcome_reports", reads_outcome_reports)
rules.add_perm("monitoring.read_outcome_report", reads_outcome_report)
# On the council: the quarterly payments over £30,000, as a file for Find a Tender.
rules.add_perm("monitoring.download_payments_over_30000", is_notice_reader)
# On the council: its notices page. On one notice: reading it, and recording its publication.
rules.add_perm("monitoring.list_notices", is_notice_reader)
rules.add_perm("monitoring.read_notice", is_notice_reader)
rules.add_perm("monitoring.publish_notice", is_notice_officer)
# On the council: the scrutiny progress report, on screen, as a PDF and as a workbook.
rules.add_perm("monitoring.read_scrutiny_report", is_scrutiny_report_reader)
