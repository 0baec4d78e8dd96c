"""Sections of a page worked out only when a template shows them.

A dashboard's selector returns its sections wrapped in :func:`section`; a section inside a
``{% fragment %}`` that is served from the page cache is never computed, so its queries never run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.functional import SimpleLazyObject


def section(compute: Callable[[], Any]) -> Any:
    """`compute()`'s value, worked out at the first look and then kept for the request."""
    return SimpleLazyObject(compute)


def sections(**computes: Callable[[], Any]) -> dict[str, Any]:
    """A page's context of `section`s: each worked out only if the template shows it."""
    return {name: section(compute) for name, compute in computes.items()}


def parts(compute: Callable[[], dict[str, Any]], *names: str) -> dict[str, Any]:
    """Values worked out together (one query gives them all) as sections of their own: the first of
    `names` a template shows works out `compute()`, and the others are read from what it gave."""
    whole = section(compute)
    return {name: section(lambda name=name: whole[name]) for name in names}
