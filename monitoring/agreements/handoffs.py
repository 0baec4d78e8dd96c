"""Who is told when an agreement is signed: whoever manages it (its council contact, else the
commission's lead officer), whose step it is to mark it live once delivery starts."""

from __future__ import annotations

from councils import handoffs
from councils.models import ReminderKind, Role, User
from monitoring.models import Agreement


def _who_puts_it_live(step) -> list[User]:
    agreement = step.obj
    managers = [user for user in (agreement.council_contact, agreement.commission.lead_officer) if user is not None]
    able = handoffs.able_to_take(agreement, "go_live", managers)
    # Neither may (a council contact from finance, a lead officer who left): the lead commissioners.
    return able or handoffs.able_to_take(
        agreement, "go_live", handoffs.council_people(agreement.council, (Role.LEAD_COMMISSIONER,))
    )


def register() -> None:
    handoffs.register(
        Agreement,
        "agreement_signed",
        kind=ReminderKind.AGREEMENT_SIGNED,
        recipients=_who_puts_it_live,
        title=lambda step: f"Agreement signed: {step.obj.reference}",
        body=lambda step: (
            f"The agreement {step.obj.reference}: {step.obj.title} has been signed"
            f"{f' with {step.obj.provider}' if step.obj.provider_id else ''}. "
            "When delivery starts, mark it as live: its monitoring returns are then scheduled."
        ),
        path=lambda step: step.obj.get_absolute_url(),
        may_open=lambda user, agreement: user.has_perm("monitoring.read_agreement", agreement),
    )
