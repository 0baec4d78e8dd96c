"""A council-scale data set for performance work: many councils, providers, commissions, bids and returns.

`python manage.py generate_scale_data` builds it with bulk inserts (never one save per row), spread across
every state, stage, role and council, so that list pages, dashboards and the reminder sweep can be measured
against years of data. It writes rows directly — the one place outside the services that does — because
replaying each record's history through the services would take hours at this size. Nothing here runs in
production: it refuses to run unless asked to (`--yes` or an empty database).

Every generated user's password is `SCALE_PASSWORD`; the first council's people are listed by `bench_logins()`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

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
from councils.models import (
    AuditEvent,
    CorporatePlan,
    Council,
    Membership,
    Outcome,
    Portfolio,
    Priority,
    Role,
    User,
)
from monitoring.models import (
    Agreement,
    AgreementKpi,
    AgreementState,
    AgreementType,
    KpiSource,
    KpiTarget,
    MonitoringFrequency,
    MonitoringReturn,
    ReturnState,
    ScheduledPayment,
    add_months,
)
from providers.models import Organisation, OrganisationMember, OrganisationType, ProviderRole, Sector

SCALE_PASSWORD = "commissioner-scale"  # noqa: S105  (generated test data only)
BATCH = 5000
PREFIX = "scale"

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
AGREED_STATES = {State.AGREEING, State.AWARD_CALLED_IN, State.DELIVERING, State.REVIEWING, State.DECOMMISSIONED}
OFFICERS_PER_COUNCIL = 10
PORTFOLIOS_PER_COUNCIL = 5
COUNCIL_ROLES = [role for role in Role.values if role != Role.PORTFOLIO_HOLDER]


@dataclass(frozen=True)
class Sizes:
    councils: int = 50
    providers: int = 5000
    commissions: int = 20000
    bids: int = 100000
    returns: int = 500000

    @classmethod
    def small(cls) -> Sizes:
        return cls(councils=2, providers=30, commissions=40, bids=120, returns=400)


@dataclass
class Report:
    sizes: Sizes
    counts: dict
    seconds: float


def _bulk(model, rows: list) -> list:
    """Insert in batches; PostgreSQL returns the new primary keys."""
    created = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH))
    return created


def _weighted(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour)))


def already_generated() -> bool:
    return Council.objects.filter(slug__startswith=f"{PREFIX}-").exists()


def bench_logins() -> dict[str, str]:
    """One email per kind of user in the first generated council, for the load benchmark."""
    council = Council.objects.filter(slug__startswith=f"{PREFIX}-").order_by("slug").first()
    if council is None:
        return {}
    logins = {}
    for role in Role.values:
        membership = (
            Membership.objects.filter(council=council, role=role).select_related("user").order_by("user_id").first()
        )
        if membership:
            logins[role] = membership.user.email
    member = (
        OrganisationMember.objects.filter(organisation__bids__opportunity__council=council)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    if member:
        logins["provider"] = member.user.email
    logins["council_slug"] = council.slug
    return logins


class Generator:
    def __init__(self, sizes: Sizes, seed: int = 2026, progress=None):
        self.sizes = sizes
        self.rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
        self.progress = progress or (lambda message: None)
        self.today = timezone.localdate()
        self.password = make_password(SCALE_PASSWORD)
        self.counts: dict[str, int] = {}

    def _count(self, name: str, rows: list) -> list:
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows

    # --- people and councils -------------------------------------------------------------------------
    def councils(self) -> None:
        self.progress("councils, people and frameworks")
        councils = _bulk(
            Council,
            [
                Council(
                    name=f"Scale Borough Council {n:03d}",
                    slug=f"{PREFIX}-{n:03d}",
                    short_code=f"SC{n:03d}",
                    contact_email=f"commissioning@scale-{n:03d}.example.gov.uk",
                    address=f"Town Hall, Scale {n:03d}",
                )
                for n in range(1, self.sizes.councils + 1)
            ],
        )
        self.council_list = self._count("councils", councils)
        users, roles = [], []
        for council in councils:
            code = council.short_code.lower()
            for role in COUNCIL_ROLES:
                count = OFFICERS_PER_COUNCIL if role == Role.COMMISSIONING_OFFICER else 1
                for i in range(count):
                    users.append(
                        User(
                            email=f"{role.replace('_', '-')}-{i}@{code}.scale.example",
                            full_name=f"{Role(role).label} {i + 1} ({council.short_code})",
                            password=self.password,
                        )
                    )
                    roles.append((council, role))
            for i in range(PORTFOLIOS_PER_COUNCIL):
                users.append(
                    User(
                        email=f"portfolio-holder-{i}@{code}.scale.example",
                        full_name=f"Councillor {i + 1} ({council.short_code})",
                        password=self.password,
                    )
                )
                roles.append((council, Role.PORTFOLIO_HOLDER))
        users = self._count("users", _bulk(User, users))
        self._count(
            "memberships",
            _bulk(Membership, [Membership(user=u, council=c, role=r) for u, (c, r) in zip(users, roles, strict=True)]),
        )
        self.officers: dict[int, list[User]] = {}
        holders: dict[int, list[User]] = {}
        for user, (council, role) in zip(users, roles, strict=True):
            if role in (Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER):
                self.officers.setdefault(council.pk, []).append(user)
            elif role == Role.PORTFOLIO_HOLDER:
                holders.setdefault(council.pk, []).append(user)
        portfolios = _bulk(
            Portfolio,
            [
                Portfolio(council=c, name=name, holder=holders[c.pk][i])
                for c in councils
                for i, name in enumerate(["Communities", "Health and wellbeing", "Environment", "Economy", "Culture"])
            ],
        )
        self.portfolios: dict[int, list[Portfolio]] = {}
        for portfolio in portfolios:
            self.portfolios.setdefault(portfolio.council_id, []).append(portfolio)
        plans = _bulk(
            CorporatePlan,
            [
                CorporatePlan(council=c, title="Council plan", start_year=2024, end_year=2028, is_current=True)
                for c in councils
            ],
        )
        priorities = _bulk(
            Priority,
            [Priority(plan=plan, title=f"Priority {i + 1}", position=i) for plan in plans for i in range(3)],
        )
        plan_council = {plan.pk: plan.council_id for plan in plans}
        outcomes = _bulk(
            Outcome,
            [
                Outcome(
                    priority=priority,
                    title=f"Outcome {priority.position + 1}.{i + 1}",
                    portfolio=self.rng.choice(self.portfolios[plan_council[priority.plan_id]]),
                    position=i,
                )
                for priority in priorities
                for i in range(3)
            ],
        )
        self.outcomes: dict[int, list[Outcome]] = {}
        for outcome in outcomes:
            self.outcomes.setdefault(plan_council[outcome.priority.plan_id], []).append(outcome)

    def providers(self) -> None:
        self.progress("provider organisations")
        kinds = list(OrganisationType.values)
        sectors = list(Sector.values)
        now = timezone.now()
        organisations = _bulk(
            Organisation,
            [
                Organisation(
                    legal_name=f"Scale Provider {n:05d} Ltd",
                    slug=f"{PREFIX}-provider-{n:05d}",
                    organisation_type=self.rng.choice(kinds),
                    sector=self.rng.choice(sectors),
                    company_number=f"{n:08d}",
                    postcode="AB1 2CD",
                    verified_at=now,
                )
                for n in range(1, self.sizes.providers + 1)
            ],
        )
        self.organisations = self._count("organisations", organisations)
        users = self._count(
            "users",
            _bulk(
                User,
                [
                    User(
                        email=f"admin@provider-{n:05d}.scale.example",
                        full_name=f"Provider admin {n:05d}",
                        password=self.password,
                    )
                    for n in range(1, len(organisations) + 1)
                ],
            ),
        )
        self.provider_users = {org.pk: user for org, user in zip(organisations, users, strict=True)}
        self._count(
            "organisation_members",
            _bulk(
                OrganisationMember,
                [
                    OrganisationMember(organisation=org, user=user, role=ProviderRole.ORGANISATION_ADMIN)
                    for org, user in zip(organisations, users, strict=True)
                ],
            ),
        )

    # --- the cycle -----------------------------------------------------------------------------------
    def commissions(self) -> None:
        self.progress("commissions and their plans")
        rows = []
        for n in range(1, self.sizes.commissions + 1):
            council = self.council_list[n % len(self.council_list)]
            state = _weighted(self.rng, STATE_MIX)
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
        self.commission_list = self._count("commissions", _bulk(Commission, rows))
        through = Commission.outcomes.through
        _bulk(
            through,
            [
                through(commission_id=c.pk, outcome_id=self.rng.choice(self.outcomes[c.council_id]).pk)
                for c in self.commission_list
            ],
        )
        _bulk(
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
        sought = _bulk(
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
        _bulk(
            SuccessMeasure,
            [
                SuccessMeasure(outcome_sought=o, description="People supported", target=Decimal(400), unit="people")
                for o in sought
            ],
        )
        self.criteria: dict[int, list[EvaluationCriterion]] = {}
        criteria = _bulk(
            EvaluationCriterion,
            [
                EvaluationCriterion(commission=c, title=title, weight=weight, position=i)
                for c in planned
                for i, (title, weight) in enumerate([("Quality", 60), ("Social value", 10), ("Price", 30)])
            ],
        )
        for criterion in criteria:
            self.criteria.setdefault(criterion.commission_id, []).append(criterion)
        self._count(
            "audit_events",
            _bulk(
                AuditEvent,
                [
                    AuditEvent(
                        council_id=c.council_id,
                        actor=c.lead_officer,
                        event_type="commission.created",
                        object_id=str(c.pk),
                        object_repr=str(c.reference),
                        to_state=State.UNDERSTANDING,
                    )
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
                    published_at=_at(deadline - timedelta(days=35)),
                    clarification_deadline=_at(deadline - timedelta(days=7)),
                    submission_deadline=_at(deadline),
                    expected_award_on=deadline + timedelta(days=30),
                    service_starts_on=max(c.starts_on, deadline + timedelta(days=60)),
                )
            )
        self.opportunity_list = self._count("opportunities", _bulk(Opportunity, rows))
        questions = _bulk(
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
        self.progress("bids")
        if not self.opportunity_list:
            self.bid_list = []
            return
        per = max(1, self.sizes.bids // len(self.opportunity_list))
        per = min(per, len(self.organisations))
        rows = []
        for o in self.opportunity_list:
            for org in self.rng.sample(self.organisations, per):
                submitted = o.state != OpportunityState.PUBLISHED or self.rng.random() < 0.5
                rows.append(
                    Bid(
                        opportunity=o,
                        organisation=org,
                        created_by=self.provider_users[org.pk],
                        state=BidState.SUBMITTED if submitted else BidState.DRAFT,
                        summary="Our partnership will deliver the outcomes sought.",
                        no_conflicts=True,
                        accuracy_confirmed=submitted,
                        submitted_at=o.submission_deadline - timedelta(days=2) if submitted else None,
                    )
                )
        self.bid_list = self._count("bids", _bulk(Bid, rows))
        self._count(
            "price_lines",
            _bulk(
                BidPriceLine,
                [
                    BidPriceLine(bid=b, year=1, amount=b.opportunity.budget_envelope * Decimal("0.9"))
                    for b in self.bid_list
                ],
            ),
        )

    def evaluations(self) -> None:
        """Opened opportunities still sourcing are being scored: a panel of three officers (the council's
        first commissioning officer in the chair), each declared against every bid."""
        self.progress("evaluations")
        opened = [
            o
            for o in self.opportunity_list
            if o.state == OpportunityState.OPENED and o.commission.state == State.SOURCING
        ]
        evaluations = _bulk(
            Evaluation,
            [
                Evaluation(opportunity=o, state=EvaluationState.SCORING, created_by=self.officers[o.council_id][0])
                for o in opened
            ],
        )
        self._count("evaluations", evaluations)
        members = _bulk(
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
        bids_by_opportunity: dict[int, list[Bid]] = {}
        for bid in self.bid_list:
            bids_by_opportunity.setdefault(bid.opportunity_id, []).append(bid)
        self._count(
            "declarations",
            _bulk(
                Declaration,
                [
                    Declaration(
                        evaluation_id=m.evaluation_id,
                        member=m,
                        bid=bid,
                        organisations=bid.organisation.legal_name,
                        has_conflict=False,
                    )
                    for m in members
                    for bid in bids_by_opportunity.get(m.evaluation.opportunity_id, [])
                    if bid.state == BidState.SUBMITTED
                ],
            ),
        )

    def agreements(self) -> None:
        self.progress("agreements, KPIs and payments")
        winners = {}
        for bid in self.bid_list:
            if bid.state == BidState.SUBMITTED:
                winners.setdefault(bid.opportunity.commission_id, bid)
        rows = []
        for c in self.commission_list:
            if c.state not in AGREED_STATES or c.pk not in winners:
                continue
            bid = winners[c.pk]
            if c.state in (State.AGREEING, State.AWARD_CALLED_IN):
                state = AgreementState.DRAFT
            elif c.state == State.DECOMMISSIONED:
                state = AgreementState.ENDED
            else:
                state = AgreementState.LIVE
            rows.append(
                Agreement(
                    council_id=c.council_id,
                    commission=c,
                    reference=f"{c.reference}-AG1",
                    title=c.title,
                    agreement_type=AgreementType.GRANT_AGREEMENT
                    if c.delivery_route == DeliveryRoute.GRANT
                    else AgreementType.CONTRACT,
                    provider_id=bid.organisation_id,
                    bid=bid,
                    value=c.budget,
                    starts_on=c.starts_on,
                    ends_on=c.ends_on,
                    monitoring_frequency=MonitoringFrequency.MONTHLY,
                    council_contact=c.lead_officer,
                    state=state,
                    live_on=c.starts_on if state != AgreementState.DRAFT else None,
                    ended_on=c.ends_on if state == AgreementState.ENDED else None,
                    created_by=c.lead_officer,
                )
            )
        self.agreement_list = self._count("agreements", _bulk(Agreement, rows))
        kpis = _bulk(
            AgreementKpi,
            [
                AgreementKpi(
                    agreement=a,
                    position=i,
                    description=description,
                    unit=unit,
                    target=target,
                    source=KpiSource.SPECIFICATION,
                )
                for a in self.agreement_list
                for i, (description, unit, target) in enumerate(
                    [("People supported", "people", Decimal(480)), ("Satisfaction", "%", Decimal(90))]
                )
            ],
        )
        self._count("kpis", kpis)
        self.kpis_by_agreement: dict[int, list[AgreementKpi]] = {}
        for kpi in kpis:
            self.kpis_by_agreement.setdefault(kpi.agreement_id, []).append(kpi)
        payments = []
        for a in self.agreement_list:
            instalments = 4
            amount = (a.value / instalments).quantize(Decimal("0.01"))
            for i in range(instalments):
                payments.append(
                    ScheduledPayment(
                        agreement=a,
                        description=f"Instalment {i + 1}",
                        due_on=add_months(a.starts_on, 6 * i),
                        amount=amount if i < instalments - 1 else a.value - amount * (instalments - 1),
                    )
                )
        self._count("payments", _bulk(ScheduledPayment, payments))

    def returns(self) -> None:
        """Monthly returns on agreements in force, oldest first, until the requested number: past periods
        mostly accepted, recent ones submitted, queried or overdue, the rest due."""
        self.progress("monitoring returns and KPI targets")
        agreements = [a for a in self.agreement_list if a.state in (AgreementState.LIVE, AgreementState.ENDED)]
        if not agreements:
            return
        per = max(1, -(-self.sizes.returns // len(agreements)))
        returns, targets, total = [], [], 0
        for a in agreements:
            for i in range(per):
                if total >= self.sizes.returns:
                    break
                first = add_months(a.starts_on, i)
                last = add_months(a.starts_on, i + 1) - timedelta(days=1)
                due = last + timedelta(days=28)
                if due < self.today - timedelta(days=60):
                    state = ReturnState.ACCEPTED if self.rng.random() < 0.97 else ReturnState.DUE
                elif due < self.today:
                    state = self.rng.choice([ReturnState.SUBMITTED, ReturnState.QUERIED, ReturnState.DUE])
                else:
                    state = ReturnState.DUE
                submitted = state in (ReturnState.ACCEPTED, ReturnState.SUBMITTED, ReturnState.QUERIED)
                returns.append(
                    MonitoringReturn(
                        agreement=a,
                        period_start=first,
                        period_end=last,
                        due_on=due,
                        state=state,
                        submitted_at=_at(due - timedelta(days=2)) if submitted else None,
                        submitted_by=self.provider_users.get(a.provider_id) if submitted else None,
                    )
                )
                total += 1
                if i < 12:
                    for kpi in self.kpis_by_agreement.get(a.pk, []):
                        targets.append(KpiTarget(kpi=kpi, period_start=first, period_end=last, target=kpi.target / 12))
        self._count("returns", _bulk(MonitoringReturn, returns))
        self._count("kpi_targets", _bulk(KpiTarget, targets))

    def run(self) -> Report:
        started = time.monotonic()
        with transaction.atomic():
            self.councils()
            self.providers()
            self.commissions()
            self.opportunities()
            self.bids()
            self.evaluations()
            self.agreements()
            self.returns()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return Report(sizes=self.sizes, counts=self.counts, seconds=time.monotonic() - started)


def generate(sizes: Sizes, *, seed: int = 2026, progress=None) -> Report:
    return Generator(sizes, seed=seed, progress=progress).run()
