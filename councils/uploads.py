"""Uploaded files: an allow-list checked against the file's content (not just its name), a size
limit, archives checked for bombs (`councils.archives`), a virus scan when ClamAV is configured
(`councils.virus_scan`), random storage names outside the web root, and downloads that browsers
will not execute.

Every app stores documents through `PrivateFileField` and serves them through `download_response`
from a view that has already checked the person may see the file. A file is checked where Django
put it while the request is handled (memory, or the upload temporary directory), before it is
stored: a refused file leaves nothing under MEDIA_ROOT and no row.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import django.dispatch
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from councils import virus_scan
from councils.archives import ArchiveLimits, ArchiveRefused, check_archive, is_zip, read_capped
from councils.upload_handlers import OversizedUpload, max_upload_bytes

logger = logging.getLogger(__name__)

# For help texts; the checks read the setting each time.
MAX_UPLOAD_BYTES = max_upload_bytes()
# Sent when ClamAV finds something, with the upload (and the person, where the request was seen).
# councils.apps connects the audit record: this module is imported by models, which may not
# import services.
upload_infected = django.dispatch.Signal()
# Set on an upload once it has passed every check, so the form, the model and the save do not
# unpack and scan the same file three times.
CHECKED = "_commissioner_upload_checked"

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
# The hint under every file field: the same limit the upload handler and validate_upload apply.
UPLOAD_HINT = f"A {ALLOWED_DESCRIPTION} file, smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)}MB."
# Office files are zip archives: the part that proves which kind they are.
ZIP_MARKERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private, never given a public URL."""

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        # Read when first needed, and again after MEDIA_ROOT changes (Django clears it), so a test
        # with its own MEDIA_ROOT stores there.
        return str(Path(settings.MEDIA_ROOT) / "private")

    def url(self, name):
        raise ValueError("Private files are served only through a permission-checked view.")


PRIVATE_STORAGE = "private"
_local_private_storage = PrivateStorage()


@deconstructible
class ConfiguredPrivateStorage:
    """The storage ``STORAGES["private"]`` names (local files, or an S3-compatible bucket through
    django-storages: config/settings.py), looked up on every use, so a model field made at import
    follows the deployment's setting and a test's override_settings(STORAGES=...)."""

    @staticmethod
    def _storage():
        if PRIVATE_STORAGE in settings.STORAGES:
            return storages[PRIVATE_STORAGE]
        return _local_private_storage

    def __getattr__(self, name):
        return getattr(self._storage(), name)


private_storage = ConfiguredPrivateStorage()


@deconstructible
class RandomName:
    """Store under a random name so a file's name never decides where it lands or how it is served."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        return f"{self.folder}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def archive_limits() -> ArchiveLimits:
    return ArchiveLimits(
        max_unpacked_bytes=int(settings.COMMISSIONER_UPLOAD_MAX_UNPACKED_MB) * 1024 * 1024,
        max_ratio=int(settings.COMMISSIONER_UPLOAD_MAX_RATIO),
        max_entries=int(settings.COMMISSIONER_UPLOAD_MAX_ENTRIES),
        max_depth=int(settings.COMMISSIONER_UPLOAD_MAX_DEPTH),
    )


def _archive_message(refusal: ArchiveRefused, limits: ArchiveLimits, description: str) -> str:
    if refusal.reason == ArchiveRefused.TOO_LARGE:
        return (
            "The selected file is too large when unpacked. It must be smaller than "
            f"{limits.max_unpacked_bytes // (1024 * 1024)}MB when unpacked: save it again without large "
            "embedded files or images, or split it into smaller files, and upload it."
        )
    if refusal.reason == ArchiveRefused.TOO_MANY_ENTRIES:
        return (
            f"The selected file has too many parts (more than {limits.max_entries:,}). Split it into "
            "smaller files and upload them."
        )
    if refusal.reason == ArchiveRefused.TOO_DEEP:
        return (
            "The selected file has files embedded inside embedded files. Save the embedded files "
            "separately and upload them."
        )
    if refusal.reason == ArchiveRefused.ENCRYPTED:
        return "The selected file is password protected. Remove the password, save it again and upload it."
    return f"The selected file is damaged. Save it again as a {description} and upload it."


def _check_archive(extension: str, upload) -> None:
    """Refuse archive bombs, then look for the part that proves which kind of file it is."""
    limits = archive_limits()
    description = ALLOWED_TYPES[extension][1]
    try:
        names = set(check_archive(upload, limits))
    except ArchiveRefused as refusal:
        logger.warning("Upload %r refused: %s", upload.name, refusal)
        raise ValidationError(_archive_message(refusal, limits, description), code="archive") from refusal
    if extension == ".odt":
        mimetype = read_capped(upload, "mimetype", 100) if "mimetype" in names else None
        matches = mimetype is not None and mimetype.strip() == ALLOWED_TYPES[".odt"][0].encode()
    else:
        matches = ZIP_MARKERS[extension] in names
    if not matches:
        raise _not_real(extension)


def _not_real(extension: str) -> ValidationError:
    return ValidationError(
        f"The selected file is not a real {ALLOWED_TYPES[extension][1]}. Save it again as a "
        f"{ALLOWED_DESCRIPTION} and upload it."
    )


def _head_matches(extension: str, head: bytes) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    return is_zip(head)


def _scan(upload) -> None:
    if not virus_scan.configured():
        return
    try:
        verdict = virus_scan.scan(upload)
    except virus_scan.ScannerUnavailable:
        raise ValidationError(
            "The selected file could not be checked for viruses. Try again later.", code="scan_unavailable"
        ) from None
    if verdict.infected:
        logger.warning("Upload %r refused: ClamAV found %s", upload.name, verdict.signature)
        upload_infected.send(sender=validate_upload, upload=upload, signature=verdict.signature)
        raise ValidationError(
            "The selected file contains a virus. Do not open it again: delete it and tell your IT support.",
            code="infected",
        )


def validate_upload(upload) -> None:
    """Refuse anything not on the allow-list, anything whose content is not what its name claims,
    anything too large (as sent or when unpacked), and anything ClamAV finds a virus in, with a
    message that says what to do. A file already stored was checked on its way in."""
    if isinstance(upload, FieldFile):
        if upload._committed:
            return
        upload = upload.file
    if getattr(upload, CHECKED, False):
        return
    extension = Path(upload.name or "").suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(f"The selected file must be a {ALLOWED_DESCRIPTION}.")
    limit = max_upload_bytes()
    if isinstance(upload, OversizedUpload) or upload.size > limit:
        raise ValidationError(f"The selected file must be smaller than {limit // (1024 * 1024)}MB.")
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not _head_matches(extension, head):
        raise _not_real(extension)
    if extension in ZIP_MARKERS or extension == ".odt":
        _check_archive(extension, upload)
    _scan(upload)
    setattr(upload, CHECKED, True)


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

    def pre_save(self, model_instance, add):
        # The last gate before storage: a person's upload that reached save() without passing
        # through a form or full_clean() is checked here (at no cost if it already was).
        file = getattr(model_instance, self.attname)
        if file and not file._committed and isinstance(file.file, UploadedFile):
            validate_upload(file.file)
        return super().pre_save(model_instance, add)

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
