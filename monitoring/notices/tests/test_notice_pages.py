"""The notice pages: the council's notices (due, overdue, published; filtered; paginated in fixed
queries), one notice in words with its history and the person's steps, recording its publication, the
reasons for not needed and needed after all, the release package download, and the commission page's
section. Readers are the notice readers; another council's notice is a 404."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from councils.models import Role
from monitoring.models import Notice, NoticeState
from monitoring.notices import ocds
from monitoring.notices.selectors import commission_notices_section
from monitoring.tests.notice_factories import advertised_notice, more_drafts, ready
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def list_url(council, **query) -> str:
    url = reverse("monitoring:notice_list", args=[council.slug])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def step_url(notice, name: str) -> str:
    return reverse("monitoring:notice_step", args=[notice.council.slug, notice.pk, name])


def publish_url(notice) -> str:
    return reverse("monitoring:notice_publish", args=[notice.council.slug, notice.pk])


def titles(response) -> set[str]:
    return {notice.title for notice in response.context["page_obj"]}


@pytest.fixture
def three(council, people):
    """A tender notice due today, one ten days overdue (advertised then, never published) and one
    published; each commission also has its optional planned procurement notice (UK3), never due."""
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        overdue = advertised_notice(council, title="Befriending for older people")
    return {
        "due": advertised_notice(council, title="Youth work in the rural wards"),
        "overdue": overdue,
        "published": advertised_notice(council, title="Debt advice", state="published"),
    }


# ---- The council's notices page ----------------------------------------------------------------------


def test_the_notices_page_shows_what_is_due_overdue_and_published(client_for, council, people, three):
    client = client_for(people[Role.SCRUTINY_MEMBER])
    response = client.get(list_url(council))
    assert response.context["counts"] == {"due": 2, "may_publish": 3, "overdue": 1, "published": 1, "not_needed": 0}
    rows = list(response.context["page_obj"])
    # What is still to publish comes first, the overdue one leading, those with no due day after them;
    # the published one last.
    assert [n.pk for n in rows[:2]] == [three["overdue"].pk, three["due"].pk]
    assert [n.optional for n in rows[2:5]] == [True, True, True]
    assert rows[5].pk == three["published"].pk
    assert [n.is_overdue for n in rows] == [True, False, False, False, False, False]
    body = response.content.decode()
    assert body.count("govuk-tag--red") == 1
    assert three["published"].fat_identifier in body
    assert three["due"].due_rule in body
    assert reverse("commissioning:detail", args=[council.slug, three["due"].commission_id]) in body

    assert titles(client.get(list_url(council, state="overdue"))) == {three["overdue"].title}
    assert titles(client.get(list_url(council, state="published"))) == {three["published"].title}
    assert titles(client.get(list_url(council, state="due"))) == {three["due"].title, three["overdue"].title}
    assert len(titles(client.get(list_url(council, notice_type="UK4")))) == 3
    assert titles(client.get(list_url(council, notice_type="UK6"))) == set()


def test_the_notices_page_runs_in_fixed_queries_and_pages_by_25(client_for, council, people):
    notice = advertised_notice(council)
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    _, response = assert_same_queries(client, list_url(council), lambda count: more_drafts(notice, count))
    assert len(response.context["page_obj"]) == 25
    more_drafts(notice, 5)
    total = Notice.objects.filter(council=council).count()  # with the commission's optional UK3
    second = client.get(list_url(council, page=2))
    assert (second.context["page_obj"].number, len(second.context["page_obj"])) == (2, total - 25)
    assert second.context["page_obj"].paginator.count == total


def test_the_notices_page_is_for_the_notice_readers(client_for, council, people, three):
    url = list_url(council)
    assert client_for(people[Role.PORTFOLIO_HOLDER]).get(url).status_code == 403
    assert client_for(people["provider_admin"]).get(url).status_code == 403
    other = client_for(people["other_council_officer"]).get(url)
    assert other.status_code == 403
    assert client_for(people[Role.COUNCIL_ADMIN]).get(url).context["counts"]["due"] == 2


# ---- One notice ------------------------------------------------------------------------------------


def test_a_notice_page_says_what_it_is_when_it_is_due_and_what_the_officer_may_do(client_for, council, people):
    notice = advertised_notice(council)
    response = client_for(people[Role.PROCUREMENT_OFFICER]).get(notice.get_absolute_url())
    body = response.content.decode()
    assert "UK4 tender notice" in body
    assert notice.due_rule in body
    assert "Starts an open or competitive flexible procedure" in body  # the kind's purpose
    assert ("Title", "Youth work in the rural wards") in response.context["summary"]["release"]
    assert [s["name"] for s in response.context["steps"]] == ["mark_ready", "set_aside"]
    assert step_url(notice, "mark-ready") in body
    assert response.context["publish_form"] is None  # a draft is not published
    assert reverse("monitoring:notice_download", args=[council.slug, notice.pk]) in body


def test_a_step_blocked_by_its_gate_lists_what_is_missing(client_for, council, people, monkeypatch):
    notice = advertised_notice(council)
    monkeypatch.setattr(ocds, "release_errors", lambda release: ["tender/value: not a number"])
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    body = client.get(notice.get_absolute_url()).content.decode()
    assert "Before you can mark as ready to publish:" in body
    assert "Correct the records behind it: tender/value: not a number" in body
    assert step_url(notice, "mark-ready") not in body
    response = client.post(step_url(notice, "mark-ready"), {"from_state": "draft"})
    assert "tender/value: not a number" in response.content.decode()
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT


def test_mark_ready_then_publish_with_the_form_and_the_history_shows_it_newest_first(client_for, council, people):
    notice = advertised_notice(council)
    client = client_for(people[Role.PROCUREMENT_OFFICER])
    response = client.post(step_url(notice, "mark-ready"), {"from_state": "draft"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY

    page = client.get(notice.get_absolute_url())
    assert page.context["publish_form"] is not None
    assert f'action="{publish_url(notice)}"' in page.content.decode()
    today = timezone.localdate()
    refused = client.post(
        publish_url(notice),
        {"from_state": "ready", "fat_identifier": "UK4 please", "published_on": today.strftime("%d/%m/%Y")},
    )
    assert "Enter the identifier as Find a Tender shows it" in refused.content.decode()
    tomorrow = client.post(
        publish_url(notice),
        {
            "from_state": "ready",
            "fat_identifier": "012345-2026",
            "published_on": (today + timedelta(days=1)).strftime("%d/%m/%Y"),
        },
    )
    assert "cannot be in the future" in tomorrow.content.decode()
    notice.refresh_from_db()
    assert notice.state == NoticeState.READY

    done = client.post(
        publish_url(notice),
        {"from_state": "ready", "fat_identifier": "012345-2026", "published_on": today.strftime("%d/%m/%Y")},
    )
    assert done.status_code == 302
    notice.refresh_from_db()
    assert (notice.state, notice.fat_identifier, notice.published_on) == (NoticeState.PUBLISHED, "012345-2026", today)
    page = client.get(notice.get_absolute_url())
    history = page.context["history"]
    assert [entry.what for entry in history] == [
        "Record it as published",
        "Mark as ready to publish",
        "The records called for it",
    ]
    assert history[0].details == "Find a Tender identifier 012345-2026"
    assert "012345-2026" in page.content.decode()
    assert page.context["steps"] == []


def test_not_needed_and_needed_after_all_keep_their_reasons(client_for, council, people):
    notice = advertised_notice(council)
    client = client_for(people[Role.LEGAL_OFFICER])
    missing = client.post(step_url(notice, "set-aside"), {"from_state": "draft", "reason": ""})
    assert "Give a reason" in missing.content.decode()
    client.post(step_url(notice, "set-aside"), {"from_state": "draft", "reason": "Advertised under a framework"})
    notice.refresh_from_db()
    assert (notice.state, notice.not_needed_reason) == (NoticeState.NOT_NEEDED, "Advertised under a framework")
    page = client.get(notice.get_absolute_url())
    assert "Advertised under a framework" in page.content.decode()
    assert [s["name"] for s in page.context["steps"]] == ["restore"]
    client.post(step_url(notice, "restore"), {"from_state": "not_needed", "reason": "The framework lapsed"})
    notice.refresh_from_db()
    assert (notice.state, notice.not_needed_reason) == (NoticeState.DRAFT, "")
    assert client.get(notice.get_absolute_url()).context["history"][0].reason == "The framework lapsed"


def test_readers_read_officers_step_and_outsiders_get_nothing(client_for, council, people, other_council):
    notice = advertised_notice(council)
    scrutiny = client_for(people[Role.SCRUTINY_MEMBER]).get(notice.get_absolute_url())
    assert scrutiny.status_code == 200
    assert scrutiny.context["steps"] == []
    assert "There is nothing for you to do on this notice now." in scrutiny.content.decode()
    # The UK4 is prepared by the notice officers, not the finance officer (who reads it).
    assert client_for(people[Role.FINANCE_OFFICER]).get(step_url(notice, "mark-ready")).status_code == 403
    assert client_for(people[Role.SCRUTINY_MEMBER]).post(step_url(notice, "mark-ready"), {}).status_code == 403
    for outsider in ("provider_admin", "other_council_officer", "no_role", Role.PORTFOLIO_HOLDER):
        client = client_for(people[outsider])
        assert client.get(notice.get_absolute_url()).status_code == 404, outsider
        assert client.get(step_url(notice, "mark-ready")).status_code == 404, outsider
    # Another council's notice under this council's address is not found, even by its own officers.
    elsewhere = reverse("monitoring:notice_detail", args=[other_council.slug, notice.pk])
    assert client_for(people["other_council_officer"]).get(elsewhere).status_code == 404
    # Publishing is internal to its own page; a ready notice's publish page is the notice officers'.
    assert client_for(people[Role.PROCUREMENT_OFFICER]).get(step_url(notice, "publish")).status_code == 404
    ready(notice)
    assert client_for(people[Role.FINANCE_OFFICER]).get(publish_url(notice)).status_code == 403
    assert client_for(people[Role.COMMISSIONING_OFFICER]).get(publish_url(notice)).status_code == 200


def test_the_notice_downloads_as_an_ocds_release_package(client_for, council, people):
    notice = advertised_notice(council)
    response = client_for(people[Role.SCRUTINY_MEMBER]).get(
        reverse("monitoring:notice_download", args=[council.slug, notice.pk])
    )
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{council.slug}-UK4-{notice.pk}-draft.json"'
    package = json.loads(response.content)
    assert package["releases"] == [notice.data]
    assert ocds.release_errors(package["releases"][0]) == []
    assert package["uri"].endswith(f"/notices/{notice.pk}/release-package.json")
    assert any("ocds_uk_extension" in url for url in package["extensions"])


# ---- The commission page --------------------------------------------------------------------------------


def test_the_commission_page_lists_its_notices(client_for, council, people):
    notice = advertised_notice(council)
    response = client_for(people[Role.PROCUREMENT_OFFICER]).get(notice.commission.get_absolute_url())
    body = response.content.decode()
    assert 'id="notices"' in body
    assert notice.get_absolute_url() in body
    assert response.context["notices_section"]["open"] == 1  # the UK4; the UK3 is optional
    # Someone who reads the commission but not the notices (a portfolio holder) gets no section.
    assert commission_notices_section(notice.commission, people[Role.PORTFOLIO_HOLDER]) == {
        "notices": [],
        "may_read": False,
    }
