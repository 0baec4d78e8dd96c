"""Demo provider risk and continuity, through the real services: Kirkby Moor's befriending service is
vital, with a tested continuity plan; Open Doors Theatre, half of its arts round, is flagged at risk
with an open intervention and one action. Safe to run again: what exists is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from councils.models import Role
from demo.commissions import person
from monitoring.continuity import services
from monitoring.models import Agreement, AlternativeProvision, ContinuityPlan, FlagLevel, RiskFlag


def _live(council_slug: str, legal_name: str) -> Agreement | None:
    return (
        Agreement.objects.filter(council__slug=council_slug, provider__legal_name=legal_name, state="live")
        .select_related("council", "provider")
        .first()
    )


def seed_continuity() -> int:
    """Returns how many records were added (a plan, a flag)."""
    added = 0
    today = timezone.localdate()
    vital = _live("kirkby-moor", "Kirkby Moor Age Concern")
    if vital is not None and not ContinuityPlan.objects.filter(agreement=vital).exists():
        officer = person(vital.council, Role.COMMISSIONING_OFFICER)
        services.plan_save(
            by=officer,
            agreement=vital,
            vital=True,
            why_vital="Older people living alone rely on the daily calls; some have no other contact.",
            if_provider_fails="The council's wellbeing line phones everyone on the call list the next morning, "
            "and the adult social care duty team visits those it cannot reach.",
            fallback=AlternativeProvision.IN_HOUSE,
            fallback_detail="Wellbeing line (customer services), 12 staff, able to start within one working day.",
            responsible=officer,
            last_tested_on=today - timedelta(days=60),
        )
        added += 1
    at_risk = _live("kirkby-moor", "Open Doors Theatre")
    if at_risk is not None and not RiskFlag.objects.filter(council=at_risk.council, provider=at_risk.provider).exists():
        officer = person(at_risk.council, Role.COMMISSIONING_OFFICER)
        flag = services.flag_raise(
            by=officer,
            council=at_risk.council,
            provider=at_risk.provider,
            level=FlagLevel.AT_RISK,
            reason="Its main Arts Council grant was not renewed; its accounts show three months of reserves.",
        )
        services.action_add(
            by=officer,
            intervention=flag.interventions.get(),
            what="Meet the theatre's trustees about its recovery plan",
            owner=officer,
            due_on=today + timedelta(days=14),
        )
        added += 1
    return added
