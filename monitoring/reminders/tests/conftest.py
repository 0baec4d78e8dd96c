import pytest

from councils import handoffs


@pytest.fixture(autouse=True)
def _no_handoffs(monkeypatch):
    """These tests count what the sweep adds to the outbox: the hand-offs told while their world is
    built (plans approved, returns submitted) would be counted with it. Hand-offs are tested in
    tests/test_handoffs.py."""
    monkeypatch.setattr(handoffs, "record_step", lambda step, *, occurrence: [])
