"""What stops a notice moving on, in words an officer understands. The notices page lists the same
things the engine checks."""

from __future__ import annotations

from monitoring.notices import ocds
from monitoring.notices.kinds import kind_of


def _kind_missing(notice) -> list[str]:
    check = kind_of(notice.notice_type).missing_to_publish
    return list(check(notice)) if check else []


def missing_to_mark_ready(notice) -> list[str]:
    missing = [f"Correct the records behind it: {error}" for error in ocds.release_errors(notice.data)]
    return missing + _kind_missing(notice)


def missing_to_publish(notice) -> list[str]:
    missing = _kind_missing(notice)
    if not notice.fat_identifier:
        missing.append("Enter the notice identifier Find a Tender gave")
    if notice.published_on is None:
        missing.append("Enter the day it was published")
    return missing


def missing_to_send(notice) -> list[str]:
    """What stops a ready notice being sent to Find a Tender: what the kind asks before publication
    (the identifier and day are what Find a Tender gives back)."""
    return _kind_missing(notice)
