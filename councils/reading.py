"""The record of who read what: an opened bid, a bid's document, an export of personal data.

Reads are audit events (`councils.AuditEvent`, append-only) of the types below, so they share the
audit trail's protections and its one sanctioned rewrite (retention tombstones, see
`councils.records.tombstone`). Two things differ from other audit events:

- Writing one does not change the page-cache generations (`councils.page_cache` skips them): a read
  that emptied every cached page of its council would make the cache useless on busy days. So the
  pages that list reads (the opportunity's record, the council's audit log) are never page-cached.
- A view records its read in `RecordsReadingMixin.get`, placed *before* `CachedPageMixin` in its
  bases, so a page served again from the page cache is recorded like one rendered afresh.
"""

from __future__ import annotations

from django.db import models

from councils.audit_types import DOWNLOAD_BID_DOCUMENT, EXPORT_RUN, READ_BID, READING_EVENT_TYPES
from councils.models import AuditEvent, Council, User
from councils.services import audit_record

__all__ = ["DOWNLOAD_BID_DOCUMENT", "EXPORT_RUN", "READ_BID", "READING_EVENT_TYPES", "record_read"]


def record_read(
    *,
    by: User | None,
    council: Council | None,
    event_type: str,
    obj: models.Model | None = None,
    extra: dict | None = None,
) -> AuditEvent:
    """Append who read what (`by` None: the system, e.g. a command run without --by)."""
    return audit_record(council=council, actor=by, event_type=event_type, obj=obj, extra=extra)


class RecordsReadingMixin:
    """Record a successful GET with `record_reading(response)`, whether or not it came from the page
    cache. Put it before `CachedPageMixin` and after the mixins that settle access; a view's own
    `get` must end in `super().get()`, or the mixin is never reached (record directly instead)."""

    def record_reading(self, response) -> None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200 and request.user.is_authenticated:
            self.record_reading(response)
        return response
