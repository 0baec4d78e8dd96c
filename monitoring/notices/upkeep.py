"""Keeping the notices in step with the records: after every step of any state machine (the workflow
engine's listener), after a change announced outside the engine (the regime confirmed, an agreement
varied), and every night for the due days the calendar moves (`monitoring.tasks.refresh_notices`).

A step is about one object; its commission is found from the object's own foreign keys, in one query
at most, whatever the machine. Objects with no commission (a council's own notices, a provider's
records) and the notices themselves are left alone.
"""

from __future__ import annotations

import functools

from django.db import models

from commissioning.models import Commission
from councils.workflow import Step
from monitoring.models import Notice
from monitoring.notices.services import notices_refresh

# How to reach a commission from a stepped object, nearest first (a bid through its opportunity, a
# monitoring return through its agreement).
VIA = ("commission", "opportunity", "agreement", "evaluation", "award", "bid", "monitoring_return")
DEPTH = 3


def _forward_relations(model: type[models.Model]) -> dict[str, models.Field]:
    return {
        field.name: field
        for field in model._meta.get_fields()
        if field.concrete and (field.many_to_one or field.one_to_one) and field.related_model is not None
    }


def _path(model: type[models.Model], depth: int) -> str | None:
    relations = _forward_relations(model)
    for name in VIA:
        field = relations.get(name)
        if field is None:
            continue
        if field.related_model is Commission:
            return name
        if depth < DEPTH:
            rest = _path(field.related_model, depth + 1)
            if rest:
                return f"{name}__{rest}"
    return None


@functools.cache
def path_to_commission(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its commission ("commission", "opportunity__commission"), or None."""
    if model is Commission:
        return ""
    return _path(model, 1)


def commission_id_of(obj: models.Model) -> int | None:
    """The commission an object belongs to: no query when it holds the key itself, one otherwise."""
    if isinstance(obj, Notice):
        return None
    path = path_to_commission(type(obj))
    if path is None:
        return None
    if path == "":
        return obj.pk
    if path == "commission":
        return obj.commission_id
    return type(obj).objects.filter(pk=obj.pk).values_list(path, flat=True).first()


def refresh_after_step(step: Step) -> None:
    """The engine's listener: bring the stepped object's commission's notices up to date. Only
    commissions whose regime is confirmed have notices (as for the nightly refresh)."""
    commission_id = commission_id_of(step.obj)
    if commission_id is None:
        return
    commission = Commission.objects.filter(pk=commission_id, procurement_regime__isnull=False).first()
    if commission is not None:
        notices_refresh(commission)
