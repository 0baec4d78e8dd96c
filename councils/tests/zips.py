"""Hostile zip archives for upload tests, built by hand in memory in milliseconds.

A gigabyte of zeros deflates to about a megabyte, and a deflate stream flushed with Z_FULL_FLUSH
after each megabyte repeats the same ~1 KB block, so a "1 GB" entry is that block repeated: no
gigabyte is ever compressed or held. `Entry.declared` lets an entry lie about its unpacked size.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

MB = 1024 * 1024
LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
END = struct.Struct("<4s4H2LH")
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class Entry:
    name: str
    raw: bytes  # as stored in the archive
    method: int  # 0 stored, 8 deflated
    size: int  # real unpacked size
    crc: int
    declared: int | None = None  # the unpacked size the headers claim, if not the real one

    @classmethod
    def of(cls, name: str, data: bytes | str) -> Entry:
        data = data.encode() if isinstance(data, str) else data
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(name, compressor.compress(data) + compressor.flush(), 8, len(data), zlib.crc32(data))

    @classmethod
    def zeros(cls, name: str, megabytes: int, declared: int | None = None) -> Entry:
        raw, crc = _deflated_zeros(megabytes)
        return cls(name, raw, 8, megabytes * MB, crc, declared)


@functools.cache
def _deflated_zeros(megabytes: int) -> tuple[bytes, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    raw = block * megabytes + compressor.flush()
    crc = 0
    zero_mb = bytes(MB)
    for _ in range(megabytes):
        crc = zlib.crc32(zero_mb, crc)
    return raw, crc


def build(entries: list[Entry], *, declared_count: int | None = None) -> bytes:
    """A zip of these entries; `declared_count` lets the end record lie about how many there are."""
    out = io.BytesIO()
    central = []
    for entry in entries:
        name = entry.name.encode()
        size = entry.size if entry.declared is None else entry.declared
        offset = out.tell()
        header = (20, 0, entry.method, 0, 0x21, entry.crc, len(entry.raw), size, len(name), 0)
        out.write(LOCAL.pack(b"PK\x03\x04", *header))
        out.write(name)
        out.write(entry.raw)
        central.append(
            CENTRAL.pack(
                b"PK\x01\x02",
                20,
                20,
                0,
                entry.method,
                0,
                0x21,
                entry.crc,
                len(entry.raw),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    directory_offset = out.tell()
    directory = b"".join(central)
    out.write(directory)
    count = len(entries) if declared_count is None else declared_count
    out.write(END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), directory_offset, 0))
    return out.getvalue()


def docx(*extra: Entry) -> bytes:
    return build([Entry.of("[Content_Types].xml", "<Types/>"), Entry.of("word/document.xml", "<w:document/>"), *extra])


def xlsx(*extra: Entry) -> bytes:
    return build([Entry.of("[Content_Types].xml", "<Types/>"), Entry.of("xl/workbook.xml", "<workbook/>"), *extra])


def odt(mimetype: Entry | None = None, *extra: Entry) -> bytes:
    mimetype = mimetype or Entry.of("mimetype", "application/vnd.oasis.opendocument.text")
    return build([mimetype, Entry.of("content.xml", "<office:document-content/>"), *extra])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
