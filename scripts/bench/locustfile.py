"""Locust load for `make bench`: concurrent signed-in sessions, one user class per kind of person.

Reads the targets file written by `scripts/bench/targets.py` (BENCH_TARGETS) and writes the query count
of every response, per page, to BENCH_QUERIES when the run stops.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict

from locust import FastHttpUser, between, events, task

TARGETS = json.load(open(os.environ["BENCH_TARGETS"]))  # noqa: SIM115
QUERIES: dict[str, list[int]] = defaultdict(list)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# How many of the 8 sessions each kind of person gets.
SESSIONS = {
    "anonymous": 2,
    "commissioning_officer": 2,
    "lead_commissioner": 1,
    "portfolio_holder": 1,
    "scrutiny_member": 1,
    "provider": 1,
}


class Session(FastHttpUser):
    abstract = True
    wait_time = between(0, 0.05)
    kind = "anonymous"
    pages: list[dict] = []

    def on_start(self):
        if self.kind == "anonymous":
            return
        page = self.client.get("/sign-in/", name="sign in (setup)")
        token = CSRF.search(page.text).group(1)
        response = self.client.post(
            "/sign-in/",
            data={
                "username": TARGETS["users"][self.kind],
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.host + "/sign-in/"},
            name="sign in (setup)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"Sign-in failed for {self.kind}: {response.status_code}")

    def visit(self, page: dict) -> None:
        with self.client.get(page["url"], name=page["name"], catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            count = response.headers.get("X-Query-Count")
            if count is not None:
                QUERIES[page["name"]].append(int(count))


def _session_class(kind: str, pages: list[dict]) -> type[Session]:
    @task
    def visit_any(self):
        self.visit(pages[self._next % len(pages)])
        self._next += 1

    def on_start(self):
        self._next = 0
        Session.on_start(self)

    return type(
        f"Session_{kind}",
        (Session,),
        {"kind": kind, "pages": pages, "fixed_count": SESSIONS[kind], "tasks": [visit_any], "on_start": on_start},
    )


for _kind in SESSIONS:
    _pages = [page for page in TARGETS["pages"] if page["user"] == _kind]
    if _pages and (_kind == "anonymous" or _kind in TARGETS["users"]):
        globals()[f"Session_{_kind}"] = _session_class(_kind, _pages)


@events.test_stop.add_listener
def write_queries(environment, **kwargs):
    with open(os.environ["BENCH_QUERIES"], "w") as handle:
        json.dump(QUERIES, handle)
