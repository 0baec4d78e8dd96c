"""Who is told when a notice is marked ready: the officers who record its publication on Find a
Tender (for a UK17, the finance officer marks it ready and someone else publishes it)."""

from __future__ import annotations

from councils import handoffs
from councils.models import ReminderKind, User
from councils.permissions import NOTICE_OFFICERS
from monitoring.models import Notice


def _publishers(step) -> list[User]:
    notice = step.obj
    return handoffs.able_to_take(notice, "publish", handoffs.council_people(notice.council, NOTICE_OFFICERS))


def _due(notice: Notice) -> str:
    return f" It is due by {notice.due_on:%-d %B %Y}." if notice.due_on else ""


def register() -> None:
    handoffs.register(
        Notice,
        "notice_to_publish",
        kind=ReminderKind.NOTICE_TO_PUBLISH,
        recipients=_publishers,
        title=lambda step: f"Notice ready to publish: {step.obj.notice_type}, {step.obj.title}"[:200],
        body=lambda step: (
            f"The {step.obj.get_notice_type_display()} ‘{step.obj.title}’ has been marked ready.{_due(step.obj)} "
            "Publish it on Find a Tender, then record its identifier and the day it was published."
        ),
        path=lambda step: step.obj.get_absolute_url(),
        may_open=lambda user, notice: user.has_perm("monitoring.read_notice", notice),
    )
