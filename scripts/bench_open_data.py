"""Time the nightly open data build of every council on whatever data the database holds, and its memory.

    scripts/services.sh bash -c '.venv/bin/python manage.py migrate -v0 &&
        .venv/bin/python manage.py generate_scale_data && .venv/bin/python scripts/bench_open_data.py'
    make bench-open-data        # the same, on a throwaway PostgreSQL (BENCH_SCALE=--small to try it)

Run it after `generate_scale_data` (council scale, or `--national`); `scripts/bench.sh` runs it last. It
builds every council's files (`monitoring.open_data.nightly`: OCDS, 360Giving, Transparency Code)
through the storage API into a temporary media folder (removed afterwards unless `--keep`), and reports
the time, files, rows, bytes written, statements, and the process's peak RSS (ru_maxrss: this script
is a fresh process, so the peak is the build's, Django's own start-up included; the RSS after start-up
and after the first council are reported beside it, to show it does not grow with the councils built).
Figures go to var/bench/open-data-<time>.json. Fails (exit 1) when the peak RSS reaches 300 MB.

`--approve` first records an approval decision for every commission past approval that has none:
`generate_scale_data` records none, and OCDS publishes only the commissions a council has decided to
go ahead with, so without it the OCDS packages (the largest files) would be left out of the measure.
`make bench-open-data` and `scripts/bench.sh` pass it (bench.sh runs this last, on data it throws away).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TARGET_RSS_MB = 300


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: kilobytes


def approve_all() -> int:
    """An approval decision (delegated, on the day the commission was made, at its budget) for every
    commission past approval without one: benchmark data, written in bulk like generate_scale_data's."""
    from decimal import Decimal

    from django.db.models import Exists, OuterRef

    from commissioning.models import ApprovalDecision, Commission, State
    from commissioning.models.records import DecisionMaker

    before = (State.UNDERSTANDING, State.PLANNING, State.AWAITING_APPROVAL)
    unapproved = Commission.objects.exclude(state__in=before).exclude(
        Exists(ApprovalDecision.objects.filter(commission=OuterRef("pk")))
    )
    added = 0
    batch = []
    for pk, cycle, lead_id, budget, created_at in unapproved.values_list(
        "pk", "cycle", "lead_officer_id", "budget", "created_at"
    ).iterator(chunk_size=5000):
        batch.append(
            ApprovalDecision(
                commission_id=pk,
                cycle=cycle,
                decision_maker=DecisionMaker.DELEGATED_OFFICER,
                decided_by_id=lead_id,
                reference=f"DD-{pk}",
                decided_on=created_at.date(),
                value_at_decision=budget or Decimal("50000"),
                threshold_at_decision=Decimal("0"),
            )
        )
        if len(batch) == 5000:
            added += len(ApprovalDecision.objects.bulk_create(batch))
            batch = []
    added += len(ApprovalDecision.objects.bulk_create(batch))
    print(f"bench_open_data: {added:,} approval decisions recorded")
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="Write the files under DIR and keep them.")
    parser.add_argument("--approve", action="store_true", help="Approve every commission past approval first.")
    args = parser.parse_args()
    media = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="commissioner-open-data-"))
    os.environ["COMMISSIONER_MEDIA_ROOT"] = str(media)

    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # no query log kept in memory
    from django.db import connection

    from councils.models import Council
    from monitoring.open_data.nightly import build_all

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    approved = approve_all() if args.approve else 0
    councils = Council.objects.count()
    started_rss = rss_mb()
    first = {}

    def report(build) -> None:
        if not first:
            first.update(rss=rss_mb(), council=build.council, seconds=round(build.seconds, 2))
        done = len(report.builds) + 1
        report.builds.append(build)
        if done % 50 == 0 or done == councils:
            print(f"bench_open_data: {done}/{councils} councils, peak RSS {rss_mb()} MB", flush=True)

    report.builds = []
    try:
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            builds = build_all(report=report)
            seconds = time.perf_counter() - started
    finally:
        if not args.keep:
            shutil.rmtree(media, ignore_errors=True)
    slowest = max(builds, key=lambda build: build.seconds, default=None)
    figures = {
        "councils": len(builds),
        "files": sum(len(build.files) for build in builds),
        "rows": sum(build.rows for build in builds),
        "bytes": sum(build.bytes for build in builds),
        "ocds_releases": sum(build.files.get("ocds.json", {}).get("rows", 0) for build in builds),
        "grants": sum(build.files.get("360giving.csv", {}).get("rows", 0) for build in builds),
        "seconds": round(seconds, 1),
        "slowest_council": {"council": slowest.council, "seconds": round(slowest.seconds, 2)} if slowest else None,
        "statements": statements,
        "approvals_added": approved,
        "rss_after_start_mb": started_rss,
        "peak_rss_after_first_council_mb": first.get("rss"),
        "peak_rss_mb": rss_mb(),
        "target_rss_mb": TARGET_RSS_MB,
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "load_average": [round(n, 2) for n in os.getloadavg()],
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"open-data-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"bench_open_data: {figures['councils']} councils, {figures['files']:,} files, {figures['rows']:,} rows, "
        f"{figures['bytes'] / 1e6:,.1f} MB in {figures['seconds']}s ({figures['statements']:,} statements); "
        f"peak RSS {figures['peak_rss_mb']} MB (after start-up {started_rss} MB, after the first council "
        f"{first.get('rss')} MB)"
    )
    print(f"bench_open_data: figures in {path}")
    if figures["peak_rss_mb"] >= TARGET_RSS_MB:
        print(f"bench_open_data: FAILED: the target is a peak RSS under {TARGET_RSS_MB} MB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
