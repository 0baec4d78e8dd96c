"""The field every state machine keeps its state in."""

from __future__ import annotations

import django_fsm as fsm
from django.db.models.signals import class_prepared


class StateField(fsm.FSMField):
    """django-fsm's FSMField, less its listener on the historical models migrations build.

    Each FSMField listens for its model's `class_prepared` to collect the model's transitions. The
    models a migration renders have no transitions, and are built thousands of times in one `migrate`;
    every one left a listener behind that each later model had to call, a quarter of `migrate`'s time.
    """

    def contribute_to_class(self, cls, name, private_only=False, **kwargs):
        super().contribute_to_class(cls, name, private_only=private_only, **kwargs)
        if cls.__module__ == "__fake__":
            class_prepared.disconnect(self._collect_transitions)
