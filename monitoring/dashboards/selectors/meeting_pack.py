"""What a meeting pack is built from: the commissions a user may put in one, and the chosen
commissions with their stage, decisions, spend and performance in a fixed number of queries.

`monitoring.dashboards.meeting_pack` shapes and renders what is fetched here; keeping the reads apart
keeps the pack's query count in one place.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissioning.cycle.selectors import commissions_visible_to
from commissioning.models import ApprovalDecision, Award, Commission, State
from councils.models import Council, User
from monitoring.dashboards.selectors.ratings import with_performance
from monitoring.dashboards.selectors.shared import MONEY_OUTPUT, ZERO
from monitoring.models import AgendaFlag, Agreement, AgreementState


def meeting_pack_choices(user: User, council: Council) -> QuerySet[Commission]:
    """The commissions the user may put in a meeting pack, with whether scrutiny flagged them."""
    open_flags = AgendaFlag.objects.filter(commission=OuterRef("pk"), resolved_at__isnull=True)
    return (
        commissions_visible_to(user, council)
        .exclude(state=State.CANCELLED)
        .annotate(flagged=Exists(open_flags))
        .select_related("council", "portfolio")
        .order_by("-flagged", "reference")
    )


def meeting_pack_commissions(user: User, council: Council, *, chosen=(), flagged: bool = False) -> list[Commission]:
    """The chosen commissions (and, if asked, every one flagged for the agenda) with their stage,
    decisions, spend and performance, in a fixed number of queries."""
    today = timezone.localdate()
    wanted = Q(pk__in=[c.pk for c in chosen])
    if flagged:
        wanted |= Q(Exists(AgendaFlag.objects.filter(commission=OuterRef("pk"), resolved_at__isnull=True)))
    payments_due = (
        Agreement.objects.filter(pk=OuterRef("pk"))
        .annotate(total=Sum("payments__amount", filter=Q(payments__due_on__lte=today)))
        .values("total")
    )
    agreements = with_performance(
        Agreement.objects.exclude(state=AgreementState.CANCELLED).select_related("provider"), today
    ).annotate(paid_to_date=Coalesce(Subquery(payments_due[:1], output_field=MONEY_OUTPUT), ZERO))
    return list(
        commissions_visible_to(user, council)
        .filter(wanted)
        .select_related("council", "portfolio__holder", "lead_officer")
        .prefetch_related(
            Prefetch("approvals", queryset=ApprovalDecision.objects.select_related("decided_by")),
            Prefetch(
                "awards",
                queryset=Award.objects.filter(decided_on__isnull=False).select_related("decided_by", "opportunity"),
                to_attr="decided_awards",
            ),
            Prefetch("agreements", queryset=agreements.order_by("reference"), to_attr="pack_agreements"),
            Prefetch(
                "agenda_flags",
                queryset=AgendaFlag.objects.filter(resolved_at__isnull=True).with_people(),
                to_attr="open_flags",
            ),
        )
        .order_by("reference")
    )
