"""Every state machine keeps its state in `StateField`: django-fsm's field, less its listener on the
models migrations build (thousands of them in one migrate, each listener called by every later one)."""

from django.apps import apps
from django.db.migrations.state import ProjectState
from django.db.models.signals import class_prepared

from commissioning.models import Commission


def test_the_models_migrations_build_leave_no_listener_behind():
    before = len(class_prepared.receivers)
    state = ProjectState.from_apps(apps)
    rendered = state.apps.get_model("commissioning", "Commission")
    assert rendered.__module__ == "__fake__"
    assert len(class_prepared.receivers) == before


def test_the_real_models_still_have_their_transitions():
    assert {t.name for t in Commission().get_all_state_transitions()} >= {"submit_for_approval"}
