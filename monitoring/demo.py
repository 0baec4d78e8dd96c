"""Demo agreements for the demo commissions that are putting agreements in place, delivering or in
review, made through the real services (so the contract and grant register has rows).

Commissions already delivering get live agreements (a split award for Kirkby Moor's arts round, a
variation on the befriending grant). Commissions putting agreements in place get a draft (an in-house
service level agreement) or a signed agreement waiting to go live (the Vale Partnership's shared
service with its council-owned company): neither moves the commission, which stays where the
commissioning demo put it. Safe to run again.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commissioning.demo import person
from commissioning.models import Commission, State
from councils.models import Role
from providers.demo import tiny_pdf
from providers.models import Organisation

from . import services
from .models import Agreement, AgreementState, MonitoringFrequency, add_months

# (council slug, commission title) -> [(provider legal name or None, internal team, state, share of budget)]
DEMO_AGREEMENTS = {
    ("kirkby-moor", "Befriending for older people living alone"): [
        ("Kirkby Moor Age Concern", "", AgreementState.LIVE, "1"),
    ],
    ("kirkby-moor", "Community arts commissioning round"): [
        ("The Lantern Arts Collective", "", AgreementState.LIVE, "0.6"),
        ("Open Doors Theatre", "", AgreementState.LIVE, "0.4"),
    ],
    # Kirkby Moor's "Leisure centre management" (in-house, putting agreements in place) is left for
    # the demo officer to draft, sign and put live: the journey the browser test walks.
    ("wyvern", "Healthy holidays activity programme"): [
        ("Wyvern Leisure Trust", "", AgreementState.LIVE, "1"),
    ],
    ("ashby-vale", "Shared waste education service"): [
        ("Vale Shared Services Ltd", "", AgreementState.SIGNED, "1"),
    ],
    ("ashby-vale", "Village hall improvement grants"): [
        ("Riverside Residents Association", "", AgreementState.LIVE, "1"),
    ],
    ("brookfield", "Rural broadband champions"): [
        ("Green Lanes Community Interest Company", "", AgreementState.LIVE, "1"),
    ],
}
DEMO_STATES = (State.AGREEING, State.DELIVERING, State.REVIEWING)


def _dates(commission: Commission):
    """Delivering: started about six months ago, for three years. In review: ends in about six months."""
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    if commission.state == State.DELIVERING:
        starts_on = add_months(first_of_month, -6)
        return starts_on, add_months(starts_on, 36) - timedelta(days=1)
    if commission.state == State.REVIEWING:
        starts_on = add_months(first_of_month, -30)
        return starts_on, add_months(starts_on, 36) - timedelta(days=1)
    return commission.starts_on, commission.ends_on


def _make(commission: Commission, provider, team: str, state: str, share: Decimal) -> Agreement:
    council = commission.council
    officer = commission.lead_officer
    lead = person(council, Role.LEAD_COMMISSIONER)
    starts_on, ends_on = _dates(commission)
    title = commission.title if share == 1 else f"{commission.title}: {provider or team}"
    agreement = services.agreement_create(
        by=officer,
        commission=commission,
        title=title,
        value=((commission.budget or Decimal("0")) * share).quantize(Decimal("1")),
        starts_on=starts_on,
        ends_on=ends_on,
        provider=provider,
        internal_team_name=team,
        funding_pot=council.funding_pots.order_by("id").first(),
        description=commission.summary,
        monitoring_frequency=MonitoringFrequency.QUARTERLY,
        max_extensions=2,
        extension_period_months=12,
        provider_contact_name=f"{provider} contract manager" if provider else "",
    )
    if state == AgreementState.DRAFT:
        return agreement
    today = timezone.localdate()
    signed_on = min(today, starts_on - timedelta(days=14))
    services.agreement_sign(
        by=lead,
        agreement=agreement,
        document=ContentFile(tiny_pdf(f"Signed agreement {agreement.reference}"), name="signed-agreement.pdf"),
        signed_on=signed_on,
        reason="Signed by both parties.",
    )
    if state == AgreementState.SIGNED:
        return agreement
    services.agreement_go_live(by=officer, agreement=agreement, live_on=min(today, starts_on))
    return agreement


def _vary_befriending(agreement: Agreement) -> None:
    """A value uplift with its approval, so the demo shows a variation history."""
    council = agreement.council
    lead = person(council, Role.LEAD_COMMISSIONER)
    today = timezone.localdate()
    services.agreement_vary_value(
        by=agreement.commission.lead_officer,
        agreement=agreement,
        value=agreement.value + Decimal("5000"),
        reason="Demand in the rural wards is higher than forecast: two more volunteer coordinators' sessions a week.",
        approval=services.Approval(approved_by=lead, approved_on=today, reference=f"DEL/{today.year}/014"),
        effective_on=today,
    )


@transaction.atomic
def seed_agreements() -> int:
    created = 0
    for (slug, title), parties in DEMO_AGREEMENTS.items():
        commission = Commission.objects.filter(council__slug=slug, title=title).select_related("council").first()
        if commission is None or commission.state not in DEMO_STATES:
            continue
        for legal_name, team, state, share in parties:
            provider = Organisation.objects.filter(legal_name=legal_name).first() if legal_name else None
            if legal_name and provider is None:
                continue
            existing = Agreement.objects.filter(commission=commission, cycle=commission.cycle)
            if existing.filter(provider=provider, internal_team_name=team).exists():
                continue
            agreement = _make(commission, provider, team, state, Decimal(share))
            if title.startswith("Befriending"):
                _vary_befriending(agreement)
            created += 1
    return created
