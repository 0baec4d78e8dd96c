"""Hostile uploads through a real form (a provider's compliance document): archive bombs, nesting,
too many parts, a virus, a scanner that does not answer, and files or requests over the size
limits are refused with the form's message, and nothing is stored: no file, no row."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from councils.models import AuditEvent
from councils.tests.clamav import clamav  # noqa: F401 (fixture)
from councils.tests.zips import EICAR, Entry, build, docx, odt, xlsx
from demo.providers import tiny_pdf
from providers.models import ComplianceDocument, ComplianceDocumentKind


@pytest.fixture
def nothing_stored(db, settings, tmp_path):
    """Asserts, after the test, that no compliance document row or file was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    assert not ComplianceDocument.objects.exists()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def post(client, organisation, name: str, content: bytes):
    expires_on = (timezone.localdate() + datetime.timedelta(days=200)).strftime("%d/%m/%Y")
    data = {
        "kind": ComplianceDocumentKind.PUBLIC_LIABILITY_INSURANCE,
        "expires_on": expires_on,
        "file": SimpleUploadedFile(name, content),
    }
    return client.post(reverse("providers:document_add", args=[organisation.pk]), data)


def refusal(response) -> str:
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    return body


def nested_three_deep() -> bytes:
    inner = build([Entry.of("readme.txt", "hello")])
    for level in range(2):
        inner = build([Entry.of(f"level{level}.zip", inner)])
    return docx(Entry.of("word/embeddings/package.zip", inner))


def too_many_parts() -> bytes:
    parts = [Entry(f"customXml/item{number}.xml", b"", 0, 0, 0) for number in range(10_000)]
    return docx(*parts)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bid.docx", docx(Entry.zeros("word/media/image1.png", 1024)), "is too large when unpacked"),
        ("budget.xlsx", xlsx(Entry.zeros("xl/worksheets/sheet1.xml", 1024)), "is too large when unpacked"),
        ("policy.odt", odt(Entry.zeros("mimetype", 1024, declared=39)), "is too large when unpacked"),
        ("bid.docx", nested_three_deep(), "has files embedded inside embedded files"),
        ("bid.docx", too_many_parts(), "has too many parts"),
    ],
    ids=["docx-bomb", "xlsx-bomb", "odt-bomb", "nested-zips", "too-many-parts"],
)
def test_hostile_archives_are_refused_and_nothing_is_stored(
    client_for, people, organisation, nothing_stored, name, content, message
):
    body = refusal(post(client_for(people["provider_admin"]), organisation, name, content))
    assert message in body


def test_a_virus_is_refused_audited_and_not_stored(client_for, people, organisation, nothing_stored, clamav):  # noqa: F811
    admin = people["provider_admin"]
    body = refusal(post(client_for(admin), organisation, "insurance.pdf", b"%PDF-1.4\n% " + EICAR + b"\n%%EOF\n"))
    assert "The selected file contains a virus" in body
    event = AuditEvent.objects.get(event_type="upload.refused_infected")
    assert event.actor == admin
    assert event.extra["file_name"] == "insurance.pdf"


def test_a_clean_file_is_stored_when_clamav_is_on(client_for, people, organisation, clamav, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    response = post(client_for(people["provider_admin"]), organisation, "insurance.pdf", tiny_pdf("Insurance"))
    assert response.status_code == 302
    document = ComplianceDocument.objects.get(organisation=organisation)
    # Where `nothing_stored` looks: the private storage follows MEDIA_ROOT.
    assert (tmp_path / "private" / document.file.name).is_file()


def test_a_scanner_that_does_not_answer_refuses_the_upload(
    client_for, people, organisation, nothing_stored, settings, tmp_path
):
    settings.COMMISSIONER_CLAMAV_SOCKET = str(tmp_path / "clamd.sock")
    body = refusal(post(client_for(people["provider_admin"]), organisation, "insurance.pdf", tiny_pdf("Insurance")))
    assert "could not be checked for viruses. Try again later." in body


def test_a_file_over_the_limit_is_not_written_past_the_limit(
    client_for, people, organisation, nothing_stored, settings, tmp_path
):
    settings.COMMISSIONER_MAX_UPLOAD_MB = 1
    settings.COMMISSIONER_MAX_REQUEST_MB = 10
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # to the temporary-file handler, as a real large upload goes
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = refusal(post(client_for(people["provider_admin"]), organisation, "insurance.pdf", tiny_pdf("x") * 2000))
    assert "The selected file must be smaller than 1MB" in body
    assert 'value="Public liability insurance"' in body or "public_liability_insurance" in body
    assert list(tmp_path.iterdir()) == []


def test_a_request_far_over_the_limit_is_refused_unread(client_for, people, organisation, nothing_stored, settings):
    settings.COMMISSIONER_MAX_REQUEST_MB = 1
    response = post(client_for(people["provider_admin"]), organisation, "insurance.pdf", b"%PDF-1.4\n" + bytes(2 << 20))
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
