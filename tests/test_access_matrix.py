"""Walk every URL pattern of the project for every kind of visitor and check the answer.

The world (a council with a person in every role, a commission, an opportunity with a bid, ...) is
built once for the module, inside a transaction rolled back after the module's last test (see
`tests.worlds.module_transaction`). Each route's test runs in a savepoint inside it, so what one test
changes (a POST, an object a route builds on first use) never reaches the next, and each test has its
own copy of the world's objects.

Every visitor is signed in once, in the module's transaction, and each test sends that visitor's
session cookie: signing in runs the sign-in's own writes (the lockout log, the session's access
stamps), which would otherwise be most of the module's time, twenty times for every route.

The larger worlds some routes need (an award at each stage, an evaluation, agreements, returns,
deliverables), which their builders make on first use and keep in the world, are also made in the
module's transaction, the first time a route asks for one, so the routes that share one build it once.
Only the builders in SHARED_BUILDERS are: each makes objects of its own, with its own commission, and
changes nothing the other routes read. A builder that changes the world (publishes the council's plan,
adds a partner to the world's bid) runs inside its route's own test.
"""

from __future__ import annotations

import copy
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commissioning.cycle import services
from commissioning.groups import services as group_services
from commissioning.models import DeliveryRoute, FundingRound, Risk, State
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.factories import FundingPotFactory, commission_in_state
from councils.models import Membership, Role
from demo import opportunities as opportunity_demo
from providers.models import Organisation, ProviderRole
from providers.tests.factories import ComplianceDocumentFactory, OrganisationMemberFactory

from .access_matrix import ROUTES, VISITORS
from .worlds import make_council, make_other_council, make_outcome, make_people, module_transaction

# Django's admin has a page per model and view: the matrix samples it (rows in the access matrix),
# and `tests/test_admin.py` walks every one of its pages.
SAMPLED_NAMESPACES = frozenset({"admin"})


def named_patterns(resolver: URLResolver, namespace: str = "", excluded=SAMPLED_NAMESPACES) -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            child = pattern.namespace or ""
            if child in excluded:
                continue
            names |= named_patterns(pattern, f"{namespace}{child}:" if child else namespace, excluded)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_expectations():
    declared = {route.name for route in ROUTES}
    actual = named_patterns(get_resolver())
    assert actual - declared == set(), "add these URLs to tests/access_matrix.py"
    every = named_patterns(get_resolver(), excluded=frozenset())
    assert declared - every == set(), "these rows name URLs that no longer exist"


def provider_world(people) -> dict:
    """The provider administrator's organisation, a bid writer in it, and one of its compliance documents."""
    organisation = Organisation.objects.get(members__user=people["provider_admin"])
    return {
        "organisation": organisation,
        "member": OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER),
        "document": ComplianceDocumentFactory(organisation=organisation),
    }


def opportunity_world(council, people) -> dict:
    """A published opportunity for a contract in Sourcing, with a lot, a document and a clarification
    question from the provider administrator waiting for an answer."""
    commission = commission_in_state(
        council, State.SOURCING, route=DeliveryRoute.CONTRACT, budget=Decimal(150000), title="Debt advice"
    )
    opportunity = opportunity_demo.opportunity_for(
        commission, officer=people[Role.COMMISSIONING_OFFICER], lots=1, document=True
    )
    asker = people["provider_admin"]
    clarification = opportunity_services.clarification_ask(
        by=asker,
        opportunity=opportunity,
        organisation=Organisation.objects.get(members__user=asker),
        question="Can we bid with a partner?",
    )
    return {
        "opportunity": opportunity,
        "opportunity_document": opportunity.documents.get(),
        "lot": opportunity.lots.get(),
        "clarification": clarification,
    }


def bid_world(people, opportunity) -> dict:
    """A draft bid by the provider administrator's organisation on the published opportunity, with a
    document: sealed, since the opportunity is still open."""
    user = people["provider_admin"]
    bid = bid_services.bid_start(
        by=user, opportunity=opportunity, organisation=Organisation.objects.get(members__user=user)
    )
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return {"bid": bid, "bid_document": bid_services.bid_document_add(by=user, bid=bid, title="Plan", upload=upload)}


def group_world(people, commission, opportunity) -> dict:
    """The member working groups: the world's commission's (its member holds no other seat) and the
    opportunity's commission's, whose member is the plain councillor (another group, a sealed bid)."""
    lead = people[Role.LEAD_COMMISSIONER]
    member = group_services.working_group_add(by=lead, subject=commission, user=people["working_group_member"])
    group_services.working_group_add(by=lead, subject=opportunity.commission, user=people[Role.COUNCILLOR])
    return {"group_member": member}


def build_world(council, people, outcome) -> dict:
    commission = commission_in_state(council, State.PLANNING)
    funding_pot = FundingPotFactory(council=council)
    risk = services.stage_record_save(
        by=people[Role.COMMISSIONING_OFFICER],
        commission=commission,
        instance=Risk(commission=commission, description="Provider market is thin", likelihood=3, impact=4),
    )
    opportunities = opportunity_world(council, people)
    return {
        "council": council,
        **provider_world(people),
        **opportunities,
        **bid_world(people, opportunities["opportunity"]),
        **group_world(people, commission, opportunities["opportunity"]),
        "people": people,
        "outcome": outcome,
        "membership": Membership.objects.get(council=council, role=Role.SCRUTINY_MEMBER),
        "commission": commission,
        "risk": risk,
        "funding_pot": funding_pot,
        "funding_round": FundingRound.objects.create(
            pot=funding_pot, name="Round 1", opens_on="2026-05-01", closes_on="2026-06-30", allocation=500
        ),
    }


@pytest.fixture
def world(council, people, outcome):
    """The matrix's world, built for one test (other modules use it too)."""
    return build_world(council, people, outcome)


# Well inside the shortest idle time-out (council staff, 30 minutes): the sessions are signed in again
# (for the rest of the module) once they are this old, so a slow run is not read as a denial.
SESSIONS_FRESH_FOR = 10 * 60


def sign_in_everyone(people) -> dict[str, str]:
    """Each signed-in visitor's session key."""
    keys = {}
    for visitor in VISITORS:
        if visitor != "anonymous":
            client = Client()
            client.force_login(people[visitor])
            keys[visitor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The matrix's world, built once for this module, with everyone signed in."""
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            council = make_council()
            people = make_people(council, make_other_council())
            built = build_world(council, people, make_outcome(council))
            sessions = {"keys": sign_in_everyone(people), "at": time.monotonic()}
        yield built, sessions


@pytest.fixture
def fresh_sessions(module_world, django_db_blocker) -> dict[str, str]:
    """The visitors' session keys, signed in again first if they are getting old (outside the test's
    own transaction, which the test's end rolls back)."""
    built, sessions = module_world
    if time.monotonic() - sessions["at"] > SESSIONS_FRESH_FOR:
        with django_db_blocker.unblock():
            sessions.update(keys=sign_in_everyone(built["people"]), at=time.monotonic())
    return sessions["keys"]


# By the name of the function that makes the route's builder (see the module's docstring).
SHARED_BUILDERS = frozenset(
    {
        "award_kwargs",
        "provider_summary_kwargs",
        "evaluation_kwargs",
        "matrix_kwargs",
        "matrix_return_kwargs",
        "matrix_assessment_kwargs",
        "matrix_delivery_kwargs",
    }
)


@pytest.fixture
def prebuilt(route, module_world, django_db_blocker) -> None:
    """Make the route's shared world in the module's transaction (outside the test's own), once."""
    if route.kwargs.__qualname__.split(".")[0] not in SHARED_BUILDERS:
        return
    with django_db_blocker.unblock(), transaction.atomic():
        route.kwargs(module_world[0])


@pytest.fixture
def shared_world(fresh_sessions, prebuilt, module_world, db):
    """This test's copy of the module's world: objects a route builds on first use are kept in the
    copy (and rolled back with the test), and changes to the objects' attributes stay in it too."""
    return copy.deepcopy(module_world[0])


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_access_matrix(route, shared_world, fresh_sessions, client):
    world = shared_world
    url = reverse(route.name, kwargs=route.kwargs(world))
    wrong = {}
    for visitor in VISITORS:
        client.cookies.clear()
        if visitor != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = fresh_sessions[visitor]
        response = getattr(client, route.method)(url)
        if response.status_code != route.expected(visitor):
            wrong[visitor] = (response.status_code, route.expected(visitor))
    assert wrong == {}, f"{url}: visitor -> (got, expected)"
