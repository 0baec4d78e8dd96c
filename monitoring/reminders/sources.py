"""Reminders: every kind the sweep runs, in order. Kept apart from the kinds themselves so that a
group of kinds can live in a module of its own (`monitoring.reminders.renewals`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from monitoring.reminders.kinds import (
    Reminder,
    Sweep,
    assessment_reminders,
    compliance_reminders,
    notice_reminders,
    opportunity_reminders,
    return_reminders,
    review_reminders,
)
from monitoring.reminders.renewals import agreement_reminders, extension_reminders

SOURCES: tuple[Callable[[Sweep], Iterator[Reminder]], ...] = (
    return_reminders,
    review_reminders,
    agreement_reminders,
    extension_reminders,
    assessment_reminders,
    opportunity_reminders,
    compliance_reminders,
    notice_reminders,
)
