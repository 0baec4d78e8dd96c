"""Award test data, built through the real services as officers, bidders, panellists, decision-makers
and scrutiny members would: a signed-off evaluation (with lots, a price criterion, exclusions or a
panellist's conflict when asked), then the award taken to any point — recommended, approved, the
assessment summaries sent, the contract award notice published. Clocks are moved (time_machine) for
the forward plan's notice, never the state fields.

Other tests and the demo can use `signed_off_evaluation`, `approved_award`,
`award_with_summaries_sent` and `award_notice_published`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from commissioning.award import call_in, forward_plan, summary_services
from commissioning.award import services as award_services
from commissioning.cycle import regime as regime_services
from commissioning.cycle.services import Decision
from commissioning.evaluation import selectors as evaluation_selectors
from commissioning.evaluation import services as evaluation_services
from commissioning.models import (
    Award,
    Bid,
    DecisionMaker,
    DeliveryRoute,
    Lot,
    Opportunity,
    PriceMethod,
    Procedure,
    Regime,
)
from commissioning.tests.evaluation_factories import (
    Bidder,
    EvaluationWorld,
    bidder,
    declare_all,
    open_compliance,
    open_scoring,
    open_the_bids,
    panel_set_up,
    published_with_bids,
    step,
)
from commissioning.tests.factories import staff
from councils.models import Membership, Role, User
from councils.tests.factories import MembershipFactory, PortfolioFactory


@dataclass
class AwardWorld(EvaluationWorld):
    """A signed-off evaluation (see `EvaluationWorld`) and, once started, its award."""

    award: Award | None = None
    lots: list[Lot] = field(default_factory=list)
    officer: User | None = None

    def refresh_award(self) -> Award:
        self.award = Award.objects.get(pk=self.award.pk)
        return self.award


def winner_first(bid_index: int, criterion_index: int) -> int:
    """Moderated scores that rank the bids in the order they were made (the first wins: 4 on every
    criterion), with the later bids ahead on the last quality criterion (the seventh and the eighth
    without a price criterion) so that every letter has strengths as well as the winner's advantages."""
    return max(0, min(5, 4 - bid_index + (2 * bid_index if criterion_index >= 6 else 0)))


def signed_off_evaluation(
    council,
    bidders: list[Bidder] | None = None,
    *,
    route: str = DeliveryRoute.GRANT,
    budget: Decimal | int = Decimal(60000),
    lots: list[Decimal | None] = (),
    lot_prices: dict[int, dict[int, Decimal | int]] | None = None,
    price_method: str = PriceMethod.QUALITY_ONLY,
    failing: dict[int, dict[str, str]] | None = None,
    conflicted: dict[int, str] | None = None,
    moderated: Callable[[int, int], int] = winner_first,
    portfolio=None,
    opportunity: Opportunity | None = None,
) -> AwardWorld:
    """An opportunity bid for by `bidders` (in that order), its bids opened and its evaluation signed
    off through the services. The lead commissioner runs it; the commissioning officer chairs with the
    procurement officer; with `conflicted` (bid index → nature) the legal officer sits on the panel
    too and declares those conflicts. `lots` are the lots' budgets; `lot_prices` (bidder index →
    {lot index: price}) which lots each bidder bids for (every lot at its price by default).
    `failing` (bid index → {check: reason}) excludes bids at the compliance checks; `moderated(bid,
    criterion)` gives the moderated scores (the first bid wins by default). `opportunity` is one already
    published and bid for (`published_with_bids`), for a test that does something between."""
    if opportunity is None:
        if bidders is None:
            bidders = [bidder("Moorside Youth Trust", 48000), bidder("Brightwork", 52000)]
        opportunity = published_with_bids(
            council,
            bidders,
            route=route,
            budget=Decimal(budget),
            lots=list(lots),
            lot_prices=lot_prices,
            portfolio=portfolio,
        )
    opportunity = open_the_bids(opportunity)
    made_lots = list(opportunity.lots.order_by("number"))
    world = panel_set_up(opportunity, price_method, world_class=AwardWorld, lots=made_lots)
    lead, chair, panellist, evaluation = world.lead, world.chair, world.panellist, world.evaluation
    world.officer = chair
    scorers = [chair, panellist]
    conflicts = {world.bids[index].pk: nature for index, nature in (conflicted or {}).items()}
    walled = None
    if conflicted:
        walled = staff(council, Role.LEGAL_OFFICER)
        world.members["conflicted"] = evaluation_services.panel_appoint(by=lead, evaluation=evaluation, user=walled)
        scorers.append(walled)
    if walled is not None:
        declare_all(world, walled, conflicts)
    open_compliance(world)
    open_scoring(world, failing)
    eligible = [b for b in world.bids if b.pk not in evaluation_selectors.failed_bid_ids(world.evaluation)]
    for user in scorers:
        member = evaluation_selectors.current_member(user, world.refresh())
        for bid in eligible:
            if user == walled and bid.pk in conflicts:
                continue
            given = {
                c.pk: (moderated(world.bids.index(bid), i), "Scored on the evidence given.")
                for i, c in enumerate(evaluation_selectors.member_criteria(world.evaluation, member))
            }
            evaluation_services.score_sheet_save(
                by=user, evaluation=world.evaluation, bid=bid, scores=given, submit=True
            )
    step(world, "open_moderation")
    for bid in eligible:
        index = world.bids.index(bid)
        evaluation_services.moderation_record(
            by=chair,
            evaluation=world.refresh(),
            bid=bid,
            scores={
                c.pk: (moderated(index, i), f"Moderated: {bid.organisation} on criterion {i + 1}.")
                for i, c in enumerate(world.criteria)
            },
        )
    step(world, "sign_off", by=chair)
    return world


# ---- The award ----------------------------------------------------------------------------------------


def started_award(world: AwardWorld) -> Award:
    world.award = award_services.award_start(by=world.officer, opportunity=world.opportunity)
    return world.award


def submitted_award(world: AwardWorld) -> Award:
    if world.award is None:
        started_award(world)
    world.award = award_services.award_transition(by=world.officer, award=world.refresh_award(), name="submit")
    return world.award


def key_decision(world: AwardWorld, decided_on=None) -> Decision:
    decided_on = decided_on or timezone.localdate()
    return Decision(
        decision_maker=DecisionMaker.PORTFOLIO_HOLDER,
        reference=f"PH/{decided_on.year}/{world.opportunity.pk:03d}",
        decided_on=decided_on,
        minute_url=f"https://democracy.{world.council.slug}.example/decisions/award-{world.opportunity.pk}",
    )


def decide(world: AwardWorld, by: User | None = None, decision: Decision | None = None) -> Award:
    """The decision-maker approves the submitted recommendation today (the lead commissioner for an
    officer decision; the commission's portfolio holder, with a portfolio holder decision, for a key
    decision)."""
    award = world.refresh_award()
    if award.is_key_decision:
        holder = award.commission.portfolio.holder if award.commission.portfolio else None
        by = by or holder or staff(world.council, Role.PORTFOLIO_HOLDER)
        decision = decision or key_decision(world)
    else:
        by = by or world.lead
        decision = decision or Decision(decided_on=timezone.localdate())
    world.award = award_services.award_transition(
        by=by, award=award, name="approve", reason="Agreed as recommended.", decision=decision
    )
    return world.award


def approved_award(council, *, world: AwardWorld | None = None, **evaluation) -> AwardWorld:
    """A signed-off evaluation's award, recommended as proposed and approved. A key decision (a total
    at or above the key-decision threshold) is taken by the portfolio holder 30 days after the forward
    plan entry its opportunity got when published, with the clock moved on for it: the call-in period
    then runs from that day."""
    world = world or signed_off_evaluation(council, **evaluation)
    submitted_award(world)
    if world.award.is_key_decision:
        with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
            decide(world)
    else:
        decide(world)
    return world


def confirm_regime(world: AwardWorld, regime: str, procedure: str = "") -> None:
    """The procurement officer confirms the commission's regime while it is sourcing (before the award),
    saying why when it is not the one proposed."""
    commission = world.opportunity.commission
    commission.refresh_from_db()
    regime_services.regime_confirm(
        by=staff(world.council, Role.PROCUREMENT_OFFICER),
        commission=commission,
        regime=regime,
        procedure=procedure,
        direct_award_ground="User choice" if procedure == Procedure.DIRECT_AWARD else "",
        reason="Confirmed for the test's regime.",
    )


def send_summaries(world: AwardWorld, by: User | None = None) -> Award:
    """The officer prepares every bidder's assessment summary and sends them as prepared."""
    by = by or world.officer
    summary_services.assessment_summaries_prepare(by=by, award=world.refresh_award())
    summary_services.assessment_summaries_send(by=by, award=world.refresh_award())
    return world.refresh_award()


def award_with_summaries_sent(council, *, world: AwardWorld | None = None, **evaluation) -> AwardWorld:
    """An approved officer decision (below the key-decision threshold, so it has effect at once) with
    every bidder's assessment summary sent."""
    world = world or approved_award(council, **evaluation)
    if world.award.effective_from() is None or world.award.effective_from() > timezone.localdate():
        raise ValueError("The decision has no effect yet: move the clock past the call-in period first.")
    send_summaries(world)
    return world


def award_notice_published(world: AwardWorld, published_on=None, by: User | None = None) -> Award:
    """The procurement officer records the contract award notice (UK6) as published (today by default)."""
    by = by or staff(world.council, Role.PROCUREMENT_OFFICER)
    world.award = award_services.record_award_notice_published(
        award=world.refresh_award(), published_on=published_on or timezone.localdate(), by=by
    )
    return world.award


def scrutiny_members(council, count: int) -> list[User]:
    """`count` scrutiny members of the council, the existing ones first, the rest created."""
    members = [
        m.user for m in Membership.objects.filter(council=council, role=Role.SCRUTINY_MEMBER).select_related("user")
    ][:count]
    return members + [
        MembershipFactory(council=council, role=Role.SCRUTINY_MEMBER).user for _ in range(count - len(members))
    ]


def call_in_by_scrutiny(award: Award, reason: str = "The committee questions the price.") -> Award:
    """As many scrutiny members as the council's constitution needs ask; the last request calls it in."""
    for member in scrutiny_members(award.council, award.council.call_in_threshold):
        call_in.call_in_request(by=member, award=award, reason=reason)
    return Award.objects.get(pk=award.pk)


def holder_portfolio(council, holder: User):
    """A portfolio of the council held by `holder` (for key decisions only its holder may take)."""
    return PortfolioFactory(council=council, holder=holder)


def bids_of(world: AwardWorld) -> list[Bid]:
    return list(Bid.objects.filter(pk__in=[b.pk for b in world.bids]).order_by("submitted_at", "id"))


# ---- The access matrix -----------------------------------------------------------------------------------

MATRIX_STAGES = ("draft", "awaiting", "approved", "prepared", "sent", "voluntary")


def matrix_award(world: dict, stage: str = "sent") -> AwardWorld:
    """For the access matrix, built on first use and kept in the world: an officer-decision grant award
    at `stage` (draft, awaiting a decision, approved, with its assessment summaries prepared, or sent) on
    an opportunity bid for by the provider administrator's organisation and one other; or ("voluntary")
    an approved light-touch contract, whose standstill is the officer's choice."""
    key = f"award_{stage}"
    if key not in world:
        people = world["people"]
        own = Bidder(user=people["provider_admin"], price=Decimal("45000"))
        route = DeliveryRoute.CONTRACT if stage == "voluntary" else DeliveryRoute.GRANT
        award_world = signed_off_evaluation(
            world["council"], [own, bidder("Dale Community Interest Company", 47000)], route=route
        )
        if stage == "voluntary":
            confirm_regime(award_world, Regime.LIGHT_TOUCH)
        started_award(award_world)
        if stage != "draft":
            submitted_award(award_world)
        if stage in ("approved", "prepared", "sent", "voluntary"):
            decide(award_world)
        if stage == "prepared":
            summary_services.assessment_summaries_prepare(by=award_world.officer, award=award_world.refresh_award())
        if stage == "sent":
            send_summaries(award_world)
        world[key] = award_world
    return world[key]


def matrix_forward_plan_entry(world: dict):
    if "forward_plan_entry" not in world:
        commission = world["opportunity"].commission
        world["forward_plan_entry"] = forward_plan.forward_plan_publish(
            by=world["people"][Role.COMMISSIONING_OFFICER],
            commission=commission,
            matter="Award of the debt advice contract",
            decision_maker=DecisionMaker.CABINET,
            expected_on=timezone.localdate() + timedelta(days=60),
        )
    return world["forward_plan_entry"]


def award_kwargs(stage: str = "sent", **values) -> Callable[[dict], dict]:
    """URL kwargs for the matrix's award at `stage`, plus e.g. summary_pk="other" (the other bidder's
    assessment summary) or "own" (the provider administrator's), name="…"."""

    def build(world) -> dict:
        award_world = matrix_award(world, stage)
        kwargs = {"council_slug": world["council"].slug, "pk": award_world.opportunity.pk}
        for name, value in values.items():
            if name == "summary_pk":
                bid = award_world.bids[0 if value == "own" else 1]
                kwargs[name] = award_world.award.assessment_summaries.get(bid=bid).pk
            else:
                kwargs[name] = value
        return kwargs

    return build


def provider_summary_kwargs(world) -> dict:
    award_world = matrix_award(world, "sent")
    summary = award_world.award.assessment_summaries.get(bid=award_world.bids[0])
    return {"reference": award_world.opportunity.reference, "summary_pk": summary.pk}


def forward_plan_kwargs(world) -> dict:
    return {"council_slug": world["council"].slug, "entry_pk": matrix_forward_plan_entry(world).pk}
