"""What the role journeys share: who was told what during a journey, signing people in and out, and
opening a notification the way its recipient would."""

from __future__ import annotations

import re

from councils.models import Notification
from demo.councils import DEMO_PASSWORD

from .browser import end_session, sign_in

COUNCIL = "kirkby-moor"
SCALE = {0: "Unacceptable", 1: "Poor", 2: "Weak", 3: "Satisfactory", 4: "Good", 5: "Excellent"}


class Journey:
    """What one journey made people hear: every notification written since it began."""

    def __init__(self, name: str):
        self.name = name
        self.since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def notifications(self):
        return Notification.objects.filter(pk__gt=self.since).select_related("user").order_by("pk")

    def told(self, email: str, url: str) -> Notification:
        """The notification `email` got, linking to `url` (a path), since the journey began."""
        found = [n for n in self.notifications() if n.user.email == email and n.url == url]
        assert found, f"{email} was not told (link {url}); told: {self.table()}"
        return found[-1]

    def not_told(self, email: str) -> None:
        assert not [n for n in self.notifications() if n.user.email == email], self.table()

    def table(self) -> list[tuple[str, str, str, str]]:
        return [(n.user.email, n.kind, n.title, n.url) for n in self.notifications()]

    def print(self) -> None:
        print(f"\nNotifications made by the journey of the {self.name}:")  # noqa: T201 — the record, with -s
        for row in self.table() or [("(none)", "", "", "")]:
            print("  " + " | ".join(row))  # noqa: T201


def pass_to(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign out whoever is signed in, and sign `email` in."""
    if page.get_by_role("button", name="Sign out").count():
        end_session(page)
    sign_in(page, email, password)


def as_person(page, email: str, heading: str) -> None:
    """Pass to `email` (a demo person) and wait for their landing page's heading."""
    pass_to(page, email)
    page.get_by_role("heading", name=heading, level=1).wait_for()


def open_notification(page, notification: Notification) -> None:
    """From any page: the header's Notifications link, then the notification, to the page it links."""
    page.get_by_role("link", name=re.compile(r"^Notifications")).first.click()
    page.get_by_role("heading", name="Notifications", level=1).wait_for()
    page.get_by_role("link", name=notification.title, exact=True).first.click()
    page.wait_for_url(lambda url: url.split("?")[0].endswith(notification.url))
