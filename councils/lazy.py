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
