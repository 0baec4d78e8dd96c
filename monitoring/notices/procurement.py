"""The notices of the procurement itself, from the regime to the award: the market engagement (UK2),
planned procurement (UK3), tender (UK4), transparency (UK5), contract award (UK6) and procurement
termination (UK12) notices, and the Provider Selection Regime's intention to award.

Which of them a commission needs follows from its confirmed regime (`ProcurementRegime`) and its
records; a commission without a confirmed regime needs none yet.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commissioning.award import gates as award_gates
from commissioning.award import services as award_services
from commissioning.award import standstill_selectors
from commissioning.cycle import regime as regimes
from commissioning.models import (
    PUBLIC_CONTRACT_REGIMES,
    Award,
    AwardState,
    Commission,
    EngagementKind,
    Opportunity,
    OpportunityState,
    Procedure,
    ProcurementRegime,
    Regime,
    State,
)
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.notices import ocds
from monitoring.notices.kinds import NoticeKind, Occurrence, register
from monitoring.open_data.common import day_end, day_start
from monitoring.open_data.ocds import CommissionReleases, Parties, value
from providers.identity import supplier_party


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


def awards_of(commission: Commission) -> list[Award]:
    """This cycle's awards whose decision has been taken (approved, or called in after approval)."""
    return list(
        commission.awards.filter(cycle=commission.cycle, state__in=(AwardState.APPROVED, AwardState.CALLED_IN))
        .select_related("opportunity")
        .prefetch_related("items__bid__organisation", "items__lot")
    )


def market_engaged(commission: Commission) -> bool:
    """Whether suppliers were engaged before the tender (a provider market event in the records)."""
    return commission.engagements.filter(cycle=commission.cycle, kind=EngagementKind.PROVIDER_EVENT).exists()


def user_choice(regime: ProcurementRegime) -> bool:
    """A light-touch direct award for user choice needs no transparency notice (s.41, Sch 5 para 15)."""
    return regime.regime == Regime.LIGHT_TOUCH and "user choice" in regime.direct_award_ground.lower()


def special_regime(regime: ProcurementRegime) -> list[str]:
    return ["lightTouch"] if regime.regime == Regime.LIGHT_TOUCH else []


def above_threshold(regime: ProcurementRegime) -> bool:
    return regime.regime in PUBLIC_CONTRACT_REGIMES and (
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
    sections = {"tender": tender}
    if regime.regime in PUBLIC_CONTRACT_REGIMES and not market_engaged(commission):
        # Regulation 17: without a market engagement notice, the tender notice says why there was none.
        sections["planning"] = {
            "noEngagementNoticeRationale": "No preliminary market engagement was carried out for this procurement."
        }
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=NoticeType.UK4,
        tags=["tender"],
        parties=parties,
        when=opportunity.published_at,
        **sections,
    )


def tender_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_of(commission)
    if regime is None:
        return []
    opportunity = current_opportunity(commission)
    advertised = opportunity is not None
    needed = (regime.regime in PUBLIC_CONTRACT_REGIMES and is_competitive(regime)) or (
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


def _tender_basics(commission: Commission, regime: ProcurementRegime, method: str) -> dict:
    tender = {
        "id": f"{commission.reference}-C{commission.cycle}",
        "title": commission.title,
        "description": commission.summary or commission.title,
        "status": "planned" if method != "direct" else "active",
        "mainProcurementCategory": "works" if commission.cpv_code.startswith("45") else "services",
        "procurementMethod": method,
        "procurementMethodDetails": regime.get_procedure_display() or regime.get_regime_display(),
        "value": value(regime.value),
        "aboveThreshold": above_threshold(regime),
    }
    if special_regime(regime):
        tender["specialRegime"] = special_regime(regime)
    if commission.cpv_code:
        tender["classification"] = {"scheme": "CPV", "id": commission.cpv_code}
    if commission.starts_on and commission.ends_on:
        tender["contractPeriod"] = {
            "startDate": day_start(commission.starts_on),
            "endDate": day_end(commission.ends_on),
        }
    return tender


# ---- UK2 preliminary market engagement, UK3 planned procurement ----------------------------------


def _engagement_release(commission: Commission, regime: ProcurementRegime) -> dict:
    activities = list(commission.engagements.filter(cycle=commission.cycle, kind=EngagementKind.PROVIDER_EVENT))
    when = max((activity.held_on for activity in activities), default=timezone.localdate())
    planning = {
        "rationale": "; ".join(
            f"{activity.get_kind_display()} on {activity.held_on:%d/%m/%Y} with {activity.participants}"
            for activity in activities
        ),
        "documents": [ocds.notice_document(NoticeType.UK2, "marketEngagementNotice", commission.title, when)],
    }
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=NoticeType.UK2,
        tags=["planning"],
        when=when,
        planning=planning,
        tender=_tender_basics(commission, regime, "open"),
    )


def engagement_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_of(commission)
    if regime is None or regime.regime not in PUBLIC_CONTRACT_REGIMES or not is_competitive(regime):
        return []
    if not market_engaged(commission):
        return []
    opportunity = current_opportunity(commission)
    return [
        Occurrence(
            subject=f"cycle:{commission.cycle}",
            title=f"Preliminary market engagement: {commission.title}",
            due_on=timezone.localdate(opportunity.published_at) if opportunity else None,
            due_rule="Before the tender notice, when suppliers were engaged before the procurement (reg 17)",
            build=lambda: _engagement_release(commission, regime),
        )
    ]


def _planned_release(commission: Commission, regime: ProcurementRegime) -> dict:
    tender = _tender_basics(commission, regime, "open")
    tender["documents"] = [
        ocds.notice_document(NoticeType.UK3, "plannedProcurementNotice", commission.title, timezone.now())
    ]
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=NoticeType.UK3,
        tags=["planning"],
        tender=tender,
    )


def planned_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_of(commission)
    if regime is None or regime.regime != Regime.ABOVE_THRESHOLD or not is_competitive(regime):
        return []
    return [
        Occurrence(
            subject=f"cycle:{commission.cycle}",
            title=f"Planned procurement: {commission.title}",
            optional=True,
            due_rule=(
                "Optional: 40 days to a year before the tender notice; it shortens the open procedure's "
                "minimum tendering period to 10 days (s.54; reg 16)"
            ),
            build=lambda: _planned_release(commission, regime),
        )
    ]


# ---- UK5 transparency notice ---------------------------------------------------------------------


def _suppliers(award: Award, parties: Parties) -> list[dict]:
    return [parties.add(supplier_party(item.bid.organisation), "supplier") for item in award.items.all()]


def _transparency_release(commission: Commission, regime: ProcurementRegime, award: Award) -> dict:
    parties = Parties()
    tender = _tender_basics(commission, regime, "direct")
    tender["procurementMethodRationale"] = regime.direct_award_ground
    tender["documents"] = [
        ocds.notice_document(
            NoticeType.UK5, "contractNotice", f"Transparency notice: {commission.title}", timezone.now()
        )
    ]
    awards = [
        {
            "id": f"{award.opportunity.reference}-AWARD-{item.pk}",
            "status": "pending",
            "value": value(item.value),
            "suppliers": [parties.add(supplier_party(item.bid.organisation), "supplier")],
        }
        for item in award.items.all()
    ]
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=NoticeType.UK5,
        tags=["tender"],
        parties=parties,
        tender=tender,
        awards=awards,
    )


def transparency_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_of(commission)
    if regime is None or regime.regime not in PUBLIC_CONTRACT_REGIMES or regime.procedure != Procedure.DIRECT_AWARD:
        return []
    if user_choice(regime):
        return []
    return [
        Occurrence(
            subject=f"award:{award.pk}",
            title=f"Transparency notice: {award.opportunity.title}",
            due_on=award.effective_from(),
            due_rule="Before the contract is awarded directly, and before the contract award notice (s.44; reg 26)",
            build=lambda award=award: _transparency_release(commission, regime, award),
            source=award,
        )
        for award in awards_of(commission)
    ]


# ---- UK6 contract award notice, and the Provider Selection Regime's intention to award -----------


def _award_release(commission: Commission, regime: ProcurementRegime, award: Award, notice_type: str) -> dict:
    parties = Parties()
    method = "direct" if regime.procedure == Procedure.DIRECT_AWARD else "open"
    if regime.procedure == Procedure.COMPETITIVE_FLEXIBLE:
        method = "selective"
    tender = _tender_basics(commission, regime, method)
    tender["id"] = award.opportunity.reference
    tender["status"] = "complete"
    title = f"Contract award notice: {award.opportunity.title}"
    if notice_type == NoticeType.PSR_INTENT:
        title = f"Intention to award (Provider Selection Regime, {regime.get_psr_route_display()}): {commission.title}"
    awards = []
    for item in award.items.all():
        section = {
            "id": f"{award.opportunity.reference}-AWARD-{item.pk}",
            "title": f"{award.opportunity.title}: {item.lot.title}" if item.lot_id else award.opportunity.title,
            "status": "pending",
            "value": value(item.value),
            "suppliers": [parties.add(supplier_party(item.bid.organisation), "supplier")],
            "aboveThreshold": above_threshold(regime),
            "documents": [ocds.notice_document(notice_type, "awardNotice", title, timezone.now())],
        }
        if award.decided_on:
            section["date"] = day_start(award.decided_on)
        if item.lot_id:
            section["relatedLots"] = [str(item.lot.number)]
        if award.assessment_summaries_sent_at:
            section["assessmentSummariesDateSent"] = ocds.timestamp(award.assessment_summaries_sent_at)
        standstill = _standstill_period(award)
        if standstill:
            section["standstillPeriod"] = standstill
        awards.append(section)
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=notice_type,
        tags=["award"],
        parties=parties,
        tender=tender,
        awards=awards,
    )


def _standstill_period(award: Award) -> dict | None:
    """The standstill the notice announces: as recorded once the notice is published; before that,
    as it will run if Find a Tender publishes the notice today (the officer marks it ready that day)."""
    if award.award_notice_published_on is not None:
        if not award.standstill_applies or award.standstill_ends_on is None:
            return None
        return {"startDate": day_start(award.award_notice_published_on), "endDate": day_end(award.standstill_ends_on)}
    if not standstill_selectors.standstill_will_apply(award):
        return None
    today = timezone.localdate()
    return {"startDate": day_start(today), "endDate": day_end(standstill_selectors.standstill_end(award, today))}


def award_of(notice) -> Award:
    return Award.objects.get(commission=notice.commission, pk=int(notice.subject.removeprefix("award:")))


def missing_before_award_notice(notice) -> list[str]:
    return award_gates.missing_before_award_notice(award_of(notice))


def award_notice_published(notice, by) -> None:
    """Recording the award notice (or the intention to award) as published starts the standstill."""
    award_services.record_award_notice_published(award=award_of(notice), published_on=notice.published_on, by=by)


def _per_award(commission: Commission, regimes, notice_type: str, title: str, rule: str) -> list[Occurrence]:
    """One notice per award whose decision is taken, under the regimes that call for it."""
    regime = regime_of(commission)
    if regime is None or regime.regime not in regimes:
        return []
    return [
        Occurrence(
            subject=f"award:{award.pk}",
            title=f"{title}: {award.opportunity.title}",
            due_on=award.effective_from(),
            due_rule=rule,
            build=lambda award=award: _award_release(commission, regime, award, notice_type),
            source=award,
        )
        for award in awards_of(commission)
    ]


def award_notices(commission: Commission) -> list[Occurrence]:
    rule = (
        "Once the decision has effect and the assessment summaries have gone, before the contract is "
        "entered into: publishing it starts the standstill (s.50, s.51; reg 27)"
    )
    return _per_award(commission, PUBLIC_CONTRACT_REGIMES, NoticeType.UK6, "Contract award notice", rule)


def intention_notices(commission: Commission) -> list[Occurrence]:
    rule = (
        "Once the decision is made: publishing it starts the standstill of 8 working days for "
        "representations (Provider Selection Regime Regulations 2023, reg 11 and 12)"
    )
    return _per_award(commission, {Regime.PROVIDER_SELECTION}, NoticeType.PSR_INTENT, "Intention to award", rule)


# ---- UK12 procurement termination ------------------------------------------------------------------

# The council publishes it promptly; Commissioner asks for it within this many days of the decision.
TERMINATION_NOTICE_DAYS = 30


def _termination_release(commission: Commission, regime: ProcurementRegime, decided) -> dict:
    tender = _tender_basics(commission, regime, "direct" if regime.procedure == Procedure.DIRECT_AWARD else "open")
    tender["status"] = "cancelled"
    tender["statusDetails"] = "The council decided not to award a contract."
    tender["documents"] = [
        ocds.notice_document(
            NoticeType.UK12, "tenderCancellationNotice", f"Procurement termination: {commission.title}", decided
        )
    ]
    return ocds.release(
        council=commission.council,
        release_ocid=ocds.ocid(commission),
        notice_type=NoticeType.UK12,
        tags=["tenderCancellation"],
        when=decided,
        tender=tender,
    )


def termination_notices(commission: Commission) -> list[Occurrence]:
    regime = regime_of(commission)
    if regime is None or regime.regime not in (*PUBLIC_CONTRACT_REGIMES, Regime.BELOW_THRESHOLD):
        return []
    opportunity = (
        commission.opportunities.filter(cycle=commission.cycle, state=OpportunityState.CANCELLED)
        .order_by("-updated_at")
        .first()
    )
    decided = opportunity.updated_at if opportunity else None
    if decided is None and commission.state == State.CANCELLED:
        decided = commission.updated_at
    if decided is None:
        return []
    # Only a procurement that was announced has to be called off in public.
    announced = Notice.objects.filter(
        commission=commission, notice_type__in=(NoticeType.UK4, NoticeType.UK5), state=NoticeState.PUBLISHED
    ).exists()
    if not announced:
        return []
    day = timezone.localdate(decided)
    return [
        Occurrence(
            subject=f"cycle:{commission.cycle}",
            title=f"Procurement termination: {commission.title}",
            due_on=day + timedelta(days=TERMINATION_NOTICE_DAYS),
            due_rule=(
                "Promptly after the council decides not to award the contract, once a tender or transparency "
                f"notice was published (s.55); Commissioner asks for it within {TERMINATION_NOTICE_DAYS} days"
            ),
            build=lambda: _termination_release(commission, regime, decided),
        )
    ]


for _kind in (
    NoticeKind(
        notice_type=NoticeType.UK2,
        purpose="Tells the market that the council engaged suppliers before the procurement.",
        for_commission=engagement_notices,
    ),
    NoticeKind(
        notice_type=NoticeType.UK3,
        purpose="Announces a planned procurement; optional, and shortens the open procedure's minimum period.",
        for_commission=planned_notices,
        on_published=lambda notice, by: regimes.planned_notice_recorded(
            by=by, commission=notice.commission, published_on=notice.published_on
        ),
    ),
    NoticeKind(
        notice_type=NoticeType.UK5,
        purpose="Announces a direct award before the contract is awarded.",
        for_commission=transparency_notices,
    ),
    NoticeKind(
        notice_type=NoticeType.UK6,
        purpose="Announces the award; its publication starts the standstill.",
        for_commission=award_notices,
        missing_to_publish=missing_before_award_notice,
        on_published=award_notice_published,
    ),
    NoticeKind(
        notice_type=NoticeType.PSR_INTENT,
        purpose=(
            "Announces the intended provider under the Provider Selection Regime; "
            "starts 8 working days for representations."
        ),
        for_commission=intention_notices,
        missing_to_publish=missing_before_award_notice,
        on_published=award_notice_published,
    ),
    NoticeKind(
        notice_type=NoticeType.UK12,
        purpose="Tells the market that the council decided not to award after announcing the procurement.",
        for_commission=termination_notices,
    ),
):
    register(_kind)
