"""What one process has lately read of the page cache's kept parts, so it need not ask Redis again.

A kept part's key names the generation of every scope it was built from (`councils.page_cache._key`),
so what is under a key never changes: a write gives the part a new key. A copy in the process is
therefore as current as Redis's, for as long as Redis would keep it. Each entry carries the moment
it lapses (the page cache's bound on what changes with the clock, such as a deadline passing), and
the process keeps at most `MAX_BYTES` of them, dropping the least lately used.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.db import transaction

MAX_BYTES = 32 * 1024 * 1024
# What a value that is not text (a form's choices) is taken to weigh.
OTHER_BYTES = 4096

_entries: OrderedDict[str, tuple[float, int, object]] = OrderedDict()
_lock = threading.Lock()
_held = 0


def _weight(value) -> int:
    return len(value) if isinstance(value, str | bytes) else OTHER_BYTES


def get(key: str):
    """The value kept under `key` in this process, or None (never kept here, or lapsed)."""
    global _held
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            return None
        lapses_at, weight, value = entry
        if lapses_at <= time.time():
            del _entries[key]
            _held -= weight
            return None
        _entries.move_to_end(key)
        return value


def may_be_uncommitted() -> bool:
    """Whether what is read now may never be committed: inside a transaction of the request's own
    (a service's `atomic`), not only inside the one a test wraps itself in. What is read there is
    never kept: a rolled-back change would otherwise stay kept under a stamp or a generation that is
    still current."""
    return any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def put(key: str, value, lapses_at: float) -> None:
    """Keep `value` under `key` until `lapses_at` (a `time.time()`), room permitting; nothing read
    inside a transaction of the request's own (`may_be_uncommitted`)."""
    global _held
    if may_be_uncommitted():
        return
    weight = _weight(value)
    if weight > MAX_BYTES // 8:
        return
    with _lock:
        if (old := _entries.pop(key, None)) is not None:
            _held -= old[1]
        _entries[key] = (lapses_at, weight, value)
        _held += weight
        while _held > MAX_BYTES:
            _key, (_lapses, dropped, _value) = _entries.popitem(last=False)
            _held -= dropped


def forget(key: str) -> None:
    """Drop what is kept under `key` in this process."""
    global _held
    with _lock:
        if (entry := _entries.pop(key, None)) is not None:
            _held -= entry[1]


def clear() -> None:
    """Forget everything (with the cache itself: a test starting afresh, an operator's flush)."""
    global _held
    with _lock:
        _entries.clear()
        _held = 0
