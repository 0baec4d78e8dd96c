"""The suite's query-count check: a page runs in the same number of queries with 1 row and with 25 rows
of what it lists, and in no more than 30.

    def test_the_list_runs_in_fixed_queries(client_for, council, people):
        create_commission(council)
        assert_same_queries(
            client_for(people[Role.LEAD_COMMISSIONER]),
            reverse("commissioning:list", args=[council.slug]),
            lambda count: [create_commission(council, title=f"More {n}") for n in range(count)],
        )

`add_rows(count)` adds `count` more rows (24, after the test has made the first one) through the
factories. Every measured request is rendered whole: before it, the generations every kept page and
part depends on are changed (as a change to data shared between councils would), so nothing of it
(the page, its kept parts, its shell) comes from the cache, and what the process keeps of the council
and of the person's roles is emptied, so the two counts compare like with like.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from councils import local_kept, page_cache

MOST_QUERIES = 30
ROWS = 25


@contextmanager
def queries_afresh() -> Iterator[CaptureQueriesContext]:
    """`CaptureQueriesContext`, with what the process keeps of councils and people's roles emptied
    first (`councils.local_kept`): a test comparing two counts compares like with like."""
    local_kept.clear()
    with CaptureQueriesContext(connection) as captured:
        yield captured


def count_queries(client, url: str, data: dict | None = None, *, status: int = 200) -> tuple[int, HttpResponse]:
    """Queries one rendered (never cached) GET of `url` takes, and its response (streamed bodies are read
    inside the count, into `response.body`)."""
    page_cache.bump("shared", "listing")
    with queries_afresh() as queries:
        response = client.get(url, data or {})
        response.body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == status, (url, response.status_code)
    assert response.get("X-Page-Cache", "miss") == "miss", f"{url} was served from the page cache"
    return len(queries), response


def assert_same_queries(
    client,
    url: str,
    add_rows: Callable[[int], Any],
    *,
    data: dict | None = None,
    rows: int = ROWS,
    most: int = MOST_QUERIES,
    around: Callable[[], Any] | None = None,
) -> tuple[int, HttpResponse]:
    """Count the queries of `url` as it is (one row), call `add_rows(rows - 1)`, count again: the two counts
    must be equal and at most `most`. `around()` makes a context manager to make both requests in (a fixed
    clock, say). Returns the count and the second response, for the test to check the rows are shown."""
    counts, responses = assert_same_queries_on(
        {url: (client, url, data)}, add_rows, rows=rows, most=most, around=around
    )
    return counts[url], responses[url]


def assert_same_queries_on(
    pages: dict[str, tuple],
    add_rows: Callable[[int], Any],
    *,
    rows: int = ROWS,
    most: int = MOST_QUERIES,
    around: Callable[[], Any] | None = None,
) -> tuple[dict[str, int], dict[str, HttpResponse]]:
    """`assert_same_queries` for several pages at once, each `name: (client, url)` or `(client, url, data)`
    (one client per person: `Client()` and `force_login`), around the same `add_rows`."""
    context = around or nullcontext

    def measure() -> tuple[dict[str, int], dict[str, HttpResponse]]:
        counts, responses = {}, {}
        with context():
            for name, (client, url, *data) in pages.items():
                counts[name], responses[name] = count_queries(client, url, *data)
        return counts, responses

    one, _ = measure()
    add_rows(rows - 1)
    many, responses = measure()
    report(one, many, rows)
    assert many == one, f"queries with 1 row: {one}; with {rows}: {many}"
    assert max(one.values()) <= most, f"more than {most} queries: {one}"
    return one, responses


def assert_same_queries_between(
    client,
    one_url: str,
    many_url: str,
    *,
    data: dict | None = None,
    most: int = MOST_QUERIES,
    around: Callable[[], Any] | None = None,
) -> tuple[int, HttpResponse]:
    """The same check for rows that cannot be added to a page once it exists (the bids of an opportunity
    whose bids are opened): `one_url` shows one row, `many_url` the same page of something with 25."""
    context = around or nullcontext
    with context():
        one, _ = count_queries(client, one_url, data)
        many, response = count_queries(client, many_url, data)
    report({one_url: one}, {many_url: many}, ROWS)
    assert many == one, f"{one_url}: {one} queries with 1 row; {many_url}: {many} with {ROWS}"
    assert one <= most, f"{one_url}: {one} queries, more than {most}"
    return one, response


def report(one: dict, many: dict, rows: int) -> None:
    """With SHOW_QUERY_COUNTS=1 (and pytest -s), print the counts."""
    if os.environ.get("SHOW_QUERY_COUNTS"):
        for (name, count), (other, again) in zip(one.items(), many.items(), strict=True):
            print(f"\nQUERY COUNT {name}: {count} with 1 row; {other}: {again} with {rows}")
