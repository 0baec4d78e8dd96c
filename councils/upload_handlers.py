"""Receiving uploads without letting a huge one fill the disk or the memory.

Both handlers note who sent the file (`uploaded_by`, for the audit record if it is refused).
Django keeps an upload in memory when the whole request is small (FILE_UPLOAD_MAX_MEMORY_SIZE)
and otherwise streams it to a temporary file. `CappedTemporaryFileUploadHandler` stops writing
once a file passes the upload limit, deletes what it wrote, and hands the form an empty
`OversizedUpload` instead, so the form says the file is too large (and keeps what was typed).
`RequestSizeLimitMiddleware` refuses a request body far larger than any form could need before
a byte of it is read.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

MB = 1024 * 1024


def max_upload_bytes() -> int:
    return int(settings.COMMISSIONER_MAX_UPLOAD_MB) * MB


class OversizedUpload(UploadedFile):
    """Stands in for a file that passed the upload limit: its name and the size seen, no content."""

    def __init__(self, name: str, size: int, content_type: str | None = None):
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)


class _NotesWhoUploaded:
    def file_complete(self, file_size):
        file = super().file_complete(file_size)
        if file is not None and self.request is not None:
            file.uploaded_by = getattr(self.request, "user", None)
        return file


class NotingMemoryFileUploadHandler(_NotesWhoUploaded, MemoryFileUploadHandler):
    """Django's in-memory handler (whole requests up to FILE_UPLOAD_MAX_MEMORY_SIZE)."""


class CappedTemporaryFileUploadHandler(_NotesWhoUploaded, TemporaryFileUploadHandler):
    """Stream to a temporary file, up to the upload limit and not a byte more."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = max_upload_bytes()
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if self.oversized:
            return None
        if start + len(raw_data) > self.limit:
            # The rest of this file is read from the request and dropped; nothing more is written.
            self.oversized = True
            self.upload_interrupted()
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.oversized:
            return OversizedUpload(self.file_name, file_size, self.content_type)
        return super().file_complete(file_size)
