import pytest

from councils import handoffs


@pytest.fixture(autouse=True)
def _no_handoffs(request, monkeypatch):
    """These tests count what the sweep adds to the outbox: the hand-offs told while their world is
    built (plans approved, returns submitted) would be counted with it. Hand-offs are tested in
    tests/test_handoffs.py. Not for tests on the demo data: the demo may be seeded for the whole run
    inside such a test, and every other test must get the demo as it really is, hand-offs and all."""
    if "demo_data" in request.fixturenames:
        return
    monkeypatch.setattr(handoffs, "record_step", lambda step, *, occurrence: [])
