"""Demo data: three fictional councils (one a partnership of two councils sharing officers), a user
for every role, each council's priorities, outcomes and portfolios. Safe to run again and again."""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils.models import (
    CorporatePlan,
    Council,
    CrossCuttingTheme,
    Membership,
    Outcome,
    Partnership,
    Portfolio,
    Priority,
    Role,
    User,
)

DEMO_PASSWORD = "commissioner-demo"
# Demo only: every demo council's staff sign in with two-factor codes from this one key, so anyone
# trying the demo can add it to an authenticator app (or run `python manage.py demo_code`). It is
# printed by seed_demo and named in the README: it protects nothing.
DEMO_TOTP_SECRET = "COMMISSIONERDEMOCOMMISSIONERDEMO"  # noqa: S105

# Lancaster's Corporate Plan 2012–2015 priorities, with outcomes as end results.
PRIORITIES = {
    "Economic Growth": [
        ("More local people in good jobs", "Economy and Regeneration"),
        ("A thriving town centre and visitor economy", "Economy and Regeneration"),
    ],
    "Health and Well Being": [
        ("Fewer older people isolated and lonely", "Health and Wellbeing"),
        ("Children and young people are active and healthy", "Health and Wellbeing"),
    ],
    "Clean, Green and Safe Places": [
        ("Parks and open spaces are improved and well used", "Environment"),
        ("People feel safe in their neighbourhoods", "Communities"),
    ],
    "Community Leadership": [
        ("A strong and independent voluntary, community and faith sector", "Communities"),
        ("Residents take part in decisions about their area", "Communities"),
    ],
}
THEMES = ["Partnership working", "Value for money", "Equality and inclusion"]


@dataclass
class DemoCouncil:
    name: str
    slug: str
    short_code: str
    domain: str
    key_decision_threshold: Decimal = Decimal("250000")
    staff: dict[str, str] = field(default_factory=dict)  # role -> full name


DEMO_COUNCILS = [
    DemoCouncil(
        "Kirkby Moor City Council",
        "kirkby-moor",
        "KMC",
        "kirkby-moor.example",
        Decimal("250000"),
        {
            Role.LEAD_COMMISSIONER: "Helen Ashworth",
            Role.COMMISSIONING_OFFICER: "Omar Siddiqui",
            Role.PROCUREMENT_OFFICER: "Grace Whitfield",
            Role.LEGAL_OFFICER: "Daniel Okafor",
            Role.FINANCE_OFFICER: "Priya Raman",
            Role.PORTFOLIO_HOLDER: "Cllr Margaret Holt",
            Role.SCRUTINY_MEMBER: "Cllr Tom Bradshaw",
            Role.COUNCIL_ADMIN: "Sam Kowalski",
            Role.COUNCILLOR: "Cllr Sarah Whitlock",
        },
    ),
    DemoCouncil(
        "Wyvern Borough Council",
        "wyvern",
        "WBC",
        "wyvern.example",
        Decimal("100000"),
        {
            Role.LEAD_COMMISSIONER: "Fiona Marsh",
            Role.COMMISSIONING_OFFICER: "Kwame Mensah",
            Role.PROCUREMENT_OFFICER: "Lucy Tran",
            Role.LEGAL_OFFICER: "Rhys Evans",
            Role.FINANCE_OFFICER: "Anita Desai",
            Role.PORTFOLIO_HOLDER: "Cllr Joan Pritchard",
            Role.SCRUTINY_MEMBER: "Cllr Ben Adeyemi",
            Role.COUNCIL_ADMIN: "Chris Lowe",
            Role.COUNCILLOR: "Cllr Martin Doyle",
        },
    ),
]

PARTNERSHIP = {
    "name": "Vale Partnership",
    "slug": "vale-partnership",
    "domain": "vale-partnership.example",
    "councils": [
        ("Ashby Vale District Council", "ashby-vale", "AVDC"),
        ("Brookfield District Council", "brookfield", "BDC"),
    ],
    # Officers are shared: each holds the same role in both councils.
    "shared_staff": {
        Role.LEAD_COMMISSIONER: "Jon Hale",
        Role.COMMISSIONING_OFFICER: "Amira Haddad",
        Role.PROCUREMENT_OFFICER: "Ewan Fraser",
        Role.LEGAL_OFFICER: "Nadia Petrova",
        Role.FINANCE_OFFICER: "Graham Cole",
        Role.COUNCIL_ADMIN: "Leah Morgan",
    },
    # Councillors belong to one council each.
    "councillors": {
        "ashby-vale": {
            Role.PORTFOLIO_HOLDER: "Cllr Peter Lyle",
            Role.SCRUTINY_MEMBER: "Cllr Rosa Quinn",
            Role.COUNCILLOR: "Cllr Helen Rix",
        },
        "brookfield": {
            Role.PORTFOLIO_HOLDER: "Cllr Dev Patel",
            Role.SCRUTINY_MEMBER: "Cllr Irene Walsh",
            Role.COUNCILLOR: "Cllr Joe Barker",
        },
    },
}

# A call-in needs two scrutiny members (the default threshold): each council has a second one.
SECOND_SCRUTINY_MEMBER = {
    "kirkby-moor": "Cllr Aisha Begum",
    "wyvern": "Cllr Gareth Price",
    "ashby-vale": "Cllr Nina Shah",
    "brookfield": "Cllr Owen Hughes",
}

ROLE_MAILBOX = {
    Role.LEAD_COMMISSIONER: "lead",
    Role.COMMISSIONING_OFFICER: "officer",
    Role.PROCUREMENT_OFFICER: "procurement",
    Role.LEGAL_OFFICER: "legal",
    Role.FINANCE_OFFICER: "finance",
    Role.PORTFOLIO_HOLDER: "cabinet",
    Role.SCRUTINY_MEMBER: "scrutiny",
    Role.COUNCIL_ADMIN: "admin",
    # A councillor with no cabinet or scrutiny seat, on a member working group.
    Role.COUNCILLOR: "councillor",
}


def demo_user(email: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def demo_council(name: str, slug: str, short_code: str, domain: str, **extra) -> Council:
    council, _ = Council.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "short_code": short_code,
            "contact_email": f"commissioning@{domain}",
            "website": f"https://www.{domain}/",
            **extra,
        },
    )
    return council


def demo_framework(council: Council, portfolio_holder: User | None, officer: User | None) -> None:
    plan, _ = CorporatePlan.objects.get_or_create(
        council=council,
        title="Corporate Plan",
        start_year=2025,
        defaults={"end_year": 2028, "is_current": True, "summary": "What the council will achieve by 2028."},
    )
    portfolio_names = sorted({name for outcomes in PRIORITIES.values() for _, name in outcomes})
    portfolios = {}
    for name in portfolio_names:
        portfolio, _ = Portfolio.objects.get_or_create(council=council, name=name)
        portfolios[name] = portfolio
    # The demo cabinet member holds Health and Wellbeing and Communities; the rest are vacant.
    if portfolio_holder is not None:
        Portfolio.objects.filter(pk__in=[portfolios["Health and Wellbeing"].pk, portfolios["Communities"].pk]).update(
            holder=portfolio_holder
        )
    for position, (priority_title, outcomes) in enumerate(PRIORITIES.items(), start=1):
        priority, _ = Priority.objects.get_or_create(plan=plan, title=priority_title, defaults={"position": position})
        for outcome_position, (title, portfolio_name) in enumerate(outcomes, start=1):
            Outcome.objects.get_or_create(
                priority=priority,
                title=title,
                defaults={
                    "portfolio": portfolios[portfolio_name],
                    "accountable_officer": officer,
                    "position": outcome_position,
                },
            )
    for title in THEMES:
        CrossCuttingTheme.objects.get_or_create(plan=plan, title=title)


def demo_totp_device(user: User) -> TOTPDevice:
    """The demo staff member's authenticator app, on the shared demo key (see DEMO_TOTP_SECRET)."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user,
        name="Demo authenticator app",
        defaults={"key": b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
    )
    return device


def _domain_of(council: Council) -> str:
    return next(spec.domain for spec in DEMO_COUNCILS if spec.slug == council.slug)


def grant(user: User, council: Council, role: str) -> None:
    Membership.objects.get_or_create(user=user, council=council, role=role)


@transaction.atomic
def seed_councils() -> list[Council]:
    councils = []
    for spec in DEMO_COUNCILS:
        council = demo_council(
            spec.name, spec.slug, spec.short_code, spec.domain, key_decision_threshold=spec.key_decision_threshold
        )
        people = {}
        for role, full_name in spec.staff.items():
            people[role] = demo_user(f"{ROLE_MAILBOX[role]}@{spec.domain}", full_name)
            grant(people[role], council, role)
        demo_framework(council, people[Role.PORTFOLIO_HOLDER], people[Role.LEAD_COMMISSIONER])
        councils.append(council)

    partnership, _ = Partnership.objects.update_or_create(
        slug=PARTNERSHIP["slug"],
        defaults={"name": PARTNERSHIP["name"], "description": "Two district councils sharing one commissioning team."},
    )
    shared = {
        role: demo_user(f"{ROLE_MAILBOX[role]}@{PARTNERSHIP['domain']}", full_name)
        for role, full_name in PARTNERSHIP["shared_staff"].items()
    }
    for name, slug, short_code in PARTNERSHIP["councils"]:
        council = demo_council(name, slug, short_code, PARTNERSHIP["domain"], partnership=partnership)
        for role, user in shared.items():
            grant(user, council, role)
        holder = None
        for role, full_name in PARTNERSHIP["councillors"][slug].items():
            user = demo_user(f"{ROLE_MAILBOX[role]}.{slug}@{PARTNERSHIP['domain']}", full_name)
            grant(user, council, role)
            if role == Role.PORTFOLIO_HOLDER:
                holder = user
        demo_framework(council, holder, shared[Role.LEAD_COMMISSIONER])
        councils.append(council)
    for council in councils:
        domain = council.slug if council.partnership_id else None
        mailbox = f"scrutiny2.{domain}@{PARTNERSHIP['domain']}" if domain else f"scrutiny2@{_domain_of(council)}"
        grant(demo_user(mailbox, SECOND_SCRUTINY_MEMBER[council.slug]), council, Role.SCRUTINY_MEMBER)
    # The demo councils require two-factor sign-in (the default): their staff are enrolled already.
    for user in User.objects.filter(memberships__council__in=councils).distinct():
        demo_totp_device(user)
    return councils
