"""Member working groups: the councillors a portfolio holder names to take part in a review of existing
services or in a commission.

A group belongs to exactly one review or one commission (a check constraint keeps it so). Members read
its working documents and comment on them, and nothing else: on a commission their comments go into
its engagement log (`EngagementActivity` of kind "working group"), on a review into the review's own
log (`WorkingGroupComment`).
Leaving a group ends the membership (`removed_at`) rather than deleting it, so the record of who took
part, and when, stays with the commission.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models.cycle import Commission
from commissioning.models.reviews import Review
from councils.models import Council

__all__ = ["WorkingGroup", "WorkingGroupComment", "WorkingGroupMember"]


class WorkingGroup(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="working_groups")
    commission = models.OneToOneField(
        Commission, null=True, blank=True, on_delete=models.CASCADE, related_name="working_group"
    )
    review = models.OneToOneField(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="working_group")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission__isnull=False, review__isnull=True)
                | Q(commission__isnull=True, review__isnull=False),
                name="working_group_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Working group of {self.subject}"

    @property
    def subject(self):
        """What the group works on: its review or its commission."""
        return self.review or self.commission


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


class WorkingGroupComment(models.Model):
    """A member's comment on a review's working documents: the review's engagement log. (A commission's
    comments are rows of its own engagement log, `EngagementActivity`.)"""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    about = models.CharField(max_length=60)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.about}"

    @property
    def council(self) -> Council:
        return self.group.council
