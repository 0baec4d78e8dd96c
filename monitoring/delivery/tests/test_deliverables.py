"""Deliverables: set by commissioners within the agreement's dates, reported achieved by the provider in
a return, accepted or refused with the reason in review; a linked milestone payment is payable only
once its deliverable is accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from monitoring import records
from monitoring.delivery import deliverables as services
from monitoring.delivery import selectors
from monitoring.delivery.tests.factories import add_deliverable, evidence_pdf, milestone_agreement, report
from monitoring.models import Deliverable, DeliverableState, MonitoringReturn, PaymentKind
from monitoring.tests.returns_factories import accept, query, returns_of, reviewer, submit, writer

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(council, people):
    return milestone_agreement(council)


@pytest.fixture
def milestone(agreement):
    return agreement.payments.get(kind=PaymentKind.MILESTONE)


def test_a_deliverable_is_due_within_the_agreement(agreement, people):
    for due_on in (agreement.starts_on - timedelta(days=1), agreement.ends_on + timedelta(days=1)):
        with pytest.raises(ValidationError, match="due within the agreement"):
            add_deliverable(agreement, due_on=due_on)
    assert add_deliverable(agreement, due_on=agreement.ends_on).state == DeliverableState.PENDING
    assert AuditEvent.objects.filter(event_type="agreement.deliverable.added").count() == 1


def test_only_a_milestone_payment_of_the_agreement_is_triggered_once(agreement, milestone, council):
    instalment = agreement.payments.filter(kind=PaymentKind.INSTALMENT).first()
    with pytest.raises(ValidationError, match="milestone"):
        add_deliverable(agreement, payment=instalment)
    add_deliverable(agreement, payment=milestone)
    with pytest.raises(ValidationError, match="already triggered"):
        add_deliverable(agreement, title="Another", payment=milestone)
    other = milestone_agreement(council, live=False)
    with pytest.raises(PermissionDenied):
        add_deliverable(agreement, title="Foreign", payment=other.payments.first())
    assert Deliverable.objects.filter(agreement=agreement).count() == 1


@pytest.mark.parametrize(
    "role", [Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, Role.PROCUREMENT_OFFICER, "other_council_officer"]
)
def test_only_commissioners_set_deliverables(agreement, people, role):
    with pytest.raises(PermissionDenied):
        add_deliverable(agreement, by=people[role])
    assert not Deliverable.objects.exists()


def test_the_payment_is_payable_only_once_the_deliverable_is_accepted(agreement, milestone):
    assert services.payment_refusal(milestone) == ""
    deliverable = add_deliverable(agreement, payment=milestone)
    first = returns_of(agreement)[0]
    milestone.refresh_from_db()
    assert "once the deliverable ‘Community hub opened’ is accepted" in services.payment_refusal(milestone)

    report(deliverable, first, document=evidence_pdf())
    submit(first)
    milestone.refresh_from_db()
    assert "reported achieved" in services.payment_refusal(milestone)

    services.deliverable_accept(by=reviewer(agreement), deliverable=deliverable, monitoring_return=first)
    milestone.refresh_from_db()
    assert services.payment_refusal(milestone) == ""
    event = AuditEvent.objects.get(event_type="deliverable.accept")
    assert event.extra["payment_payable"] == "Community hub opened"


def test_reporting_refuses_bad_input_and_changes_nothing(agreement):
    deliverable = add_deliverable(agreement)
    first, second = returns_of(agreement)[:2]
    today = timezone.localdate()
    cases = [
        ({"achieved_on": today + timedelta(days=1)}, "cannot be in the future"),
        ({"achieved_on": agreement.starts_on - timedelta(days=1)}, "before the agreement started"),
        ({"text": ""}, "Describe the evidence"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError, match=message):
            report(deliverable, first, **kwargs)
    later = add_deliverable(agreement, title="Later", due_on=second.period_end)
    with pytest.raises(ValidationError, match="report it in the return for the period"):
        report(later, first)
    hostile = SimpleUploadedFile("opening.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        report(deliverable, first, document=hostile)
    deliverable.refresh_from_db()
    assert deliverable.state == DeliverableState.PENDING
    assert deliverable.achieved_on is None
    assert not deliverable.evidence_document


def test_only_the_providers_return_writers_report_and_only_while_the_return_is_with_them(agreement, people):
    deliverable = add_deliverable(agreement)
    first = returns_of(agreement)[0]
    for outsider in (people["provider_admin"], people[Role.COMMISSIONING_OFFICER]):
        with pytest.raises(PermissionDenied):
            report(deliverable, first, by=outsider)
    submit(first)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        report(deliverable, first)
    assert Deliverable.objects.get(pk=deliverable.pk).state == DeliverableState.PENDING


def test_refused_with_a_reason_then_reported_again_in_a_later_return(agreement, people):
    deliverable = add_deliverable(agreement)
    first, second = returns_of(agreement)[:2]
    report(deliverable, first)
    submit(first)
    officer = reviewer(agreement)
    with pytest.raises(ValidationError, match="reason"):
        services.deliverable_refuse(by=officer, deliverable=deliverable, monitoring_return=first, reason=" ")
    with pytest.raises(PermissionDenied):
        services.deliverable_accept(by=writer(agreement), deliverable=deliverable, monitoring_return=first)
    with pytest.raises(PermissionDenied):
        services.deliverable_accept(by=officer, deliverable=deliverable, monitoring_return=second)
    refused = services.deliverable_refuse(
        by=officer, deliverable=deliverable, monitoring_return=first, reason="No photographs of the opening."
    )
    assert refused.state == DeliverableState.NOT_ACCEPTED
    assert refused.refusal_reason == "No photographs of the opening."
    assert AuditEvent.objects.filter(event_type="deliverable.refuse", reason="No photographs of the opening.").exists()
    # The refused deliverable is on the next return's list, and reported there afresh.
    assert deliverable in selectors.return_deliverables(second)
    again = report(deliverable, second, text="Photographs attached.", document=evidence_pdf())
    assert again.state == DeliverableState.REPORTED
    assert again.reported_in == second
    assert again.refusal_reason == ""
    submit(second)
    assert (
        services.deliverable_accept(by=officer, deliverable=again, monitoring_return=second).state
        == DeliverableState.ACCEPTED
    )
    with pytest.raises(TransitionRefused):
        services.deliverable_refuse(by=officer, deliverable=again, monitoring_return=second, reason="Changed my mind")


def test_decided_only_while_the_return_is_reviewed(agreement):
    deliverable = add_deliverable(agreement)
    first = returns_of(agreement)[0]
    report(deliverable, first)
    submit(first)
    query(first)
    with pytest.raises(ValidationError, match="being reviewed"):
        services.deliverable_accept(by=reviewer(agreement), deliverable=deliverable, monitoring_return=first)
    # Back with the provider: the report may be corrected, then decided once the return is accepted.
    report(deliverable, first, text="Corrected evidence")
    submit(first, answer="Forty, twelve of them new.")
    accept(first)
    decided = services.deliverable_accept(by=reviewer(agreement), deliverable=deliverable, monitoring_return=first)
    assert decided.is_accepted
    assert decided.evidence_text == "Corrected evidence"


def test_a_reported_deliverable_no_longer_changes(agreement):
    deliverable = add_deliverable(agreement)
    report(deliverable, returns_of(agreement)[0])
    deliverable.title = "Something else"
    with pytest.raises(ValidationError, match="no longer changes"):
        services.deliverable_save(
            by=reviewer(agreement), agreement=agreement, deliverable=Deliverable.objects.get(pk=deliverable.pk)
        )


def test_the_return_lists_what_is_due_by_its_period_end(agreement):
    first, second = returns_of(agreement)[:2]
    early = add_deliverable(agreement, title="Early")
    late = add_deliverable(agreement, title="Late", due_on=second.period_end)
    assert selectors.return_deliverables(first) == [early]
    assert selectors.return_deliverables(second) == [early, late]
    report(early, first)
    # Reported in the first: the second return no longer offers it.
    assert selectors.return_deliverables(second) == [late]
    assert selectors.return_deliverables(first) == [early]


def test_retention_empties_the_evidence_with_the_returns(agreement):
    deliverable = add_deliverable(agreement)
    first = returns_of(agreement)[0]
    report(deliverable, first, document=evidence_pdf())
    assert records.returns_due(first.period_end + timedelta(days=365 * 7)).filter(pk=first.pk).exists()
    records.returns_apply(MonitoringReturn.objects.filter(pk=first.pk), timezone.localdate())
    deliverable.refresh_from_db()
    assert deliverable.evidence_text == ""
    assert not deliverable.evidence_document
    assert deliverable.state == DeliverableState.REPORTED
