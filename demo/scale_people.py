"""Scale data, first family: councils with their people in every role, portfolios and corporate
plans, and provider organisations with an administrator each.

Everything later (commissions, bids, agreements) hangs off these, so they are built first; kept
apart from the cycle and monitoring families so each family can be read and changed on its own.
Leaves `council_list`, `officers`, `portfolios`, `outcomes`, `organisations` and `provider_users`.
"""

from __future__ import annotations

from django.utils import timezone

from councils.models import CorporatePlan, Council, Membership, Outcome, Portfolio, Priority, Role, User
from demo.scale_base import PREFIX, Family
from providers.models import Organisation, OrganisationMember, OrganisationType, ProviderRole, Sector

OFFICERS_PER_COUNCIL = 10
PORTFOLIOS_PER_COUNCIL = 5
COUNCIL_ROLES = [role for role in Role.values if role != Role.PORTFOLIO_HOLDER]


class PeopleFamily(Family):
    def councils(self) -> None:
        self.progress("councils, people and frameworks")
        councils = self.bulk(
            Council,
            [
                Council(
                    name=f"Scale Borough Council {n:03d}",
                    slug=f"{PREFIX}-{n:03d}",
                    short_code=f"SC{n:03d}",
                    contact_email=f"commissioning@scale-{n:03d}.example.gov.uk",
                    address=f"Town Hall, Scale {n:03d}",
                    # Measuring pages, not sign-in: the benchmarks sign people in with force_login.
                    require_two_factor=False,
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
        users = self._count("users", self.bulk(User, users))
        self._count(
            "memberships",
            self.bulk(
                Membership, [Membership(user=u, council=c, role=r) for u, (c, r) in zip(users, roles, strict=True)]
            ),
        )
        self.officers: dict[int, list[User]] = {}
        holders: dict[int, list[User]] = {}
        for user, (council, role) in zip(users, roles, strict=True):
            if role in (Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER):
                self.officers.setdefault(council.pk, []).append(user)
            elif role == Role.PORTFOLIO_HOLDER:
                holders.setdefault(council.pk, []).append(user)
        portfolios = self.bulk(
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
        plans = self.bulk(
            CorporatePlan,
            [
                CorporatePlan(council=c, title="Council plan", start_year=2024, end_year=2028, is_current=True)
                for c in councils
            ],
        )
        priorities = self.bulk(
            Priority,
            [Priority(plan=plan, title=f"Priority {i + 1}", position=i) for plan in plans for i in range(3)],
        )
        plan_council = {plan.pk: plan.council_id for plan in plans}
        outcomes = self.bulk(
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
        organisations = self.bulk(
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
            self.bulk(
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
            self.bulk(
                OrganisationMember,
                [
                    # Each organisation's founder, a member by registering it (in bulk, not one by one).
                    OrganisationMember(
                        organisation=org, user=user, role=ProviderRole.ORGANISATION_ADMIN, consented_at=timezone.now()
                    )
                    for org, user in zip(organisations, users, strict=True)
                ],
            ),
        )
