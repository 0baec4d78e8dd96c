"""Kept statements (`councils.compiled`): the same rows as the queryset they are built from, with
any values, and a refusal wherever the kept SQL could be wrong."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from councils import compiled
from councils.compiled import Statement, StatementError
from councils.models import Council, Membership, Role
from councils.tests.factories import CouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _memberships(*, council_id: int, user_id: int, officer: bool):
    roles = [Role.COMMISSIONING_OFFICER, Role.LEAD_COMMISSIONER] if officer else [Role.COUNCILLOR]
    return (
        Membership.objects.filter(council=council_id, role__in=roles)
        .exclude(user=user_id)
        .select_related("council", "user")
        .order_by("pk")
    )


MEMBERSHIPS = Statement(_memberships)


@pytest.fixture
def people():
    council, other = CouncilFactory(), CouncilFactory()
    return {
        "council": council,
        "officer": MembershipFactory(council=council, role=Role.COMMISSIONING_OFFICER),
        "lead": MembershipFactory(council=council, role=Role.LEAD_COMMISSIONER),
        "councillor": MembershipFactory(council=council, role=Role.COUNCILLOR),
        "elsewhere": MembershipFactory(council=other, role=Role.COMMISSIONING_OFFICER),
    }


@pytest.mark.parametrize("officer", [True, False])
def test_same_rows_and_related_objects_as_the_queryset(people, officer):
    keys = {"council_id": people["council"].pk, "user_id": people["officer"].user_id}
    expected = list(_memberships(**keys, officer=officer))
    for _ in range(2):  # built the first time, kept the second
        found = MEMBERSHIPS(shape={"officer": officer}, **keys)
        assert found == expected
        assert [m.council.name for m in found] == [m.council.name for m in expected]
        with CaptureQueriesContext(connection) as queries:
            assert [m.user.email for m in found] == [m.user.email for m in expected]
        assert not queries.captured_queries, "select_related's rows must come with the statement's"
    assert expected, "the world must give the statement something to find"


def test_built_once_per_shape_and_run_with_the_new_values(people):
    builds = []

    def build(**keys):
        builds.append(keys)
        return _memberships(**keys)

    statement = Statement(build)
    council_id = people["council"].pk
    with override_settings(COMMISSIONER_CHECK_STATEMENTS=False):
        assert statement(shape={"officer": True}, council_id=council_id, user_id=people["officer"].user_id) == [
            people["lead"]
        ]
        assert statement(shape={"officer": True}, council_id=council_id, user_id=people["lead"].user_id) == [
            people["officer"]
        ]
        elsewhere = people["elsewhere"]
        assert statement(shape={"officer": True}, council_id=elsewhere.council_id, user_id=0) == [elsewhere]
        assert statement(shape={"officer": False}, council_id=council_id, user_id=0) == [people["councillor"]]
    # One build for the router's model, then two for each shape, all with stand-ins for the keys.
    assert len(builds) == 5
    values = {"council_id": 0, "user_id": 0}
    stand_ins = [compiled._stand_ins(values), compiled._stand_ins(values, other=True)]
    assert all({"council_id": keys["council_id"], "user_id": keys["user_id"]} in stand_ins for keys in builds)


def test_a_constant_equal_to_a_stand_in_is_not_taken_for_a_values_place(people):
    stand_in = compiled._stand_ins({"council_id": 1})["council_id"]
    statement = Statement(lambda council_id: Membership.objects.filter(council=council_id).exclude(pk=stand_in))
    assert statement(council_id=people["council"].pk) == list(
        Membership.objects.filter(council=people["council"]).exclude(pk=stand_in)
    )


def test_a_value_for_a_small_integer_column_is_kept(people):
    # A stand-in out of a column's range would make Django leave the lookup out (nothing can match).
    council = people["council"]
    statement = Statement(lambda days: Council.objects.filter(standstill_working_days=days, pk=council.pk))
    assert statement(days=council.standstill_working_days) == [council]
    assert statement(days=council.standstill_working_days + 1) == []


@settings(max_examples=40, deadline=None)
@given(council_id=st.integers(1, 2**62), user_id=st.integers(1, 2**62), officer=st.booleans())
def test_the_kept_sql_and_values_are_the_builds_for_any_keys(council_id, user_id, officer):
    # COMMISSIONER_CHECK_STATEMENTS (on in the tests) raises if they differ.
    assert MEMBERSHIPS(shape={"officer": officer}, council_id=council_id, user_id=user_id) == []


def test_a_build_that_reads_outside_its_shape_is_refused(people):
    outside = {"role": Role.COMMISSIONING_OFFICER}
    statement = Statement(lambda council_id: Membership.objects.filter(council=council_id, role=outside["role"]))
    assert statement(council_id=people["council"].pk) == [people["officer"]]
    outside["role"] = Role.LEAD_COMMISSIONER
    with pytest.raises(StatementError, match="differs"):
        statement(council_id=people["council"].pk)


@pytest.mark.parametrize(
    "build",
    [
        lambda council_id: Membership.objects.filter(council=1)[: abs(council_id) % 5],  # in the SQL's text
        lambda council_id: Membership.objects.filter(council=council_id + 1),  # not the value given
        lambda council_id: Membership.objects.filter(council=1),  # not used at all
    ],
)
def test_a_value_that_is_not_a_parameter_of_its_own_is_refused(build):
    with pytest.raises(StatementError):
        Statement(build)(council_id=7)


def test_a_text_value_is_kept_like_a_number(people):
    council = people["council"]
    statement = Statement(lambda slug: Membership.objects.filter(council__slug=slug, role=Role.COUNCILLOR))
    for _ in range(2):  # built the first time, kept the second
        assert statement(slug=council.slug) == [people["councillor"]]
        assert statement(slug=people["elsewhere"].council.slug) == []
        assert statement(slug="nowhere'; --") == []


@settings(max_examples=40, deadline=None)
@given(slug=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40))
def test_the_kept_sql_and_values_are_the_builds_for_any_text(slug):
    # COMMISSIONER_CHECK_STATEMENTS (on in the tests) raises if they differ.
    statement = Statement(lambda slug: Membership.objects.filter(council__slug=slug))
    assert statement(slug=slug) == []


def test_text_the_build_changes_on_its_way_to_the_sql_is_refused():
    with pytest.raises(StatementError):
        Statement(lambda slug: Membership.objects.filter(council__slug__icontains=slug))(slug="shire")


def test_values_are_whole_numbers_or_text():
    with pytest.raises(TypeError):
        MEMBERSHIPS(shape={"officer": True}, council_id=1.0, user_id=1)


def test_a_shape_that_matches_nothing_makes_no_query():
    statement = Statement(lambda council_id, none: Membership.objects.filter(Q(pk__in=[]), council=council_id))
    with CaptureQueriesContext(connection) as queries:
        assert statement(shape={"none": True}, council_id=3) == []
    assert not queries.captured_queries


def test_placeholders_are_numbered_for_postgresql():
    assert compiled._numbered("a = %s AND b LIKE '%%x' AND c = %s") == "a = $1 AND b LIKE '%%x' AND c = $2"


def _second_run(keys: dict) -> tuple[list, list[str]]:
    """The statement run twice (the first prepares it): the second run's rows and SQL."""
    MEMBERSHIPS(shape={"officer": True}, **keys)
    with CaptureQueriesContext(connection) as queries:
        found = MEMBERSHIPS(shape={"officer": True}, **keys)
    return found, [query["sql"] for query in queries.captured_queries]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_prepared_on_the_server_once_per_session(people):
    found, sql = _second_run({"council_id": people["council"].pk, "user_id": 0})
    assert [text.split(" ", 1)[0] for text in sql] == ["EXECUTE"]
    assert found == [people["officer"], people["lead"]]
    with override_settings(COMMISSIONER_PREPARED_STATEMENTS=False), CaptureQueriesContext(connection) as queries:
        assert MEMBERSHIPS(shape={"officer": True}, council_id=people["council"].pk, user_id=0) == found
    assert queries.captured_queries[0]["sql"].startswith("SELECT")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_new_session_prepares_again():
    council = CouncilFactory()
    lead = MembershipFactory(council=council, role=Role.LEAD_COMMISSIONER)
    keys = {"council_id": council.pk, "user_id": 0}
    assert MEMBERSHIPS(shape={"officer": True}, **keys) == [lead]
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert MEMBERSHIPS(shape={"officer": True}, **keys) == [lead]
    # Prepared and run in one round trip.
    assert [q["sql"].split(" ", 1)[0] for q in queries.captured_queries] == ["PREPARE"]
    assert "; EXECUTE commissioner_" in queries.captured_queries[0]["sql"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_an_attempt_that_failed_part_way_is_prepared_again_under_a_name_of_its_own(people):
    keys = {"council_id": people["council"].pk, "user_id": 0}
    expected, sql = _second_run(keys)
    base = sql[0].split(" ")[1]
    session = compiled._PREPARED[connection.connection]
    # As if the statement had been prepared but the run with it failed (it is still on the server).
    session[base] = "!0"
    with CaptureQueriesContext(connection) as queries:
        assert MEMBERSHIPS(shape={"officer": True}, **keys) == expected
    assert queries.captured_queries[0]["sql"].startswith(f"PREPARE {base}_1 ")
    assert session[base] == f"{base}_1"
