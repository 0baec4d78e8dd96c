"""The people every test world starts from, and a transaction that lets a module build its world once.

The root conftest's `council`, `other_council`, `people` and `outcome` fixtures call the builders
here; a module that shares one world between its tests calls them inside `module_transaction`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

from councils.models import Council, Membership, Outcome, Role, User
from councils.tests.factories import CouncilFactory, OutcomeFactory, UserFactory
from providers.tests.factories import OrganisationMemberFactory


def make_council() -> Council:
    return CouncilFactory(name="Testshire County Council", slug="testshire", short_code="TCC")


def make_other_council() -> Council:
    return CouncilFactory(name="Otherton Borough Council", slug="otherton", short_code="OBC")


def make_people(council: Council, other_council: Council) -> dict[str, User]:
    """A person for every role in `council`, plus outsiders: another council's officer, nobody, and
    the administrators of two provider organisations.

    Nearly every test starts from these people, so the council's are written in two statements
    (people, then memberships) rather than one factory call each: the factories' own saves and
    signals are for people made one at a time, and the sign-in stamps they set matter only to someone
    already signed in, which nobody here is yet."""
    seats = [(role, f"{role}@testshire.example") for role in Role.values]
    # A councillor with no other seat, named to the member working group of the access matrix's commission.
    seats.append(("working_group_member", "group.member@testshire.example"))
    outsiders = [("other_council_officer", "lead@otherton.example"), ("no_role", "nobody@example.org")]
    users = User.objects.bulk_create([UserFactory.build(email=email) for _, email in seats + outsiders])
    result = {name: user for (name, _), user in zip(seats + outsiders, users, strict=True)}
    Membership.objects.bulk_create(
        [
            Membership(council=council, role=Role.COUNCILLOR if name == "working_group_member" else name, user=user)
            for (name, _), user in zip(seats, users, strict=False)
        ]
        + [Membership(council=other_council, role=Role.LEAD_COMMISSIONER, user=result["other_council_officer"])]
    )
    result["provider_admin"] = OrganisationMemberFactory(
        organisation__legal_name="Moorside Youth Trust", user__email="admin@moorside.example"
    ).user
    result["other_provider_admin"] = OrganisationMemberFactory(
        organisation__legal_name="Brightwork Training Ltd", user__email="admin@brightwork.example"
    ).user
    return result


def make_world() -> dict:
    """The council, the other council and the people of the root conftest's fixtures, as a world."""
    council, other_council = make_council(), make_other_council()
    return {"council": council, "other_council": other_council, "people": make_people(council, other_council)}


def world_with(**builders: Callable[[Council, dict], object]) -> Callable[[], dict]:
    """A build for `shared_world`: `make_world()`'s, and what each builder makes (called with the
    council and the people) under its name."""

    def build() -> dict:
        built = make_world()
        for name, builder in builders.items():
            built[name] = builder(built["council"], built["people"])
        return built

    return build


def shared_world(build: Callable[[], dict], *parts: str) -> tuple:
    """Fixtures for a module whose tests share one world, to be unpacked into the module:

        shared, module_copy, council, other_council, people, award = shared_world(build, "award")

    `build()` runs once for the module, inside `module_transaction`, and returns `make_world()`'s
    entries and its own. Each test takes its own deep copy of them (`module_copy`, in the test's
    savepoint), so what one test does to the world's objects, in the database or in memory, never
    reaches the next. `council`, `other_council` and `people` stand in for the root conftest's (whose
    councils would clash with the world's), and each of `parts` is a fixture of that name giving the
    copy's entry."""

    @pytest.fixture(scope="module", name="shared")
    def shared(django_db_setup, django_db_blocker):
        with module_transaction(django_db_blocker):
            with django_db_blocker.unblock():
                built = build()
            yield built

    @pytest.fixture(name="module_copy")
    def module_copy(shared, db):
        return copy.deepcopy(shared)

    def part(name: str):
        @pytest.fixture(name=name)
        def fixture(module_copy):
            return module_copy[name]

        return fixture

    return (shared, module_copy, *(part(name) for name in ("council", "other_council", "people", *parts)))


def make_outcome(council: Council) -> Outcome:
    return OutcomeFactory(priority__plan__council=council)


@contextmanager
def module_transaction(django_db_blocker) -> Iterator[None]:
    """A transaction around a whole module (or class) of tests, rolled back when they are done.

    Build the shared world inside it (with `django_db_blocker.unblock()`); each test that asks for
    `db` then runs in a savepoint inside it, rolled back after the test, so no test sees what
    another changed. Not for `transactional_db` or `live_server` tests: they commit and flush.

        @pytest.fixture(scope="module")
        def shared(django_db_setup, django_db_blocker):
            with module_transaction(django_db_blocker):
                with django_db_blocker.unblock():
                    world = build()
                yield world
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # The test's own, as Django's TestCase marks its transactions: what is read inside it may be
        # kept (`local_kept.may_be_uncommitted`), as in any other test.
        outer._from_testcase = True
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
