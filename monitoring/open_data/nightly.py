"""The nightly build of every council's open data files, and the views' way to serve them.

Each night (`monitoring.tasks.build_open_data`, `manage.py build_open_data`) every council's files are
written through Django's storage API (`default_storage`: local files by default, S3-compatible storage
where a deployment configures it) under ``open-data/<council slug>/``:

- ``ocds.json``: every release of the council's published commissions (the OCDS package download with no
  period);
- ``360giving.json`` and ``360giving.csv``: every grant awarded (the 360Giving downloads with no period);
- ``transparency/<file>-<year>-q<quarter>.csv``: the four Transparency Code files for each quarter of this
  financial year and the last (the quarters the council's open data page links to);
- ``manifest.json``: when, for which day and site address, and from which data generations the files were
  built, with each file's rows and bytes. It is written last.

The files are byte for byte what the views give for the same day, site address and data (360Giving's
``issued`` moment aside), because both are made by the same functions (`ocds`, `threesixtygiving`,
`transparency_code`).

**Constant memory.** Rows are read with ``.iterator(chunk_size=…)`` (the OCDS prefetches then run for each
chunk of commissions) and written as they come: JSON piece by piece, CSV through `csv.writer`. What a JSON
package says before its list (the OCDS package's latest date and extensions) is only known at its end, so
the releases go to a temporary file first. A file is written in full to a local temporary file, then
handed to the storage under a temporary name and moved over the old one (local storage), or uploaded
under its name (object storage, where an object appears only once its upload is complete): readers never
see half a file.

**Serving.** A view serves the built file when the request is for what was built (no period, or one of
the built quarters), the build is of today and of this site address, and neither the council's data nor
the data shared between councils has changed since (the page cache's generations, `councils.page_cache`).
Otherwise it builds the answer on request, as it always has. So what is served never depends on whether
the nightly build has run.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.urls import reverse
from django.utils import timezone

from councils import page_cache
from councils.models import Council
from monitoring.open_data import ocds, selectors, social_value, threesixtygiving, transparency_code
from monitoring.open_data.common import Period, financial_quarter, financial_year_of, write_csv

ROOT = "open-data"
MANIFEST = "manifest.json"
OCDS = "ocds.json"
GRANTS_JSON = "360giving.json"
GRANTS_CSV = "360giving.csv"
# Commissions per chunk: each brings its opportunities, bids, awards, agreements and payments with it.
OCDS_CHUNK = 100
JSON_OPTIONS = {"ensure_ascii": False, "indent": 2}


def site_url() -> str:
    """The address the files' links start with: the views use the request's, the build the site's."""
    return (getattr(settings, "COMMISSIONER_SITE_URL", "") or "http://localhost:8000").rstrip("/")


def built_quarters(today: date) -> list[tuple[int, int]]:
    """(year, quarter) of every quarter of this financial year and the last: what the council page links."""
    this_year = financial_year_of(today)
    return [(year, quarter) for year in (this_year, this_year - 1) for quarter in (1, 2, 3, 4)]


def transparency_name(kind: str, year: int, quarter: int) -> str:
    return f"transparency/{kind}-{year}-q{quarter}.csv"


def storage_name(council: Council, name: str) -> str:
    return f"{ROOT}/{council.slug}/{name}"


# ---- Writing JSON piece by piece ---------------------------------------------------------------------


def _dumps(value, indent: str) -> str:
    """`value` as `json.dumps(…, indent=2)` writes it `indent` deep in a larger document."""
    return json.dumps(value, **JSON_OPTIONS).replace("\n", "\n" + indent)


def _members(members: dict) -> Iterable[str]:
    return (f"  {json.dumps(key)}: {_dumps(value, '  ')}" for key, value in members.items())


def _write_items(out, items: Iterable[dict], on_item: Callable[[dict], None] = lambda item: None) -> int:
    """The items of a list two levels deep, comma-separated, as `json.dumps(…, indent=2)` lays them out."""
    count = 0
    for item in items:
        out.write(("    " if not count else ",\n    ") + _dumps(item, "    "))
        on_item(item)
        count += 1
    return count


# ---- The files ------------------------------------------------------------------------------------------


@dataclass
class Build:
    """What one build wrote: rows and bytes per file."""

    council: str
    files: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(entry["rows"] for entry in self.files.values())

    @property
    def bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.files.values())


def write_ocds(out, council: Council, today: date, link: Callable[[str], str]) -> int:
    """The council's OCDS release package, every release; returns how many releases (0: nothing written,
    as the view answers 404 for a package with no release)."""
    commissions = selectors.ocds_commissions(council, today).iterator(chunk_size=OCDS_CHUNK)
    found = {"latest": None, "metrics": False}

    def seen(release: dict) -> None:
        if found["latest"] is None or release["date"] > found["latest"]:
            found["latest"] = release["date"]
        found["metrics"] = found["metrics"] or social_value.uses_metrics([release])

    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        releases = (
            release
            for commission in commissions
            for _day, release in ocds.CommissionReleases(commission, today=today, link=link, social_value=True).all()
        )
        count = _write_items(spool, releases, seen)
        if not count:
            return 0
        head = ocds.package_head(
            council=council,
            uri=link(reverse("open_data:ocds", kwargs={"council_slug": council.slug})),
            policy=link(reverse("open_data:council", kwargs={"council_slug": council.slug})),
            latest=found["latest"],
            uses_metrics=found["metrics"],
        )
        out.write("{\n" + ",\n".join(_members(head)) + ',\n  "releases": [\n')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write("\n  ]\n}")
    return count


def _grants(council: Council):
    return selectors.grants_awarded(council).iterator(chunk_size=selectors.CHUNK)


def write_grants_json(out, council: Council, link: Callable[[str], str]) -> int:
    """The 360Giving package of every grant awarded; 0 (nothing written) when there is none."""
    modified = None
    count = 0
    for agreement in _grants(council):
        out.write('{\n  "grants": [\n    ' if not count else ",\n    ")
        out.write(_dumps(threesixtygiving.grant(agreement), "    "))
        modified = agreement.updated_at if modified is None else max(modified, agreement.updated_at)
        count += 1
    if not count:
        return 0
    tail = threesixtygiving.package_after_grants(
        council=council,
        title=f"Grants awarded by {council.name}",
        download_url=link(reverse("open_data:360giving_json", kwargs={"council_slug": council.slug})),
        access_url=link(reverse("open_data:grants", kwargs={"council_slug": council.slug})),
        modified=modified,
    )
    out.write("\n  ],\n" + ",\n".join(_members(tail)) + "\n}")
    return count


def write_grants_csv(out, council: Council) -> int:
    return write_csv(out, threesixtygiving.HEADER, map(threesixtygiving.csv_row, _grants(council)))


def write_transparency(out, council: Council, kind: str, period: Period) -> int:
    header, rows = transparency_code.rows(kind, council, period)
    return write_csv(out, header, rows)


# ---- Storage ---------------------------------------------------------------------------------------------


def _is_local(storage: Storage) -> bool:
    try:
        storage.path(ROOT)
    except NotImplementedError:
        return False
    return True


def _replace(storage: Storage, name: str, content) -> None:
    """Put `content` (a binary file at its start) in place of `name`, never showing half of it."""
    if _is_local(storage):
        partial = storage.save(f"{name}.partial", File(content))
        os.replace(storage.path(partial), storage.path(name))
        return
    # Object storage (S3): the new object replaces the old one only once its upload is complete.
    saved = storage.save(name, File(content))
    if saved != name:  # a storage that does not overwrite: the gap is as short as one rename can be
        storage.delete(name)
        storage.save(name, File(storage.open(saved)))
        storage.delete(saved)


@contextmanager
def _local_file():
    """A local temporary file, written as text (UTF-8, newlines as written) and read back as bytes."""
    with tempfile.TemporaryFile("w+b") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
        yield raw, text
        text.detach()


def _publish(storage: Storage, name: str, write: Callable[[io.TextIOBase], int]) -> dict | None:
    """Write a file through `write` and publish it; None (and any old file removed) when it wrote nothing."""
    with _local_file() as (raw, text):
        rows = write(text)
        text.flush()
        size = raw.tell()
        if size == 0:
            storage.delete(name)
            return None
        raw.seek(0)
        _replace(storage, name, raw)
    return {"rows": rows, "bytes": size}


def build_council(council: Council, *, today: date | None = None, storage: Storage | None = None) -> Build:
    """Write all of one council's files, then its manifest. Safe to run at any time, and twice at once:
    each file is replaced whole, and the manifest names the generations read before any data was."""
    started = time.monotonic()
    storage = storage or default_storage
    today = today or timezone.localdate()
    base = site_url()
    # Before any data is read: a change made during the build leaves the files stale, never fresh.
    generations = page_cache.generations(page_cache.council_scopes(council.pk))

    def link(path: str) -> str:
        return base + path

    slug = council.slug
    files: list[tuple[str, str, Callable]] = [
        (OCDS, f"ocds-{slug}-all.json", lambda out: write_ocds(out, council, today, link)),
        (GRANTS_JSON, f"360giving-{slug}-all.json", lambda out: write_grants_json(out, council, link)),
        (GRANTS_CSV, f"360giving-{slug}-all.csv", lambda out: write_grants_csv(out, council)),
    ]
    for year, quarter in built_quarters(today):
        period = financial_quarter(year, quarter)
        for kind in transparency_code.FILES:
            files.append(
                (
                    transparency_name(kind, year, quarter),
                    f"transparency-code-{slug}-{kind}-{year}-q{quarter}.csv",
                    lambda out, kind=kind, period=period: write_transparency(out, council, kind, period),
                )
            )
    build = Build(council=slug)
    for name, filename, write in files:
        written = _publish(storage, storage_name(council, name), write)
        if written is not None:
            build.files[name] = {**written, "filename": filename}
    manifest = {
        "built_at": timezone.now().isoformat(timespec="seconds"),
        "date": today.isoformat(),
        "site_url": base,
        "generations": generations,
        "files": build.files,
    }
    _replace(storage, storage_name(council, MANIFEST), io.BytesIO(json.dumps(manifest, indent=2).encode()))
    build.seconds = time.monotonic() - started
    return build


def build_all(*, storage: Storage | None = None, councils=None, report: Callable[[Build], None] | None = None) -> list:
    """Every council's files (or those of `councils`), one council at a time."""
    builds = []
    for council in councils if councils is not None else Council.objects.order_by("slug").iterator():
        build = build_council(council, storage=storage)
        if report:
            report(build)
        builds.append(build)
    return builds


# ---- Serving ---------------------------------------------------------------------------------------------


def fresh_file(council: Council, name: str, *, base_url: str, storage: Storage | None = None):
    """(open file, download name) of the built file `name` when it is exactly what the view would give
    now (see the module's notes); None when the view should build its answer itself."""
    storage = storage or default_storage
    try:
        with storage.open(storage_name(council, MANIFEST)) as handle:
            manifest = json.load(handle)
    except (FileNotFoundError, OSError, ValueError):
        return None
    entry = manifest.get("files", {}).get(name)
    if (
        entry is None
        or manifest.get("date") != timezone.localdate().isoformat()
        or manifest.get("site_url") != base_url.rstrip("/")
        or manifest.get("generations") != page_cache.generations(page_cache.council_scopes(council.pk))
    ):
        return None
    try:
        return storage.open(storage_name(council, name)), entry["filename"]
    except (FileNotFoundError, OSError):
        return None
