"""The page that confirms one step of a state machine: which step the URL names, and whether this
person may take it from the state the object is in now. Shared by every machine's step page, so each
answers the same way: 404 for a step with no page of its own, 403 for a step that exists from here but
is not this person's, and back to the object with a message when the step cannot be taken now."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from councils import workflow


class StepPageMixin:
    """For a FormView: `step_object()` names the object; `self.step` is the step offered (a dict from
    `workflow.available`) while the page is handled."""

    def step_object(self):
        raise NotImplementedError

    def get_step(self) -> dict:
        obj = self.step_object()
        name = self.kwargs["name"]
        # Steps other machines take for this one ("internal") have no page of their own.
        transitions = [t for t in obj.get_all_state_transitions() if t.name == name]
        if not any(not t.custom.get("internal") for t in transitions):
            raise Http404
        for step in workflow.available(obj, self.request.user):
            if step["name"] == name:
                return step
        if obj.state in {t.source for t in transitions}:
            raise PermissionDenied
        return {}

    def get(self, request, *args, **kwargs):
        self.step = self.get_step()
        if not self.step:
            messages.error(request, "That step cannot be taken at this stage.")
            return redirect(self.step_object())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.step = self.get_step()
        if not self.step:
            messages.error(request, "That step cannot be taken at this stage: someone may have moved it already.")
            return redirect(self.step_object())
        return super().post(request, *args, **kwargs)
