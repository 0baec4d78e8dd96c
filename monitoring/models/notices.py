"""The notices a council publishes on Find a Tender under the Procurement Act 2023 (UK1–UK17), the
Provider Selection Regime's notices, and the quarterly publication of payments over £30,000.

Each notice is generated from the council's own records by the kind that requires it
(`monitoring.notices.kinds`), and moves through its own state machine:

    draft ⇄ ready → published (with the Find a Tender identifier and day)
      │       │
      └───────┴──→ not needed (with the reason) → draft

Only `monitoring.notices.services` writes here; its state moves only through the workflow engine.
"""

from __future__ import annotations

import django_fsm as fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from commissioning.models import Commission
from councils.models import Council, Role
from councils.permissions import NOTICE_OFFICERS, has_any_role
from councils.state_field import StateField

__all__ = ["Notice", "NoticeState", "NoticeType"]


class NoticeType(models.TextChoices):
    UK1 = "UK1", "UK1 pipeline notice"
    UK2 = "UK2", "UK2 preliminary market engagement notice"
    UK3 = "UK3", "UK3 planned procurement notice"
    UK4 = "UK4", "UK4 tender notice"
    UK5 = "UK5", "UK5 transparency notice"
    UK6 = "UK6", "UK6 contract award notice"
    UK7 = "UK7", "UK7 contract details notice"
    UK9 = "UK9", "UK9 contract performance notice"
    UK10 = "UK10", "UK10 contract change notice"
    UK11 = "UK11", "UK11 contract termination notice"
    UK12 = "UK12", "UK12 procurement termination notice"
    UK17 = "UK17", "UK17 payments compliance notice"
    PAYMENTS = "PAY30K", "Payments over £30,000 (quarterly publication)"
    PSR_INTENT = "PSR_INTENT", "Provider Selection Regime: intention to award"
    PSR_AWARD = "PSR_AWARD", "Provider Selection Regime: confirmation of award"


class NoticeState(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready to publish"
    PUBLISHED = "published", "Published"
    NOT_NEEDED = "not_needed", "Not needed"


# Notices someone else than the notice officers must approve before they are ready (s.69: the
# payments compliance notice is the section 151 officer's).
APPROVERS = {NoticeType.UK17: (Role.FINANCE_OFFICER,)}


def can_prepare_notice(notice, user) -> bool:
    return has_any_role(user, notice.council, APPROVERS.get(notice.notice_type, NOTICE_OFFICERS))


def is_notice_officer(notice, user) -> bool:
    return has_any_role(user, notice.council, NOTICE_OFFICERS)


class Notice(fsm.ConcurrentTransitionMixin, models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="notices")
    # Empty for a council's own notices (payments compliance, payments over £30,000, the pipeline).
    commission = models.ForeignKey(Commission, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    notice_type = models.CharField(max_length=12, choices=NoticeType.choices)
    # What the notice is about, unique per commission (or, for the council's own, per council) and
    # type: "cycle:1", "award:12", "agreement:40", "variation:7", "2026-04-01" (a period).
    subject = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    state = StateField(default=NoticeState.DRAFT, choices=NoticeState.choices, protected=True)
    optional = models.BooleanField(default=False, help_text="The council may publish it, but need not.")
    due_on = models.DateField(null=True, blank=True)
    due_rule = models.TextField(help_text="When the notice is due, and the rule that says so.")
    # The OCDS release, as generated from the records (kept as published once published).
    data = models.JSONField(default=dict)
    generated_at = models.DateTimeField(null=True, blank=True)
    fat_identifier = models.CharField("Find a Tender notice identifier", max_length=60, blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    not_needed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # A commission's notices are told apart within the commission (every commission has a
            # "cycle:1"), the council's own within the council.
            models.UniqueConstraint(
                fields=["commission", "notice_type", "subject"],
                condition=Q(commission__isnull=False),
                name="one_notice_per_commission_subject",
            ),
            models.UniqueConstraint(
                fields=["council", "notice_type", "subject"],
                condition=Q(commission__isnull=True),
                name="one_council_notice_per_subject",
            ),
            models.CheckConstraint(condition=Q(state__in=NoticeState.values), name="notice_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=NoticeState.PUBLISHED) | (~Q(fat_identifier="") & Q(published_on__isnull=False)),
                name="published_notice_identified",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "state", "due_on"]),
            models.Index(fields=["commission", "notice_type"]),
        ]

    def __str__(self) -> str:
        return f"{self.notice_type}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:notice_detail", kwargs={"council_slug": self.council.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state in (NoticeState.DRAFT, NoticeState.READY)

    # --- transitions: taken only through the workflow engine ---------------------------------
    @fsm.transition(
        field=state,
        source=NoticeState.DRAFT,
        target=NoticeState.READY,
        permission=can_prepare_notice,
        custom={
            "label": "Mark as ready to publish",
            "gate": "missing_to_mark_ready",
            "effects": ("refresh",),
            "tells": ("notice_to_publish",),
        },
    )
    def mark_ready(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=NoticeState.READY,
        target=NoticeState.DRAFT,
        permission=is_notice_officer,
        custom={"label": "Reopen the draft to correct it", "back_step": True},
    )
    def reopen(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=NoticeState.READY,
        target=NoticeState.PUBLISHED,
        permission=is_notice_officer,
        custom={
            "label": "Record it as published",
            "gate": "missing_to_publish",
            "internal": True,
            "effects": ("publication", "published_hooks"),
        },
    )
    def publish(self, *, by, reason=""):
        pass

    @fsm.transition(
        field=state,
        source=[NoticeState.DRAFT, NoticeState.READY],
        target=NoticeState.NOT_NEEDED,
        permission=is_notice_officer,
        custom={"label": "Record that it is not needed", "needs_reason": True, "effects": ("not_needed",)},
    )
    def set_aside(self, *, by, reason):
        pass

    @fsm.transition(
        field=state,
        source=NoticeState.NOT_NEEDED,
        target=NoticeState.DRAFT,
        permission=is_notice_officer,
        custom={"label": "It is needed after all", "needs_reason": True, "effects": ("needed",)},
    )
    def restore(self, *, by, reason):
        pass
