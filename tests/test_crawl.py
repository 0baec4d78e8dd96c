"""The crawl: every demo user (and a superuser) follows the links from their home page, and no page
answers with a server error.

On the demo data (seeded once per test process), each person signs in and follows same-origin GET
links breadth-first from `/` (the superuser from `/admin/` too). To stay near a minute on SQLite,
each kind of page (URL name and query keys) is opened once by the people holding the same roles (the
second council's lead commissioner goes on where the first stopped), up to `PAGES_PER_PERSON` pages
each; downloads (files, exports, open-data packages) and signing out are left out. Another
council's, organisation's or sealed page may rightly answer 403 or 404: only a 5xx (or an
exception) fails.
"""

from __future__ import annotations

import traceback
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from councils.models import Council, User
from councils.tests.factories import UserFactory
from tests.accounts import sign_in_verified

pytestmark = pytest.mark.django_db

PAGES_PER_PERSON = 15
SUPERUSER_PAGES = 250
# URL names (or parts of them) that download a file, start an export or sign out.
NOT_FOLLOWED = ("logout", "download", "export", "document", "pdf", "csv", "json", "xlsx", "ocds", "360giving")
NOT_FOLLOWED_PREFIXES = ("/static/", "/media/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(page: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(f"http://testserver{base}", href))
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def kind_of(url: str) -> tuple | None:
    """What sort of page a URL is (its URL name and query keys), or None if it is not followed."""
    parts = urlsplit(url)
    if parts.path.startswith(NOT_FOLLOWED_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("unresolved", parts.path)
    name = match.view_name
    if any(word in name for word in NOT_FOLLOWED):
        return None
    return name, frozenset(key for key, _ in parse_qsl(parts.query))


def crawl(client, user, seen_kinds: set, start=("/",), limit=PAGES_PER_PERSON) -> tuple[int, list[str]]:
    """Pages opened for `user` (skipping kinds in `seen_kinds`, which grows), and what went wrong."""
    # Signed in as far as the person can be (a code from their app too): the demo councils require
    # two-factor sign-in, and a crawl stopped at the code page would prove nothing.
    sign_in_verified(client, user)
    home = client.get("/")
    assert not (home.status_code == 302 and home.url.startswith("/account/")), user.email
    queue = deque(start)
    queued = set(start)
    opened, failures = 0, []
    while queue and opened < limit:
        url = queue.popleft()
        kind = kind_of(url)
        # Each person's own home page is always opened: it is where their links start.
        if kind is None or (kind in seen_kinds and url not in start):
            continue
        seen_kinds.add(kind)
        try:
            response = client.get(url)
        except Exception:  # noqa: BLE001 — the crawl reports every failure, not the first
            failures.append(f"{user.email} {url}: {traceback.format_exc(limit=-3)}")
            continue
        opened += 1
        if response.status_code >= 500:
            failures.append(f"{user.email} {url}: {response.status_code}")
        if response.status_code in (301, 302, 303):
            found = links_of(f'<a href="{response["Location"]}"></a>', url)
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            found = links_of(response.content.decode(), url)
        else:
            continue
        for link in found:
            if link not in queued:
                queued.add(link)
                queue.append(link)
    return opened, failures


def roles_of(user) -> tuple:
    return (
        tuple(sorted(set(user.memberships.values_list("role", flat=True)))),
        user.organisation_memberships.exists(),
    )


def test_every_demo_user_follows_the_links_from_home_without_a_server_error(demo_data, client):
    people = list(User.objects.filter(is_active=True).order_by("email"))
    assert len(people) > 40
    seen_by_roles: dict[tuple, set] = {}
    pages, failures = 0, []
    for person in people:
        opened, wrong = crawl(client, person, seen_by_roles.setdefault(roles_of(person), set()))
        assert opened >= 1, person.email
        pages += opened
        failures += wrong
    # The superuser holds no council role, so their home lists no council: they start from each
    # council's page and dashboard (typed in, or linked from the admin) as well as the admin.
    root = UserFactory(email="root@commissioner.example", is_staff=True, is_superuser=True)
    councils = [
        reverse(name, kwargs={"council_slug": slug})
        for slug in Council.objects.order_by("slug").values_list("slug", flat=True)
        for name in ("councils:detail", "monitoring:dashboard")
    ]
    opened, wrong = crawl(client, root, set(), start=("/", "/admin/", *councils), limit=SUPERUSER_PAGES)
    pages += opened
    failures += wrong
    print(f"crawl: {len(people) + 1} people, {pages} pages")  # noqa: T201 — the count, for the record
    assert failures == []
