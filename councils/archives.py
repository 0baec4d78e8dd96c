"""Zip archives (Word and Excel files, OpenDocument, embedded objects) checked before they are
stored, within a small, fixed memory budget.

A "zip bomb" is a small file that unpacks to gigabytes. Nothing here trusts what the archive
says about itself: the entry count is read from the end-of-central-directory record and then
counted again, entry by entry, before `zipfile` builds its own list; every entry is then
actually unpacked, a chunk at a time, into nothing, counting the bytes against the limits
(so an entry that claims to be small but unpacks to more is caught); embedded archives are
checked the same way to a small depth. Nothing is ever unpacked whole into memory: reads that
keep data (the OpenDocument `mimetype`, an embedded archive's first bytes) are capped, and an
embedded archive is spooled to a temporary file once it is larger than a megabyte.
"""

from __future__ import annotations

import contextlib
import copy
import struct
import tempfile
import zipfile
from dataclasses import dataclass, field

CHUNK = 64 * 1024
# Small parts compress very well (a page of repeated XML can reach 200:1), so ratios are judged
# only once this much has been unpacked from an entry, or from the whole file.
RATIO_GRACE_BYTES = 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
EOCD = struct.Struct("<4s4H2LH")  # end of central directory
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
CENTRAL_HEADER = struct.Struct("<4s4s4H3L5H2L")  # one central-directory entry, before its name
# The longest central-directory entry we expect (name and extra field), on average: Office files
# have short part names. A directory larger than this per entry is refused before it is read.
MAX_CENTRAL_BYTES_PER_ENTRY = 1024


class ArchiveRefused(Exception):
    """The archive is refused; `reason` says why, for the message."""

    TOO_LARGE = "too_large"
    TOO_MANY_ENTRIES = "too_many_entries"
    TOO_DEEP = "too_deep"
    ENCRYPTED = "encrypted"
    DAMAGED = "damaged"

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ArchiveLimits:
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100
    max_entries: int = 10_000
    max_depth: int = 2


@dataclass
class _Budget:
    """Bytes unpacked so far at every depth: one budget for the upload and everything in it."""

    limits: ArchiveLimits
    unpacked: int = 0
    names: list[str] = field(default_factory=list)

    def spend(self, count: int) -> None:
        self.unpacked += count
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise ArchiveRefused(ArchiveRefused.TOO_LARGE, f"more than {self.limits.max_unpacked_bytes} bytes")


def is_zip(head: bytes) -> bool:
    return head[:4] in ZIP_MAGIC


def _size_of(fileobj) -> int:
    fileobj.seek(0, 2)
    return fileobj.tell()


def _declared_directory(fileobj, size: int) -> tuple[int, int, int]:
    """(entries, directory size, directory start) from the end-of-central-directory record, read
    from at most the last 64 KB of the file. The directory is found as `zipfile` finds it: just
    before the end records (whatever offset they state, so data put in front changes nothing)."""
    tail_length = min(size, EOCD.size + 0xFFFF)
    fileobj.seek(size - tail_length)
    tail = fileobj.read(tail_length)
    if tail[-EOCD.size : -EOCD.size + 4] == b"PK\x05\x06" and tail[-2:] == b"\x00\x00":
        at = len(tail) - EOCD.size
    else:
        at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + EOCD.size > len(tail):
        raise ArchiveRefused(ArchiveRefused.DAMAGED, "no end of central directory")
    _, _, _, _, entries, directory_size, _, _ = EOCD.unpack_from(tail, at)
    directory_end = size - tail_length + at
    locator_at = at - ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        record_at = directory_end - ZIP64_LOCATOR.size - ZIP64_EOCD.size
        if record_at < 0:
            raise ArchiveRefused(ArchiveRefused.DAMAGED, "zip64 record out of range")
        fileobj.seek(record_at)
        record = fileobj.read(ZIP64_EOCD.size)
        if len(record) < ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
            raise ArchiveRefused(ArchiveRefused.DAMAGED, "zip64 record missing")
        _, _, _, _, _, _, _, entries, directory_size, _ = ZIP64_EOCD.unpack(record)
        directory_end = record_at
    if directory_size > directory_end:
        raise ArchiveRefused(ArchiveRefused.DAMAGED, "central directory out of range")
    return entries, directory_size, directory_end - directory_size


def _check_directory(fileobj, limits: ArchiveLimits) -> None:
    """Refuse too many entries before `zipfile` reads the central directory into memory: first by
    what the end record says, then by walking the directory's fixed-size headers (the end record
    may understate the count)."""
    size = _size_of(fileobj)
    entries, directory_size, directory_offset = _declared_directory(fileobj, size)
    too_many = ArchiveRefused(ArchiveRefused.TOO_MANY_ENTRIES, f"more than {limits.max_entries}")
    if entries > limits.max_entries:
        raise too_many
    if directory_size > limits.max_entries * MAX_CENTRAL_BYTES_PER_ENTRY:
        raise too_many
    fileobj.seek(directory_offset)
    counted, position = 0, 0
    buffer, at = b"", 0  # unread bytes of the directory, and where the next header starts in them
    while position < directory_size:
        if len(buffer) - at < CENTRAL_HEADER.size:
            buffer = buffer[at:] + fileobj.read(min(CHUNK, directory_size - position - (len(buffer) - at)))
            at = 0
            if len(buffer) < CENTRAL_HEADER.size:
                raise ArchiveRefused(ArchiveRefused.DAMAGED, "truncated central directory")
        header = CENTRAL_HEADER.unpack_from(buffer, at)
        if header[0] != b"PK\x01\x02":
            raise ArchiveRefused(ArchiveRefused.DAMAGED, "bad central directory")
        counted += 1
        if counted > limits.max_entries:
            raise too_many
        skip = CENTRAL_HEADER.size + header[9] + header[10] + header[11]
        position += skip
        if at + skip <= len(buffer):
            at += skip
        else:
            fileobj.seek(directory_offset + position)
            buffer, at = b"", 0


def _unpack_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, depth: int) -> None:
    """Unpack one entry into nothing, counting real bytes; an embedded archive is kept (spooled to
    disk past a megabyte) and checked in turn."""
    limits = budget.limits
    if info.flag_bits & 0x1:
        raise ArchiveRefused(ArchiveRefused.ENCRYPTED, info.filename)
    # Unpack to the real end of the data, not to the size the entry claims: zipfile stops at
    # `file_size`, so it is set just past what the budget has left.
    probe = copy.copy(info)
    # Reads return whole chunks, so the budget is exceeded (and refused) a chunk before zipfile's
    # own limit could end the read early and mistake the cut for a bad CRC.
    probe.file_size = limits.max_unpacked_bytes - budget.unpacked + CHUNK + 1
    unpacked = 0
    spool = None
    with contextlib.ExitStack() as stack, archive.open(probe) as entry:
        while chunk := entry.read(CHUNK):
            if unpacked == 0 and is_zip(chunk):
                if depth >= limits.max_depth:
                    raise ArchiveRefused(ArchiveRefused.TOO_DEEP, info.filename)
                spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=1024 * 1024))
            if spool is not None:
                spool.write(chunk)
            unpacked += len(chunk)
            budget.spend(len(chunk))
            if unpacked > RATIO_GRACE_BYTES and unpacked > limits.max_ratio * max(info.compress_size, 1):
                raise ArchiveRefused(ArchiveRefused.TOO_LARGE, f"{info.filename} ratio")
        if unpacked != info.file_size:
            raise ArchiveRefused(ArchiveRefused.DAMAGED, f"{info.filename} size differs from its header")
        if spool is not None:
            _check(spool, budget, depth + 1)


def _check(fileobj, budget: _Budget, depth: int) -> None:
    limits = budget.limits
    try:
        _check_directory(fileobj, limits)
        archive_size = _size_of(fileobj)
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_entries:
                raise ArchiveRefused(ArchiveRefused.TOO_MANY_ENTRIES, f"more than {limits.max_entries}")
            declared = sum(info.file_size for info in infos)
            if declared > limits.max_unpacked_bytes - budget.unpacked:
                raise ArchiveRefused(ArchiveRefused.TOO_LARGE, "declared sizes")
            if declared > RATIO_GRACE_BYTES and declared > limits.max_ratio * max(archive_size, 1):
                raise ArchiveRefused(ArchiveRefused.TOO_LARGE, "declared ratio")
            if depth == 0:
                budget.names = [info.filename for info in infos]
            before = budget.unpacked
            for info in infos:
                if not info.is_dir():
                    _unpack_entry(archive, info, budget, depth)
            unpacked = budget.unpacked - before
            if unpacked > RATIO_GRACE_BYTES and unpacked > limits.max_ratio * max(archive_size, 1):
                raise ArchiveRefused(ArchiveRefused.TOO_LARGE, "ratio")
    except ArchiveRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        # Unsupported compression, a bad CRC, truncated data: not a file we can vouch for.
        raise ArchiveRefused(ArchiveRefused.DAMAGED, str(error)) from error
    except (ValueError, OverflowError, struct.error) as error:
        raise ArchiveRefused(ArchiveRefused.DAMAGED, str(error)) from error


def check_archive(fileobj, limits: ArchiveLimits) -> list[str]:
    """Check a zip archive and everything embedded in it; return the names of its top-level
    entries, or raise `ArchiveRefused`. The file object must be seekable; it is left at 0."""
    budget = _Budget(limits)
    try:
        _check(fileobj, budget, depth=0)
    finally:
        fileobj.seek(0)
    return budget.names


def read_capped(fileobj, name: str, cap: int) -> bytes | None:
    """Up to `cap` bytes of one entry (None if there is no such entry), whatever it claims."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            try:
                info = archive.getinfo(name)
            except KeyError:
                return None
            with archive.open(info) as entry:
                return entry.read(cap)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        return None
    finally:
        fileobj.seek(0)
