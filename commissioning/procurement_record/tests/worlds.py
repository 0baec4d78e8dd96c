"""A procurement driven through the real services from publication to a live agreement, with what
passes between the council and the bidders on the way: two clarification questions (one answered in
public, one privately), a bid withdrawn and submitted again, the opening, the evaluation (the legal
officer on the panel declares a conflict with the second bid), the award, its assessment summaries and the
contract signed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning.evaluation import services as evaluation_services
from commissioning.models import Bid, ClarificationVisibility, Opportunity
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.award_factories import AwardWorld, approved_award, award_with_summaries_sent, winner_first
from commissioning.tests.evaluation_factories import (
    Bidder,
    bidder,
    declare_all,
    moderate,
    open_compliance,
    open_scoring,
    open_the_bids,
    panel_set_up,
    published_with_bids,
    step,
    submit_scores,
)
from commissioning.tests.factories import staff
from councils.models import Role
from monitoring.agreements import steps as agreement_steps
from monitoring.models import Agreement
from providers.models import Organisation


@dataclass
class Driven:
    world: AwardWorld
    bidders: list[Bidder]
    agreement: Agreement | None = None

    @property
    def commission(self):
        return self.world.opportunity.commission

    @property
    def opportunity(self) -> Opportunity:
        return self.world.opportunity


def published(council, names=("Moorside Youth Trust", "Brightwork")) -> tuple[Opportunity, list[Bidder]]:
    """An open opportunity with one submitted bid per bidder, a clarification published to everyone
    and one answered privately, and the second bidder's bid withdrawn and submitted again."""
    bidders = [bidder(name, 48000 + 4000 * index) for index, name in enumerate(names)]
    opportunity = published_with_bids(council, bidders)
    officer = staff(council, Role.COMMISSIONING_OFFICER)
    first, second = bidders[0], bidders[-1]
    asked = opportunity_services.clarification_ask(
        by=first.user,
        opportunity=opportunity,
        organisation=first.organisation,
        question="Moorside asks: may we subcontract the evening sessions?",
    )
    opportunity_services.clarification_answer(
        by=officer,
        clarification=asked,
        answer="Yes, with the council's agreement.",
        visibility=ClarificationVisibility.PUBLISHED,
        published_question="May bidders subcontract part of the service?",
    )
    private = opportunity_services.clarification_ask(
        by=second.user, opportunity=opportunity, organisation=second.organisation, question="Is our insurance enough?"
    )
    opportunity_services.clarification_answer(
        by=officer, clarification=private, answer="Yes.", visibility=ClarificationVisibility.PRIVATE
    )
    bid = Bid.objects.get(opportunity=opportunity, organisation=second.organisation)
    bid_services.bid_transition(by=second.user, bid=bid, name="withdraw")
    bid_services.bid_transition(by=second.user, bid=Bid.objects.get(pk=bid.pk), name="submit")
    return opportunity, bidders


CONFLICT = "My partner chairs Brightwork's board"


def signed_off(opportunity: Opportunity) -> AwardWorld:
    """The bids opened and the evaluation signed off: the first bidder ranked first. The legal officer
    sits on the panel and declares a conflict with the second bid, so scores only the first."""
    opportunity = open_the_bids(opportunity)
    world = panel_set_up(opportunity, "quality_only", world_class=AwardWorld)
    world.officer = world.chair
    legal = staff(opportunity.council, Role.LEGAL_OFFICER)
    world.members["conflicted"] = evaluation_services.panel_appoint(
        by=world.lead, evaluation=world.refresh(), user=legal
    )
    declare_all(world, legal, {world.bids[1].pk: CONFLICT})
    open_compliance(world)
    open_scoring(world)
    for user in (world.chair, world.panellist, legal):
        for index, bid in enumerate(world.bids):
            if user == legal and index == 1:
                continue
            submit_scores(world, user, bid, {c.pk: winner_first(index, i) for i, c in enumerate(world.criteria)})
    step(world, "open_moderation")
    for index, bid in enumerate(world.bids):
        moderate(world, bid, {c.pk: winner_first(index, i) for i, c in enumerate(world.criteria)})
    step(world, "sign_off", by=world.chair)
    return world


def sign_and_go_live(agreement: Agreement, on: date | None = None) -> Agreement:
    officer = staff(agreement.council, Role.LEAD_COMMISSIONER)
    on = on or timezone.localdate()
    upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    agreement = agreement_steps.agreement_sign(by=officer, agreement=agreement, document=upload, signed_on=on)
    commissioner = staff(agreement.council, Role.COMMISSIONING_OFFICER)
    return agreement_steps.agreement_go_live(by=commissioner, agreement=agreement, live_on=on)


def driven_procurement(council, *, contract: bool = True) -> Driven:
    """The whole procurement, to the award's assessment summaries sent and (with `contract`) its
    agreement signed and live."""
    opportunity, bidders = published(council)
    world = signed_off(opportunity)
    approved_award(council, world=world)
    award_with_summaries_sent(council, world=world)
    driven = Driven(world=world, bidders=bidders)
    if contract:
        driven.agreement = sign_and_go_live(Agreement.objects.get(bid=world.bids[0]))
    return driven


def organisation(driven: Driven, index: int) -> Organisation:
    return driven.bidders[index].organisation
