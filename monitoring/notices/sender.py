"""How a ready notice reaches Find a Tender: a `NoticeSender` submits it and gives back the notice
identifier and publication day Find a Tender gave it, or a clear error (`SendingFailed`) and nothing
changes here. The engine's publish step then records it (`services.notice_send` / `notice_publish`).

- `ManualSender`, the default: an officer publishes the notice on Find a Tender and pastes the
  identifier and day it shows into the publish form.
- `CentralDigitalPlatformSender`: the Central Digital Platform / Find a Tender eSender API. It POSTs
  the notice, Base64-encoded, as the form field ``notice`` to ``<base>/api/latest/notice/submission/submit``
  with the council's key in the ``CDP-Api-Key`` header, and reads the NoticeInformation answer
  (``submission_id``, ``status``, ``publication_info``). Find a Tender publishes after its checks, so a
  first answer is often "received" only: the submission is then checked again with
  ``GET <base>/api/latest/notice/submission/info/<submission_id>`` rather than sent twice.

Which one a council uses follows the settings (`sender_for`): the CDP sender when
COMMISSIONER_CDP_API_KEYS has a key for the council's slug, the manual one otherwise. Keys are read from
the settings at the moment of sending; they are never stored in the database, put in a message or logged.

**Unverified payload.** Find a Tender's submission body is an XML document following its "reception
schema", which this project does not have. `unverified_reception_xml` wraps the notice's OCDS release in
a placeholder XML document: it is NOT the reception schema and Find a Tender will refuse it. Replace it
(COMMISSIONER_CDP_PAYLOAD_BUILDER names the function) once the schema has been obtained and checked.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen
from xml.etree import ElementTree

from django.conf import settings
from django.utils.module_loading import import_string

from councils.models import Council
from monitoring.models import Notice

logger = logging.getLogger(__name__)

SUBMIT_PATH = "/api/latest/notice/submission/submit"
INFO_PATH = "/api/latest/notice/submission/info/{submission_id}"
# Find a Tender's Procurement Act notice numbers: six digits and the year, "002015-2023".
IDENTIFIER = re.compile(r"(\d{6}-\d{4})")
# "2023/S 000-002015": the year, then the notice's number.
OJS_NUMBER = re.compile(r"^(\d{4})/S \d+-(\d{6})$")
# Statuses that mean Find a Tender will not publish this submission (it must be corrected and sent again).
REFUSED_STATUSES = frozenset({"REJECTED", "NOT_PUBLISHED", "FAILED", "STOPPED", "CANCELLED", "VALIDATION_FAILED"})


class SendingFailed(Exception):
    """Find a Tender did not take (or has not published) the notice; nothing was recorded here. The
    message is for the officer. `refused`: Find a Tender will never publish that submission."""

    def __init__(self, message: str, *, refused: bool = False):
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class Submission:
    """What Find a Tender answered: the identifier and day once published; the submission while not."""

    fat_identifier: str = ""
    published_on: date | None = None
    submission_id: str = ""
    status: str = ""

    @property
    def published(self) -> bool:
        return bool(self.fat_identifier and self.published_on)


class NoticeSender(Protocol):
    # True when the sender submits the notice itself (the page offers "Send to Find a Tender");
    # False when the officer does and records what Find a Tender shows (the publish form).
    sends_itself: bool

    def submit(self, notice: Notice, *, fat_identifier: str = "", published_on: date | None = None) -> Submission:
        """Submit the notice; raise `SendingFailed` with a message for the officer when it is not taken."""
        ...

    def check(self, submission_id: str) -> Submission:
        """Where an earlier submission has got to."""
        ...


class ManualSender:
    """Today's way: the officer publishes the notice on Find a Tender and records what it shows."""

    sends_itself = False

    def submit(self, notice: Notice, *, fat_identifier: str = "", published_on: date | None = None) -> Submission:
        # The engine's publish step checks the identifier's form and the day.
        return Submission(fat_identifier=(fat_identifier or "").strip(), published_on=published_on)

    def check(self, submission_id: str) -> Submission:
        raise SendingFailed("This council publishes its notices on Find a Tender itself: record the identifier.")


def unverified_reception_xml(notice: Notice) -> bytes:
    """A PLACEHOLDER for the Find a Tender reception schema XML, which this project does not have: the
    notice's OCDS release wrapped in an XML document of our own. Find a Tender will refuse it. Replace it
    (setting COMMISSIONER_CDP_PAYLOAD_BUILDER) with a builder checked against the reception schema."""
    root = ElementTree.Element(
        "CommissionerNotice",
        {"noticeType": notice.notice_type, "ocid": str(notice.data.get("ocid", "")), "schema": "unverified"},
    )
    ElementTree.SubElement(root, "Title").text = notice.title
    ElementTree.SubElement(root, "OcdsRelease", {"contentType": "application/json"}).text = json.dumps(
        notice.data, ensure_ascii=False, sort_keys=True
    )
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _published_day(value: str) -> date | None:
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T")).date()
    except (AttributeError, ValueError):
        return None


def _identifier(publication: dict) -> str:
    for link in (publication.get("truk_links") or {}).values():
        found = IDENTIFIER.search(str(link))
        if found:
            return found[1]
    ojs = OJS_NUMBER.match(str(publication.get("no_doc_ojs") or ""))
    return f"{ojs[2]}-{ojs[1]}" if ojs else ""


class CentralDigitalPlatformSender:
    """Find a Tender's eSender API, with one council's CDP API key."""

    sends_itself = True

    def __init__(self, *, api_key: str, base_url: str, timeout: float = 20.0, build_payload=None):
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.build_payload = build_payload or unverified_reception_xml

    def __repr__(self) -> str:
        # Never the key.
        return f"CentralDigitalPlatformSender({self.base_url!r})"

    def submit(self, notice: Notice, *, fat_identifier: str = "", published_on: date | None = None) -> Submission:
        encoded = base64.b64encode(self.build_payload(notice)).decode("ascii")
        return self._read(self._call(SUBMIT_PATH, urlencode({"notice": encoded}).encode("ascii")))

    def check(self, submission_id: str) -> Submission:
        return self._read(self._call(INFO_PATH.format(submission_id=quote(submission_id, safe=""))))

    def _call(self, path: str, body: bytes | None = None) -> dict:
        request = Request(  # noqa: S310 (the base URL is the operator's setting, not input)
            f"{self.base_url}{path}",
            data=body,
            method="POST" if body is not None else "GET",
            headers={
                "CDP-Api-Key": self._api_key,
                "Accept": "application/json",
                **({"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}),
            },
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except HTTPError as error:
            detail = _error_detail(error)
            logger.warning("Find a Tender answered %s to %s", error.code, path)
            if error.code in (401, 403):
                raise SendingFailed(
                    f"Find a Tender did not accept the council's API key ({error.code}): ask the system "
                    "administrator to check it. Nothing was recorded."
                ) from None
            if error.code >= 500:
                raise SendingFailed(
                    f"Find a Tender could not take the notice just now ({error.code}). Nothing was recorded: "
                    "try again later."
                ) from None
            raise SendingFailed(
                f"Find a Tender refused the notice ({error.code}{': ' + detail if detail else ''}). Nothing was "
                "recorded: correct it and send it again, or publish it on Find a Tender and record its identifier."
            ) from None
        except TimeoutError:
            raise SendingFailed(
                f"Find a Tender did not answer within {self.timeout:g} seconds. Nothing was recorded: check on "
                "Find a Tender whether it arrived before sending it again."
            ) from None
        except URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise SendingFailed(
                    f"Find a Tender did not answer within {self.timeout:g} seconds. Nothing was recorded: check "
                    "on Find a Tender whether it arrived before sending it again."
                ) from None
            raise SendingFailed(
                f"Find a Tender could not be reached ({error.reason}). Nothing was recorded: try again later."
            ) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SendingFailed("Find a Tender's answer could not be read. Nothing was recorded: try again later.")
        return answer

    def _read(self, answer: dict) -> Submission:
        submission_id = str(answer.get("submission_id") or "")
        status = str(answer.get("status") or "")
        publication = answer.get("publication_info")
        if isinstance(publication, dict) and publication:
            identifier = _identifier(publication)
            day = _published_day(str(publication.get("publication_date") or ""))
            if not identifier or day is None:
                raise SendingFailed(
                    f"Find a Tender published submission {submission_id} but its answer gave no notice identifier "
                    "or day this service recognises: record them from Find a Tender."
                )
            return Submission(fat_identifier=identifier, published_on=day, submission_id=submission_id, status=status)
        if status.upper() in REFUSED_STATUSES:
            reason = answer.get("reason_code")
            raise SendingFailed(
                f"Find a Tender will not publish submission {submission_id} ({status}"
                f"{', ' + str(reason) if reason else ''}): correct the notice and send it again.",
                refused=True,
            )
        if not submission_id:
            raise SendingFailed("Find a Tender's answer had no submission number. Nothing was recorded.")
        return Submission(submission_id=submission_id, status=status)


def _error_detail(error: HTTPError) -> str:
    """What Find a Tender said was wrong, when it said it in JSON (its "error" or "message")."""
    try:
        body = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("message") or body.get("error") or "")[:300]


def sender_for(council: Council) -> NoticeSender:
    """The council's way of publishing: the eSender API when it has a CDP API key, by hand otherwise."""
    api_key = settings.COMMISSIONER_CDP_API_KEYS.get(council.slug, "")
    if not api_key:
        return ManualSender()
    return CentralDigitalPlatformSender(
        api_key=api_key,
        base_url=settings.COMMISSIONER_CDP_BASE_URL,
        timeout=settings.COMMISSIONER_CDP_TIMEOUT,
        build_payload=import_string(settings.COMMISSIONER_CDP_PAYLOAD_BUILDER),
    )


def sends_itself(council: Council) -> bool:
    return bool(settings.COMMISSIONER_CDP_API_KEYS.get(council.slug))
