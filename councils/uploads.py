"""Uploaded files: an allow-list checked against the file's content (not just its name), a size
limit, random storage names outside the web root, and downloads that browsers will not execute.

Every app stores documents through `PrivateFileField` and serves them through `download_response`
from a view that has already checked the person may see the file.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse
from django.utils.deconstruct import deconstructible

MAX_UPLOAD_BYTES = int(getattr(settings, "COMMISSIONER_MAX_UPLOAD_MB", 20)) * 1024 * 1024

# extension -> (content type, description for messages)
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", "PDF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet"),
    ".odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text"),
    ".png": ("image/png", "PNG image"),
    ".jpg": ("image/jpeg", "JPEG image"),
    ".jpeg": ("image/jpeg", "JPEG image"),
}
ALLOWED_DESCRIPTION = "PDF, DOCX, XLSX, ODT, PNG or JPEG"
# Office files are zip archives: the part that proves which kind they are.
ZIP_MARKERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private, never given a public URL."""

    def __init__(self):
        super().__init__(location=Path(settings.MEDIA_ROOT) / "private", base_url=None)

    def url(self, name):
        raise ValueError("Private files are served only through a permission-checked view.")


private_storage = PrivateStorage()


@deconstructible
class RandomName:
    """Store under a random name so a file's name never decides where it lands or how it is served."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        return f"{self.folder}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def _content_matches(extension: str, upload) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if extension == ".odt":
                return "mimetype" in names and archive.read("mimetype").strip() == ALLOWED_TYPES[".odt"][0].encode()
            return ZIP_MARKERS[extension] in names
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    finally:
        upload.seek(0)


def validate_upload(upload) -> None:
    """Refuse anything not on the allow-list, anything whose content is not what its name claims,
    and anything too large, with a message that says what to do."""
    extension = Path(upload.name or "").suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(f"The selected file must be a {ALLOWED_DESCRIPTION}.")
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The selected file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)}MB.")
    if not _content_matches(extension, upload):
        raise ValidationError(
            f"The selected file is not a real {ALLOWED_TYPES[extension][1]}. Save it again as a "
            f"{ALLOWED_DESCRIPTION} and upload it."
        )


class PrivateFileField(models.FileField):
    """A FileField stored privately under a random name, validated by content on the way in."""

    def __init__(self, *args, folder: str = "documents", **kwargs):
        kwargs.setdefault("storage", private_storage)
        kwargs.setdefault("upload_to", RandomName(folder))
        kwargs.setdefault("max_length", 200)
        validators = list(kwargs.pop("validators", []))
        if validate_upload not in validators:
            validators.append(validate_upload)
        kwargs["validators"] = validators
        self.folder = folder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["folder"] = self.folder
        for key in ("storage", "upload_to", "max_length", "validators"):
            kwargs.pop(key, None)
        return name, path, args, kwargs


def download_response(field_file, download_name: str) -> FileResponse:
    """Send a stored file as an attachment with its allow-listed type; browsers must not sniff,
    render or run it in our origin."""
    extension = Path(field_file.name).suffix.lower()
    content_type = ALLOWED_TYPES.get(extension, ("application/octet-stream", ""))[0]
    safe_name = Path(download_name).stem[:80] or "document"
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=f"{safe_name}{extension}", content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
