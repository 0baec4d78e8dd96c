"""The nightly open data build: every council's files written through the storage API, the same as the
views give, read in chunks (queries grow with chunks, never with rows), served by the views only while
nothing has changed, scheduled nightly and run by hand with `manage.py build_open_data`."""

from __future__ import annotations

import json

import pytest
from celery.schedules import crontab
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.celery import app as celery_app
from councils import page_cache
from monitoring import tasks
from monitoring.open_data import nightly, selectors
from monitoring.open_data.tests.test_open_data_factories import (
    TODAY,
    at,
    charity,
    contract_live,
    delivering_grants,
    errors,
    live_grant,
    ocds_package_validator,
    tender_open,
    threesixtygiving_package_validator,
)
from monitoring.open_data.tests.test_open_data_ocds import partnerships_with_live_agreements

pytestmark = pytest.mark.django_db

# The test client's address: the build's links must be the ones the views make for it.
SITE = "http://testserver"


@pytest.fixture
def storage(settings, tmp_path):
    """A storage of the test's own, as `default_storage` (a deployment's S3 would be configured the same way)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.COMMISSIONER_SITE_URL = SITE
    return default_storage


def small_world(council):
    contract_live(council)
    tender_open(council)
    commission = delivering_grants(council)
    live_grant(council, commission, charity("Riverside Lunch Club"))
    live_grant(council, commission, charity("Hilltop Men's Shed", charity_number="1122334"))


def downloads(council) -> dict[str, tuple[str, dict]]:
    """What the nightly build writes, and the view (and query) that gives the same."""
    slug = {"council_slug": council.slug}
    found = {
        nightly.OCDS: (reverse("open_data:ocds", kwargs=slug), {}),
        nightly.GRANTS_JSON: (reverse("open_data:360giving_json", kwargs=slug), {}),
        nightly.GRANTS_CSV: (reverse("open_data:360giving_csv", kwargs=slug), {}),
    }
    for year, quarter in nightly.built_quarters(TODAY.date()):
        for kind in ("tenders", "contracts", "register", "grants"):
            url = reverse("open_data:transparency", kwargs={**slug, "kind": kind})
            found[nightly.transparency_name(kind, year, quarter)] = (url, {"year": year, "quarter": quarter})
    return found


def fetched(client, url: str, query: dict):
    with at(TODAY):
        response = client.get(url, query)
    assert response.status_code == 200, response
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def without_issued(content: bytes) -> dict:
    package = json.loads(content)
    package.pop("issued", None)  # 360Giving: the moment the package was made
    return package


def test_the_built_files_are_what_the_views_give(client, council, storage):
    small_world(council)
    views = {name: fetched(client, url, query) for name, (url, query) in downloads(council).items()}
    with at(TODAY):
        build = nightly.build_council(council)
    assert set(build.files) == set(views)
    assert build.rows > 10
    for name, (response, content) in views.items():
        with storage.open(nightly.storage_name(council, name)) as handle:
            built = handle.read()
        assert len(built) == build.files[name]["bytes"]
        assert f'filename="{build.files[name]["filename"]}"' in response["Content-Disposition"]
        if name == nightly.GRANTS_JSON:
            assert without_issued(built) == without_issued(content)
        else:
            assert built == content, name  # byte for byte, the OCDS package's layout included
    ocds = json.loads(storage.open(nightly.storage_name(council, nightly.OCDS)).read())
    assert len(ocds["releases"]) > 5
    assert errors(ocds_package_validator(), ocds) == []
    grants = json.loads(storage.open(nightly.storage_name(council, nightly.GRANTS_JSON)).read())
    assert len(grants["grants"]) >= 2
    assert errors(threesixtygiving_package_validator(), grants) == []
    # Nothing half-written is left beside them.
    assert not [name for name in storage.listdir(f"{nightly.ROOT}/{council.slug}")[1] if name.endswith(".partial")]


def test_the_views_serve_the_built_file_only_while_nothing_has_changed(client, council, storage):
    small_world(council)
    url, query = downloads(council)[nightly.GRANTS_CSV]
    with at(TODAY):
        nightly.build_council(council)
    # Marked, to tell the built file from an answer built on request.
    name = nightly.storage_name(council, nightly.GRANTS_CSV)
    storage.delete(name)
    storage.save(name, ContentFile(b"built last night\r\n"))
    response, content = fetched(client, url, query)
    assert content == b"built last night\r\n"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="360giving-{council.slug}-all.csv"'
    # A period is not what was built: made on request.
    assert fetched(client, url, {"from": "2026-01-01"})[1].startswith(b"Identifier,Title")
    # Another site address (a different host asking): made on request, with its own links.
    with at(TODAY):
        assert client.get(url, HTTP_HOST="localhost").content.startswith(b"Identifier,Title")
    # The next day: made on request (what is due and in effect moves with the date).
    with at(TODAY.replace(day=TODAY.day + 1)):
        assert client.get(url).content.startswith(b"Identifier,Title")
    # A change to the council's data: made on request from then on.
    page_cache.bump_council(council.pk)
    assert fetched(client, url, query)[1].startswith(b"Identifier,Title")


def test_no_built_file_and_another_councils_files_are_never_served(client, council, other_council, storage):
    small_world(council)
    url, query = downloads(council)[nightly.GRANTS_CSV]
    assert fetched(client, url, query)[1].startswith(b"Identifier,Title")
    with at(TODAY):
        nightly.build_council(other_council)
    name = nightly.storage_name(other_council, nightly.GRANTS_CSV)
    storage.delete(name)
    storage.save(name, ContentFile(b"the other council's\r\n"))
    assert b"the other council" not in fetched(client, url, query)[1]
    # A council with nothing published writes no package (the views answer 404: an empty one is invalid).
    assert (
        nightly.OCDS
        not in json.loads(storage.open(nightly.storage_name(other_council, "manifest.json")).read())["files"]
    )


def build_queries(council) -> tuple[int, bytes]:
    with at(TODAY), CaptureQueriesContext(connection) as queries:
        nightly.build_council(council)
    return len(queries), default_storage.open(nightly.storage_name(council, nightly.OCDS)).read()


def test_the_build_reads_in_chunks_whatever_the_number_of_rows(council, storage, monkeypatch):
    partnerships_with_live_agreements(council, 1)
    one, _ = build_queries(council)
    partnerships_with_live_agreements(council, 24)
    many, package = build_queries(council)
    assert len(json.loads(package)["releases"]) == 75
    assert many == one  # not a query per row
    # Chunks of 5 commissions: the prefetches run once per chunk, so the rows are never all in memory
    # at once; and the file is the same.
    monkeypatch.setattr(nightly, "OCDS_CHUNK", 5)
    monkeypatch.setattr(selectors, "CHUNK", 5)
    chunked, same = build_queries(council)
    assert chunked > many + 4 * 5
    assert same == package


def test_the_build_is_scheduled_nightly_one_task_per_council(council, other_council, storage, monkeypatch):
    entry = next(e for e in celery_app.conf.beat_schedule.values() if e["task"] == "monitoring.tasks.build_open_data")
    assert entry["schedule"] == crontab(hour=3, minute=0)
    queued = []
    monkeypatch.setattr(tasks.build_council_open_data, "delay", queued.append)
    assert tasks.build_open_data() == 2
    assert sorted(queued) == sorted([council.pk, other_council.pk])
    small_world(council)
    with at(TODAY):
        assert tasks.build_council_open_data(council.pk)["files"] == 3 + 4 * 8
    assert storage.exists(nightly.storage_name(council, nightly.OCDS))
    assert tasks.build_council_open_data(0) == {}


def test_the_command_builds_one_council_or_all(council, other_council, storage, capsys):
    manifest = "manifest.json"
    call_command("build_open_data", council=council.slug)
    assert storage.exists(nightly.storage_name(council, manifest))
    assert not storage.exists(nightly.storage_name(other_council, manifest))
    assert "Open data built for 1 council." in capsys.readouterr().out
    call_command("build_open_data")
    assert storage.exists(nightly.storage_name(other_council, manifest))
    assert "Open data built for 2 councils." in capsys.readouterr().out
    with pytest.raises(CommandError, match="No council with the slug"):
        call_command("build_open_data", council="nowhere")
