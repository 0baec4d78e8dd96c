"""Writes for member working groups: naming and removing members, and members' comments.

Each write checks its permission on the commission (the views check it too), is audited on the
commission, and runs in one transaction. Naming someone tells them (`councils.handoffs.tell`), in
the app and by email, with a link to the group's page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.groups import selectors
from commissioning.models import (
    STAGE_OF_STATE,
    Commission,
    EngagementActivity,
    EngagementKind,
    WorkingGroup,
    WorkingGroupMember,
)
from councils import handoffs
from councils.models import ReminderKind, User
from councils.services import audit_record

COMMENT_MAX_LENGTH = 5000


def _require(user: User, perm: str, commission: Commission) -> None:
    if not user.has_perm(perm, commission):
        raise PermissionDenied


def group_page(commission: Commission) -> str:
    return reverse("commissioning:working_group", kwargs={"council_slug": commission.council.slug, "pk": commission.pk})


@transaction.atomic
def working_group_add(*, by: User, commission: Commission, user: User) -> WorkingGroupMember:
    """Name a councillor to the commission's working group (the group is made with its first member)."""
    _require(by, "commissioning.manage_working_group", commission)
    # Lock the commission: two namings at once make one group, and each person is named once.
    Commission.objects.select_for_update().filter(pk=commission.pk).first()
    if selectors.is_closed(commission):
        raise ValidationError("This commission has ended: its working group is closed.")
    if not selectors.eligible_councillors(commission).filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose a councillor of this council who is not in the group already."})
    if selectors.walled_off(user, commission):
        raise ValidationError(
            {"user": f"{user} acts for an organisation that bid for this commission: they cannot take part."}
        )
    group, _ = WorkingGroup.objects.get_or_create(commission=commission, defaults={"council": commission.council})
    member = WorkingGroupMember.objects.create(group=group, user=user, added_by=by)
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.working_group.member_added",
        obj=commission,
        extra={"member": user.full_name, "member_id": user.pk},
    )
    tell_named(member, commission)
    return member


def tell_named(member: WorkingGroupMember, commission: Commission) -> None:
    """Tell a councillor they are on the group, with the page where they read and comment."""
    handoffs.tell(
        about=member,
        kind=ReminderKind.WORKING_GROUP_NAMED,
        users=[member.user],
        title=f"You are on the working group of {commission.reference}: {commission.title}",
        body=f"{member.added_by} has named you to the member working group of {commission.reference}: "
        f"{commission.title} ({commission.council.name}). Read its needs assessment, options and "
        "specification as they take shape, and comment on them: your comments go into its engagement log.",
        path=group_page(commission),
        occurrence=f"named:{member.pk}",
        may_open=lambda user, _member: user.has_perm("commissioning.read_working_group", commission),
    )


@transaction.atomic
def working_group_remove(*, by: User, commission: Commission, member: WorkingGroupMember) -> None:
    """Take a councillor off the group. Their comments stay in the engagement log."""
    _require(by, "commissioning.manage_working_group", commission)
    if member.group.commission_id != commission.pk or member.removed_at is not None:
        raise PermissionDenied
    member.removed_at = timezone.now()
    member.removed_by = by
    member.save(update_fields=["removed_at", "removed_by"])
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.working_group.member_removed",
        obj=commission,
        extra={"member": member.user.full_name, "member_id": member.user_id},
    )


@transaction.atomic
def working_group_comment(*, by: User, commission: Commission, about: str, text: str) -> EngagementActivity:
    """A member's comment on a working document, written into the commission's engagement log."""
    _require(by, "commissioning.comment_in_working_group", commission)
    if selectors.is_closed(commission):
        raise ValidationError("This commission has ended: the working group can no longer comment.")
    if about not in selectors.WORKING_DOCUMENTS:
        raise ValidationError({"about": "Choose the document your comment is about."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter your comment."})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer."})
    activity = EngagementActivity(
        commission=commission,
        cycle=commission.cycle,
        stage=STAGE_OF_STATE[commission.state],
        kind=EngagementKind.WORKING_GROUP,
        held_on=timezone.localdate(),
        participants=f"{by.full_name} (member working group)",
        number_of_participants=1,
        what_we_heard=text,
        author=by,
        about=selectors.WORKING_DOCUMENTS[about],
    )
    activity.full_clean()
    activity.save()
    audit_record(
        council=commission.council,
        actor=by,
        event_type="commission.working_group.commented",
        obj=commission,
        extra={"about": activity.about},
    )
    return activity
