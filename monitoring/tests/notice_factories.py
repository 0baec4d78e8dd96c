"""Notices made through the real services: a contract commission whose regime a procurement officer
confirms, its opportunity advertised, and its tender notice (UK4) brought up to date, then marked ready
or published as an officer would.

Steps taken in a test's transaction never reach their after-commit work, so these refresh the notices
themselves; the tests of that work use `django_capture_on_commit_callbacks(execute=True)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.utils import timezone

from commissioning.cycle import regime as regimes
from commissioning.models import Commission, DeliveryRoute, Procedure, Regime, State
from commissioning.tests.bid_factories import open_opportunity
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role
from monitoring.models import Notice, NoticeType
from monitoring.notices import services

_identifiers = iter(range(1, 999_999))
_subjects = iter(range(1, 999_999))


def confirm_regime(commission: Commission, officer=None) -> None:
    """The procurement officer confirms it as an open procedure above threshold (with a reason, in case
    the value points elsewhere)."""
    regimes.regime_confirm(
        by=officer or staff(commission.council, Role.PROCUREMENT_OFFICER),
        commission=commission,
        regime=Regime.ABOVE_THRESHOLD,
        procedure=Procedure.OPEN,
        reason="The council advertises it as an open procedure above threshold.",
    )


def advertised_commission(council, *, title: str = "Youth work in the rural wards", officer=None) -> Commission:
    commission = commission_in_state(
        council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(300000), title=title
    )
    confirm_regime(commission, officer)
    open_opportunity(council, commission=commission, title=title)
    return commission


def tender_notice(commission: Commission) -> Notice:
    services.notices_refresh(commission)
    return Notice.objects.get(commission=commission, notice_type=NoticeType.UK4)


def ready(notice: Notice, officer=None) -> Notice:
    officer = officer or staff(notice.council, Role.PROCUREMENT_OFFICER)
    return services.notice_step(by=officer, notice=notice, name="mark_ready")


def published(notice: Notice, officer=None, on: date | None = None) -> Notice:
    officer = officer or staff(notice.council, Role.PROCUREMENT_OFFICER)
    ready(notice, officer)
    identifier = f"{next(_identifiers):06d}-{timezone.localdate().year}"
    return services.notice_publish(
        by=officer, notice=notice, fat_identifier=identifier, published_on=on or timezone.localdate()
    )


def advertised_notice(council, *, title: str = "Youth work in the rural wards", state: str = "draft") -> Notice:
    """A tender notice in `state` (draft, ready or published) for a newly advertised commission."""
    notice = tender_notice(advertised_commission(council, title=title))
    if state == "ready":
        ready(notice)
    elif state == "published":
        published(notice)
    return notice


def more_drafts(notice: Notice, count: int) -> list[Notice]:
    """`count` more draft notices like `notice` (of its commission, or the council's own when `notice` is
    of none), as the engine makes them, for the pages' size tests: building a commission per notice
    would cost seconds. Draft is the default state: nothing here writes a state."""
    return [
        Notice.objects.create(
            council=notice.council,
            commission=notice.commission if n % 2 else None,
            notice_type=notice.notice_type,
            subject=f"size-test:{next(_subjects)}",
            title=f"{notice.title} ({n + 1})",
            due_on=notice.due_on,
            due_rule=notice.due_rule,
            data=notice.data,
        )
        for n in range(count)
    ]


# ---- The access matrix ---------------------------------------------------------------------------------


def matrix_notice(world, *, ready_to_publish: bool = False) -> Notice:
    """The tender notice of the matrix's advertised opportunity, made on first use and kept in the world
    (marked ready in the test that asks for it)."""
    if "notice" not in world:
        commission = world["opportunity"].commission
        confirm_regime(commission, world["people"][Role.PROCUREMENT_OFFICER])
        world["notice"] = tender_notice(commission)
    notice = world["notice"]
    if ready_to_publish and notice.state != "ready":
        ready(notice, world["people"][Role.PROCUREMENT_OFFICER])
    return notice


def notice_kwargs(*, ready_to_publish: bool = False, **values) -> Callable[[dict], dict]:
    def build(world) -> dict:
        notice = matrix_notice(world, ready_to_publish=ready_to_publish)
        return {"council_slug": world["council"].slug, "pk": notice.pk, **values}

    return build
