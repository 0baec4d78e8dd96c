"""Time each benchmark page one request at a time, in-process, under production settings.

The load run measures pages on a saturated server, where queueing dominates and the floor itself
waits; this measures what a request costs when nothing else is running: the full middleware stack,
templates from the cached loader, no network. Each page is requested `--repeat` times after
`--warm` untimed requests (so per-process caches are as they would be on a long-running worker).

Usage: service_time.py TARGETS_JSON [--repeat 20] [--warm 3] [--only NAME,...] [--profile NAME]
           [--profile-out FILE] [--page-miss] [--after-change FAMILY] [--json OUT]
--page-miss gives every timed request a URL of its own, so the per-person page cache always misses
while what is kept of the page's parts is used: the shared filter forms, and the parts kept by the
families of data they show (someone's first look at a page after a change to data it does not show).
--after-change FAMILY (with --page-miss) also changes that family of the benchmark council's data
before every timed request (`monitoring.returns`: a return sent), so every part showing it renders
again: the first look after that change.
--profile prints the 30 most expensive functions (cumulative) for the named page instead (with
--page-miss, of its page-cache misses); --profile-out also keeps the whole profile in FILE, for pstats
or snakeviz.
Every page's p50× and p95× are against the bare floor's median measured just before and just after
that page (its "floor" column): the machine's speed drifts within a run, and one floor measured at
the start would set every later page against a different machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_bench")

import django  # noqa: E402

django.setup()

from config.workers import settle  # noqa: E402

# As a gunicorn worker does once it has loaded the app (config/gunicorn_conf.py).
settle()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from councils import page_cache  # noqa: E402
from councils.models import User  # noqa: E402

FLOOR = "floor (bare view)"
FLOOR_SAMPLES = 100
# Each run's page-miss URLs are its own: a page kept by an earlier run (the public list is kept for
# everyone signed out, with no CSRF cookie in its key) would otherwise be served from the cache.
RUN = f"{os.getpid()}-{time.time_ns()}"


def client_for(targets: dict, user: str) -> Client:
    # One of the benchmark's allowed hosts (production settings refuse the test client's "testserver").
    client = Client(HTTP_HOST="localhost")
    if user != "anonymous":
        client.force_login(User.objects.get(email=targets["users"][user]))
    return client


def miss_url(url: str, tag) -> str:
    """`url` with a query of this run's own: a page-cache miss (the parts it keeps, kept)."""
    return f"{url}{'&' if '?' in url else '?'}bench_miss={RUN}-{tag}"


def time_page(client: Client, url: str, repeat: int, warm: int, page_miss: bool = False, change=None) -> dict:
    response = client.get(url)  # the page itself, kept in the page cache
    # Warmed the way it is timed: a page-miss run's first timed request must not be the first of the
    # process to render (a page kept by an earlier run is served to a new client without a CSRF cookie).
    for n in range(warm):
        response = client.get(miss_url(url, f"warm{n}") if page_miss else url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for n in range(repeat):
        if change:
            change()
        started = time.perf_counter()
        client.get(miss_url(url, n) if page_miss else url)
        timings.append((time.perf_counter() - started) * 1000)
    sql_seconds = 0.0

    def timed(execute, sql, params, many, context):
        nonlocal sql_seconds
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds += time.perf_counter() - started

    if change:
        change()
    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
        client.get(miss_url(url, "counted") if page_miss else url)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 2),
        "queries": len(queries),
        "sql_ms": round(sql_seconds * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("targets")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", default="")
    parser.add_argument("--profile-out", default="")
    parser.add_argument("--page-miss", action="store_true")
    parser.add_argument("--after-change", default="")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    targets = json.load(open(args.targets))  # noqa: SIM115
    pages = targets["pages"]
    if args.profile:
        page = next(p for p in pages if args.profile in p["name"])
        client = client_for(targets, page["user"])
        for _ in range(args.warm):
            client.get(page["url"])
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(args.repeat):
            client.get(miss_url(page["url"], n) if args.page_miss else page["url"])
        profiler.disable()
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return 0
    change = None
    if args.after_change:
        args.page_miss = True

        def change() -> None:
            page_cache.bump_council(targets["council"], args.after_change)

    wanted = [name for name in args.only.split(",") if name]
    floor_page = next(page for page in pages if page["name"] == FLOOR)
    floor_client = client_for(targets, floor_page["user"])

    def floor_now() -> float:
        """The floor's median just now: the machine's speed drifts within a run (the same bare view
        takes 0.2 ms for a while, then 0.45 ms), so each page is set against the floor measured on
        either side of it rather than once at the start."""
        return time_page(floor_client, floor_page["url"], FLOOR_SAMPLES, 0)["p50_ms"]

    results = {}
    for page in pages:
        if wanted and page["name"] != FLOOR and not any(w in page["name"] for w in wanted):
            continue
        # The floors take a few tenths of a millisecond: ten times the samples.
        times = 10 if page["name"].startswith("floor") else 1
        client = client_for(targets, page["user"])
        repeat, warm = args.repeat * times, args.warm * times
        before = floor_now()
        results[page["name"]] = time_page(client, page["url"], repeat, warm, args.page_miss, change)
        results[page["name"]]["floor_ms"] = round((before + floor_now()) / 2, 3)
    columns = ("p50", "p95", "queries", "sql ms", "floor", "p50×", "p95×")
    header = f"{'page (one request at a time)':34} " + " ".join(f"{column:>7}" for column in columns)
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        # Both against the floor's median: its p95 is one slow request among few.
        row["p50_x_floor"] = round(row["p50_ms"] / row["floor_ms"], 1)
        row["p95_x_floor"] = round(row["p95_ms"] / row["floor_ms"], 1)
        print(
            f"{name[:34]:34} {row['p50_ms']:7.1f} {row['p95_ms']:7.1f} {row['queries']:7} {row['sql_ms']:7.1f} "
            f"{row['floor_ms']:7.2f} {row['p50_x_floor']:7.1f} {row['p95_x_floor']:7.1f}"
        )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
