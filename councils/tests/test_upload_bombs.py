"""Hostile uploads refused by `validate_upload` cheaply, before anything is stored: archive bombs
(honest and lying about their size), nesting, too many entries, and viruses when ClamAV is on."""

from __future__ import annotations

import io
import os
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError

from councils.archives import ArchiveLimits, ArchiveRefused, check_archive
from councils.models import AuditEvent
from councils.tests.clamav import clamav  # noqa: F401 (fixture)
from councils.tests.zips import EICAR, MB, Entry, build, docx, odt, upload, xlsx
from councils.uploads import validate_upload

TOO_LARGE = "The selected file is too large when unpacked"
MEMORY_BUDGET = 16 * MB


def refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as raised:
        validate_upload(upload(name, content))
    return raised.value.messages[0]


def peak_memory_refusing(name: str, content: bytes) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match=TOO_LARGE):
            validate_upload(upload(name, content))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bid.docx", docx(Entry.zeros("word/media/image1.png", 1024))),
        ("budget.xlsx", xlsx(Entry.zeros("xl/worksheets/sheet1.xml", 1024))),
        ("bid.odt", odt(Entry.zeros("mimetype", 1024))),
    ],
    ids=["docx", "xlsx", "odt-mimetype"],
)
def test_a_gigabyte_bomb_is_refused_within_a_small_memory_budget(name, content):
    assert len(content) < 2 * MB
    assert peak_memory_refusing(name, content) < MEMORY_BUDGET


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bid.docx", docx(Entry.zeros("word/media/image1.png", 1024, declared=1000))),
        ("budget.xlsx", xlsx(Entry.zeros("xl/sharedStrings.xml", 1024, declared=1000))),
        # The audit's case: `archive.read("mimetype")` unpacked this whole, 2 GB of memory.
        ("bid.odt", odt(Entry.zeros("mimetype", 1024, declared=39))),
    ],
    ids=["docx", "xlsx", "odt-mimetype"],
)
def test_a_bomb_that_understates_its_size_is_unpacked_only_up_to_the_limit(name, content):
    assert peak_memory_refusing(name, content) < MEMORY_BUDGET


def test_the_message_says_what_to_do():
    message = refused("bid.docx", docx(Entry.zeros("word/media/image1.png", 1024)))
    assert message.startswith("The selected file is too large when unpacked. It must be smaller than 100MB")
    assert "split it into smaller files" in message


def test_a_high_ratio_is_refused_even_under_the_size_limit():
    # 50 MB of zeros in a 50 KB file: under 100 MB unpacked, but 1000:1.
    assert refused("bid.docx", docx(Entry.zeros("word/media/image1.png", 50))).startswith(TOO_LARGE)


def test_a_small_very_compressible_part_is_not_a_bomb():
    validate_upload(upload("bid.docx", docx(Entry.of("word/styles.xml", "<w:style/>" * 50_000))))


def test_limits_are_settings(settings):
    content = docx(Entry.of("word/media/image1.png", os.urandom(3 * MB)))
    validate_upload(upload("bid.docx", content))
    settings.COMMISSIONER_UPLOAD_MAX_UNPACKED_MB = 2
    assert refused("bid.docx", content).startswith(f"{TOO_LARGE}. It must be smaller than 2MB")


def nested(depth: int) -> bytes:
    """A zip inside a zip `depth` times, inside a Word document."""
    inner = build([Entry.of("readme.txt", "hello")])
    for level in range(depth - 1):
        inner = build([Entry.of(f"level{level}.zip", inner)])
    return docx(Entry.of("word/embeddings/Microsoft_Excel_Worksheet.xlsx", inner))


def test_embedded_archives_are_allowed_to_the_depth_limit():
    validate_upload(upload("bid.docx", nested(2)))


def test_deeper_nesting_is_refused():
    assert refused("bid.docx", nested(3)).startswith("The selected file has files embedded inside embedded files")


def test_a_bomb_inside_an_embedded_spreadsheet_is_refused():
    spreadsheet = xlsx(Entry.zeros("xl/worksheets/sheet1.xml", 1024))
    content = docx(Entry("word/embeddings/sheet.xlsx", spreadsheet, 0, len(spreadsheet), zlib.crc32(spreadsheet)))
    assert refused("bid.docx", content).startswith(TOO_LARGE)


def test_embedded_archives_share_one_budget(settings):
    settings.COMMISSIONER_UPLOAD_MAX_UNPACKED_MB = 5
    part = build([Entry.of("data.bin", bytes(2 * MB))])
    # 2 MB embedded twice, each unpacking to 2 MB: 8 MB in all, over 5 MB.
    content = docx(Entry.of("word/embeddings/a.zip", part), Entry.of("word/embeddings/b.zip", part))
    assert refused("bid.docx", content).startswith(TOO_LARGE)


def many_entries(count: int, declared_count: int | None = None) -> bytes:
    entries = [Entry.of("word/document.xml", "<w:document/>")]
    entries += [Entry(f"p/{number}", b"", 0, 0, 0) for number in range(count - 1)]
    return build(entries, declared_count=declared_count)


def test_too_many_entries_are_refused():
    message = refused("bid.docx", many_entries(10_001))
    assert message.startswith("The selected file has too many parts (more than 10,000)")


def test_an_end_record_that_understates_the_entries_is_caught_before_zipfile_reads_them():
    content = many_entries(20_000, declared_count=3)
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveRefused) as raised:
            check_archive(io.BytesIO(content), ArchiveLimits())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raised.value.reason == ArchiveRefused.TOO_MANY_ENTRIES
    assert peak < 2 * MB


def test_data_put_in_front_does_not_hide_the_entries():
    # zipfile accepts an archive with data before it (offsets then all point short); so must the walk.
    content = b"MZ" + bytes(4096) + many_entries(20_000, declared_count=3)
    with pytest.raises(ArchiveRefused) as raised:
        check_archive(io.BytesIO(content), ArchiveLimits())
    assert raised.value.reason == ArchiveRefused.TOO_MANY_ENTRIES


def test_ten_thousand_entries_are_allowed():
    validate_upload(upload("bid.docx", many_entries(10_000)))


def test_encrypted_entries_and_broken_archives_are_refused():
    content = bytearray(docx())
    content[6] = 1  # the first local header's "encrypted" flag
    central = content.find(b"PK\x01\x02")
    content[central + 8] = 1
    assert refused("bid.docx", bytes(content)).startswith("The selected file is password protected")
    assert refused("bid.docx", docx()[:-30]).startswith("The selected file is damaged")


def test_a_corrupt_entry_is_refused():
    good = Entry.of("word/media/image1.png", b"abc" * 1000)
    bad = Entry(good.name, good.raw, good.method, good.size, good.crc ^ 1)
    assert refused("bid.docx", docx(bad)).startswith("The selected file is damaged")


# ---- ClamAV ----


def eicar_pdf() -> bytes:
    return b"%PDF-1.4\n% " + EICAR + b"\n%%EOF\n"


@pytest.mark.django_db
def test_clamav_refuses_the_eicar_test_file_and_audits_it(clamav):  # noqa: F811
    message = refused("invoice.pdf", eicar_pdf())
    assert message.startswith("The selected file contains a virus")
    event = AuditEvent.objects.get(event_type="upload.refused_infected")
    assert event.extra["file_name"] == "invoice.pdf"
    assert "EICAR" in event.extra["signature"].upper()


@pytest.mark.django_db
def test_clamav_looks_inside_word_documents(clamav):  # noqa: F811
    content = docx(Entry.of("word/media/readme.txt", EICAR))
    assert refused("bid.docx", content).startswith("The selected file contains a virus")


def test_clamav_passes_a_clean_file(clamav):  # noqa: F811
    validate_upload(upload("policy.pdf", b"%PDF-1.4\n%%EOF\n"))


def test_a_configured_scanner_that_does_not_answer_fails_closed(settings, tmp_path):
    settings.COMMISSIONER_CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")
    message = refused("policy.pdf", b"%PDF-1.4\n%%EOF\n")
    assert message == "The selected file could not be checked for viruses. Try again later."


def test_no_scanner_configured_scans_nothing(settings):
    settings.COMMISSIONER_CLAMAV_SOCKET = ""
    validate_upload(upload("invoice.pdf", eicar_pdf()))
