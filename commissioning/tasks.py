"""Scheduled work for commissioning. Tasks are thin: the service does the work and the auditing."""

from __future__ import annotations

from celery import shared_task

from commissioning.sourcing.services.opportunities import opportunities_close_due


@shared_task(name="commissioning.tasks.close_due_opportunities")
def close_due_opportunities() -> int:
    """Close every published opportunity whose submission deadline has passed (every five minutes)."""
    return opportunities_close_due()
