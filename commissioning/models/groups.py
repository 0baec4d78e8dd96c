"""Member working groups: the councillors a portfolio holder names to take part in a commission's work.

A group belongs to exactly one commission (a check constraint keeps it so, ready for reviews to own
groups too). Members read the commission's working documents and comment on them, and nothing else:
their comments are the commission's engagement log (`EngagementActivity` of kind "working group").
Leaving a group ends the membership (`removed_at`) rather than deleting it, so the record of who took
part, and when, stays with the commission.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models.cycle import Commission
from councils.models import Council

__all__ = ["WorkingGroup", "WorkingGroupMember"]


class WorkingGroup(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="working_groups")
    commission = models.OneToOneField(
        Commission, null=True, blank=True, on_delete=models.CASCADE, related_name="working_group"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(commission__isnull=False), name="working_group_has_one_subject"),
        ]

    def __str__(self) -> str:
        return f"Working group of {self.subject}"

    @property
    def subject(self):
        """What the group works on (its commission)."""
        return self.commission


class WorkingGroupMemberQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class WorkingGroupMember(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="working_groups")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = WorkingGroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], condition=Q(removed_at__isnull=True), name="working_group_member_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "removed_at"], name="working_group_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} on the {self.group}"

    @property
    def council(self) -> Council:
        return self.group.council
