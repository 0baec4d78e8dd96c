"""Deliverables: what an agreement says the provider will have delivered by a date (a report, a
building opened, a service launched), and the milestone payment each may trigger.

The provider reports a deliverable as achieved in a monitoring return (the achieved date and its
evidence, in words and/or a file); a commissioner accepts it, or refuses it with the reason, when
reviewing that return. A refused deliverable may be reported again in a later return. A milestone
payment linked to a deliverable is payable only once the deliverable is accepted.

Its state is a protected FSM field; only the workflow engine (`councils.workflow`) takes the
transitions, through `monitoring.delivery.deliverables`.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.db import models
from django.db.models import Q

from councils.models import Council
from councils.permissions import DELIVERABLE_MANAGERS, has_any_role
from councils.state_field import StateField
from councils.uploads import PrivateFileField
from monitoring.models.agreements import Agreement
from monitoring.models.payment_schedule import ScheduledPayment
from monitoring.models.returns import RETURN_WRITERS, MonitoringReturn
from providers.models import OrganisationMember

__all__ = [
    "Deliverable",
    "DeliverableState",
    "can_decide_deliverable",
    "can_report_deliverable",
    "payment_awaits_deliverable",
]


class DeliverableState(models.TextChoices):
    PENDING = "pending", "Not reported yet"
    REPORTED = "reported", "Reported achieved: awaiting the council"
    ACCEPTED = "accepted", "Accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


def can_report_deliverable(deliverable, user) -> bool:
    """The provider's administrators and monitoring contacts: those who write its returns."""
    provider_id = deliverable.agreement.provider_id
    if provider_id is None or not user.is_authenticated:
        return False
    return OrganisationMember.objects.filter(user=user, organisation_id=provider_id, role__in=RETURN_WRITERS).exists()


def can_decide_deliverable(deliverable, user) -> bool:
    return has_any_role(user, deliverable.agreement.council, DELIVERABLE_MANAGERS)


class Deliverable(fsm.ConcurrentTransitionMixin, models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What counts as delivered, and how it will be evidenced.")
    due_on = models.DateField()
    # The milestone payment it triggers: a payment is triggered by one deliverable at most.
    payment = models.OneToOneField(
        ScheduledPayment, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverable"
    )
    state = StateField(default=DeliverableState.PENDING, choices=DeliverableState.choices, protected=True)
    # What the provider reported, in the return it reported it in.
    achieved_on = models.DateField(null=True, blank=True)
    evidence_text = models.TextField(blank=True)
    evidence_document = PrivateFileField(folder="deliverables", blank=True)
    reported_in = models.ForeignKey(
        MonitoringReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="deliverables"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    # The council's decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DeliverableState.values), name="deliverable_state_valid"),
            models.CheckConstraint(
                condition=Q(state=DeliverableState.PENDING) | Q(achieved_on__isnull=False),
                name="deliverable_reported_with_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliverableState.NOT_ACCEPTED) | ~Q(refusal_reason=""),
                name="deliverable_refusal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["agreement", "due_on"])]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_on:%d/%m/%Y})"

    @property
    def council(self) -> Council:
        return self.agreement.council

    @property
    def is_accepted(self) -> bool:
        return self.state == DeliverableState.ACCEPTED

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_text.strip() or self.evidence_document)

    # --- transitions: taken only through the workflow engine, by monitoring.delivery.deliverables ----
    @fsm.transition(
        field=state,
        # Reported again: corrected while the return is still with the provider, or after a refusal.
        source=[DeliverableState.PENDING, DeliverableState.REPORTED, DeliverableState.NOT_ACCEPTED],
        target=DeliverableState.REPORTED,
        permission=can_report_deliverable,
        custom={"label": "Report as achieved", "internal": True, "effects": ("report",)},
    )
    def report(self, *, by, reason=""):
        self.decided_by = self.decided_at = None
        self.refusal_reason = ""

    @fsm.transition(
        field=state,
        source=DeliverableState.REPORTED,
        target=DeliverableState.ACCEPTED,
        permission=can_decide_deliverable,
        custom={"label": "Accept the deliverable", "internal": True, "effects": ("decision",)},
    )
    def accept(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=DeliverableState.REPORTED,
        target=DeliverableState.NOT_ACCEPTED,
        permission=can_decide_deliverable,
        custom={"label": "Do not accept it", "internal": True, "needs_reason": True, "effects": ("decision",)},
    )
    def refuse(self, *, by, reason):
        self.refusal_reason = reason


def payment_awaits_deliverable(payment: ScheduledPayment) -> Deliverable | None:
    """The deliverable a payment waits for (None when it is payable as far as deliverables go). Reads
    the reverse one-to-one: select_related("deliverable") keeps it to the payments' own query."""
    try:
        deliverable = payment.deliverable
    except Deliverable.DoesNotExist:
        return None
    return None if deliverable.is_accepted else deliverable
