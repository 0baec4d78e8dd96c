"""Writes for member working groups: naming and removing members, and members' comments.

A group works on a review or a commission, its *subject*. Each write checks its permission on the
subject (the views check it too), is audited on it, and runs in one transaction. Naming someone tells
them (`councils.handoffs.tell`), in the app and by email, with a link to the group's page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.groups import selectors
from commissioning.models import (
    STAGE_OF_STATE,
    Commission,
    EngagementActivity,
    EngagementKind,
    Review,
    WorkingGroup,
    WorkingGroupComment,
    WorkingGroupMember,
)
from councils import handoffs
from councils.models import ReminderKind, User
from councils.services import audit_record

COMMENT_MAX_LENGTH = 5000


def _require(user: User, perm: str, subject) -> None:
    if not user.has_perm(perm, subject):
        raise PermissionDenied


def _audit(by: User, subject, event: str, **extra) -> None:
    kind = selectors.kind_of(subject).field
    audit_record(
        council=subject.council, actor=by, event_type=f"{kind}.working_group.{event}", obj=subject, extra=extra
    )


def _ended(subject) -> str:
    return f"This {selectors.kind_of(subject).label} has ended: its working group is closed."


@transaction.atomic
def working_group_add(*, by: User, subject, user: User) -> WorkingGroupMember:
    """Name a councillor to the subject's working group (the group is made with its first member)."""
    _require(by, "commissioning.manage_working_group", subject)
    # Lock the subject: two namings at once make one group, and each person is named once.
    type(subject).objects.select_for_update().filter(pk=subject.pk).first()
    if selectors.is_closed(subject):
        raise ValidationError(_ended(subject))
    if not selectors.eligible_councillors(subject).filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose a councillor of this council who is not in the group already."})
    if selectors.walled_off(user, subject):
        raise ValidationError(
            {"user": f"{user} acts for an organisation that bid for this commission: they cannot take part."}
        )
    group, _ = WorkingGroup.objects.get_or_create(
        **selectors.subject_lookup(subject), defaults={"council": subject.council}
    )
    member = WorkingGroupMember.objects.create(group=group, user=user, added_by=by)
    _audit(by, subject, "member_added", member=user.full_name, member_id=user.pk)
    tell_named(member, subject)
    return member


def tell_named(member: WorkingGroupMember, subject) -> None:
    """Tell a councillor they are on the group, with the page where they read and comment."""
    kind = selectors.kind_of(subject).label
    handoffs.tell(
        about=member,
        kind=ReminderKind.WORKING_GROUP_NAMED,
        users=[member.user],
        title=f"You are on the working group of {subject.reference}: {subject.title}",
        body=f"{member.added_by} has named you to the member working group of the {kind} {subject.reference}: "
        f"{subject.title} ({subject.council.name}). Read its working documents as they take shape and "
        f"comment on them: your comments go into the {kind}'s engagement log.",
        path=selectors.group_url(subject),
        occurrence=f"named:{member.pk}",
        may_open=lambda user, _member: user.has_perm("commissioning.read_working_group", subject),
    )


@transaction.atomic
def working_group_remove(*, by: User, subject, member: WorkingGroupMember) -> None:
    """Take a councillor off the group. Their comments stay in the engagement log."""
    _require(by, "commissioning.manage_working_group", subject)
    if member.group.subject != subject or member.removed_at is not None:
        raise PermissionDenied
    member.removed_at = timezone.now()
    member.removed_by = by
    member.save(update_fields=["removed_at", "removed_by"])
    _audit(by, subject, "member_removed", member=member.user.full_name, member_id=member.user_id)


@transaction.atomic
def working_group_comment(*, by: User, subject, about: str, text: str):
    """A member's comment on a working document: a row of a commission's engagement log, or of the
    review's own log."""
    _require(by, "commissioning.comment_in_working_group", subject)
    if selectors.is_closed(subject):
        raise ValidationError(_ended(subject))
    documents = selectors.kind_of(subject).documents
    if about not in documents:
        raise ValidationError({"about": "Choose the document your comment is about."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter your comment."})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer."})
    if isinstance(subject, Review):
        comment = WorkingGroupComment(group=selectors.group_of(subject), author=by, about=documents[about], text=text)
    else:
        comment = _engagement(subject, by, documents[about], text)
    comment.full_clean()
    comment.save()
    _audit(by, subject, "commented", about=documents[about])
    return comment


def _engagement(commission: Commission, by: User, about: str, text: str) -> EngagementActivity:
    return EngagementActivity(
        commission=commission,
        cycle=commission.cycle,
        stage=STAGE_OF_STATE[commission.state],
        kind=EngagementKind.WORKING_GROUP,
        held_on=timezone.localdate(),
        participants=f"{by.full_name} (member working group)",
        number_of_participants=1,
        what_we_heard=text,
        author=by,
        about=about,
    )
