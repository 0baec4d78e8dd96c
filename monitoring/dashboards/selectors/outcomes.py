"""Reporting by corporate outcome: each outcome of the council with everything contributing to it, and
the index of outcomes with the same roll-up.

A commission contributes to an outcome when it serves it (`serves_outcome`: it names the outcome or
seeks an outcome linked to it); an agreement contributes through its commission. The roll-up is:

- investment: the budgets of the contributing commissions (cancelled ones left out);
- spend: the value of the agreements signed or in force (or finished), and what was paid against
  their invoices;
- KPI progress: the contributing agreements' KPIs that evidence this outcome, or no outcome in
  particular, against their targets, rated at their latest accepted monitoring return;
- savings identified by the contributing commissions and realised by their agreements.

Every figure is a correlated subquery per outcome, so the index is one query for all outcomes and the
outcome page a fixed handful, however many commissions and agreements contribute. Whoever may read an
outcome's report sees all of it: the outcome is theirs to answer for, whichever portfolio a
contributing commission sits in; links open only what the reader may open.
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning.cycle.selectors import serves_outcome
from commissioning.models import Commission, Review, ReviewState, SavingsIdentified, State
from commissioning.permissions import READERS_ACROSS_COUNCIL
from councils.financial_year import financial_year_label
from councils.formatting import plain_number, quantity_in
from councils.models import Council, Outcome, Role, User
from councils.permissions import OUTCOME_REPORT_READERS, roles_in
from monitoring.dashboards.selectors.ratings import RATED, kpi_trend, rag_key, with_performance
from monitoring.dashboards.selectors.rows import first_rows
from monitoring.dashboards.selectors.shared import MONEY_OUTPUT, ZERO
from monitoring.models import (
    PROVIDER_VISIBLE_STATES,
    REGISTER_STATES,
    Agreement,
    AgreementKpi,
    Invoice,
    KpiActual,
    KpiTarget,
    MonitoringReturn,
    Rag,
    ReturnState,
    SavingsRealised,
    TargetKind,
)
from monitoring.savings.selectors import CONFIRMED, with_savings
from monitoring.social_value.selectors import social_value_delivered

# Agreements count towards spend once signed; drafts and cancelled drafts never spent anything.
SPEND_STATES = PROVIDER_VISIBLE_STATES


def outcomes_reported_to(user: User, council: Council) -> QuerySet[Outcome]:
    """The outcomes whose report the user reads: every outcome for the lead commissioner and scrutiny;
    a portfolio holder's outcomes are those in the portfolios they hold; an accountable officer's, those
    they answer for."""
    roles = roles_in(user, council)
    outcomes = Outcome.objects.filter(priority__plan__council=council)
    if not roles.isdisjoint(OUTCOME_REPORT_READERS):
        return outcomes
    if not roles:
        return outcomes.none()
    mine = Q(accountable_officer=user)
    if Role.PORTFOLIO_HOLDER in roles:
        mine |= Q(portfolio__holder=user)
    return outcomes.filter(mine)


def outcome_of_council(council: Council, pk: int) -> Outcome:
    """One of the council's outcomes (404 for another council's): the permission is checked after."""
    return get_object_or_404(
        Outcome.objects.select_related("priority__plan__council", "portfolio__holder", "accountable_officer"),
        pk=pk,
        priority__plan__council=council,
    )


def _refs(outcome: int | None) -> tuple:
    """How a query names the outcome: by id on its page; per row of the outcomes being annotated in the
    index, where a filter in the subquery refers one level out and one inside `serves_outcome`'s
    Exists two levels out."""
    if outcome is None:
        return OuterRef("pk"), OuterRef(OuterRef("pk"))
    return outcome, outcome


def contributing_commissions(council: Council, outcome: int | None = None) -> QuerySet[Commission]:
    _, inner = _refs(outcome)
    return Commission.objects.filter(council=council).exclude(state=State.CANCELLED).filter(serves_outcome(inner))


def contributing_agreements(council: Council, outcome: int | None = None) -> QuerySet[Agreement]:
    _, inner = _refs(outcome)
    return Agreement.objects.filter(council=council, state__in=SPEND_STATES).filter(
        serves_outcome(inner, OuterRef("commission_id"))
    )


def _latest_rating() -> QuerySet[KpiActual]:
    """A KPI's rating at its latest accepted return (the officer's override when there is one)."""
    return (
        KpiActual.objects.filter(kpi=OuterRef("pk"), monitoring_return__state=ReturnState.ACCEPTED)
        .annotate(rating=Coalesce(NullIf("rag_override", Value("")), "rag"))
        .filter(rating__in=RATED)
        .order_by("-monitoring_return__period_end", "-id")
        .values("rating")[:1]
    )


def contributing_kpis(council: Council, outcome: int | None = None) -> QuerySet[AgreementKpi]:
    """KPIs of the contributing agreements in force or finished that evidence this outcome, or none in
    particular (a winning bid's own outcomes), each with its latest rating."""
    direct, inner = _refs(outcome)
    return (
        AgreementKpi.objects.filter(
            agreement__council=council, agreement__state__in=REGISTER_STATES, retired_on__isnull=True
        )
        .filter(serves_outcome(inner, OuterRef("agreement__commission_id")))
        .filter(Q(council_outcome_id=direct) | Q(council_outcome__isnull=True))
        .annotate(latest_rating=Subquery(_latest_rating()))
    )


def _one(queryset: QuerySet, group: str, aggregate, output=MONEY_OUTPUT) -> Subquery:
    """One aggregate over `queryset` for the outer row, grouped on a column all its rows share."""
    return Subquery(
        queryset.order_by().values(group).annotate(figure=aggregate).values("figure")[:1], output_field=output
    )


def with_rollup(outcomes: QuerySet[Outcome], council: Council) -> QuerySet[Outcome]:
    """Each outcome with its roll-up (one query, whatever the number of outcomes and commissions)."""
    commissions = contributing_commissions(council)
    agreements = contributing_agreements(council)
    _, inner = _refs(None)
    paid = Invoice.objects.filter(
        agreement__council=council, agreement__state__in=SPEND_STATES, withdrawn_at__isnull=True, paid_on__isnull=False
    ).filter(serves_outcome(inner, OuterRef("agreement__commission_id")))
    kpis = contributing_kpis(council)
    count = IntegerField()
    live = Commission.objects.filter(council=council).exclude(state=State.CANCELLED)
    reviews = Review.objects.filter(council=council).exclude(state=ReviewState.WITHDRAWN)
    return with_savings(outcomes, live, reviews=reviews).annotate(
        commission_count=Coalesce(_one(commissions, "council", Count("id"), count), 0),
        investment=Coalesce(_one(commissions, "council", Sum("budget")), ZERO),
        agreement_count=Coalesce(_one(agreements, "council", Count("id"), count), 0),
        agreed_value=Coalesce(_one(agreements, "council", Sum("value")), ZERO),
        paid=Coalesce(_one(paid, "agreement__council", Sum("paid_amount")), ZERO),
        kpis_rated=Coalesce(
            _one(kpis.filter(latest_rating__isnull=False), "agreement__council", Count("id"), count), 0
        ),
        kpis_on_target=Coalesce(
            _one(kpis.filter(latest_rating=Rag.GREEN), "agreement__council", Count("id"), count), 0
        ),
    )


def outcome_index(user: User, council: Council) -> list[Outcome]:
    """The outcomes the user reads, each with its roll-up, in the order of the corporate plan (one query)."""
    return list(
        with_rollup(outcomes_reported_to(user, council), council)
        .select_related("priority__plan", "portfolio__holder", "accountable_officer")
        .order_by(
            "-priority__plan__is_current", "-priority__plan__start_year", "priority__position", "position", "title"
        )
    )


def _kpi_progress(kpis: QuerySet[AgreementKpi], today: date) -> QuerySet[AgreementKpi]:
    """Each KPI with what accepted returns reported (the total so far, or the latest level) and its
    target to date (the periods ended so far, for a total)."""
    accepted = KpiActual.objects.filter(
        kpi=OuterRef("pk"), monitoring_return__state=ReturnState.ACCEPTED, actual__isnull=False
    )
    targets = KpiTarget.objects.filter(kpi=OuterRef("pk"), period_end__lte=today)
    return kpis.annotate(
        reported_total=_one(accepted, "kpi", Sum("actual")),
        reported_level=Subquery(accepted.order_by("-monitoring_return__period_end", "-id").values("actual")[:1]),
        target_to_date=_one(targets, "kpi", Sum("target")),
    )


def outcome_report(user: User, council: Council, outcome: Outcome) -> dict:
    """One outcome's page: its roll-up, the commissions and agreements contributing, KPI progress,
    savings by financial year and the KPIs on target over time (a fixed number of queries)."""
    today = timezone.localdate()
    rollup = with_rollup(Outcome.objects.filter(pk=outcome.pk), council).get()
    reads_all = not roles_in(user, council).isdisjoint(READERS_ACROSS_COUNCIL)
    commissions = first_rows(
        contributing_commissions(council, outcome.pk)
        .select_related("council", "portfolio", "lead_officer")
        .annotate(
            identified_sum=Coalesce(
                _one(SavingsIdentified.objects.filter(commission=OuterRef("pk")), "commission", Sum("amount")), ZERO
            ),
            realised_sum=Coalesce(
                _one(
                    SavingsRealised.objects.filter(CONFIRMED, agreement__commission=OuterRef("pk")),
                    "agreement__commission",
                    Sum("amount"),
                ),
                ZERO,
            ),
        )
        .order_by("portfolio__name", "title", "id")
    )
    for commission in commissions:
        commission.can_open = reads_all or (commission.portfolio_id and commission.portfolio.holder_id == user.pk)
    agreements_qs = contributing_agreements(council, outcome.pk)
    paid = Invoice.objects.filter(agreement=OuterRef("pk"), withdrawn_at__isnull=True, paid_on__isnull=False)
    agreements = first_rows(
        with_performance(agreements_qs, today)
        .select_related("council", "provider", "commission__portfolio")
        .annotate(paid=Coalesce(_one(paid, "agreement", Sum("paid_amount")), ZERO))
        .order_by("state", "ends_on", "id")
    )
    for agreement in agreements:
        agreement.rag = rag_key(agreement.latest_rag)
        agreement.can_open = reads_all or (
            agreement.commission.portfolio_id and agreement.commission.portfolio.holder_id == user.pk
        )
    kpis = first_rows(
        _kpi_progress(contributing_kpis(council, outcome.pk), today)
        .select_related("agreement")
        .order_by("agreement__reference", "position", "id")
    )
    for kpi in kpis:
        is_total = kpi.target_kind == TargetKind.TOTAL
        reported = kpi.reported_total if is_total else kpi.reported_level
        kpi.rag = rag_key(kpi.latest_rating)
        kpi.target_display = quantity_in(kpi.target, kpi.unit)
        kpi.to_date_display = quantity_in(kpi.target_to_date, kpi.unit) if is_total and kpi.target_to_date else ""
        kpi.reported_display = plain_number(reported) if reported is not None else ""
    return {
        "rollup": rollup,
        "kpis_on_target": f"{rollup.kpis_on_target} of {rollup.kpis_rated}" if rollup.kpis_rated else "None",
        "commissions": commissions,
        "agreements": agreements,
        "kpis": kpis,
        "kpi_chart": kpi_trend(MonitoringReturn.objects.filter(agreement__in=agreements_qs), today),
        "savings_years": _savings_by_year(council, outcome.pk),
        "social_value": social_value_delivered(agreements_qs),
    }


def _savings_by_year(council: Council, outcome: int) -> list[dict]:
    """Savings identified (by commissions and reviews) and realised for the outcome in each financial year
    (two grouped queries)."""
    commissions = contributing_commissions(council, outcome)
    years: dict[int, dict] = {}

    def year(number: int) -> dict:
        return years.setdefault(
            number, {"label": financial_year_label(number), "identified": 0, "realised": 0, "awaiting": 0}
        )

    reviews = Review.objects.filter(council=council, outcomes=outcome).exclude(state=ReviewState.WITHDRAWN)
    identified = (
        SavingsIdentified.objects.filter(Q(commission__in=commissions) | Q(review__in=reviews))
        .order_by()
        .values("target_year")
    )
    for row in identified.annotate(total=Sum("amount")):
        year(row["target_year"])["identified"] = row["total"]
    realised = SavingsRealised.objects.filter(agreement__commission__in=commissions).order_by().values("financial_year")
    for row in realised.annotate(
        realised=Coalesce(Sum("amount", filter=CONFIRMED), ZERO),
        awaiting=Coalesce(Sum("amount", filter=~CONFIRMED), ZERO),
    ):
        entry = year(row["financial_year"])
        entry["realised"], entry["awaiting"] = row["realised"], row["awaiting"]
    return [years[number] for number in sorted(years)]
