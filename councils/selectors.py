"""Reads for councils and the strategic framework, always scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet

from councils.models import (
    OFFICER_ROLES,
    AuditEvent,
    CorporatePlan,
    Council,
    Membership,
    Outcome,
    Portfolio,
    Priority,
    ProcurementThreshold,
    Role,
    User,
)
from councils.permissions import member_council_ids, roles_by_council
from councils.sealing import unsealed


def councils_for_user(user: User) -> QuerySet[Council]:
    """The councils in which the user holds at least one role."""
    return Council.objects.filter(pk__in=member_council_ids(user)).select_related("partnership")


def council_roles_for_user(user: User) -> list[tuple[Council, list[str]]]:
    """Each of the user's councils with the labels of the roles held there."""

    roles = roles_by_council(user)
    return [(council, sorted(Role(r).label for r in roles[council.pk])) for council in councils_for_user(user)]


def framework_for_council(council: Council) -> list[CorporatePlan]:
    """Plans with their priorities, outcomes (and each outcome's portfolio and holder) and themes."""
    outcomes = Outcome.objects.select_related("portfolio__holder", "accountable_officer")
    priorities = Priority.objects.prefetch_related(Prefetch("outcomes", queryset=outcomes))
    return list(
        CorporatePlan.objects.filter(council=council).prefetch_related(
            Prefetch("priorities", queryset=priorities), "themes"
        )
    )


def portfolios_for_council(council: Council) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(council=council).select_related("holder").annotate(outcome_count=Count("outcomes"))


def memberships_for_council(council: Council) -> QuerySet[Membership]:
    return Membership.objects.filter(council=council).select_related("user").order_by("user__full_name", "role")


def audit_events_for_council(council: Council) -> QuerySet[AuditEvent]:
    # Bid events name the bidder: they stay with the bid rather than in the council's trail, and
    # nothing else about a bid still sealed (`councils.sealing`) is shown either.
    return unsealed(
        AuditEvent.objects.filter(council=council)
        .exclude(event_type__startswith="bid.")
        .select_related("actor", "content_type")
    )


def plans_for_council(council: Council) -> QuerySet[CorporatePlan]:
    return CorporatePlan.objects.filter(council=council)


def priorities_for_council(council: Council) -> QuerySet[Priority]:
    return Priority.objects.filter(plan__council=council).select_related("plan")


def outcomes_for_council(council: Council) -> QuerySet[Outcome]:
    return Outcome.objects.filter(priority__plan__council=council).select_related("priority__plan", "portfolio")


def portfolio_holders_for_council(council: Council) -> QuerySet[User]:

    return User.objects.filter(memberships__council=council, memberships__role=Role.PORTFOLIO_HOLDER).distinct()


def officers_for_council(council: Council) -> QuerySet[User]:

    return User.objects.filter(memberships__council=council, memberships__role__in=OFFICER_ROLES).distinct()


def threshold_for(kind: str, on_date: date, council: Council | None = None) -> ProcurementThreshold | None:
    """The threshold of `kind` for a procurement started on `on_date`: the latest row in force that day,
    the council's own row before the national one of the same date. A date before the whole table gets
    its earliest row (older procurements were under earlier regulations, which the app does not hold)."""
    rows = ProcurementThreshold.objects.filter(kind=kind).filter(Q(council__isnull=True) | Q(council=council))
    nationals_last = F("council").asc(nulls_last=True)
    in_force = rows.filter(valid_from__lte=on_date).order_by("-valid_from", nationals_last).first()
    return in_force or rows.order_by("valid_from", nationals_last).first()


def thresholds_for_council(council: Council) -> QuerySet[ProcurementThreshold]:
    """The national rows and the council's own, newest first within each kind."""
    return (
        ProcurementThreshold.objects.filter(Q(council__isnull=True) | Q(council=council))
        .select_related("created_by")
        .order_by("kind", "-valid_from", F("council").asc(nulls_last=True))
    )
