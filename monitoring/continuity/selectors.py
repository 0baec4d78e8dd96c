"""Reads for provider risk, failure and continuity, scoped to the person: a portfolio holder sees the
flags and interventions of agreements they read (their portfolios') and those on whole providers;
another council's records, or an agreement's the person cannot read, are a 404."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from councils.models import Council, User
from monitoring.agreements.selectors import agreements_visible_to
from monitoring.continuity.services import FLAGGABLE_STATES, after_failure_refusal
from monitoring.models import Agreement, ContinuityPlan, Intervention, InterventionAction, RiskFlag
from providers.models import Organisation

FLAG_RELATED = ("agreement", "provider", "raised_by", "cleared_by")


def _visible(records: QuerySet, user: User, council: Council) -> QuerySet:
    return records.filter(council=council).filter(
        Q(agreement__isnull=True) | Q(agreement__in=agreements_visible_to(user, council))
    )


def open_flags(user: User, council: Council) -> list[RiskFlag]:
    """The open flags the person may see, failed first, each with its open intervention's id
    (`open_intervention_id`, or None): one query, for the dashboards."""
    open_interventions = Intervention.objects.filter(council=council, closed_at__isnull=True)
    on_agreement = open_interventions.filter(agreement_id=OuterRef("agreement_id")).values("pk")[:1]
    on_provider = open_interventions.filter(provider_id=OuterRef("provider_id")).values("pk")[:1]
    return list(
        _visible(RiskFlag.objects.filter(cleared_at__isnull=True), user, council)
        .select_related(*FLAG_RELATED)
        .annotate(open_intervention_id=Coalesce(Subquery(on_agreement), Subquery(on_provider)))
        .order_by("-level", "-raised_at")
    )


def past_flags(user: User, council: Council, limit: int = 50) -> list[RiskFlag]:
    return list(
        _visible(RiskFlag.objects.filter(cleared_at__isnull=False), user, council)
        .select_related(*FLAG_RELATED)
        .order_by("-cleared_at")[:limit]
    )


def interventions(user: User, council: Council) -> list[Intervention]:
    return list(
        _visible(Intervention.objects.all(), user, council)
        .select_related("flag__agreement", "flag__provider")
        .order_by("closed_at", "-opened_at")[:100]
    )


def vital_agreements(user: User, council: Council) -> list[ContinuityPlan]:
    """The vital services the person may see, with their plans (incomplete ones first)."""
    plans = ContinuityPlan.objects.filter(
        vital=True, agreement__in=agreements_visible_to(user, council)
    ).select_related("agreement__council", "responsible")
    return sorted(plans, key=lambda plan: (plan.is_complete, plan.agreement.reference))


def intervention_for_user(user: User, council: Council, pk: int) -> Intervention:
    return get_object_or_404(
        _visible(Intervention.objects.all(), user, council)
        .select_related("flag__raised_by", "agreement__commission", "provider", "alternative_by", "closed_by")
        .prefetch_related(Prefetch("actions", InterventionAction.objects.select_related("owner"))),
        pk=pk,
    )


def action_of(intervention: Intervention, pk: int) -> InterventionAction:
    return get_object_or_404(
        InterventionAction.objects.select_related("intervention__council"), intervention=intervention, pk=pk
    )


def flag_for_user(user: User, council: Council, pk: int) -> RiskFlag:
    return get_object_or_404(_visible(RiskFlag.objects.all(), user, council).select_related(*FLAG_RELATED), pk=pk)


def subject_flags(intervention: Intervention) -> list[RiskFlag]:
    """Every flag, open or cleared, on the intervention's agreement or provider: its history."""
    flags = RiskFlag.objects.filter(council=intervention.council).select_related("raised_by", "cleared_by")
    if intervention.agreement_id:
        flags = flags.filter(agreement_id=intervention.agreement_id)
    else:
        flags = flags.filter(provider_id=intervention.provider_id)
    return list(flags.order_by("raised_at", "id"))


def covered_agreements(intervention: Intervention) -> list[Agreement]:
    if intervention.agreement_id:
        return [intervention.agreement]
    return list(
        Agreement.objects.filter(
            council=intervention.council, provider_id=intervention.provider_id, state__in=FLAGGABLE_STATES
        )
        .select_related("council")
        .order_by("reference")
    )


def flaggable_providers(council: Council) -> QuerySet[Organisation]:
    """Provider organisations with a signed or live agreement with the council."""
    return (
        Organisation.objects.filter(agreements__council=council, agreements__state__in=FLAGGABLE_STATES)
        .distinct()
        .order_by("legal_name")
    )


def agreement_continuity(agreement: Agreement) -> dict:
    """What the agreement page shows: whether it is vital and its plan, its open flag and intervention."""
    plan = ContinuityPlan.objects.filter(agreement=agreement).select_related("responsible").first()
    # The agreement's own, or its provider's (an in-house team's agreement has only its own).
    about = Q(agreement=agreement)
    if agreement.provider_id:
        about |= Q(council=agreement.council, provider_id=agreement.provider_id)
    flag = RiskFlag.objects.filter(about, cleared_at__isnull=True).order_by("-level").first()
    intervention = Intervention.objects.filter(about, closed_at__isnull=True).first()
    return {"plan": plan, "flag": flag, "intervention": intervention}


def open_intervention_of(flag: RiskFlag) -> Intervention | None:
    """The open intervention on the flag's agreement or provider."""
    interventions = Intervention.objects.filter(council=flag.council, closed_at__isnull=True)
    if flag.agreement_id:
        return interventions.filter(agreement_id=flag.agreement_id).first()
    return interventions.filter(provider_id=flag.provider_id).first()


def agreement_section(agreement: Agreement, user: User) -> dict | None:
    """The agreement page's "Risk and continuity" section, for those who read continuity (None otherwise)."""
    if not user.has_perm("monitoring.read_continuity", agreement.council):
        return None
    return {
        **agreement_continuity(agreement),
        "can_manage": user.has_perm("monitoring.manage_continuity", agreement.council),
        "flaggable": agreement.state in FLAGGABLE_STATES,
        "after_failure": user.has_perm("monitoring.decide_after_failure", agreement.council)
        and not after_failure_refusal(agreement),
    }
