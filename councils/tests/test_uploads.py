"""Uploads are judged by their content, not their name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from councils.uploads import validate_upload

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def office_file(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(marker, "<document/>")
    return buffer.getvalue()


def odt_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("policy.pdf", PDF),
        ("photo.PNG", PNG),
        ("photo.jpeg", JPEG),
        ("budget.xlsx", office_file("xl/workbook.xml")),
        ("bid.docx", office_file("word/document.xml")),
        ("bid.odt", odt_file()),
    ],
)
def test_allowed_files_pass(name, content):
    validate_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", WINDOWS_EXECUTABLE, "must be a PDF, DOCX"),
        ("accounts.pdf", WINDOWS_EXECUTABLE, "is not a real PDF"),
        ("bid.docx", office_file("xl/workbook.xml"), "is not a real Word document"),
        ("bid.docx", PDF, "is not a real Word document"),
        ("picture.png", JPEG, "is not a real PNG image"),
        ("empty.pdf", b"", "is empty"),
        ("script.html", b"<script>alert(1)</script>", "must be a PDF, DOCX"),
    ],
)
def test_disguised_or_unlisted_files_are_refused(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_upload(SimpleUploadedFile(name, content))


def test_files_over_the_limit_are_refused(settings):
    settings.COMMISSIONER_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="smaller than 1MB"):
        validate_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * 1024 * 1024))
