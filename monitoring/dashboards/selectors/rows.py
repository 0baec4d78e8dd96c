"""Bounded lists for the dashboards: every dashboard list shows at most `LIST_LIMIT` rows, most
urgent first, yet says how many there are in all.

Dashboards are the most-used pages, so the total (and any further count a list needs) comes from a
window count over the whole result in the same query as the rows: a list costs one query whatever
the size of the council. Kept apart because every dashboard builds its lists this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When, Window

LIST_LIMIT = 25
# `keep(name, families, vary, compute)`: `compute()`'s value, or the one kept for the same person and
# `vary` while the council's data in `families` is unchanged (the view's `councils.page_cache.personal_value`).
# A dashboard whose headline figures add up several lists keeps each by the families it reads, so after
# a change only the lists showing it are worked out again.
Keep = Callable[[str, tuple[str, ...], list[str], Callable[[], Any]], Any]


def worked_out(name: str, families: tuple[str, ...], vary: list[str], compute: Callable[[], Any]) -> Any:
    """The `Keep` that keeps nothing: outside a request (and in the selectors' own tests)."""
    return compute()


def kept_lists(
    keep: Keep, families: dict[str, tuple[str, ...]], vary: list[str]
) -> Callable[[str, Callable[[], Any]], Any]:
    """`kept(name, compute)`: a dashboard's list `name` through `keep`, by its own `families[name]`."""
    return lambda name, compute: keep(name, families[name], vary, compute)


def part_families(
    families: dict[str, tuple[str, ...]], tables: dict[str, tuple[str, ...]] | None = None
) -> dict[str, str]:
    """The families of each table that shows the lists `tables[table]` (one table a list when not
    given), as `{% fragment %}` takes them."""
    tables = tables or {name: (name,) for name in families}
    return {
        table: " ".join(sorted({family for name in names for family in families[name]}))
        for table, names in tables.items()
    }


class Rows(list):
    """The first `LIST_LIMIT` rows of a dashboard list, and how many rows the list has in all (`total`)
    and any further counts asked for (`counts`), all from the database. A plain list to everything
    that iterates it."""

    def __init__(self, rows=(), total: int = 0, counts: dict[str, int] | None = None):
        super().__init__(rows)
        self.total = total
        self.counts = counts or {}

    @property
    def more(self) -> bool:
        return self.total > len(self)


def first_rows(queryset: QuerySet, limit: int = LIST_LIMIT, **counts: Q) -> Rows:
    """The first `limit` rows of `queryset` in one query. The total, and each of `counts` (the rows
    matching a condition), are window counts over the whole result, worked out before the LIMIT, so
    they need no query of their own (and an empty result counts 0)."""
    windows = {"dashboard_total": Window(Count("*"))}
    # COUNT(CASE WHEN ...) rather than a FILTER on a column: valid in a grouped (`values()`) query too.
    windows.update(
        {f"dashboard_{name}": Window(Count(Case(When(condition, then=Value(1))))) for name, condition in counts.items()}
    )
    rows = list(queryset.annotate(**windows)[:limit])

    def count(name: str) -> int:
        if not rows:
            return 0
        first = rows[0]
        return first[f"dashboard_{name}"] if isinstance(first, dict) else getattr(first, f"dashboard_{name}")

    return Rows(rows, count("total"), {name: count(name) for name in counts})


def decisions_counted(first: Rows, second: Rows) -> dict[str, int]:
    """Two kinds of decision in one table (`first_of_both`): how many wait in all, and how many it shows."""
    return {"decisions_waiting": first.total + second.total, "decisions_shown": len(first) + len(second)}


def first_of_both(first: Rows, second: Rows, first_key: Callable, second_key: Callable) -> tuple[Rows, Rows]:
    """Two lists shown in one table: only the `LIST_LIMIT` rows that come first across both (by their
    keys) stay, each list keeping its own total."""
    keyed = [(first_key(row), 0, n) for n, row in enumerate(first)] + [
        (second_key(row), 1, n) for n, row in enumerate(second)
    ]
    kept = {(which, n) for _, which, n in sorted(keyed)[:LIST_LIMIT]}
    return (
        Rows([row for n, row in enumerate(first) if (0, n) in kept], first.total, first.counts),
        Rows([row for n, row in enumerate(second) if (1, n) in kept], second.total, second.counts),
    )
