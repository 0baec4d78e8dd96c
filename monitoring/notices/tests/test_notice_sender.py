"""Sending notices to Find a Tender. Find a Tender cannot run here: a real HTTP server on this machine,
started by the test in a thread, plays it (it answers what each test tells it and keeps what it was
sent). Success records the notice as published through the engine; a refusal, a server error or no
answer in time is a clear message and changes nothing; the council's key goes only in the header."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.urls import reverse
from django.utils import timezone

from config.settings import env_json_map
from councils.models import AuditEvent, Role
from councils.workflow import TransitionRefused
from monitoring.models import NoticeState
from monitoring.notices import sender as senders
from monitoring.notices import services
from monitoring.tests.notice_factories import advertised_notice

pytestmark = pytest.mark.django_db

API_KEY = "cdp-test-key-do-not-log-7f3a"


def received(submission_id="20261206-000050", status="RECEIVED") -> dict:
    return {"submission_id": submission_id, "status": status, "reason_code": None, "publication_info": None}


def published(submission_id="20261206-000050", number="002015", day=None) -> dict:
    day = day or timezone.localdate()
    return {
        **received(submission_id, "PUBLISHED"),
        "publication_info": {
            "no_doc_ojs": f"{day.year}/S 000-{number}",
            "publication_date": f"{day:%Y-%m-%d} 15:45:35",
            "truk_links": {"EN": f"https://www.find-tender.service.gov.uk/Notice/{number}-{day.year}"},
        },
    }


class FindATender:
    """The test double: answers (status, JSON body) in turn, or holds a request until released."""

    def __init__(self):
        self.answers = deque()
        self.requests = []
        self.release = threading.Event()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                double.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": self.headers,  # names are case-insensitive, as in HTTP
                        "body": self.rfile.read(length).decode() if length else "",
                    }
                )
                status, body = double.answers.popleft()
                if status == "hold":
                    double.release.wait(10)
                    status, body = 200, published()
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A client that gave up waiting has closed its end: nothing to report.
        self.server.handle_error = lambda request, client_address: None
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll, so that stopping it after each test is quick.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def answer(self, status: int | str, body: dict | None = None) -> None:
        self.answers.append((status, body or {}))


@pytest.fixture
def fat(settings, council, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    double = FindATender()
    double.thread.start()
    settings.COMMISSIONER_CDP_API_KEYS = {council.slug: API_KEY}
    settings.COMMISSIONER_CDP_BASE_URL = double.base_url
    settings.COMMISSIONER_CDP_TIMEOUT = 5.0
    yield double
    double.release.set()
    double.server.shutdown()
    double.server.server_close()


@pytest.fixture
def notice(council, people):
    return advertised_notice(council, state="ready")


def events(notice, kind: str):
    return AuditEvent.objects.filter(object_id=str(notice.pk), event_type=kind)


def send(notice, people):
    return services.notice_send(by=people[Role.PROCUREMENT_OFFICER], notice=notice)


# ---- The sender --------------------------------------------------------------------------------------


def test_the_council_sends_itself_only_with_a_key(settings, council, fat):
    assert isinstance(senders.sender_for(council), senders.CentralDigitalPlatformSender)
    assert API_KEY not in repr(senders.sender_for(council))
    settings.COMMISSIONER_CDP_API_KEYS = {}
    assert isinstance(senders.sender_for(council), senders.ManualSender)
    assert senders.ManualSender().submit(None, fat_identifier=" 012345-2026 ").fat_identifier == "012345-2026"


def test_a_notice_published_at_once_is_recorded_through_the_engine(council, people, fat, notice):
    fat.answer(200, published(number="004321"))
    submission = send(notice, people)
    notice.refresh_from_db()
    assert (notice.state, notice.fat_identifier, notice.published_on) == (
        NoticeState.PUBLISHED,
        f"004321-{timezone.localdate().year}",
        timezone.localdate(),
    )
    assert submission.submission_id == "20261206-000050"
    assert events(notice, "notice.publish").exists()
    (request,) = fat.requests
    assert (request["method"], request["path"]) == ("POST", "/api/latest/notice/submission/submit")
    assert request["headers"]["CDP-Api-Key"] == API_KEY
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["Accept"] == "application/json"
    xml = base64.b64decode(parse_qs(request["body"])["notice"][0])
    root = ElementTree.fromstring(xml)  # noqa: S314 (what this service built, in this test)
    assert (root.tag, root.get("noticeType"), root.get("schema")) == ("CommissionerNotice", "UK4", "unverified")
    assert json.loads(root.find("OcdsRelease").text) == notice.data


def test_a_submission_received_is_checked_the_next_time_not_sent_twice(council, people, fat, notice):
    fat.answer(200, received("20261206-000077"))
    submission = send(notice, people)
    assert (submission.published, submission.submission_id) == (False, "20261206-000077")
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY
    assert events(notice, "notice.submitted").get().extra["submission_id"] == "20261206-000077"

    fat.answer(200, received("20261206-000077", "PUBLISHING"))
    fat.answer(200, published("20261206-000077", number="000999"))
    assert send(notice, people).published is False
    send(notice, people)
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED
    assert [(r["method"], r["path"]) for r in fat.requests[1:]] == [
        ("GET", "/api/latest/notice/submission/info/20261206-000077"),
        ("GET", "/api/latest/notice/submission/info/20261206-000077"),
    ]
    assert events(notice, "notice.submitted").count() == 1


def test_a_submission_find_a_tender_will_not_publish_is_sent_again_corrected(council, people, fat, notice):
    fat.answer(200, received("20261206-000078"))
    send(notice, people)
    fat.answer(200, {**received("20261206-000078", "REJECTED"), "reason_code": "BUYER_MISSING"})
    with pytest.raises(senders.SendingFailed, match="will not publish submission 20261206-000078 \\(REJECTED"):
        send(notice, people)
    assert events(notice, "notice.submission_refused").exists()
    fat.answer(200, published("20261206-000079"))
    send(notice, people)
    assert fat.requests[-1]["method"] == "POST"
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (400, {"error": "The notice XML does not follow the reception schema"}, "refused the notice (400: The notice"),
        (401, {"error": "Access Denied"}, "did not accept the council's API key (401)"),
        (503, {}, "could not take the notice just now (503)"),
    ],
)
def test_an_error_answer_is_a_clear_message_and_changes_nothing(
    council, people, fat, notice, caplog, status, body, words
):
    fat.answer(status, body)
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG), pytest.raises(senders.SendingFailed) as failed:
        send(notice, people)
    assert words in str(failed.value)
    assert "Nothing was recorded" in str(failed.value)
    assert API_KEY not in str(failed.value) + caplog.text
    notice.refresh_from_db()
    assert (notice.state, notice.fat_identifier) == (NoticeState.READY, "")
    assert AuditEvent.objects.count() == before


def test_no_answer_in_time_is_a_clear_message_and_changes_nothing(settings, council, people, fat, notice):
    settings.COMMISSIONER_CDP_TIMEOUT = 0.3
    fat.answer("hold")
    with pytest.raises(senders.SendingFailed, match="did not answer within 0.3 seconds"):
        send(notice, people)
    fat.release.set()
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY
    assert not events(notice, "notice.submitted").exists()


def test_only_a_ready_notice_is_sent_by_a_notice_officer(council, people, fat):
    draft = advertised_notice(council)
    with pytest.raises(TransitionRefused):
        send(draft, people)
    ready = advertised_notice(council, title="Debt advice", state="ready")
    with pytest.raises(PermissionDenied):
        services.notice_send(by=people[Role.SCRUTINY_MEMBER], notice=ready)
    assert fat.requests == []


# ---- The page ----------------------------------------------------------------------------------------


def test_the_notice_page_offers_to_send_it_when_the_council_has_a_key(
    settings, client_for, council, people, fat, notice
):
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    send_url = reverse("monitoring:notice_send", args=[council.slug, notice.pk])
    assert send_url in client.get(notice.get_absolute_url()).content.decode()
    fat.answer(500, {})
    failed = client.post(send_url, {"from_state": "ready"})
    assert "could not take the notice just now (500)" in failed.content.decode()
    fat.answer(200, published(number="000123"))
    assert client.post(send_url, {"from_state": "ready"}).status_code == 302
    notice.refresh_from_db()
    assert notice.fat_identifier == f"000123-{timezone.localdate().year}"

    settings.COMMISSIONER_CDP_API_KEYS = {}
    other = advertised_notice(council, title="Debt advice", state="ready")
    page = client.get(other.get_absolute_url()).content.decode()
    assert "Send to Find a Tender" not in page
    assert "Record it as published" in page
    assert client.get(reverse("monitoring:notice_send", args=[council.slug, other.pk])).status_code == 302


# ---- Settings ------------------------------------------------------------------------------------------


def test_the_keys_setting_is_a_json_map_and_a_bad_one_is_refused_without_repeating_it(monkeypatch):
    monkeypatch.setenv("COMMISSIONER_CDP_API_KEYS", '{"testshire": "abc"}')
    assert env_json_map("COMMISSIONER_CDP_API_KEYS") == {"testshire": "abc"}
    monkeypatch.setenv("COMMISSIONER_CDP_API_KEYS", "testshire=secret-value")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_json_map("COMMISSIONER_CDP_API_KEYS")
    assert "secret-value" not in str(refused.value)
    monkeypatch.delenv("COMMISSIONER_CDP_API_KEYS")
    assert env_json_map("COMMISSIONER_CDP_API_KEYS") == {}
