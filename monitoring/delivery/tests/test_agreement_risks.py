"""The agreement risk register: the commission's risks carried over when an agreement is drafted
(directly or from the award), and kept up by commissioners."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.models import Risk
from commissioning.tests.award_factories import approved_award, signed_off_evaluation
from councils.models import AuditEvent, Role
from monitoring.delivery import risks as services
from monitoring.delivery.selectors import agreement_risks
from monitoring.delivery.tests.factories import agreement_risk, commission_risk, milestone_agreement
from monitoring.models import Agreement, AgreementRisk, AgreementRiskStatus
from monitoring.tests.factories import agreeing_commission, draft_agreement

pytestmark = pytest.mark.django_db


def test_the_commissions_risks_become_the_drafts_starting_register(council, people):
    commission = agreeing_commission(council)
    carried = commission_risk(commission)
    expected = Risk.objects.filter(commission=commission, cycle=commission.cycle).count()
    agreement = draft_agreement(council, commission=commission)
    assert agreement.risks.count() == expected
    risk = agreement.risks.get(commission_risk=carried)
    assert (risk.description, risk.likelihood, risk.impact, risk.rating) == (carried.description, 3, 4, 12)
    assert risk.mitigation == carried.mitigation
    assert risk.status == AgreementRiskStatus.OPEN
    assert risk.owner == agreement.council_contact
    assert commission.reference in risk.carried_from
    assert "Jo Bloggs" in risk.carried_from
    assert AuditEvent.objects.filter(event_type="agreement.risks_carried_over", extra__risks=expected).exists()
    # The agreement's register is its own: changing it leaves the commission's alone.
    risk.likelihood = 1
    services.agreement_risk_save(by=people[Role.COMMISSIONING_OFFICER], agreement=agreement, risk=risk)
    carried.refresh_from_db()
    assert carried.likelihood == 3


def test_a_commission_without_risks_drafts_an_empty_register(council, people):
    commission = agreeing_commission(council)
    Risk.objects.filter(commission=commission).delete()
    agreement = draft_agreement(council, commission=commission)
    assert not agreement.risks.exists()
    assert not AuditEvent.objects.filter(event_type="agreement.risks_carried_over").exists()


def test_the_award_carries_the_risks_over_to_every_winning_bids_agreement(council, people):
    world = signed_off_evaluation(council)
    commission_risk(world.opportunity.commission, description="The market is thin")
    approved_award(council, world=world)
    agreements = list(Agreement.objects.filter(commission=world.opportunity.commission))
    assert agreements
    for agreement in agreements:
        assert "The market is thin" in [r.description for r in agreement.risks.all()]
        assert agreement.risks.count() == Risk.objects.filter(commission=world.opportunity.commission).count()


def test_the_register_refuses_bad_input_and_outsiders(council, people):
    agreement = milestone_agreement(council, live=False)
    carried = AgreementRisk.objects.count()
    with pytest.raises(ValidationError, match="officer of this council"):
        agreement_risk(agreement, owner=people["other_council_officer"])
    with pytest.raises(ValidationError):
        agreement_risk(agreement, likelihood=6)
    with pytest.raises(ValidationError, match="Describe the risk"):
        agreement_risk(agreement, description="  ")
    for role in (Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, "provider_admin"):
        with pytest.raises(PermissionDenied):
            services.agreement_risk_save(
                by=people[role],
                agreement=agreement,
                risk=AgreementRisk(agreement=agreement, description="A", likelihood=1, impact=1),
            )
    assert AgreementRisk.objects.count() == carried


def test_the_register_lists_open_risks_first_highest_rated_first(council, people):
    agreement = milestone_agreement(council, live=False)
    low = agreement_risk(agreement, description="Low", likelihood=1, impact=2)
    high = agreement_risk(agreement, description="High", likelihood=4, impact=5, owner=people[Role.FINANCE_OFFICER])
    closed = agreement_risk(agreement, description="Closed", likelihood=5, impact=5, status=AgreementRiskStatus.CLOSED)
    AgreementRisk.objects.exclude(pk__in=[low.pk, high.pk, closed.pk]).delete()
    assert agreement_risks(agreement) == [high, low, closed]
    assert AuditEvent.objects.filter(event_type="agreement.risk.added").count() == 3
