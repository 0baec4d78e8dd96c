"""Who hears when a monitoring return changes hands: the council's contract manager when it is
submitted, the provider's people who write returns when it is queried or accepted."""

from __future__ import annotations

from django.urls import reverse

from councils import handoffs
from councils.models import ReminderKind, User
from monitoring.models import RETURN_WRITERS, MonitoringReturn


def _contract_manager(step) -> list[User]:
    # The agreement's council contact manages it; without one, the commission's lead officer.
    agreement = step.obj.agreement
    manager = agreement.council_contact or agreement.commission.lead_officer
    return [manager] if manager is not None else []


def provider_return_writers(provider_id: int) -> list[User]:
    """The active people of a provider organisation who send its monitoring returns."""
    return list(
        User.objects.filter(
            is_active=True,
            organisation_memberships__organisation_id=provider_id,
            organisation_memberships__role__in=RETURN_WRITERS,
        ).distinct()
    )


def _writers(step) -> list[User]:
    agreement = step.obj.agreement
    if agreement.provider_id is None:
        # An in-house team has no provider account: whoever manages the agreement hears instead.
        return _contract_manager(step)
    return provider_return_writers(agreement.provider_id)


def _council_page(step) -> str:
    ret = step.obj
    return reverse("monitoring:return_detail", kwargs={"council_slug": ret.agreement.council.slug, "pk": ret.pk})


def _writers_page(step) -> str:
    if step.obj.agreement.provider_id is None:
        return _council_page(step)
    return reverse("monitoring:provider_return", kwargs={"pk": step.obj.pk})


def _may_open_writers_page(user, ret) -> bool:
    perm = "monitoring.read_own_return" if ret.agreement.provider_id else "monitoring.read_return"
    return user.has_perm(perm, ret)


def _about(ret: MonitoringReturn) -> str:
    agreement = ret.agreement
    return f"the {ret.period_label} monitoring return for {agreement.reference}: {agreement.title}"


def register() -> None:
    handoffs.register(
        MonitoringReturn,
        "return_to_review",
        kind=ReminderKind.RETURN_TO_REVIEW,
        recipients=_contract_manager,
        title=lambda step: f"Return to review: {step.obj.agreement.reference}, {step.obj.period_label}",
        body=lambda step: (
            f"{step.obj.agreement.provider or 'The team'} has submitted {_about(step.obj)}. "
            "Review it: accept it, or query what needs correcting."
        ),
        path=_council_page,
        may_open=lambda user, ret: user.has_perm("monitoring.read_return", ret),
    )
    handoffs.register(
        MonitoringReturn,
        "return_queried",
        kind=ReminderKind.RETURN_QUERIED,
        recipients=_writers,
        title=lambda step: f"Return queried: {step.obj.agreement.reference}, {step.obj.period_label}",
        body=lambda step: (
            f"{step.obj.agreement.council.name} has queried {_about(step.obj)}.\n\n"
            f"What needs correcting: {step.reason}\n\nCorrect it and submit it again."
        ),
        path=_writers_page,
        may_open=_may_open_writers_page,
    )
    handoffs.register(
        MonitoringReturn,
        "return_accepted",
        kind=ReminderKind.RETURN_ACCEPTED,
        recipients=_writers,
        title=lambda step: f"Return accepted: {step.obj.agreement.reference}, {step.obj.period_label}",
        body=lambda step: (
            f"{step.obj.agreement.council.name} has accepted {_about(step.obj)}. "
            "Nothing more is needed for this period."
        ),
        path=_writers_page,
        may_open=_may_open_writers_page,
    )
