"""Reads for monitoring returns, scoped to what the user may see and fetched in a fixed number of
queries: the council's returns, the provider's own, one return with its KPIs, queries and evidence,
and an agreement's monitoring (schedule, KPI trends, spend against budget, outcomes achieved,
performance assessments, and whether its payments are on hold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning.permissions import READERS_ACROSS_COUNCIL, can_read_commission
from councils.formatting import money
from councils.models import Council, Role, User
from councils.permissions import roles_in
from monitoring import charts
from monitoring.models import (
    AWAITING_PROVIDER_STATES,
    PROVIDER_VISIBLE_STATES,
    Agreement,
    AgreementKpi,
    AgreementState,
    AssessmentKind,
    KpiActual,
    KpiTarget,
    MonitoringReturn,
    MonitoringSettings,
    PerformanceAssessment,
    Rag,
    ReturnEvidence,
    ReturnQuery,
    ReturnState,
    ScheduledPayment,
    TargetKind,
    next_assessment_due,
)
from monitoring.returns import services as returns_services
from providers.models import OrganisationMember

LIST_RELATED = ("agreement__council", "agreement__provider", "agreement__commission")


def _needs_attention_first(returns: QuerySet[MonitoringReturn]) -> QuerySet[MonitoringReturn]:
    """Returns waiting for a review first, then those with the provider, then the rest; by due date."""
    return returns.annotate(
        attention=Case(
            When(state=ReturnState.SUBMITTED, then=Value(0)),
            When(state__in=AWAITING_PROVIDER_STATES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("attention", "due_on", "id")


# ---- Council officers, councillors and scrutiny ------------------------------------------------------


def returns_visible_to(user: User, council: Council) -> QuerySet[MonitoringReturn]:
    """As for agreements: every return of the council for officers, scrutiny and administrators; a
    portfolio holder sees the returns of the commissions in their portfolios; anyone else none."""
    roles = roles_in(user, council)
    returns = MonitoringReturn.objects.filter(agreement__council=council)
    if not roles.isdisjoint(READERS_ACROSS_COUNCIL):
        return returns
    if Role.PORTFOLIO_HOLDER in roles:
        return returns.filter(agreement__commission__portfolio__holder=user)
    return returns.none()


def council_returns(user: User, council: Council, filters: dict | None = None) -> QuerySet[MonitoringReturn]:
    """The returns list: returns whose period has started (the agreement page shows the whole
    schedule), filtered by state, overdue and agreement; returns no longer required are left out
    unless asked for."""
    filters = filters or {}
    returns = returns_visible_to(user, council).filter(period_start__lte=timezone.localdate())
    returns = returns.select_related(*LIST_RELATED)
    if filters.get("state"):
        returns = returns.filter(state=filters["state"])
    else:
        returns = returns.exclude(state=ReturnState.NOT_REQUIRED)
    if filters.get("overdue"):
        returns = returns.filter(state__in=AWAITING_PROVIDER_STATES, due_on__lt=timezone.localdate())
    if filters.get("agreement"):
        returns = returns.filter(agreement=filters["agreement"])
    return _needs_attention_first(returns)


def agreements_with_returns(user: User, council: Council) -> QuerySet[Agreement]:
    """The agreements the user may read that have returns: the list's agreement filter."""
    visible = returns_visible_to(user, council).values("agreement_id")
    return Agreement.objects.filter(pk__in=visible).order_by("reference")


def return_for_officer(user: User, council: Council, pk: int) -> MonitoringReturn:
    """One return of this council that the user may read, or 404 (never reveal that it exists)."""
    found = (
        MonitoringReturn.objects.select_related(
            "agreement__council", "agreement__commission__portfolio", "agreement__provider", "submitted_by"
        )
        .filter(agreement__council=council, pk=pk)
        .first()
    )
    if found is None or not can_read_commission(user, found.agreement.commission):
        raise Http404
    return found


def evidence_of(monitoring_return: MonitoringReturn, pk: int) -> ReturnEvidence:
    return get_object_or_404(ReturnEvidence.objects.filter(monitoring_return=monitoring_return), pk=pk)


# ---- Provider staff ------------------------------------------------------------------------------------


def provider_returns(user: User) -> QuerySet[MonitoringReturn]:
    """Returns of the signed agreements of the organisations the user acts for."""
    if not user.is_authenticated:
        return MonitoringReturn.objects.none()
    organisations = OrganisationMember.objects.filter(user=user).values("organisation_id")
    returns = (
        MonitoringReturn.objects.filter(
            agreement__provider__in=organisations, agreement__state__in=PROVIDER_VISIBLE_STATES
        )
        .exclude(state=ReturnState.NOT_REQUIRED)
        .select_related(*LIST_RELATED)
    )
    return _needs_attention_first(returns)


def provider_returns_due(user: User) -> QuerySet[MonitoringReturn]:
    """The provider's list: returns whose period has started (the current one can be drafted)."""
    return provider_returns(user).filter(period_start__lte=timezone.localdate())


def provider_return_for_user(user: User, pk: int) -> MonitoringReturn:
    """One of the user's organisations' returns; anything else is a 404."""
    return get_object_or_404(provider_returns(user).select_related("agreement__council_contact"), pk=pk)


# ---- One return ----------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    """One KPI of a return: what it measures, the period's target, and (once filled in) the actual."""

    kpi: AgreementKpi
    target: Decimal | None
    actual: KpiActual | None


def return_detail(monitoring_return: MonitoringReturn, *, show_draft: bool) -> dict:
    """The return's KPI rows, query history and evidence, and the payments scheduled by the end of
    its period. Council readers see what the provider wrote only once it has been submitted
    (`show_draft` is for the provider's own pages)."""
    agreement = monitoring_return.agreement
    kpis = list(
        AgreementKpi.objects.filter(agreement=agreement)
        .prefetch_related(Prefetch("targets", queryset=KpiTarget.objects.order_by("period_start")))
        .order_by("position", "id")
    )
    reported = monitoring_return.is_reported
    actuals = {}
    if reported or show_draft:
        actuals = {row.kpi_id: row for row in KpiActual.objects.filter(monitoring_return=monitoring_return)}
    if reported:
        by_id = {kpi.pk: kpi for kpi in kpis}
        rows = [KpiRow(by_id[a.kpi_id], a.target, a) for a in sorted(actuals.values(), key=_kpi_order(by_id))]
    else:
        rows = [
            KpiRow(kpi, target, actuals.get(kpi.pk))
            for kpi, target in returns_services.reported_kpis(kpis, monitoring_return.period_start)
        ]
    payments = list(
        ScheduledPayment.objects.filter(agreement=agreement, due_on__lte=monitoring_return.period_end).values_list(
            "amount", flat=True
        )
    )
    queries = list(
        ReturnQuery.objects.filter(monitoring_return=monitoring_return)
        .select_related("asked_by", "answered_by")
        .order_by("asked_at", "id")
    )
    evidence = []
    if reported or show_draft:
        evidence = list(
            ReturnEvidence.objects.filter(monitoring_return=monitoring_return)
            .select_related("uploaded_by")
            .order_by("uploaded_at", "id")
        )
    return {
        "rows": rows,
        "queries": queries,
        "answered_queries": [q for q in queries if not q.is_open],
        "open_query": next((q for q in reversed(queries) if q.is_open), None),
        "evidence": evidence,
        "scheduled_to_date": sum(payments, Decimal("0")),
        "show_content": reported or show_draft,
    }


def _kpi_order(kpis_by_id: dict):
    def key(actual: KpiActual):
        kpi = kpis_by_id[actual.kpi_id]
        return (kpi.position, kpi.pk)

    return key


# ---- An agreement's monitoring ---------------------------------------------------------------------------


def payments_on_hold(
    agreement: Agreement, *, returns: list[MonitoringReturn] | None = None, settings: MonitoringSettings | None = None
) -> bool:
    """True while any of the agreement's returns is overdue, when the council holds payments then."""
    settings = settings or MonitoringSettings.for_council(agreement.council)
    if not settings.hold_payments_when_overdue:
        return False
    if returns is None:
        return agreement.returns.filter(state__in=AWAITING_PROVIDER_STATES, due_on__lt=timezone.localdate()).exists()
    return any(row.is_overdue for row in returns)


def _short(day: date) -> str:
    return f"{day:%b %Y}"


def kpi_trends(agreement: Agreement, kpis: list[AgreementKpi], returns: list[MonitoringReturn]) -> list[dict]:
    """For each KPI, actual against target in every period that has started: a chart and its table."""
    today = timezone.localdate()
    periods = [row for row in returns if row.state != ReturnState.NOT_REQUIRED and row.period_start <= today]
    trends = []
    for kpi in kpis:
        targets = {t.period_start: t.target for t in kpi.targets.all()}
        target_values, actual_values = [], []
        for row in periods:
            actual = next((a for a in row.actuals.all() if a.kpi_id == kpi.pk), None) if row.is_reported else None
            target_values.append(actual.target if actual is not None else targets.get(row.period_start))
            actual_values.append(actual.actual if actual is not None else None)
        if not any(v is not None for v in target_values + actual_values):
            continue
        unit = kpi.unit
        trends.append(
            {
                "kpi": kpi,
                "chart": charts.line_chart(
                    chart_id=f"kpi-trend-{kpi.pk}",
                    title=f"{kpi.description} ({unit})",
                    description=(
                        f"Actual against target for each reporting period of {agreement.reference}, in {unit}. "
                        f"{'Higher' if kpi.higher_is_better else 'Lower'} is better."
                    ),
                    categories=[_short(row.period_start) for row in periods],
                    series=[
                        charts.Series("Target", target_values, colour=charts.BLACK, dashed=True, markers=False),
                        charts.Series("Actual", actual_values, colour=charts.BLUE),
                    ],
                    value_format=charts.chart_number,
                ),
            }
        )
    return trends


def spend_against_budget(agreement: Agreement, returns: list[MonitoringReturn], payments: list) -> dict:
    """Cumulative spend the provider reported against the payments scheduled so far and the value."""
    today = timezone.localdate()
    periods = [row for row in returns if row.state != ReturnState.NOT_REQUIRED and row.period_start <= today]
    scheduled, spent = [], []
    for row in periods:
        scheduled.append(sum((p.amount for p in payments if p.due_on <= row.period_end), Decimal("0")))
        spent.append(row.spend_to_date if row.is_reported else None)
    latest = next((row for row in reversed(periods) if row.is_reported and row.spend_to_date is not None), None)
    return {
        "latest": latest,
        "chart": charts.line_chart(
            chart_id=f"spend-{agreement.pk}",
            title="Cumulative spend against budget",
            description=(
                f"Spend to date reported in each return of {agreement.reference}, against the payments "
                f"scheduled by the end of each period and the agreement's value of {money(agreement.value)}."
            ),
            categories=[_short(row.period_start) for row in periods],
            series=[
                charts.Series(
                    "Value", [agreement.value] * len(periods), colour=charts.GREY, dashed=True, markers=False
                ),
                charts.Series("Scheduled payments", scheduled, colour=charts.BLACK, markers=False),
                charts.Series("Spend reported", spent, colour=charts.BLUE),
            ],
            value_format=money,
        )
        if periods
        else None,
    }


def outcomes_summary(kpis: list[AgreementKpi], returns: list[MonitoringReturn]) -> dict:
    """What accepted returns show was achieved: for a total, the sum of the actuals against the
    targets of those periods and the whole agreement's target; for a level, the latest actual and how
    many periods met the target. With the outcomes the provider described, latest first."""
    accepted = [row for row in returns if row.state == ReturnState.ACCEPTED]
    lines = []
    for kpi in kpis:
        actuals = [a for row in accepted for a in row.actuals.all() if a.kpi_id == kpi.pk and a.actual is not None]
        if not actuals:
            continue
        latest_rag = actuals[-1].final_rag
        line = {
            "kpi": kpi,
            "periods": len(actuals),
            "latest_rag": latest_rag,
            "latest_rag_label": Rag(latest_rag).label,
        }
        line["is_total"] = kpi.target_kind == TargetKind.TOTAL
        if line["is_total"]:
            line["achieved"] = sum((a.actual for a in actuals), Decimal("0"))
            line["target_so_far"] = sum((a.target for a in actuals if a.target is not None), Decimal("0"))
        else:
            line["latest"] = actuals[-1].actual
            line["latest_target"] = actuals[-1].target
            line["on_target"] = sum(1 for a in actuals if a.final_rag == Rag.GREEN)
        lines.append(line)
    return {
        "lines": lines,
        "narratives": [row for row in reversed(accepted) if row.outcomes_narrative or row.case_study],
    }


def assessment_status(agreement: Agreement, assessments: list[PerformanceAssessment]) -> dict:
    """When the next Procurement Act KPI assessment is due: at least every 12 months while the
    agreement is live (from the last assessment, or the start), and once at its end."""
    today = timezone.localdate()
    latest = max((a.assessed_on for a in assessments), default=None)
    status = {"latest": latest, "due_by": None, "overdue": False, "end_needed": False}
    if agreement.state == AgreementState.LIVE:
        due_by = next_assessment_due(latest, agreement.live_on, agreement.starts_on)
        status.update(due_by=due_by, overdue=due_by < today)
    elif agreement.state in (AgreementState.ENDED, AgreementState.TERMINATED):
        status["end_needed"] = not any(a.kind == AssessmentKind.END_OF_AGREEMENT for a in assessments)
    return status


def monitoring_section(agreement: Agreement) -> dict:
    """Everything the agreement page's "Monitoring" section shows, in a fixed number of queries."""
    settings = MonitoringSettings.for_council(agreement.council)
    returns = list(
        MonitoringReturn.objects.filter(agreement=agreement)
        .prefetch_related(Prefetch("actuals", queryset=KpiActual.objects.order_by("kpi__position", "kpi_id")))
        .order_by("period_start", "id")
    )
    kpis = list(
        AgreementKpi.objects.filter(agreement=agreement)
        .prefetch_related(Prefetch("targets", queryset=KpiTarget.objects.order_by("period_start")))
        .order_by("position", "id")
    )
    payments = list(ScheduledPayment.objects.filter(agreement=agreement).only("amount", "due_on"))
    assessments = list(PerformanceAssessment.objects.filter(agreement=agreement).select_related("kpi", "assessed_by"))
    scheduled = [row for row in returns if row.state != ReturnState.NOT_REQUIRED]
    return {
        "settings": settings,
        "returns": returns,
        "next_due": next((row for row in scheduled if row.is_with_provider), None),
        "overdue": [row for row in scheduled if row.is_overdue],
        "awaiting_review": [row for row in scheduled if row.state == ReturnState.SUBMITTED],
        "on_hold": payments_on_hold(agreement, returns=returns, settings=settings),
        "trends": kpi_trends(agreement, kpis, returns),
        "spend": spend_against_budget(agreement, returns, payments),
        "outcomes": outcomes_summary(kpis, returns),
        "assessments": assessments,
        "assessment_status": assessment_status(agreement, assessments),
    }


def provider_monitoring(agreement: Agreement) -> dict:
    """The provider's agreement page: its returns and whether its payments are on hold."""
    returns = list(
        MonitoringReturn.objects.filter(agreement=agreement)
        .exclude(state=ReturnState.NOT_REQUIRED)
        .order_by("period_start", "id")
    )
    return {"returns": returns, "on_hold": payments_on_hold(agreement, returns=returns)}
