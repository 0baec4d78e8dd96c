"""The HTTP checks of `make bench-cluster` (scripts/bench_cluster.sh): load on every web server, the
replica serving the read-only pages, and the app serving when the replica has stopped.

Standard library only (it runs under the app's .venv without Django): each session signs in like a
browser (cookie jar, CSRF token) and requests the pages `scripts/bench/targets.py` chose for its kind of
person. Prints a PASS or FAIL line per check and exits 1 on any FAIL.

    cluster.py load TARGETS URL [URL ...] [--seconds 20] [--sessions 4]
    cluster.py replica TARGETS URL [URL ...] --replica-dsn DSN
    cluster.py survive TARGETS URL [URL ...]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER = "X-Commissioner-Database"
PIN_COOKIE = "commissioner_primary"
# The target pages councils.replicas.READ_ONLY_PAGES covers, by the names targets.py gives them.
READ_ONLY = ("public opportunities", "dashboard:", "CSV export")
# Public pages (not in targets.py) that are declared read-only too: open data and the contract register.
EXTRA_READ_ONLY = ("/open-data/", "/monitoring/register/", "/opportunities/forward-plan/")


def is_read_only(name: str) -> bool:
    return any(name.startswith(prefix) for prefix in READ_ONLY)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http on loopback)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def sign_in(self, email: str, password: str) -> None:
        status, _, page = self.request("/sign-in/")
        token = CSRF.search(page.decode()).group(1)
        status, _, _ = self.request(
            "/sign-in/", {"username": email, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise RuntimeError(f"sign-in failed for {email}: HTTP {status}")

    def forget_pin(self) -> None:
        """As if the few seconds after a change had passed: reads may go to a replica again."""
        for cookie in list(self.jar):
            if cookie.name == PIN_COOKIE:
                self.jar.clear(cookie.domain, cookie.path, cookie.name)


def browser_for(base: str, kind: str, targets: dict) -> Browser:
    browser = Browser(base)
    if kind != "anonymous":
        browser.sign_in(targets["users"][kind], targets["password"])
    return browser


def kinds(targets: dict) -> list[str]:
    return sorted(
        {page["user"] for page in targets["pages"] if page["user"] in targets["users"] or page["user"] == "anonymous"}
    )


def verdict(ok: bool, label: str, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}: {label}: {detail}", flush=True)
    return ok


def load(args, targets: dict) -> bool:
    """Every kind of person on every server at once, for a fixed time; any non-200 is an error."""
    results: dict[str, dict] = {server: {"times": [], "statuses": Counter(), "errors": []} for server in args.servers}
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def session(server: str, kind: str, offset: int) -> None:
        result = results[server]
        try:
            browser = browser_for(server, kind, targets)
        except Exception as error:  # noqa: BLE001 (reported as a failure)
            with lock:
                result["errors"].append(f"{kind}: {error}")
            return
        pages = [page for page in targets["pages"] if page["user"] == kind]
        n = offset
        while time.monotonic() < stop_at:
            page = pages[n % len(pages)]
            n += 1
            started = time.monotonic()
            try:
                status, _, _ = browser.request(page["url"])
            except Exception as error:  # noqa: BLE001
                with lock:
                    result["errors"].append(f"{page['name']}: {error}")
                continue
            with lock:
                result["times"].append((time.monotonic() - started) * 1000)
                result["statuses"][status] += 1
                if status != 200:
                    result["errors"].append(f"{page['name']}: HTTP {status}")

    threads = []
    every_kind = kinds(targets)
    for server in args.servers:
        for s in range(args.sessions):
            kind = every_kind[s % len(every_kind)]
            threads.append(threading.Thread(target=session, args=(server, kind, s), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = True
    for server, result in results.items():
        times = sorted(result["times"])
        count = len(times)
        p50 = statistics.median(times) if times else 0
        p95 = times[int(count * 0.95) - 1] if count >= 20 else (times[-1] if times else 0)
        detail = (
            f"{server}: {count} requests in {args.seconds} s ({count / args.seconds:.1f}/s), "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, statuses {dict(result['statuses'])}, errors {len(result['errors'])}"
        )
        if result["errors"]:
            detail += f" (first: {result['errors'][0]})"
        ok &= verdict(count > 0 and not result["errors"], "load", detail)
    return ok


def replica_stats(dsn: str) -> tuple[int, int]:
    import psycopg2

    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        if not cursor.fetchone()[0]:
            raise RuntimeError("the replica DSN names a server that is not in recovery (not a standby)")
        cursor.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()


def replica(args, targets: dict) -> bool:
    """Which database each page read from (the middleware's header), and the replica's own counters."""
    ok = True
    before = replica_stats(args.replica_dsn)
    routed: Counter = Counter()
    wrong: list[str] = []
    for server in args.servers:
        for kind in kinds(targets):
            browser = browser_for(server, kind, targets)
            if kind != "anonymous":
                # Just signed in (a POST): this browser reads its own writes from the primary for a while.
                dashboard = next((p for p in targets["pages"] if p["user"] == kind and is_read_only(p["name"])), None)
                if dashboard:
                    status, headers, _ = browser.request(dashboard["url"])
                    pinned = headers.get(HEADER)
                    if status != 200 or pinned != "default":
                        wrong.append(f"{dashboard['name']} just after signing in: {status} {pinned}")
                browser.forget_pin()
            pages = [(p["name"], p["url"]) for p in targets["pages"] if p["user"] == kind]
            if kind == "anonymous":
                pages += [(f"public {path}", path) for path in EXTRA_READ_ONLY]
            for name, url in pages:
                status, headers, _ = browser.request(url)
                alias = headers.get(HEADER, "")
                expected_replica = is_read_only(name) or name.startswith("public /")
                if status != 200 or alias.startswith("replica_") != expected_replica:
                    wrong.append(f"{name} ({url}): HTTP {status}, read from {alias or 'nothing'}")
                routed[alias] += 1
    ok &= verdict(
        not wrong,
        "replica routing",
        f"declared read-only pages answered from a replica, all others and the pages just after signing in from "
        f"the primary ({dict(routed)})" + (f"; wrong: {wrong[:5]}" if wrong else ""),
    )
    # Each backend reports its counters when it goes idle (at most every 10 s): wait for them.
    deadline = time.monotonic() + 20
    after = replica_stats(args.replica_dsn)
    while after[0] <= before[0] and time.monotonic() < deadline:
        time.sleep(1)
        after = replica_stats(args.replica_dsn)
    ok &= verdict(
        after[0] > before[0] and after[1] > before[1],
        "replica serving",
        f"the standby's pg_stat_database went from {before[0]} to {after[0]} transactions and from {before[1]} to "
        f"{after[1]} rows read while the pages were requested",
    )
    return ok


def survive(args, targets: dict) -> bool:
    """With the replica stopped: every page, read-only ones included, still answers 200 from the primary."""
    statuses: Counter = Counter()
    aliases: Counter = Counter()
    wrong: list[str] = []
    for server in args.servers:
        for kind in kinds(targets):
            browser = browser_for(server, kind, targets)
            browser.forget_pin()
            pages = [(p["name"], p["url"]) for p in targets["pages"] if p["user"] == kind]
            if kind == "anonymous":
                pages += [(f"public {path}", path) for path in EXTRA_READ_ONLY]
            # Twice round: every gunicorn worker meets the stopped replica, then remembers it is down.
            for _round in range(args.rounds):
                for name, url in pages:
                    started = time.monotonic()
                    status, headers, _ = browser.request(url)
                    statuses[status] += 1
                    aliases[headers.get(HEADER, "")] += 1
                    if status != 200:
                        wrong.append(f"{name}: HTTP {status}")
                    elif headers.get(HEADER, "").startswith("replica_"):
                        wrong.append(f"{name}: read from the stopped {headers.get(HEADER)}")
                    elif time.monotonic() - started > 10:
                        wrong.append(f"{name}: took {time.monotonic() - started:.1f} s")
    read_only = sum(1 for p in targets["pages"] if is_read_only(p["name"])) + len(EXTRA_READ_ONLY)
    return verdict(
        not wrong,
        "replica stopped",
        f"{sum(statuses.values())} requests on {len(args.servers)} servers ({read_only} read-only pages among them, "
        f"{args.rounds} rounds): statuses {dict(statuses)}, read from {dict(aliases)}"
        + (f"; wrong: {wrong[:5]}" if wrong else ""),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=["load", "replica", "survive"])
    parser.add_argument("targets")
    parser.add_argument("servers", nargs="+")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--sessions", type=int, default=4, help="concurrent sessions per server")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--replica-dsn", default="")
    args = parser.parse_args()
    with open(args.targets) as handle:
        targets = json.load(handle)
    ok = {"load": load, "replica": replica, "survive": survive}[args.check](args, targets)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
