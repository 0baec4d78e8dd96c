"""Chasing the provider for an overdue monitoring return: an officer's one-off nudge, on top of the
scheduled reminders.

The provider's return writers (its administrators and monitoring contacts) are told in the app and
by email, with a link to the return. A return is chased at most once a day, whoever presses the
button, so a provider is not flooded by a team who all see the same overdue line; when it was last
chased is kept on the return and shown next to the button.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from councils import handoffs
from councils.models import ReminderKind, User
from councils.services import audit_record
from monitoring.models import MonitoringReturn, is_return_reviewer
from monitoring.returns.handoffs import provider_return_writers

__all__ = ["can_chase", "return_chase"]


def can_chase(monitoring_return: MonitoringReturn, user: User) -> bool:
    """A return reviewer may chase a return that is overdue and still with the provider."""
    return monitoring_return.is_overdue and is_return_reviewer(monitoring_return, user)


def return_chase(*, by: User, monitoring_return: MonitoringReturn) -> int:
    """Tell the provider's return writers that the return is overdue; returns how many were told.
    Refused (PermissionDenied) for anyone but a return reviewer; refused with a reason when the
    return is not overdue, has no provider, or was already chased today."""
    if not is_return_reviewer(monitoring_return, by):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            MonitoringReturn.objects.select_for_update()
            .select_related("agreement__council")
            .get(pk=monitoring_return.pk)
        )
        if not locked.is_overdue:
            raise ValidationError("This return is not overdue: there is nothing to chase.")
        if locked.agreement.provider_id is None:
            raise ValidationError("This agreement has no provider organisation to chase.")
        if locked.chased_today:
            raise ValidationError("This return has already been chased today. Chase it again tomorrow.")
        people = provider_return_writers(locked.agreement.provider_id)
        if not people:
            raise ValidationError("Nobody at the provider sends returns: ask them to name a monitoring contact.")
        agreement = locked.agreement
        due = f"{locked.due_on.day} {locked.due_on:%B %Y}"
        handoffs.tell(
            about=locked,
            users=people,
            kind=ReminderKind.RETURN_CHASED,
            # Once a day at most, however many officers press the button.
            occurrence=f"chased:{timezone.localdate().isoformat()}",
            title=f"Overdue monitoring return: {agreement.reference}",
            body=(
                f"{agreement.council.name} is waiting for your monitoring return for {agreement.title} "
                f"({agreement.reference}), {locked.period_label}. It was due on {due}. Please send it as soon "
                "as you can."
            ),
            path=reverse("monitoring:provider_return", args=[locked.pk]),
        )
        locked.chased_at = timezone.now()
        locked.save(update_fields=["chased_at", "updated_at"])
        audit_record(
            council=agreement.council,
            actor=by,
            event_type="return.chase",
            obj=locked,
            extra={"agreement": agreement.reference, "period": locked.period_label, "told": len(people)},
        )
    monitoring_return.chased_at = locked.chased_at
    return len(people)
