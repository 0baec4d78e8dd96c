"""One world per test module (built once, each test in a savepoint): the council with a person in
every role, the outsiders, and a commission in Plan with its drafts written."""

from __future__ import annotations

import pytest

from commissioning.engagement.tests.factories import drafted_commission
from commissioning.models import Commission
from tests.worlds import make_council, make_other_council, make_people, module_transaction


@pytest.fixture(scope="module")
def engagement_world(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            council = make_council()
            other_council = make_other_council()
            people = make_people(council, other_council)
            commission = drafted_commission(council)
        yield {"council": council, "other_council": other_council, "people": people, "commission": commission}


@pytest.fixture
def council(engagement_world, db):
    return engagement_world["council"]


@pytest.fixture
def other_council(engagement_world, db):
    return engagement_world["other_council"]


@pytest.fixture
def people(engagement_world, db):
    return engagement_world["people"]


@pytest.fixture
def commission(engagement_world, db):
    return Commission.objects.select_related("council").get(pk=engagement_world["commission"].pk)
