"""The demo's deliverables and agreement risks: on Riverside Residents Association's agreement, one
deliverable reported in a return and accepted in its review, one still to come, and a register that
carried the commission's risks over and added one of its own."""

from __future__ import annotations

import pytest

from demo.delivery import DEMO_PROVIDER
from monitoring.models import Agreement, DeliverableState, ReturnState

pytestmark = pytest.mark.django_db


def test_one_demo_agreement_has_an_accepted_and_a_due_deliverable_and_its_risks(demo_data):
    (agreement,) = Agreement.objects.filter(deliverables__isnull=False).distinct()
    assert agreement.provider.legal_name == DEMO_PROVIDER
    accepted, due = agreement.deliverables.order_by("due_on")
    assert accepted.state == DeliverableState.ACCEPTED
    assert accepted.reported_in.state == ReturnState.ACCEPTED
    assert accepted.achieved_on <= accepted.reported_in.period_end
    assert due.state == DeliverableState.PENDING
    assert agreement.risks.filter(commission_risk__isnull=True).count() == 1
    assert agreement.risks.count() == 1 + agreement.commission.risks.filter(cycle=agreement.cycle).count()
