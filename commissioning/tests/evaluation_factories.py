"""Evaluation test data, built through the real services as officers, bidders and panellists would:
an opportunity drafted, published, bid for, closed and opened (the clock is moved past the deadline
for the closing and opening, never the state field), then an evaluation taken to any stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.evaluation import selectors, services
from commissioning.models import (
    Bid,
    BidOutcome,
    BidPriceLine,
    DeliveryRoute,
    Evaluation,
    EvaluationState,
    Lot,
    Opportunity,
    PanelMember,
    PriceMethod,
    State,
)
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import add_partners
from commissioning.tests.factories import commission_in_state, staff
from councils.models import Role, User
from councils.tests.factories import UserFactory
from demo import procurement
from demo.conflicts import prepare_conflicts_assessment
from demo.providers import tiny_pdf
from providers.models import OrganisationMember, ProviderRole
from providers.tests.factories import OrganisationMemberFactory


@dataclass
class Bidder:
    """A provider organisation's administrator, and what their bid offers."""

    user: User
    price: Decimal = Decimal("50000")
    partners: tuple[str, ...] = ()
    document: bool = False

    @property
    def organisation(self):
        return self.user.organisation_memberships.first().organisation


def bidder(name: str, price: str | int = 50000, *, partners=(), document=False) -> Bidder:
    slug = name.lower().replace(" ", "-")
    email = f"bids@{slug}.example"
    # The same bidder may bid in several worlds of one transaction (the access matrix's shared worlds).
    member = OrganisationMember.objects.filter(
        organisation__legal_name=name, user__email=email, role=ProviderRole.ORGANISATION_ADMIN
    ).first() or OrganisationMemberFactory(organisation__legal_name=name, user__email=email)
    return Bidder(user=member.user, price=Decimal(price), partners=tuple(partners), document=document)


def _at_deadline(opportunity: Opportunity):
    return mock.patch("django.utils.timezone.now", return_value=opportunity.submission_deadline + timedelta(minutes=5))


def published_with_bids(
    council,
    bidders: list[Bidder],
    *,
    route=DeliveryRoute.GRANT,
    budget=Decimal(60000),
    lots: list[Decimal | None] = (),
    lot_prices: dict[int, dict[int, Decimal | int]] | None = None,
    portfolio=None,
    commission=None,
) -> Opportunity:
    """A published opportunity, still before its deadline, with one submitted bid per bidder and a
    question per criterion. `lots` are the lots' budgets; `lot_prices` (bidder index → {lot index:
    price}) says which lots each bidder bids for (every lot at the bidder's price by default).
    `commission` is one in Sourcing to advertise (its regime confirmed first, say); a new one by default."""
    if commission is None:
        commission = commission_in_state(council, State.SOURCING, route=route, budget=budget, portfolio=portfolio)
    officer = staff(council, Role.COMMISSIONING_OFFICER)
    opportunity = opportunity_services.opportunity_create(by=officer, commission=commission)
    made_lots = [
        opportunity_services.record_save(
            by=officer,
            opportunity=opportunity,
            instance=Lot(opportunity=opportunity, number=number, title=f"Ward {number}", budget=lot_budget),
        )
        for number, lot_budget in enumerate(lots, start=1)
    ]
    procurement.ask_per_criterion(opportunity, officer)
    prepare_conflicts_assessment(opportunity, officer)
    opportunity_services.opportunity_transition(by=officer, opportunity=opportunity, name="publish")
    questions = list(opportunity.questions.order_by("position"))
    for index, entry in enumerate(bidders):
        _submit_bid(opportunity, entry, questions, made_lots, (lot_prices or {}).get(index))
    return opportunity


def _submit_bid(opportunity, entry: Bidder, questions, lots, prices) -> None:
    organisation = entry.organisation
    bid = bid_services.bid_start(by=entry.user, opportunity=opportunity, organisation=organisation)
    bid_services.bid_save_answers(
        by=entry.user,
        bid=bid,
        answers={q.pk: f"{organisation} answers question {q.position} in full." for q in questions},
    )
    if lots:
        prices = prices or dict.fromkeys(range(len(lots)), entry.price)
        bid_services.bid_save_lots(by=entry.user, bid=bid, lots=[lots[n] for n in prices])
        rows = [
            {"lot": lots[n], "year": 1, "description": f"Delivering ward {n + 1}", "amount": Decimal(price)}
            for n, price in prices.items()
        ]
    else:
        rows = [{"year": 1, "description": "Delivering the service", "amount": entry.price}]
    bid_services.bid_save_rows(by=entry.user, bid=bid, model=BidPriceLine, rows=rows)
    bid_services.bid_save_rows(
        by=entry.user,
        bid=bid,
        model=BidOutcome,
        rows=[{"description": "Fewer lonely people", "measure": "People supported", "target": 40, "unit": "people"}],
    )
    if entry.partners:
        add_partners(bid, entry.user, entry.partners, role="Delivers outreach")
    if entry.document:
        upload = SimpleUploadedFile("plan.pdf", tiny_pdf("Delivery plan"), content_type="application/pdf")
        bid_services.bid_document_add(by=entry.user, bid=bid, title="Delivery plan", upload=upload)
    bid_services.bid_save_declarations(
        by=entry.user, bid=bid, conflicts_declared="", no_conflicts=True, accuracy_confirmed=True
    )
    bid_services.bid_transition(by=entry.user, bid=bid, name="submit")


def open_the_bids(opportunity: Opportunity) -> Opportunity:
    """Past the deadline the scheduler closes the opportunity and the bids are opened: by two
    different officers for a large contract."""
    council = opportunity.council
    with _at_deadline(opportunity):
        opportunity_services.bids_open(by=staff(council, Role.PROCUREMENT_OFFICER), opportunity=opportunity)
        if opportunity.two_person_opening:
            opportunity_services.bids_open(by=staff(council, Role.LEGAL_OFFICER), opportunity=opportunity)
    opportunity.refresh_from_db()
    return opportunity


def opened_opportunity(council, bidders: list[Bidder], *, route=DeliveryRoute.GRANT, budget=Decimal(60000)):
    """An opportunity whose bids are opened, with one submitted bid per bidder, in bidder order."""
    return open_the_bids(published_with_bids(council, bidders, route=route, budget=budget))


@dataclass
class EvaluationWorld:
    council: object
    opportunity: Opportunity
    evaluation: Evaluation
    lead: User
    chair: User
    panellist: User
    bids: list[Bid]
    members: dict[str, PanelMember] = field(default_factory=dict)

    def refresh(self) -> Evaluation:
        self.evaluation = Evaluation.objects.get(pk=self.evaluation.pk)
        return self.evaluation

    @property
    def criteria(self):
        return selectors.quality_criteria(self.evaluation)


def default_scores(member_index: int, bid_index: int, criterion_index: int) -> int:
    """Scores that differ between panellists (so the spread has something to flag) and between bids."""
    return max(0, min(5, 4 - bid_index + (criterion_index + member_index) % 3 - 1))


def declare_all(world: EvaluationWorld, user: User, conflicts: dict[int, str] | None = None) -> None:
    conflicts = conflicts or {}
    evaluation = world.refresh()
    answers = {bid.pk: (bid.pk in conflicts, conflicts.get(bid.pk, "")) for bid in world.bids}
    services.declarations_record(by=user, evaluation=evaluation, answers=answers)


def pass_all(world: EvaluationWorld, by: User, bid: Bid, failures: dict[str, str] | None = None) -> None:
    failures = failures or {}
    results = {check: (check not in failures, failures.get(check, "")) for check in world.refresh().compliance_checks}
    services.compliance_record(by=by, evaluation=world.evaluation, bid=bid, results=results)


def submit_scores(world: EvaluationWorld, user: User, bid: Bid, scores: dict[int, int], submit=True):
    member = selectors.current_member(user, world.refresh())
    criteria = selectors.member_criteria(world.evaluation, member)
    return services.score_sheet_save(
        by=user,
        evaluation=world.evaluation,
        bid=bid,
        scores={c.pk: (scores[c.pk], f"Scored {scores[c.pk]} on the evidence given.") for c in criteria},
        submit=submit,
    )


def moderate(world: EvaluationWorld, bid: Bid, scores: dict[int, int]) -> None:
    services.moderation_record(
        by=world.chair,
        evaluation=world.refresh(),
        bid=bid,
        scores={c.pk: (scores[c.pk], "Agreed after discussion.") for c in world.criteria},
    )


def step(world: EvaluationWorld, name: str, by: User | None = None) -> Evaluation:
    return services.evaluation_transition(by=by or world.lead, evaluation=world.refresh(), name=name)


def open_compliance(world: EvaluationWorld, *others: User) -> None:
    """The chair, the panellist and `others` declare no conflict; the lead commissioner moves on."""
    for user in (world.chair, world.panellist, *others):
        declare_all(world, user)
    step(world, "open_compliance")


def open_scoring(world: EvaluationWorld, failing: dict[int, dict[str, str]] | None = None) -> None:
    """The chair passes every bid on every check (but `failing`: bid index → {check: reason})."""
    failing = failing or {}
    for index, bid in enumerate(world.bids):
        pass_all(world, world.chair, bid, failing.get(index))
    step(world, "open_scoring")


STATE_ORDER = [s.value for s in EvaluationState]


def panel_set_up(opportunity: Opportunity, price_method: str, world_class=EvaluationWorld, **extra) -> EvaluationWorld:
    """The lead commissioner sets up the evaluation of an opened opportunity (two compliance checks;
    "Value for money" as the price criterion for lowest price) and appoints the commissioning officer
    as chair with the procurement officer. `extra` goes to `world_class` (an `EvaluationWorld`)."""
    council = opportunity.council
    lead = staff(council, Role.LEAD_COMMISSIONER)
    chair = staff(council, Role.COMMISSIONING_OFFICER)
    panellist = staff(council, Role.PROCUREMENT_OFFICER)
    commission = opportunity.commission
    criteria = list(commission.criteria.filter(cycle=commission.cycle).order_by("position", "id"))
    price_criterion = next((c for c in criteria if c.title == "Value for money"), criteria[-1])
    evaluation = services.evaluation_set_up(
        by=lead,
        opportunity=opportunity,
        price_method=price_method,
        price_criterion=price_criterion if price_method == PriceMethod.LOWEST_PRICE else None,
        compliance_checks=["Eligible organisation", "Within the budget envelope"],
    )
    world = world_class(
        council=council,
        opportunity=opportunity,
        evaluation=evaluation,
        lead=lead,
        chair=chair,
        panellist=panellist,
        bids=list(selectors.evaluated_bids(opportunity)),
        **extra,
    )
    world.members["chair"] = services.panel_appoint(by=lead, evaluation=evaluation, user=chair, chair=True)
    world.members["panellist"] = services.panel_appoint(by=lead, evaluation=evaluation, user=panellist)
    return world


def evaluation_in_state(
    council,
    state: str = EvaluationState.DECLARATIONS,
    *,
    bidders: list[Bidder] | None = None,
    price_method: str = PriceMethod.QUALITY_ONLY,
    route=DeliveryRoute.GRANT,
    failing: dict[int, dict[str, str]] | None = None,
    scores=default_scores,
    moderated=None,
) -> EvaluationWorld:
    """An evaluation taken to `state` through the services: the lead commissioner sets it up and
    appoints the commissioning officer (chair) and the procurement officer; both declare no conflict;
    the chair passes every check (but `failing`: bid index → {check: reason}); both score every
    eligible bid (`scores(member, bid, criterion)`); the chair moderates (`moderated(bid, criterion)`,
    the lower panel score by default) and signs off."""
    bidders = bidders if bidders is not None else [bidder("Moorside Youth Trust", 48000), bidder("Brightwork", 52000)]
    opportunity = opened_opportunity(council, bidders, route=route)
    world = panel_set_up(opportunity, price_method)
    chair, panellist = world.chair, world.panellist
    target = STATE_ORDER.index(state)
    if target == 0:
        return world
    open_compliance(world)
    if target == 1:
        return world
    open_scoring(world, failing)
    if target == 2:
        return world
    eligible = [bid for bid in world.bids if bid.pk not in selectors.failed_bid_ids(world.evaluation)]
    criteria = world.criteria
    given = {}
    for member_index, user in enumerate((chair, panellist)):
        for bid_index, bid in enumerate(world.bids):
            if bid not in eligible:
                continue
            values = {c.pk: scores(member_index, bid_index, i) for i, c in enumerate(criteria)}
            given[(member_index, bid.pk)] = values
            submit_scores(world, user, bid, values)
    step(world, "open_moderation")
    if target == 3:
        return world
    for bid_index, bid in enumerate(world.bids):
        if bid not in eligible:
            continue
        if moderated is None:
            values = {c.pk: min(given[(0, bid.pk)][c.pk], given[(1, bid.pk)][c.pk]) for c in criteria}
        else:
            values = {c.pk: moderated(bid_index, i) for i, c in enumerate(criteria)}
        moderate(world, bid, values)
    step(world, "sign_off", by=chair)
    return world


def independent_member(world: EvaluationWorld, questions) -> tuple[User, PanelMember]:
    """An independent (service-user) representative with no council role, seeing `questions` only."""
    user = UserFactory(email="service.user@example.org", full_name="Sam Service-User")
    member = services.panel_appoint(
        by=world.lead, evaluation=world.refresh(), user=user, independent=True, questions=questions
    )
    return user, member


def matrix_evaluation(world) -> EvaluationWorld:
    """For the access matrix, built on first use and kept in the world: an evaluation at the scoring
    stage of an opened grant opportunity, with a bid (and its document) from the provider
    administrator's organisation and one from another; chaired by the commissioning officer with
    the procurement officer on the panel, both declared; the lead commissioner runs it."""
    if "evaluation" not in world:
        people = world["people"]
        own = Bidder(user=people["provider_admin"], price=Decimal("45000"), document=True)
        world["evaluation"] = evaluation_in_state(
            world["council"], EvaluationState.SCORING, bidders=[own, bidder("Dale Community Interest Company")]
        )
    return world["evaluation"]


def evaluation_kwargs(**values) -> Callable[[dict], dict]:
    """URL kwargs for the matrix's evaluation, plus e.g. bid_pk="bid", member_pk="panellist", name="…"."""

    def build(world) -> dict:
        evaluation = matrix_evaluation(world)
        objects = {
            "bid": evaluation.bids[0],
            "panellist": evaluation.members["panellist"],
            "document": evaluation.bids[0].documents.get(),
        }
        kwargs = {"council_slug": world["council"].slug, "opportunity_pk": evaluation.opportunity.pk}
        for name, value in values.items():
            kwargs[name] = objects[value].pk if name.endswith("_pk") else value
        return kwargs

    return build
