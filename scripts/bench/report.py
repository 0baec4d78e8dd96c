"""Turn a locust run's CSV statistics and query counts into the benchmark table and JSON.

Usage: report.py STATS_CSV QUERIES_JSON TARGETS_JSON OUT_JSON [LABEL]
Per page: requests/s, p50, p95, p99 (ms), queries per request, and p50/p95 as multiples of the floor's
measured in the same run, against the targets (p50 ≤ 20× floor, p95 ≤ 40× floor, ≤ 30 queries).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime

FLOOR = "floor (bare view)"
P50_LIMIT, P95_LIMIT, QUERY_LIMIT = 20, 40, 30


def main(stats_csv: str, queries_json: str, targets_json: str, out_json: str, label: str = "") -> int:
    queries = json.load(open(queries_json))  # noqa: SIM115
    targets = json.load(open(targets_json))  # noqa: SIM115
    rows = {}
    with open(stats_csv) as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]
            if name in ("Aggregated", "sign in (setup)"):
                continue
            counts = queries.get(name, [])
            rows[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "queries": max(counts) if counts else None,
            }
    floor = rows.get(FLOOR)
    failing = []
    for name, row in rows.items():
        if floor and floor["p50_ms"] and floor["p95_ms"]:
            row["p50_x_floor"] = round(row["p50_ms"] / floor["p50_ms"], 1)
            row["p95_x_floor"] = round(row["p95_ms"] / floor["p95_ms"], 1)
        ok = (
            row["failures"] == 0
            and row.get("p50_x_floor", 0) <= P50_LIMIT
            and row.get("p95_x_floor", 0) <= P95_LIMIT
            and (row["queries"] or 0) <= QUERY_LIMIT
        )
        row["meets_target"] = ok
        if not ok:
            failing.append(name)
    header = f"{'page':34} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'queries':>7} {'p50×':>6} {'p95×':>6}  ok"
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        print(
            f"{name[:34]:34} {row['rps']:7.1f} {row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['p99_ms']:7.0f} "
            f"{row['queries'] if row['queries'] is not None else '-':>7} {row.get('p50_x_floor', 0):6.1f} "
            f"{row.get('p95_x_floor', 0):6.1f}  {'yes' if row['meets_target'] else 'NO'}"
        )
    if targets.get("missing"):
        print(f"not measured (not in this version): {', '.join(targets['missing'])}")
    result = {
        "label": label,
        "measured_at": datetime.now(UTC).isoformat(),
        "targets": {"p50_x_floor": P50_LIMIT, "p95_x_floor": P95_LIMIT, "queries": QUERY_LIMIT},
        "pages": rows,
        "not_measured": targets.get("missing", []),
        "failing": failing,
    }
    with open(out_json, "w") as handle:
        json.dump(result, handle, indent=2)
    print(f"written {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
