"""The notices of the procurement itself, from the regime to the award: the market engagement (UK2),
planned procurement (UK3), tender (UK4), transparency (UK5), contract award (UK6) and procurement
termination (UK12) notices, and the Provider Selection Regime's intention to award.

Which of them a commission needs follows from its confirmed regime (`ProcurementRegime`) and its
records; a commission without a confirmed regime needs none yet.
"""

from __future__ import annotations

from django.utils import timezone

from commissioning.models import Commission, Opportunity, OpportunityState, Procedure, ProcurementRegime, Regime
from monitoring.models import NoticeType
from monitoring.notices import ocds
from monitoring.notices.kinds import NoticeKind, Occurrence, register
from monitoring.open_data.ocds import CommissionReleases, Parties

# The regimes of the Procurement Act whose procurements are advertised and awarded by notice.
ACT_REGIMES = frozenset({Regime.ABOVE_THRESHOLD, Regime.LIGHT_TOUCH})


def regime_of(commission: Commission) -> ProcurementRegime | None:
    try:
        return commission.procurement_regime
    except ProcurementRegime.DoesNotExist:
        return None


def is_competitive(regime: ProcurementRegime) -> bool:
    return regime.procedure != Procedure.DIRECT_AWARD


def current_opportunity(commission: Commission) -> Opportunity | None:
    return (
        commission.opportunities.filter(cycle=commission.cycle)
        .exclude(state=OpportunityState.DRAFT)
        .order_by("-published_at", "-id")
        .first()
    )


def special_regime(regime: ProcurementRegime) -> list[str]:
    return ["lightTouch"] if regime.regime == Regime.LIGHT_TOUCH else []


def above_threshold(regime: ProcurementRegime) -> bool:
    return regime.regime in ACT_REGIMES and (
        regime.threshold_amount is not None and regime.value >= regime.threshold_amount
    )


# ---- UK4 tender notice --------------------------------------------------------------------------


def _tender_release(commission: Commission, regime: ProcurementRegime, opportunity: Opportunity) -> dict:
    parties = Parties()
    releases = CommissionReleases(commission, today=timezone.localdate(), link=ocds.link)
    buyer = releases.buyer(parties, "procuringEntity")
    tender = releases.tender_section(opportunity, buyer)
    title = f"Tender notice: {opportunity.title}"
    tender["documents"] = [ocds.notice_document(NoticeType.UK4, "tenderNotice", title, opportunity.published_at)] + [
        document for document in tender["documents"] if document["id"] != "notice"
    ]
    tender["procurementMethod"] = "selective" if regime.procedure == Procedure.COMPETITIVE_FLEXIBLE else "open"
    tender["procurementMethodDetails"] = regime.get_procedure_display() or "Below-threshold open procedure"
    tender["aboveThreshold"] = above_threshold(regime)
    if special_regime(regime):
        tender["specialRegime"] = special_regime(regime)
    if commission.cpv_code:
        tender["classification"] = {"scheme": "CPV", "id": commission.cpv_code}
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=NoticeType.UK4,
        tags=["tender"],
        parties=parties,
        when=opportunity.published_at,
        tender=tender,
    )


def tender_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_of(commission)
    if regime is None:
        return []
    opportunity = current_opportunity(commission)
    advertised = opportunity is not None
    needed = (regime.regime in ACT_REGIMES and is_competitive(regime)) or (
        regime.regime == Regime.BELOW_THRESHOLD and advertised
    )
    if not needed or opportunity is None:
        return []
    return [
        Occurrence(
            subject=f"cycle:{commission.cycle}",
            title=f"Tender notice: {opportunity.title}",
            due_on=timezone.localdate(opportunity.published_at),
            due_rule=(
                "On the day the opportunity is advertised, and before it is advertised anywhere else "
                "(Procurement Regulations 2024, reg 18; reg 24 below threshold)"
            ),
            build=lambda: _tender_release(commission, regime, opportunity),
            source=opportunity,
        )
    ]


register(
    NoticeKind(
        notice_type=NoticeType.UK4,
        purpose="Starts an open or competitive flexible procedure, or advertises a below-threshold contract.",
        for_commission=tender_notices,
    )
)
