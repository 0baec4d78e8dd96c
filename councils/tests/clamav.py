"""The ClamAV daemon for tests: scripts/services.sh starts one with an EICAR-only signature
database and exports its socket. Without it the virus tests skip, unless scripts/test.sh asked
for ClamAV (COMMISSIONER_REQUIRE_CLAMAV=1), where they fail instead."""

from __future__ import annotations

import os

import pytest


def clamav_socket() -> str:
    socket = os.environ.get("COMMISSIONER_CLAMAV_SOCKET", "")
    if socket:
        return socket
    if os.environ.get("COMMISSIONER_REQUIRE_CLAMAV") == "1":
        pytest.fail("COMMISSIONER_REQUIRE_CLAMAV=1 but COMMISSIONER_CLAMAV_SOCKET is unset (run scripts/services.sh)")
    pytest.skip("ClamAV is not running (run the tests under scripts/services.sh)")


@pytest.fixture
def clamav(settings) -> str:
    settings.COMMISSIONER_CLAMAV_SOCKET = clamav_socket()
    return settings.COMMISSIONER_CLAMAV_SOCKET
