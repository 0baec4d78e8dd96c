"""The one workflow engine: every state machine's transitions are taken through `run`.

A machine is a model with a protected `StateField` (django-fsm's `FSMField`) called `state`,
registered once with `machine()` by the services of its area. What differs between transitions is
declared on the transition in `custom=`:

- ``label``: the button's words;
- ``gate``: the name of a function in the machine's gates module returning what is missing, in words
  a person understands (the page shows the same list the engine checks);
- ``needs_reason``: a reason must be given, and is kept in the audit trail;
- ``system``: only the scheduler or another machine takes it (no person, no button);
- ``internal``: taken only through a service of its own (never through the generic step page);
- ``locks``: names of lockers registered on the machine, run under the row lock before the gate,
  for rows the gate reads that others may change at the same moment;
- ``effects``: names of effects registered on the machine, run in that order;
- ``tells``: names of hand-offs registered with `councils.handoffs.register`: who is told that it is
  now their turn, recorded in the outbox in the step's own transaction.

An effect may validate (before anything changes), prepare (set fields before saving), follow
(after saving, returning what the audit event keeps) and queue work for after the commit.

Other apps follow the steps without this module knowing them: a listener registered with `listen()`
is called after the commit with the `Step` of every step taken (and of every change announced with
`announce()` by a service that writes outside the engine).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django_fsm import ConcurrentTransition

from councils import handoffs, page_cache
from councils.services import audit_record


class TransitionRefused(Exception):
    """The step cannot be taken now; `missing` says exactly why, in words for the person."""

    def __init__(self, missing: list[str]):
        super().__init__("; ".join(missing))
        self.missing = missing


class TransitionConflict(Exception):
    """Someone else moved the object first; nothing was changed."""


@dataclass
class Step:
    """One transition being taken: what the effects of a transition read and write."""

    obj: models.Model
    name: str
    by: Any
    reason: str
    source: str
    custom: dict
    payload: dict
    extra: dict = field(default_factory=dict)
    scratch: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Effect:
    # Puts the person's input on the locked row before the gate reads it (a signed copy, a date).
    stage: Callable[[Step], None] | None = None
    # Checks what the step itself needs, once the gate has passed.
    validate: Callable[[Step], None] | None = None
    prepare: Callable[[Step], None] | None = None
    follow: Callable[[Step], dict | None] | None = None
    on_commit: Callable[[Step], None] | None = None


@dataclass
class Machine:
    model: type[models.Model]
    noun: str
    # The audit events' prefix, e.g. "commission" for "commission.approve".
    event: str = ""
    gates: Any = None
    lockers: dict[str, Callable[[models.Model], None]] = field(default_factory=dict)
    # The audit event's extra details every step of this machine keeps.
    details: Callable[[Step], dict] | None = None
    event_names: dict[str, str] = field(default_factory=dict)


MACHINES: dict[type[models.Model], Machine] = {}
# Told after the commit of every step taken (and every change announced): what other apps keep in
# step with the records (monitoring's notices) without the machines' areas importing them.
LISTENERS: list[Callable[[Step], None]] = []
# Effects are kept apart from machines: an area may declare what a step of another area's machine
# does in its own terms (sourcing cancels the opportunity when the commission leaves the market).
EFFECTS: dict[tuple[type[models.Model], str], Effect] = {}


def machine(model: type[models.Model], **options) -> Machine:
    """Register (or re-register, keeping one entry per model) how a model's transitions are run."""
    options.setdefault("event", model._meta.model_name)
    MACHINES[model] = Machine(model=model, **options)
    return MACHINES[model]


def effect(model: type[models.Model], name: str, effect_: Effect) -> Effect:
    """Register what the transitions naming `name` in their ``effects`` do."""
    EFFECTS[(model, name)] = effect_
    return effect_


def listen(callback: Callable[[Step], None]) -> Callable[[Step], None]:
    """Call `callback(step)` after the commit of every step taken from now on (registered once)."""
    if callback not in LISTENERS:
        LISTENERS.append(callback)
    return callback


def _telling(listener: Callable[[Step], None], step: Step) -> Callable[[], None]:
    @functools.wraps(listener)  # Django names a robust callback that fails by its __qualname__
    def tell() -> None:
        listener(step)

    tell.step = step
    return tell


def _tell_listeners(step: Step) -> None:
    # Robust: the step is committed whatever a listener does; a listener that fails is logged and
    # the others still run (what they keep up to date is caught up again by its nightly task).
    for listener in LISTENERS:
        transaction.on_commit(_telling(listener, step), robust=True)


def announce(*, obj: models.Model, name: str, by=None, reason: str = "", **payload) -> Step:
    """Tell the listeners, after the commit, that `obj` changed outside the engine (a record that is
    not a state machine, such as the regime a commission is procured under). `name` says what
    happened; it is the `Step.name` the listeners see."""
    step = Step(
        obj=obj,
        name=name,
        by=by,
        reason=reason,
        source=getattr(obj, "state", ""),
        custom={"announced": True},
        payload=payload,
    )
    _tell_listeners(step)
    return step


def machine_of(obj_or_model) -> Machine:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return MACHINES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no workflow registered: its area's services were not loaded") from None


def reload(obj: models.Model, *, lock: bool = False) -> None:
    """Make `obj` match its row again (locking the row first when asked). Written to the instance's
    own fields rather than through `refresh_from_db`: django-fsm lifts the protection of the state
    field for the whole class while it refreshes, which races between threads."""
    rows = type(obj).objects.select_for_update(of=("self",)) if lock else type(obj).objects
    fresh = rows.get(pk=obj.pk)
    for column in obj._meta.concrete_fields:
        value = getattr(fresh, column.attname)
        if column.is_relation and column.is_cached(obj) and obj.__dict__.get(column.attname) != value:
            column.delete_cached_value(obj)
        obj.__dict__[column.attname] = value
    obj._update_initial_state()


def state_words(obj: models.Model) -> str:
    return obj.get_state_display().lower()


def transitions_of(obj: models.Model) -> dict:
    return {t.name: t for t in obj.get_all_state_transitions()}


def missing_at_gate(obj: models.Model, custom: dict) -> list[str]:
    gate = custom.get("gate")
    return list(getattr(machine_of(obj).gates, gate)(obj)) if gate else []


def _allowed(obj: models.Model, meta, by, custom: dict) -> bool:
    if custom.get("system"):
        return by is None
    return by is not None and meta.has_transition_perm(obj, obj.state, by)


def available(obj: models.Model, user) -> list[dict]:
    """The steps this person may take from here, each with what is still missing (empty when ready).
    Steps whose only obstacle is a gate are listed, so the page can say what to do; steps the person
    may not take, and system or internal steps, are not listed."""
    steps = []
    for transition in obj.get_all_state_transitions():
        if transition.source not in (obj.state, "*"):
            continue
        custom = transition.custom
        if custom.get("system") or custom.get("internal"):
            continue
        if custom.get("hidden_until_ready") and missing_at_gate(obj, custom):
            continue
        meta = getattr(obj, transition.name)._django_fsm
        if not meta.has_transition_perm(obj, obj.state, user):
            continue
        step = {
            "name": transition.name,
            "slug": transition.name.replace("_", "-"),
            "label": custom.get("label", transition.name),
            # A RETURN_VALUE target (approval, by route) has no single name.
            "target": transition.target if isinstance(transition.target, str) else "",
            "missing": missing_at_gate(obj, custom),
        }
        for key in ("needs_reason", "back_step", "destructive", "decision", "ends_procurement", "final"):
            step[key] = custom.get(key, False)
        steps.append(step)
    return steps


def _effects(obj: models.Model, custom: dict) -> list[Effect]:
    try:
        return [EFFECTS[(type(obj), name)] for name in custom.get("effects", ())]
    except KeyError as exc:
        raise LookupError(f"{type(obj).__name__} declares the effect {exc} but no area registered it") from None


def run(
    *,
    by,
    obj: models.Model,
    name: str,
    reason: str = "",
    seen_state: str | None = None,
    internal: bool = False,
    extra: dict | None = None,
    **payload,
) -> models.Model:
    """Take one step of `obj`'s state machine, all or nothing.

    In one transaction: lock the row (and whatever the step's lockers name), check the state against
    the one the person saw, re-check permission, reason and gate on the locked data, run the step's
    effects and the transition, save with the optimistic lock, write the audit event, bump the page
    cache and queue the after-commit work. Raises `TransitionRefused` (with what is missing),
    `TransitionConflict`, `PermissionDenied` or `ValidationError`; on any of them nothing changed and
    `obj` matches the database again.
    """
    machine_ = machine_of(obj)
    transitions = transitions_of(obj)
    if name not in transitions:
        raise TransitionRefused([f"‘{name}’ is not a step of {machine_.noun}"])
    expected = seen_state if seen_state is not None else obj.state
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            in_hand = obj.state
            reload(obj, lock=True)
            if obj.state != expected or obj.state != in_hand:
                raise ConcurrentTransition("state moved")
            method = getattr(obj, name)
            meta = method._django_fsm
            if not meta.has_transition(obj.state):
                raise TransitionRefused(
                    [f"This step cannot be taken while the {machine_.noun} is ‘{state_words(obj)}’"]
                )
            custom = meta.get_transition(obj.state).custom
            if custom.get("internal") and not internal:
                raise PermissionDenied
            if not _allowed(obj, meta, by, custom):
                raise PermissionDenied
            if custom.get("needs_reason") and not reason:
                raise ValidationError({"reason": "Give a reason: it is kept in the audit trail."})
            for locker in custom.get("locks", ()):
                machine_.lockers[locker](obj)
            step = Step(obj=obj, name=name, by=by, reason=reason, source=obj.state, custom=custom, payload=payload)
            step.extra.update(extra or {})
            effects = _effects(obj, custom)
            for effect_ in effects:
                if effect_.stage:
                    effect_.stage(step)
            missing = missing_at_gate(obj, custom)
            if missing:
                raise TransitionRefused(missing)
            if not meta.conditions_met(obj, obj.state):
                raise TransitionRefused(
                    [f"This step cannot be taken yet while the {machine_.noun} is ‘{state_words(obj)}’"]
                )
            for effect in effects:
                if effect.validate:
                    effect.validate(step)
            method(by=by, reason=reason)
            for effect in effects:
                if effect.prepare:
                    effect.prepare(step)
            obj.save()
            if machine_.details:
                step.extra.update(machine_.details(step))
            for effect in effects:
                if effect.follow:
                    step.extra.update(effect.follow(step) or {})
            event = audit_record(
                council=obj.council,
                actor=by,
                event_type=f"{machine_.event}.{machine_.event_names.get(name, name)}",
                obj=obj,
                from_state=step.source,
                to_state=obj.state,
                reason=reason,
                extra=step.extra,
            )
            # The audit event is the step's one occasion: each person is told about it once.
            handoffs.record_step(step, occurrence=f"event:{event.pk}")
            page_cache.bump_council(obj.council.pk)
            for effect in effects:
                if effect.on_commit:
                    transaction.on_commit(functools.partial(effect.on_commit, step))
            _tell_listeners(step)
    except ConcurrentTransition as exc:
        reload(obj)
        raise TransitionConflict(
            f"Someone else changed this {machine_.noun} a moment ago. Reload the page to see where it is now."
        ) from exc
    except Exception:
        # The database rolled back; make the object in hand match it again.
        reload(obj)
        raise
    return obj
