"""Scale data, second family: commissions spread over every state of the cycle, with their plans,
criteria and audit trail, then opportunities, bids and evaluations in progress.

The commissioning cycle is where the state mix matters (most of a council's book is in delivery),
so its weighting lives with the rows it shapes. Reads what `demo.scale_people` built; leaves
`commission_list`, `criteria`, `opportunity_list`, `winners` and `scored_bids`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from commissioning.models import (
    Bid,
    BidPriceLine,
    BidState,
    Commission,
    Declaration,
    DeliveryRoute,
    Evaluation,
    EvaluationCriterion,
    EvaluationState,
    FormType,
    NeedsAssessment,
    Opportunity,
    OpportunityQuestion,
    OpportunityState,
    OutcomeSought,
    PanelMember,
    State,
    SuccessMeasure,
)
from councils.models import AuditEvent
from demo.scale_base import COPY_BATCH, Family, at, weighted
from monitoring.models import add_months
from providers.models import Organisation

# How commissions spread over the cycle: most of a council's book is in delivery.
STATE_MIX = [
    (State.UNDERSTANDING, 10),
    (State.PLANNING, 10),
    (State.AWAITING_APPROVAL, 5),
    (State.SOURCING, 15),
    (State.AGREEING, 4),
    (State.AWARD_CALLED_IN, 1),
    (State.DELIVERING, 35),
    (State.REVIEWING, 10),
    (State.DECOMMISSIONED, 5),
    (State.CANCELLED, 5),
]
SOURCED_STATES = {
    State.SOURCING,
    State.AGREEING,
    State.AWARD_CALLED_IN,
    State.DELIVERING,
    State.REVIEWING,
    State.DECOMMISSIONED,
}


class CycleFamily(Family):
    def commissions(self) -> None:
        self.progress("commissions and their plans")
        rows = []
        for n in range(1, self.sizes.commissions + 1):
            council = self.council_list[n % len(self.council_list)]
            state = weighted(self.rng, STATE_MIX)
            starts = self.today + timedelta(days=self.rng.randint(-1400, 200))
            rows.append(
                Commission(
                    council=council,
                    reference=f"{council.short_code}-{n:06d}",
                    title=f"Commission {n:06d}: community support service",
                    summary="Support for residents, commissioned for outcomes.",
                    state=state,
                    lead_officer=self.rng.choice(self.officers[council.pk]),
                    portfolio=self.rng.choice(self.portfolios[council.pk]),
                    delivery_route=self.rng.choice([DeliveryRoute.GRANT, DeliveryRoute.CONTRACT]),
                    budget=Decimal(self.rng.randrange(5_000, 2_000_000, 500)),
                    starts_on=starts,
                    ends_on=add_months(starts, self.rng.choice([24, 36, 48])) - timedelta(days=1),
                )
            )
        self.commission_list = self._count("commissions", self.bulk(Commission, rows))
        through = Commission.outcomes.through
        self.bulk(
            through,
            [
                through(commission_id=c.pk, outcome_id=self.rng.choice(self.outcomes[c.council_id]).pk)
                for c in self.commission_list
            ],
        )
        self.bulk(
            NeedsAssessment,
            [
                NeedsAssessment(
                    commission=c,
                    population_and_demand="Demand is rising across the district.",
                    summary_of_need="Residents need earlier support closer to home.",
                )
                for c in self.commission_list
            ],
        )
        planned = [c for c in self.commission_list if c.state not in (State.UNDERSTANDING,)]
        sought = self.bulk(
            OutcomeSought,
            [
                OutcomeSought(
                    commission=c,
                    council_outcome=self.rng.choice(self.outcomes[c.council_id]),
                    description="More residents live independently for longer.",
                )
                for c in planned
            ],
        )
        self.bulk(
            SuccessMeasure,
            [
                SuccessMeasure(outcome_sought=o, description="People supported", target=Decimal(400), unit="people")
                for o in sought
            ],
        )
        self.criteria: dict[int, list[EvaluationCriterion]] = {}
        criteria = self.bulk(
            EvaluationCriterion,
            [
                # The opportunities ask about the first two; the price is scored on the whole bid.
                EvaluationCriterion(
                    commission=c, title=title, weight=weight, position=i, scored_on_whole_bid=title == "Price"
                )
                for c in planned
                for i, (title, weight) in enumerate([("Quality", 60), ("Social value", 10), ("Price", 30)])
            ],
        )
        for criterion in criteria:
            self.criteria.setdefault(criterion.commission_id, []).append(criterion)
        self._count(
            "audit_events",
            self.bulk_values(
                AuditEvent,
                [
                    {
                        "council_id": c.council_id,
                        "actor_id": c.lead_officer_id,
                        "event_type": "commission.created",
                        "object_id": str(c.pk),
                        "object_repr": str(c.reference),
                        "to_state": State.UNDERSTANDING,
                    }
                    for c in self.commission_list
                ],
            ),
        )

    def opportunities(self) -> None:
        self.progress("opportunities")
        sourced = [c for c in self.commission_list if c.state in SOURCED_STATES]
        rows = []
        for c in sourced:
            if c.state == State.SOURCING:
                state = self.rng.choice([OpportunityState.PUBLISHED, OpportunityState.CLOSED, OpportunityState.OPENED])
            else:
                state = OpportunityState.OPENED
            if state == OpportunityState.PUBLISHED:
                deadline = self.today + timedelta(days=self.rng.randint(3, 40))
            else:
                deadline = min(c.starts_on, self.today) - timedelta(days=self.rng.randint(20, 60))
            rows.append(
                Opportunity(
                    council_id=c.council_id,
                    commission=c,
                    reference=f"{c.reference}-OPP",
                    title=c.title,
                    summary="We are looking for partners to deliver better outcomes.",
                    outcomes_sought="More residents live independently for longer.",
                    eligibility="Constituted organisations working in the district.",
                    budget_envelope=c.budget,
                    form_type=FormType.FULL_TENDER if c.budget >= 100_000 else FormType.SHORT_GRANT,
                    state=state,
                    published_at=at(deadline - timedelta(days=35)),
                    clarification_deadline=at(deadline - timedelta(days=7)),
                    submission_deadline=at(deadline),
                    expected_award_on=deadline + timedelta(days=30),
                    service_starts_on=max(c.starts_on, deadline + timedelta(days=60)),
                )
            )
        self.opportunity_list = self._count("opportunities", self.bulk(Opportunity, rows))
        questions = self.bulk(
            OpportunityQuestion,
            [
                OpportunityQuestion(
                    opportunity=o,
                    criterion=criterion,
                    text=f"Tell us about {criterion.title.lower()}.",
                    word_limit=500,
                    position=i,
                )
                for o in self.opportunity_list
                for i, criterion in enumerate(self.criteria[o.commission_id][:2])
            ],
        )
        self._count("questions", questions)

    def bids(self) -> None:
        """Each opportunity's bids from a sample of organisations, as many in all as asked for. Bids are the
        cycle's largest table, so they are written a batch at a time and not kept: only what the evaluations
        and agreements need from them is."""
        self.progress("bids")
        # Per commission, the first submitted bid, which wins: (bid, organisation).
        self.winners: dict[int, tuple[int, int]] = {}
        # Per opportunity being scored, its submitted bids, which the panel declares against.
        self.scored_bids: dict[int, list[tuple[int, str]]] = {}
        if not self.opportunity_list:
            return
        scored = {o.pk for o in self.opportunity_list if self._being_scored(o)}
        base, extra = divmod(self.sizes.bids, len(self.opportunity_list))
        batch = []
        for index, o in enumerate(self.opportunity_list):
            per = min(max(1, base + (index < extra)), len(self.organisations))
            for org in self.rng.sample(self.organisations, per):
                submitted = o.state != OpportunityState.PUBLISHED or self.rng.random() < 0.5
                batch.append(
                    (
                        o,
                        org,
                        {
                            "opportunity_id": o.pk,
                            "organisation_id": org.pk,
                            "created_by_id": self.provider_users[org.pk].pk,
                            "state": BidState.SUBMITTED if submitted else BidState.DRAFT,
                            "summary": "Our partnership will deliver the outcomes sought.",
                            "no_conflicts": True,
                            "accuracy_confirmed": submitted,
                            "submitted_at": o.submission_deadline - timedelta(days=2) if submitted else None,
                        },
                    )
                )
            if len(batch) >= COPY_BATCH:
                self._save_bids(batch, scored)
                batch = []
        self._save_bids(batch, scored)

    def _save_bids(self, batch: list[tuple[Opportunity, Organisation, dict]], scored: set[int]) -> None:
        keys = self.bulk_values(Bid, [row for _, _, row in batch])
        self._count("bids", keys)
        self._count(
            "price_lines",
            self.bulk_values(
                BidPriceLine,
                [
                    {"bid_id": key, "year": 1, "amount": o.budget_envelope * Decimal("0.9")}
                    for key, (o, _, _) in zip(keys, batch, strict=True)
                ],
            ),
        )
        for key, (o, org, row) in zip(keys, batch, strict=True):
            if row["state"] == BidState.SUBMITTED:
                self.winners.setdefault(o.commission_id, (key, org.pk))
                if o.pk in scored:
                    self.scored_bids.setdefault(o.pk, []).append((key, org.legal_name))

    @staticmethod
    def _being_scored(o: Opportunity) -> bool:
        return o.state == OpportunityState.OPENED and o.commission.state == State.SOURCING

    def evaluations(self) -> None:
        """Opened opportunities still sourcing are being scored: a panel of three officers (the council's
        first commissioning officer in the chair), each declared against every bid."""
        self.progress("evaluations")
        opened = [o for o in self.opportunity_list if self._being_scored(o)]
        evaluations = self.bulk(
            Evaluation,
            [
                Evaluation(opportunity=o, state=EvaluationState.SCORING, created_by=self.officers[o.council_id][0])
                for o in opened
            ],
        )
        self._count("evaluations", evaluations)
        members = self.bulk(
            PanelMember,
            [
                PanelMember(
                    evaluation=e, user=user, is_chair=i == 0, appointed_by=self.officers[e.opportunity.council_id][0]
                )
                for e in evaluations
                for i, user in enumerate(self.officers[e.opportunity.council_id][1:4])
            ],
        )
        self._count("panel_members", members)
        self._count(
            "declarations",
            self.bulk_values(
                Declaration,
                [
                    {
                        "evaluation_id": m.evaluation_id,
                        "member_id": m.pk,
                        "bid_id": bid_id,
                        "organisations": legal_name,
                        "has_conflict": False,
                    }
                    for m in members
                    for bid_id, legal_name in self.scored_bids.get(m.evaluation.opportunity_id, [])
                ],
            ),
        )
