"""Reads for agreements, scoped to what the user may see and fetched in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from commissioning.models import Commission, State
from commissioning.permissions import READERS_ACROSS_COUNCIL, can_read_commission
from councils.compiled import Statement
from councils.models import Council, Role, User
from councils.permissions import COMMISSIONERS, has_any_role, roles_in
from monitoring.agreements import services
from monitoring.models import (
    PROVIDER_VISIBLE_STATES,
    REGISTER_STATES,
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementVariation,
    KpiTarget,
    ScheduledPayment,
    payments_with_net,
)
from monitoring.renewals.dates import extension_notice_on
from providers.models import OrganisationMember

LIST_RELATED = ("council", "commission", "provider", "funding_pot", "lot")


def agreements_visible_to(user: User, council: Council) -> QuerySet[Agreement]:
    """Every agreement of the council for officers, scrutiny and administrators; a portfolio holder
    sees the agreements of the commissions in their portfolios; anyone else sees none."""
    roles = roles_in(user, council)
    agreements = Agreement.objects.filter(council=council)
    if not roles.isdisjoint(READERS_ACROSS_COUNCIL):
        return agreements
    if Role.PORTFOLIO_HOLDER in roles:
        return agreements.filter(commission__portfolio__holder=user)
    return agreements.none()


def agreement_list(user: User, council: Council, filters: dict | None = None) -> QuerySet[Agreement]:
    filters = filters or {}
    agreements = agreements_visible_to(user, council).select_related(*LIST_RELATED)
    if filters.get("state"):
        agreements = agreements.filter(state=filters["state"])
    if filters.get("agreement_type"):
        agreements = agreements.filter(agreement_type=filters["agreement_type"])
    if filters.get("q"):
        q = filters["q"]
        agreements = agreements.filter(
            Q(title__icontains=q)
            | Q(reference__icontains=q)
            | Q(provider__legal_name__icontains=q)
            | Q(internal_team_name__icontains=q)
        )
    return agreements.order_by("-starts_on", "-id")


def _agreement(*, council_id: int, pk: int) -> QuerySet[Agreement]:
    return Agreement.objects.select_related("commission__portfolio").filter(council=council_id, pk=pk)


# Read before every page about an agreement, even one served from the page cache: built once, run many times.
_AGREEMENT = Statement(_agreement, name="agreement")


def agreement_for_user(user: User, council: Council, pk: int) -> Agreement:
    """One agreement of this council that the user may read, or 404 (never reveal that it exists)."""
    # Only what the walls read (the commission and its portfolio): this runs before every agreement
    # page, even one served from the page cache or put together from kept parts, and each table joined
    # costs planning and building time (with the provider, funding pot, lot and bid joined too, 6.4 ms
    # against 1.8 ms on the national data set). A page that shows those reads each when it renders.
    # The council is the one in hand, not joined again.
    agreement = _AGREEMENT.one(council_id=council.pk, pk=pk)
    if agreement is None:
        raise Http404
    agreement.council = council
    if agreement.commission.council_id == council.pk:
        agreement.commission.council = council
    if not can_read_commission(user, agreement.commission):
        raise Http404
    return agreement


def agreement_detail(agreement: Agreement) -> dict:
    """The agreement's current terms with KPIs and their targets per period, the payment schedule and
    the full history of variations."""
    kpis = list(
        AgreementKpi.objects.filter(agreement=agreement)
        .select_related("council_outcome")
        .prefetch_related(Prefetch("targets", queryset=KpiTarget.objects.order_by("period_start")))
    )
    # Each payment with what its deductions (the remedies log) keep back, and what remains due.
    payments = list(
        payments_with_net(ScheduledPayment.objects.filter(agreement=agreement))
        .select_related("kpi", "variation", "deliverable")
        .order_by("due_on", "id")
    )
    variations = list(
        AgreementVariation.objects.filter(agreement=agreement)
        .select_related("approved_by", "recorded_by")
        .order_by("-number")
    )
    payments_total = sum((p.amount for p in payments), Decimal("0"))
    extensions_used = sum(1 for v in variations if v.kind == "extension")
    return {
        "kpis": kpis,
        "active_kpis": [kpi for kpi in kpis if kpi.retired_on is None],
        "periods": agreement.periods(),
        "payments": payments,
        "payments_total": payments_total,
        "payments_balanced": payments_total == agreement.value,
        "payments_deducted": sum((p.deducted for p in payments), Decimal("0")),
        "payments_net_total": sum((p.net for p in payments), Decimal("0")),
        "variations": variations,
        "extensions_used": extensions_used,
        "extension_notice_on": extension_notice_on(agreement, extensions_used),
    }


def kpi_of(agreement: Agreement, pk: int) -> AgreementKpi:
    return get_object_or_404(AgreementKpi.objects.filter(agreement=agreement), pk=pk)


def payment_of(agreement: Agreement, pk: int) -> ScheduledPayment:
    return get_object_or_404(ScheduledPayment.objects.filter(agreement=agreement).select_related("kpi"), pk=pk)


def commission_agreements_section(commission: Commission, user: User) -> dict:
    """The commission page's agreements section: the current cycle's agreements and what the user may do."""
    agreements = list(
        Agreement.objects.filter(commission=commission, cycle=commission.cycle)
        .select_related("provider")
        .order_by("reference")
    )
    committed = [a for a in agreements if a.state != AgreementState.CANCELLED]
    can_create = has_any_role(user, commission.council, COMMISSIONERS) and services.can_create_directly(commission)
    return {
        "agreements": agreements,
        "total_value": sum((a.value for a in committed), Decimal("0")),
        "pending": [a for a in agreements if a.state in (AgreementState.DRAFT, AgreementState.SIGNED)],
        "can_create": can_create,
        "awaits_award": commission.is_competitive and not agreements and commission.state == State.SOURCING,
    }


# ---- Provider staff ------------------------------------------------------------------------------


def provider_agreements(user: User) -> QuerySet[Agreement]:
    """Signed agreements of the organisations the user acts for."""
    if not user.is_authenticated:
        return Agreement.objects.none()
    organisations = OrganisationMember.objects.filter(user=user).values("organisation_id")
    return (
        Agreement.objects.filter(provider__in=organisations, state__in=PROVIDER_VISIBLE_STATES)
        .select_related("council", "commission", "provider")
        .order_by("-starts_on", "-id")
    )


def provider_agreement_for_user(user: User, pk: int) -> Agreement:
    """One of the user's organisations' agreements; anything else is a 404."""
    return get_object_or_404(provider_agreements(user).select_related("funding_pot", "lot"), pk=pk)


# ---- The public register ----------------------------------------------------------------------------


def register(filters: dict | None = None) -> QuerySet[Agreement]:
    """Award notices for the public contract and grant register: agreements that are live or have
    ended, across every council, newest first."""
    filters = filters or {}
    agreements = Agreement.objects.filter(state__in=REGISTER_STATES).select_related("council", "commission", "provider")
    if filters.get("council"):
        agreements = agreements.filter(council=filters["council"])
    if filters.get("agreement_type"):
        agreements = agreements.filter(agreement_type=filters["agreement_type"])
    return agreements.order_by("-starts_on", "-id")
