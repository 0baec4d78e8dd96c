"""Reads for the award: what stops each step, and what stops an awarded agreement being signed."""

from __future__ import annotations


def missing_to_submit(award) -> list[str]:
    return ["The award step is not built yet"]


def missing_to_approve(award) -> list[str]:
    return ["The award step is not built yet"]


def missing_to_call_in(award) -> list[str]:
    return ["The award step is not built yet"]


def signing_blockers(agreement) -> list[str]:
    """Reasons the award stops this agreement being signed (none for an agreement without a bid)."""
    return []
