"""The database itself keeps scrutiny notes and performance assessments as history (PostgreSQL)."""

import pytest
from django.db import InternalError, connection, transaction

from commissioning.models import State
from commissioning.tests.factories import commission_in_state
from councils.models import Role
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.models import ScrutinyNote

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
]


def test_the_database_refuses_to_rewrite_or_delete_a_scrutiny_note(council, people):
    commission = commission_in_state(council, State.PLANNING)
    scrutiny_services.scrutiny_note_add(
        by=people[Role.SCRUTINY_MEMBER], commission=commission, text="Ask for the equality impact assessment."
    )
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        ScrutinyNote.objects.update(text="Rewritten")
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        ScrutinyNote.objects.all()._raw_delete(ScrutinyNote.objects.db)
    assert ScrutinyNote.objects.get().text == "Ask for the equality impact assessment."


def test_the_database_refuses_to_rewrite_a_performance_assessment():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'monitoring_performanceassessment_append_only'")
        assert cursor.fetchone()[0] == 1
