"""Virus scanning with ClamAV's daemon (clamd), when one is configured.

`COMMISSIONER_CLAMAV_SOCKET` names clamd's socket: a path (`/run/clamav/clamd.ctl`, Debian's
clamav-daemon) or `tcp://host:port`. The upload is streamed to clamd with the INSTREAM command
(clamd never needs to read our files) from where Django keeps it while the request is handled,
in memory or in the upload temporary directory, so nothing reaches storage before it is clean.
A scanner that is configured but does not answer fails closed: the upload is refused, to be
tried again later. With no socket configured nothing is scanned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import clamdpy
from clamdpy.exceptions import ClamdException
from django.conf import settings

logger = logging.getLogger(__name__)

# clamd takes the stream in chunks; bigger chunks mean fewer round trips (clamd's own limit on
# the whole stream is StreamMaxLength in clamd.conf, which must be at least the upload limit).
CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd is configured but could not give a verdict."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def configured() -> bool:
    return bool(settings.COMMISSIONER_CLAMAV_SOCKET)


def _client():
    address = settings.COMMISSIONER_CLAMAV_SOCKET
    timeout = settings.COMMISSIONER_CLAMAV_TIMEOUT
    if address.startswith("tcp://"):
        host, _, port = address.removeprefix("tcp://").rpartition(":")
        return clamdpy.ClamdNetworkSocket(host=host, port=int(port), timeout=timeout, max_chunk_size=CHUNK)
    return clamdpy.ClamdUnixSocket(path=address, timeout=timeout, max_chunk_size=CHUNK)


def scan(fileobj) -> Verdict:
    """Stream a file to clamd and return its verdict; raise ScannerUnavailable if there is none."""
    fileobj.seek(0)
    try:
        result = _client().instream(fileobj)
    except (ClamdException, OSError, ValueError) as error:
        # OSError: refused, timed out, or clamd closed the stream (StreamMaxLength too small).
        logger.error("ClamAV at %s gave no verdict: %r", settings.COMMISSIONER_CLAMAV_SOCKET, error)
        raise ScannerUnavailable(str(error)) from error
    finally:
        fileobj.seek(0)
    if result.status == "FOUND":
        return Verdict(infected=True, signature=result.reason or "")
    if result.status == "OK":
        return Verdict(infected=False)
    logger.error("ClamAV could not scan an upload: %s", result.reason)
    raise ScannerUnavailable(result.reason or "scan error")
