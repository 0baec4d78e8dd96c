"""Pieces more than one dashboard is built from: commissions by stage of the cycle, decisions
waiting, and the council's award decisions.

The lead commissioner's, officers' and portfolio holders' dashboards count the pipeline and list
decisions waiting the same way; keeping those queries here keeps their figures consistent.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from commissioning.models import STATES_OF_STAGE, Award, Commission, Stage, State
from councils.models import Council
from monitoring.dashboards import charts
from monitoring.models import AgreementState

MONEY_OUTPUT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY_OUTPUT)
CYCLE_STAGES = (Stage.UNDERSTAND, Stage.PLAN, Stage.DO, Stage.REVIEW)
IN_FORCE_STATES = (AgreementState.SIGNED, AgreementState.LIVE)


def stage_rows(commissions: QuerySet[Commission]) -> dict:
    """Commissions and their value by state (one aggregate query), grouped by stage of the cycle."""
    by_state = {
        row["state"]: row
        for row in commissions.order_by()
        .values("state")
        .annotate(count=Count("id"), value=Coalesce(Sum("budget"), ZERO))
    }
    stages = []
    for stage in (*CYCLE_STAGES, Stage.CLOSED):
        rows = [
            {
                "state": state,
                "label": State(state).label,
                "count": by_state.get(state, {}).get("count", 0),
                "value": by_state.get(state, {}).get("value", Decimal("0")),
            }
            for state in STATES_OF_STAGE[stage]
        ]
        stages.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "states": rows,
                "count": sum(r["count"] for r in rows),
                "value": sum((r["value"] for r in rows), Decimal("0")),
            }
        )
    active = [s for s in stages if s["stage"] != Stage.CLOSED]
    return {
        "stages": stages,
        "total": sum(s["count"] for s in stages),
        "active_count": sum(s["count"] for s in active),
        "active_value": sum((s["value"] for s in active), Decimal("0")),
    }


def pipeline_funnel(stages: list[dict]) -> charts.FunnelChart:
    return charts.funnel_chart(
        id="pipeline",
        title="Commissioning pipeline",
        description="How many commissions are at each stage of the cycle, and their value.",
        rows=[(s["label"], s["count"], s["value"]) for s in stages if s["stage"] != Stage.CLOSED],
    )


def waiting_since(moment: datetime | None) -> tuple[bool, datetime | None]:
    """A sort key for decisions waiting: the longest waiting first, any without a time last."""
    return (moment is None, moment)


def commissions_awaiting_approval(commissions: QuerySet[Commission]) -> QuerySet[Commission]:
    return (
        commissions.filter(state=State.AWAITING_APPROVAL)
        .select_related("council", "portfolio__holder", "lead_officer")
        .order_by("updated_at", "id")
    )


def council_awards(council: Council) -> QuerySet[Award]:
    return Award.objects.filter(commission__council=council).select_related(
        "opportunity", "commission__council", "commission__portfolio", "decided_by"
    )
