"""The expected answer of every URL for every kind of visitor. Later features add their rows here.

Each `Route` names a URL pattern, how to build its arguments from the test world, and which
visitors get a 200. Everyone else signed in gets `denied` (403 by default) and anonymous visitors
are sent to sign in (302), unless the route says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from councils.models import Role

VISITORS = [*Role.values, "other_council_officer", "no_role", "anonymous"]
EVERYONE_SIGNED_IN = frozenset(v for v in VISITORS if v != "anonymous")
COUNCIL_MEMBERS = frozenset(Role.values)


def council_kwargs(world) -> dict:
    return {"council_slug": world["council"].slug}


def framework_kwargs(kind: str, key: str | None = None) -> Callable[[dict], dict]:
    def build(world) -> dict:
        kwargs = {"council_slug": world["council"].slug, "kind": kind}
        if key:
            kwargs["pk"] = world[key].pk
        return kwargs

    return build


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[dict], dict] = lambda world: {}
    ok: frozenset[str] = frozenset()
    denied: int = 403
    anonymous: int = 302
    method: str = "get"
    overrides: dict[str, int] = field(default_factory=dict)

    def expected(self, visitor: str) -> int:
        if visitor in self.overrides:
            return self.overrides[visitor]
        if visitor in self.ok:
            return 200
        if visitor == "anonymous":
            return self.anonymous
        return self.denied


FRAMEWORK_EDITORS = frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.COUNCIL_ADMIN})
COMMISSIONERS = frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER})
# Everyone in the council but a portfolio holder reads every commission; the matrix's commission
# is in nobody's portfolio, so its holder (like outsiders) gets a 404, never a hint it exists.
COMMISSION_READERS = COUNCIL_MEMBERS - {Role.PORTFOLIO_HOLDER}
CANNOT_SEE_COMMISSION = {"portfolio_holder": 404, "other_council_officer": 404, "no_role": 404}


def commission_kwargs(world) -> dict:
    return {"council_slug": world["council"].slug, "pk": world["commission"].pk}


def commission_step_kwargs(name: str) -> Callable[[dict], dict]:
    return lambda world: {**commission_kwargs(world), "name": name}


ADMIN = frozenset({Role.COUNCIL_ADMIN})

ROUTES = [
    Route("commissioning:list", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("commissioning:plan", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("commissioning:create", council_kwargs, ok=COMMISSIONERS),
    Route("commissioning:detail", commission_kwargs, ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:audit", commission_kwargs, ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:transition",
        commission_step_kwargs("return_to_understand"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("home", ok=EVERYONE_SIGNED_IN | {"anonymous"}),
    Route("healthz", ok=EVERYONE_SIGNED_IN | {"anonymous"}),
    # Signed-in visitors are sent on from the sign-in page.
    Route("login", ok=frozenset({"anonymous"}), denied=302),
    Route("logout", method="post", ok=frozenset(), denied=302, anonymous=302),
    Route("councils:detail", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("councils:settings", council_kwargs, ok=ADMIN),
    Route("councils:framework", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("councils:framework_add", framework_kwargs("outcomes"), ok=FRAMEWORK_EDITORS),
    Route("councils:framework_edit", framework_kwargs("outcomes", "outcome"), ok=FRAMEWORK_EDITORS),
    Route("councils:people", council_kwargs, ok=frozenset({Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER})),
    Route("councils:membership_add", council_kwargs, ok=ADMIN),
    Route(
        "councils:membership_remove",
        lambda world: {"council_slug": world["council"].slug, "pk": world["membership"].pk},
        ok=ADMIN,
    ),
    Route(
        "councils:audit",
        council_kwargs,
        ok=frozenset(
            {
                Role.LEAD_COMMISSIONER,
                Role.COMMISSIONING_OFFICER,
                Role.PROCUREMENT_OFFICER,
                Role.LEGAL_OFFICER,
                Role.FINANCE_OFFICER,
                Role.SCRUTINY_MEMBER,
                Role.COUNCIL_ADMIN,
            }
        ),
    ),
    # Stage work: the commission is resolved first (404 if unreadable), then edit permission (403).
    Route("commissioning:edit", commission_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:criteria_template",
        commission_kwargs,
        method="post",
        # A commissioner's POST redirects to the plan (with an error message once criteria exist).
        overrides={
            **CANNOT_SEE_COMMISSION,
            Role.LEAD_COMMISSIONER: 302,
            Role.COMMISSIONING_OFFICER: 302,
        },
    ),
    Route(
        "commissioning:record_add",
        lambda world: {**commission_kwargs(world), "kind": "risks"},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:record_edit",
        lambda world: {**commission_kwargs(world), "kind": "risks", "record_pk": world["risk"].pk},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:record_remove",
        lambda world: {**commission_kwargs(world), "kind": "risks", "record_pk": world["risk"].pk},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:funding_pots",
        council_kwargs,
        ok=frozenset(
            {
                Role.LEAD_COMMISSIONER,
                Role.COMMISSIONING_OFFICER,
                Role.PROCUREMENT_OFFICER,
                Role.LEGAL_OFFICER,
                Role.FINANCE_OFFICER,
            }
        ),
    ),
    Route(
        "commissioning:funding_pot_add",
        council_kwargs,
        ok=frozenset({Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER}),
    ),
    Route(
        "commissioning:funding_pot_edit",
        lambda world: {
            **council_kwargs(world),
            "pot_pk": world["council"]
            .funding_pots.get_or_create(
                name="Access matrix pot",
                defaults={
                    "source": "council_budget",
                    "amount": 1000,
                    "starts_on": "2026-04-01",
                    "ends_on": "2027-03-31",
                },
            )[0]
            .pk,
        },
        ok=frozenset({Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER}),
    ),
]
