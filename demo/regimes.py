"""One procurement under each regime, each at a different point, with its notices: the demo of the
Procurement Act 2023 (and the Provider Selection Regime) in Kirkby Moor.

- Highway verge and weed control: Act, above threshold, open procedure; at tender, with the UK3, UK2
  and UK4 published and bids coming in.
- Flood response pumping: Act, above threshold, direct award; awarded, the UK5 published and the UK6
  ready (a voluntary standstill chosen).
- Stop smoking service: Provider Selection Regime, Most Suitable Provider; the intention to award
  published, 8 working days for representations running.
- Village hall energy advice: Act, regulated below threshold; delivering, the UK4 and the UK7 (£30,000
  or more) published.
- Community chest grants: a grant, flagged for the subsidy database (£100,000 or more); awarded, no
  notices.
- Home support for older people (`demo.invoices`): Act, light-touch services; delivering, the UK4, UK6
  and UK7 published.

Everything goes through the real services, with the clock moved back (`time_machine`, demo only) so that
what happened weeks ago is dated weeks ago. Each notice is marked ready and recorded as published with
a made-up Find a Tender identifier, as an officer would after publishing it. Safe to run again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone

from commissioning.award import services as award_services
from commissioning.award import summary_services
from commissioning.cycle import regime, services
from commissioning.models import (
    Award,
    Commission,
    DeliveryRoute,
    EngagementActivity,
    EngagementKind,
    Portfolio,
    Procedure,
    PsrKeyCriterion,
    PsrRoute,
    Regime,
    State,
)
from councils.models import Council, Role, User
from demo import procurement
from demo.commissions import advance, person
from demo.fit import outcome_for
from demo.invoices import CONTRACT_TITLE, _at, _care_pot
from demo.notices import publish
from monitoring.models import Notice, NoticeState, NoticeType
from monitoring.notices import services as notice_services
from providers import services as provider_services
from providers.models import Organisation, OrganisationMember

COUNCIL = "kirkby-moor"


@dataclass(frozen=True)
class Demo:
    title: str
    cpv: str
    budget: str
    route: str
    regime: str
    stage: str  # "tender", "award", "intention", "delivering"
    days_ago: int
    choices: dict = field(default_factory=dict)
    engaged: bool = False
    planned_notice: bool = False


PROCUREMENTS = (
    Demo(
        "Highway verge and weed control",
        "77312000",
        "450000",
        DeliveryRoute.CONTRACT,
        Regime.ABOVE_THRESHOLD,
        "tender",
        days_ago=6,
        choices={"procedure": Procedure.OPEN},
        engaged=True,
        planned_notice=True,
    ),
    Demo(
        "Flood response pumping",
        "90733000",
        "260000",
        DeliveryRoute.CONTRACT,
        Regime.ABOVE_THRESHOLD,
        "award",
        days_ago=45,
        choices={
            "procedure": Procedure.DIRECT_AWARD,
            "direct_award_ground": "Extreme and unavoidable urgency (Schedule 5, paragraph 13): the winter floods.",
        },
    ),
    Demo(
        "Stop smoking service",
        "85100000",
        "240000",
        DeliveryRoute.CONTRACT,
        Regime.PROVIDER_SELECTION,
        "intention",
        days_ago=45,
        choices={
            "psr_route": PsrRoute.MOST_SUITABLE,
            "psr_decision": "The current provider is most suitable against the key criteria, weighted as published.",
            "psr_key_criteria": [PsrKeyCriterion.QUALITY, PsrKeyCriterion.ACCESS, PsrKeyCriterion.VALUE],
        },
    ),
    Demo(
        "Village hall energy advice",
        "71314300",
        "60000",
        DeliveryRoute.CONTRACT,
        Regime.BELOW_THRESHOLD,
        "delivering",
        days_ago=90,
    ),
    Demo(
        "Community chest grants",
        "98133000",
        "150000",
        DeliveryRoute.GRANT,
        Regime.GRANT,
        "award",
        days_ago=45,
    ),
)


def _identified(commission: Commission) -> None:
    """Reg 27 and 32: notices name each supplier by its unique identifier. The demo bidder has a PPON."""
    for number, organisation in enumerate(
        Organisation.objects.filter(bids__opportunity__commission=commission).distinct(), start=1
    ):
        if organisation.ppon:
            continue
        admin = OrganisationMember.objects.filter(organisation=organisation).select_related("user").first()
        organisation.ppon = f"PKMR-{commission.pk % 10000:04d}-{'ABCDEFGHJK'[number % 10]}DEM"
        provider_services.organisation_update(by=admin.user, organisation=organisation)


def _notice(commission: Commission, notice_type: str) -> Notice | None:
    notice_services.notices_refresh(commission)
    return Notice.objects.filter(commission=commission, notice_type=notice_type).first()


def _publish_type(commission: Commission, notice_type: str, by: User, on: datetime.date) -> None:
    notice = _notice(commission, notice_type)
    if notice is not None and notice.state != NoticeState.PUBLISHED:
        publish(notice, by, on)


def _commission(council: Council, demo: Demo, started: datetime.date) -> Commission:
    officer = person(council, Role.COMMISSIONING_OFFICER)
    outcome = outcome_for(council, demo.title)
    commission = services.commission_create(
        by=officer,
        council=council,
        title=demo.title,
        summary=f"{demo.title}: commissioned to improve ‘{outcome.title.lower()}’.",
        lead_officer=officer,
        portfolio=outcome.portfolio,
        outcomes=[outcome],
    )
    services.commission_set_cpv_code(by=officer, commission=commission, code=demo.cpv)
    commission = advance(
        commission,
        State.SOURCING,
        route=demo.route,
        budget=Decimal(demo.budget),
        pot=_care_pot(council, started),
        council_outcome=outcome,
        portfolio=outcome.portfolio or Portfolio.objects.filter(council=council).first(),
    )
    commission = Commission.objects.get(pk=commission.pk)
    proposed = regime.propose_regime(commission).regime
    regime.regime_confirm(
        by=person(council, Role.PROCUREMENT_OFFICER),
        commission=commission,
        regime=demo.regime,
        reason="" if demo.regime == proposed else "A health service under the Provider Selection Regime.",
        **demo.choices,
    )
    if demo.engaged:
        EngagementActivity.objects.create(
            commission=commission,
            cycle=commission.cycle,
            kind=EngagementKind.PROVIDER_EVENT,
            held_on=started,
            participants="Nine local grounds maintenance firms and two social enterprises",
            what_we_heard="Firms asked for a three-year term so they can invest in electric equipment.",
        )
    return commission


def _procure(council: Council, demo: Demo) -> Commission:
    today = timezone.localdate()
    started = today - datetime.timedelta(days=demo.days_ago)
    officer = person(council, Role.PROCUREMENT_OFFICER)
    # Summaries and the standstill are the commissioners' to settle; the notices the procurement officer's.
    commissioner = person(council, Role.COMMISSIONING_OFFICER)
    with time_machine.travel(_at(started - datetime.timedelta(days=60)), tick=False):
        commission = _commission(council, demo, started)
        if demo.planned_notice:
            _publish_type(commission, NoticeType.UK3, officer, timezone.localdate())
    with time_machine.travel(_at(started), tick=False):
        if demo.engaged:
            _publish_type(commission, NoticeType.UK2, officer, started)
        if demo.stage == "tender":
            procurement.published(commission)
            _publish_type(commission, NoticeType.UK4, officer, started)
            return commission
        procurement.award_approved(commission)
        _identified(commission)
    award = Award.objects.get(commission=commission, cycle=commission.cycle)
    decided = award.effective_from() or started
    with time_machine.travel(_at(max(decided, started) + datetime.timedelta(days=1)), tick=False):
        _publish_type(commission, NoticeType.UK4, officer, started)
        if demo.stage == "award" and demo.regime == Regime.ABOVE_THRESHOLD:
            # A direct award: the transparency notice first; the award notice is ready, its standstill
            # voluntary and chosen, waiting for the officer to publish it.
            _publish_type(commission, NoticeType.UK5, officer, timezone.localdate())
            award_services.voluntary_standstill_choose(by=commissioner, award=award, chosen=True)
            summary_services.assessment_summaries_prepare(by=commissioner, award=award)
            summary_services.assessment_summaries_send(by=commissioner, award=award)
            notice = _notice(commission, NoticeType.UK6)
            notice_services.notice_step(by=officer, notice=notice, name="mark_ready")
            return commission
        if demo.stage == "award":
            summary_services.assessment_summaries_prepare(by=commissioner, award=award)
            summary_services.assessment_summaries_send(by=commissioner, award=award)
            return commission
        if demo.stage == "intention":
            summary_services.assessment_summaries_prepare(by=commissioner, award=award)
            summary_services.assessment_summaries_send(by=commissioner, award=award)
    if demo.stage == "intention":
        # Published two working days ago: the representations period is still running.
        with time_machine.travel(_at(today - datetime.timedelta(days=2)), tick=False):
            _publish_type(commission, NoticeType.PSR_INTENT, officer, timezone.localdate())
        return commission
    with time_machine.travel(_at(max(decided, started) + datetime.timedelta(days=1)), tick=False):
        procurement.agreements_live(commission)
    with time_machine.travel(_at(max(decided, started) + datetime.timedelta(days=5)), tick=False):
        for notice_type in (NoticeType.UK6, NoticeType.UK7):
            notice = _notice(commission, notice_type)
            if notice is not None and notice.state != NoticeState.PUBLISHED:
                on = award.award_notice_published_on if notice_type == NoticeType.UK6 else timezone.localdate()
                publish(notice, officer, on or timezone.localdate())
    return commission


def _light_touch_notices(council: Council) -> None:
    """The light-touch home support contract (`demo.invoices`): its tender, award and details notices
    were published as it went."""
    commission = Commission.objects.filter(council=council, title=CONTRACT_TITLE).first()
    if commission is None:
        return
    officer = person(council, Role.PROCUREMENT_OFFICER)
    _identified(commission)
    opportunity = commission.opportunities.filter(published_at__isnull=False).first()
    award = commission.awards.filter(cycle=commission.cycle).first()
    agreement = commission.agreements.filter(signed_on__isnull=False).first()
    steps = (
        (NoticeType.UK4, timezone.localdate(opportunity.published_at) if opportunity else None),
        (NoticeType.UK6, award.award_notice_published_on if award else None),
        (NoticeType.UK7, agreement.signed_on + datetime.timedelta(days=20) if agreement else None),
    )
    for notice_type, on in steps:
        if on is None:
            continue
        with time_machine.travel(_at(on), tick=False):
            _publish_type(commission, notice_type, officer, on)


@transaction.atomic
def seed_regimes() -> int:
    """The procurements under each regime (before the invoices, which bill those in delivery)."""
    council = Council.objects.filter(slug=COUNCIL).first()
    if council is None or person(council, Role.PROCUREMENT_OFFICER) is None:
        return 0
    made = 0
    for demo in PROCUREMENTS:
        if Commission.objects.filter(council=council, title=demo.title).exists():
            continue
        _procure(council, demo)
        made += 1
    return made


@transaction.atomic
def seed_notices() -> None:
    """Once everything else is seeded: the light-touch contract's notices published, and every
    council's notices brought up to date with the demo's records."""
    council = Council.objects.filter(slug=COUNCIL).first()
    if council is not None:
        _light_touch_notices(council)
    notice_services.notices_refresh_all()
