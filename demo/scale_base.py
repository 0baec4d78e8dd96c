"""What every family of scale data is built with: batched bulk inserts, weighted choices, and the
counts the generator reports.

The families (`demo.scale_people`, `demo.scale_cycle`, `demo.scale_monitoring`) are mixins of
`demo.scale_data.Generator` so each can be read on its own; these helpers are what they share, kept
here so the families need not import the generator that combines them.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from datetime import time as dtime

from django.utils import timezone

BATCH = 5000
PREFIX = "scale"


def bulk(model, rows: list) -> list:
    """Insert in batches; PostgreSQL returns the new primary keys."""
    created = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH))
    return created


def weighted(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour)))


class Family:
    """A family of generated rows: a mixin of `demo.scale_data.Generator`, sharing its state (`sizes`,
    `rng`, `progress`, `today`, `password`, `counts`) and what earlier families built."""

    counts: dict[str, int]

    def _count(self, name: str, rows: list) -> list:
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows
