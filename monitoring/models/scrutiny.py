"""Scrutiny's own records: notes on a commission, and commissions flagged for the committee's agenda.

Scrutiny gives assurance and does not decide: these two records (and calling in a key decision,
which belongs to the award) are the only things a scrutiny member writes. Only
`monitoring.scrutiny_services` writes them. A note is a record of what scrutiny asked or found, so it
is never changed or deleted afterwards; a flag is resolved once the committee has dealt with it.

The permissions are registered here, beside the records they guard, because the commission page
asks for them in its template whatever has been imported before.
"""

from __future__ import annotations

import rules
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.models import Commission
from councils.models import Council, Role
from councils.permissions import council_of, has_any_role

__all__ = ["AgendaFlag", "ScrutinyNote", "is_scrutiny_member"]


class ScrutinyRecordQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("commission", *self.model.PEOPLE)

    def open(self):
        """Agenda flags the committee has not dealt with yet."""
        return self.filter(resolved_at__isnull=True)

    def resolved(self):
        return self.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")

    def by_state(self) -> dict[str, list]:
        """The open flags and the resolved ones (latest dealt with first) from one query, for a page
        that shows both."""
        flags = list(self.with_people())
        resolved = [flag for flag in flags if flag.resolved_at is not None]
        resolved.sort(key=lambda flag: (flag.resolved_at, flag.pk), reverse=True)
        return {"open": [flag for flag in flags if flag.resolved_at is None], "resolved": resolved}


class ScrutinyNote(models.Model):
    """A scrutiny member's note on a commission: a question, a concern, or what they found."""

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="scrutiny_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    PEOPLE = ("author",)
    objects = ScrutinyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["commission", "-created_at"])]

    def __str__(self) -> str:
        return f"Scrutiny note on {self.commission.reference} by {self.author}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Scrutiny notes are never changed: add another note instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Scrutiny notes are never deleted.")

    @property
    def council(self) -> Council:
        return self.commission.council


class AgendaFlag(models.Model):
    """A commission a scrutiny member wants on the committee's agenda, why, and for which meeting."""

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="agenda_flags")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField(null=True, blank=True, help_text="The committee meeting it is for, if known.")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text="What the committee did about it.")

    PEOPLE = ("flagged_by", "resolved_by")
    objects = ScrutinyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_on", "created_at", "id"]
        constraints = [
            # One open flag per commission, so "everything flagged for the agenda" lists it once.
            models.UniqueConstraint(
                fields=["commission"], condition=Q(resolved_at__isnull=True), name="one_open_agenda_flag"
            ),
        ]
        indexes = [models.Index(fields=["commission", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.commission.reference} flagged for the scrutiny agenda"

    @property
    def council(self) -> Council:
        return self.commission.council

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


@rules.predicate
def is_scrutiny_member(user, obj=None) -> bool:
    """On a council, a commission or a scrutiny record: the user sits on that council's scrutiny committee."""
    return has_any_role(user, council_of(obj), (Role.SCRUTINY_MEMBER,))


# On a commission: adding a note, flagging it for the agenda (and resolving the flag).
rules.add_perm("monitoring.add_scrutiny_note", is_scrutiny_member)
rules.add_perm("monitoring.flag_for_agenda", is_scrutiny_member)
