"""Scheduled work for councils: the retention schedule, nightly, when a council has turned it on."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from councils import retention

logger = logging.getLogger(__name__)


@shared_task(name="councils.tasks.apply_retention", acks_late=True)
def apply_retention() -> dict[str, int] | None:
    """Apply the retention schedule (idempotent: what was dealt with is no longer due). Off by default."""
    if not getattr(settings, "COMMISSIONER_RETENTION_ENABLED", False):
        return None
    outcomes = retention.run(apply=True)
    done = {outcome.period.slug: outcome.done or 0 for outcome in outcomes}
    logger.info("Retention applied: %s", done)
    return done
