"""EXPLAIN ANALYZE every query the benchmark pages make, and show the ones worth an index.

Renders each page once with the page cache off, captures its SQL, and runs EXPLAIN (ANALYZE, BUFFERS)
on every SELECT. Prints, per page, the slowest queries with their planning and execution times, and
flags any sequential scan of a table holding more than --big rows (the sign of a missing index).

Usage: explain.py TARGETS_JSON [--only NAME,...] [--big 5000] [--top 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_bench")
os.environ["COMMISSIONER_PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from service_time import client_for  # noqa: E402

TIMES = re.compile(r"(Planning|Execution) Time: ([\d.]+) ms")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def table_sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables")
        return dict(cursor.fetchall())


def explain(sql: str) -> tuple[str, float, float]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    times = dict(TIMES.findall(plan))
    return plan, float(times.get("Planning", 0)), float(times.get("Execution", 0))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("targets")
    parser.add_argument("--only", default="")
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print the whole plan of each top query")
    args = parser.parse_args()
    targets = json.load(open(args.targets))  # noqa: SIM115
    wanted = [name for name in args.only.split(",") if name]
    sizes = table_sizes()
    for page in targets["pages"]:
        if "floor" in page["name"] or (wanted and not any(w in page["name"] for w in wanted)):
            continue
        client = client_for(targets, page["user"])
        client.get(page["url"])
        with CaptureQueriesContext(connection) as captured:
            client.get(page["url"])
        rows = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan, planning, execution = explain(sql)
            big_scans = sorted({t for t in SEQ_SCAN.findall(plan) if sizes.get(t, 0) > args.big})
            rows.append((planning + execution, planning, execution, big_scans, sql, plan))
        total = sum(r[0] for r in rows)
        print(f"== {page['name']}: {len(rows)} selects, {total:.1f} ms planning + execution")
        for _, planning, execution, big_scans, sql, plan in sorted(rows, reverse=True)[: args.top]:
            flag = f"  SEQ SCAN {', '.join(big_scans)}" if big_scans else ""
            print(f"   {planning:6.2f} plan {execution:7.2f} exec{flag}\n      {sql if args.plans else sql[:300]}")
            if args.plans:
                print(plan)
        for _, _, _, big_scans, sql, _ in rows:
            if big_scans:
                print(f"   ! seq scan of {', '.join(big_scans)} in: {sql[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
