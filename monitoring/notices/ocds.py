"""Notices as Find a Tender reads them: OCDS 1.1.5 releases using the UK extension's fields, and the
schema they are checked against (OCDS 1.1.5 patched with the UK extension and every extension it
depends on, vendored in `schemas/`).

Each extension's `release-schema.json` is a JSON Merge Patch (RFC 7386) over the release schema: the
dependencies are applied first, then the UK extension, as its `extension.json` declares.
"""

from __future__ import annotations

import csv
import functools
import json
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker

from commissioning.models import Commission
from councils.models import Council
from monitoring.open_data.common import day_start, moment
from monitoring.open_data.ocds import Parties, council_party

SCHEMAS = Path(__file__).resolve().parent / "schemas"
VERSION = "1.1"
# The UK extension's dependencies, then the extensions its fields patch (metrics, lots), then itself.
EXTENSIONS = (
    "ocds_awardCriteria_extension",
    "ocds_bid_extension",
    "ocds_communication_extension",
    "ocds_location_extension",
    "ocds_otherRequirements_extension",
    "ocds_performance_failures_extension",
    "ocds_subcontracting_extension",
    "ocds_suitability_extension",
    "ocds_techniques_extension",
    "ocds_submissionTerms_extension",
    "ocds_metrics_extension",
    "ocds_lots_extension",
    "ocds_uk_extension",
)
EXTENSION_URLS = {
    "ocds_uk_extension": "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "ocds_bid_extension": (
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
    ),
}


def extension_url(name: str) -> str:
    return EXTENSION_URLS.get(
        name, f"https://raw.githubusercontent.com/open-contracting-extensions/{name}/master/extension.json"
    )


def merge_patch(target, patch):
    """RFC 7386: objects merge key by key, `null` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@functools.cache
def release_schema() -> dict:
    schema = json.loads((SCHEMAS / "release-schema.json").read_text())
    for name in EXTENSIONS:
        schema = merge_patch(schema, json.loads((SCHEMAS / "extensions" / name / "release-schema.json").read_text()))
    return schema


@functools.cache
def _validator() -> Draft4Validator:
    return Draft4Validator(release_schema(), format_checker=FormatChecker())


@functools.cache
def document_types() -> frozenset[str]:
    """The open documentType codelist: OCDS's codes and the UK extension's additions."""
    codes = set()
    for path in (
        SCHEMAS / "codelists/documentType.csv",
        SCHEMAS / "extensions/ocds_uk_extension/codelists/+documentType.csv",
    ):
        with path.open(newline="", encoding="utf-8") as handle:
            codes.update(row["Code"] for row in csv.DictReader(handle))
    return frozenset(codes)


def _documents(release: dict):
    for section in ("planning", "tender"):
        yield from release.get(section, {}).get("documents", [])
    for key in ("awards", "contracts"):
        for entry in release.get(key, []):
            yield from entry.get("documents", [])
            yield from entry.get("implementation", {}).get("documents", [])


def release_errors(release: dict) -> list[str]:
    """What is wrong with a release, in words with the place it is wrong: empty when it validates."""
    found = [
        f"{'/'.join(str(part) for part in error.absolute_path) or 'release'}: {error.message}"
        for error in sorted(_validator().iter_errors(release), key=lambda error: list(error.absolute_path))
    ]
    for document in _documents(release):
        if document.get("documentType") not in document_types():
            found.append(f"documents/{document.get('id')}: unknown documentType {document.get('documentType')!r}")
    return found


def ocid(commission: Commission) -> str:
    return f"{settings.OCDS_PREFIX}-{commission.reference}"


def council_ocid(council: Council, subject: str) -> str:
    return f"{settings.OCDS_PREFIX}-{council.slug}-{subject}"


def timestamp(when: date | datetime) -> str:
    return moment(when) if isinstance(when, datetime) else day_start(when)


def notice_document(notice_type: str, document_type: str, title: str, when: date | datetime) -> dict:
    """The document that says which notice this release is (`Document.noticeType`, UK extension)."""
    return {
        "id": notice_type,
        "documentType": document_type,
        "noticeType": notice_type,
        "title": title,
        "datePublished": timestamp(when),
        "language": "en",
    }


def release(
    *,
    council: Council,
    release_ocid: str,
    notice_type: str,
    tags: list[str],
    parties: Parties | None = None,
    when: date | datetime | None = None,
    **sections,
) -> dict:
    """One notice's release. The buyer is in every release; the caller adds the other parties to
    `parties` while building the sections, so that each party is listed once with all its roles."""
    parties = parties or Parties()
    buyer = parties.add(council_party(council), "buyer")
    when = when or timezone.now()
    return {
        "ocid": release_ocid,
        "id": f"{release_ocid}-{notice_type}",
        "date": timestamp(when),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": parties.as_list(),
        "buyer": buyer,
        **sections,
    }


def package(council: Council, releases: list[dict], uri: str) -> dict:
    """A release package, as a notice is downloaded: it declares the extensions the release uses."""
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timestamp(timezone.now()),
        "publisher": {"name": council.name},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": uri,
        "extensions": [extension_url(name) for name in EXTENSIONS],
        "releases": releases,
    }


def link(path: str) -> str:
    """An absolute address for a page of this site, as the notices' documents give it."""
    base = (getattr(settings, "COMMISSIONER_SITE_URL", "") or "http://localhost:8000").rstrip("/")
    return f"{base}{path}"
