"""The per-person page cache: served again only while nothing it shows has changed, never to someone
else, never past a permission check, never swallowing a message."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.cycle.filters import CommissionFilterForm
from commissioning.tests.factories import create_commission
from councils import local_kept, page_cache
from councils.models import Membership, Notification, ReminderKind, Role, User
from councils.permissions import forget_roles, roles_in
from councils.tests.factories import OutcomeFactory
from providers.rules import organisation_roles
from providers.tests.factories import OrganisationMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 60


def commission_list(council) -> str:
    return reverse("commissioning:list", args=[council.slug])


def seen(client, url) -> None:
    """Look at a page as a browser does: the first visit gets the CSRF cookie, the page is then kept."""
    get(client, url)
    get(client, url)


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_look_is_served_from_the_cache_with_fewer_queries(client_for, council, people):
    client = client_for(people["lead_commissioner"])
    get(client, commission_list(council))  # sets the CSRF cookie: a page is kept per CSRF cookie
    first, first_queries = get(client, commission_list(council))
    again, again_queries = get(client, commission_list(council))
    assert first["X-Page-Cache"] == "miss"
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again_queries < first_queries


def test_a_change_in_the_council_shows_at_once(client_for, council, people):
    client = client_for(people["lead_commissioner"])
    get(client, commission_list(council))
    create_commission(council, title="Warm spaces for winter")
    response, _ = get(client, commission_list(council))
    assert response["X-Page-Cache"] == "miss"
    assert "Warm spaces for winter" in response.content.decode()


def test_a_change_in_another_council_keeps_the_page(client_for, council, other_council, people):
    client = client_for(people["lead_commissioner"])
    seen(client, commission_list(council))
    # (The other council's own officer: a new person is a change everyone's pages may show.)
    create_commission(other_council, title="Otherton's own commission", officer=people["other_council_officer"])
    response, _ = get(client, commission_list(council))
    assert response["X-Page-Cache"] == "hit"


def test_nobody_is_served_someone_elses_page(client, council, people):
    client.force_login(people["lead_commissioner"])
    get(client, commission_list(council))
    client.force_login(people["commissioning_officer"])
    response, _ = get(client, commission_list(council))
    assert response["X-Page-Cache"] == "miss"


def test_losing_a_role_ends_access_to_a_cached_page(client_for, council, people):
    officer = people["commissioning_officer"]
    client = client_for(officer)
    get(client, commission_list(council))
    Membership.objects.filter(user=officer, council=council).delete()
    assert client.get(commission_list(council)).status_code == 403


def test_signing_in_does_not_empty_the_cache(client_for, council, people):
    lead = people["lead_commissioner"]
    client = client_for(lead)
    seen(client, commission_list(council))
    officer = people["commissioning_officer"]
    officer.last_login = officer.date_joined
    officer.save(update_fields=["last_login"])  # what signing in writes
    response, _ = get(client, commission_list(council))
    assert response["X-Page-Cache"] == "hit"


def test_a_waiting_message_is_shown_not_swallowed(client_for, council, people):
    client = client_for(people["lead_commissioner"])
    seen(client, commission_list(council))
    # A message left by the previous request (as a view's redirect leaves it, in the messages cookie).
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "The commission has been saved.")])
    response = client.get(commission_list(council))
    assert "The commission has been saved." in response.content.decode()
    assert response.get("X-Page-Cache") != "hit"
    # Shown once: the next look is the cached page again, without it.
    response = client.get(commission_list(council))
    assert "The commission has been saved." not in response.content.decode()


def test_the_public_list_follows_what_it_lists_and_nothing_else(client, council, people):
    url = reverse("opportunities:list")
    first, _ = get(client, url)
    again, _ = get(client, url)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    Membership.objects.create(council=council, user=people["no_role"], role=Role.FINANCE_OFFICER)
    response, _ = get(client, url)
    assert response["X-Page-Cache"] == "hit"
    create_commission(council, title="Warm spaces", officer=people["commissioning_officer"])
    response, _ = get(client, url)
    assert response["X-Page-Cache"] == "miss"


def test_switched_off_with_zero_seconds(settings, client_for, council, people):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 0
    client = client_for(people["lead_commissioner"])
    get(client, commission_list(council))
    response, _ = get(client, commission_list(council))
    assert "X-Page-Cache" not in response


def test_roles_are_scoped_per_council(client_for, council, other_council, people):
    # A lead commissioner of another council gets a 403 whatever is cached for this council.
    client = client_for(people["lead_commissioner"])
    get(client, commission_list(council))
    outsider = client_for(people["other_council_officer"])
    assert outsider.get(commission_list(council)).status_code == 403
    assert Membership.objects.filter(council=other_council, role=Role.LEAD_COMMISSIONER).exists()


def test_a_download_is_kept_with_its_headers_and_follows_changes(client_for, council, people):
    url = reverse("monitoring:export", kwargs={"council_slug": council.slug, "kind": "commissions", "fmt": "csv"})
    client = client_for(people["lead_commissioner"])
    create_commission(council, title="Warm spaces", officer=people["commissioning_officer"])
    first, _ = get(client, url)
    again, _ = get(client, url)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
        assert again[header] == first[header]
    assert again.content == first.content
    create_commission(council, title="Lunch clubs", officer=people["commissioning_officer"])
    response, _ = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Lunch clubs" in response.content.decode("utf-8-sig")
    # Someone who may not download it is refused, whatever is kept.
    assert client_for(people["provider_admin"]).get(url).status_code in (403, 404)


# ---- Filter forms shared between people ------------------------------------------------------------


def filter_form_of(response) -> str:
    html = response.content.decode()
    start = html.rindex("<form", 0, html.index('method="get"'))
    return html[start : html.index("</form>", start)]


def test_one_rendering_of_a_filter_form_serves_everyone_in_the_council(client, client_for, council, people, outcome):
    first, first_queries = get(client_for(people["lead_commissioner"]), commission_list(council) + "?stage=plan")
    client.logout()
    # Someone else, so the page itself is not in the cache: only the filter form is shared.
    second, second_queries = get(client_for(people["commissioning_officer"]), commission_list(council) + "?stage=plan")
    assert second["X-Page-Cache"] == "miss"
    assert filter_form_of(second) == filter_form_of(first)
    assert outcome.title in filter_form_of(second)
    # The outcome, priority, portfolio and lead officer choices are not read again.
    assert second_queries <= first_queries - 4


def test_a_shared_filter_form_follows_the_filters_chosen(client_for, council, people):
    client = client_for(people["lead_commissioner"])
    planning, _ = get(client, commission_list(council) + "?stage=plan")
    doing, _ = get(client, commission_list(council) + "?stage=do")
    assert '<option value="plan" selected>' in filter_form_of(planning)
    assert '<option value="do" selected>' in filter_form_of(doing)
    assert '<option value="plan" selected>' not in filter_form_of(doing)


def test_a_new_choice_shows_in_the_shared_filter_form_at_once(client_for, council, people, outcome):
    client = client_for(people["lead_commissioner"])
    before, _ = get(client, commission_list(council))
    added = OutcomeFactory(priority=outcome.priority, title="Fewer people sleeping rough")
    after, _ = get(client, commission_list(council))
    assert added.title not in filter_form_of(before)
    assert added.title in filter_form_of(after)


def test_a_shared_filter_form_outlives_changes_to_data_it_does_not_offer(client_for, council, people, outcome):
    """The commission list's choices are the council's framework and people: a return sent or a bid saved
    keeps their markup; a new lead officer shows at once."""
    client = client_for(people["lead_commissioner"])
    get(client, commission_list(council))
    for family in ("monitoring.returns", "commissioning.sourcing"):
        page_cache.bump_council(council.pk, family)
        with CaptureQueriesContext(connection) as queries:
            get(client, commission_list(council))
        assert not [query for query in queries.captured_queries if '"councils_portfolio"' in query["sql"]], family
    newcomer = User.objects.create_user(email="new.officer@testshire.example", password="x", full_name="Nia Newcomer")
    Membership.objects.create(user=newcomer, council=council, role=Role.COMMISSIONING_OFFICER)
    assert "Nia Newcomer" in filter_form_of(get(client, commission_list(council))[0])


def test_a_shared_filter_form_is_never_another_councils(client, client_for, council, other_council, people, outcome):
    get(client_for(people["lead_commissioner"]), commission_list(council))
    client.logout()
    theirs, _ = get(client_for(people["other_council_officer"]), commission_list(other_council))
    assert outcome.title not in filter_form_of(theirs)
    assert people["lead_commissioner"].get_full_name() not in filter_form_of(theirs)


def test_the_shared_filter_form_is_the_same_markup_as_crispy_renders(rf, council, outcome):
    for data in (None, {"stage": "do", "outcome": str(outcome.pk)}, {"stage": "no such stage"}):
        crispy = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
            Context({"form": CommissionFilterForm(data, council=council)})
        )
        shared = Template("{% shared_crispy form %}").render(
            Context({"form": CommissionFilterForm(data, council=council)})
        )
        assert shared == crispy
        if data and data["stage"] == "no such stage":
            assert "Select a valid choice" in shared


def shell_queries(client, url: str, look: int) -> tuple[str, bool, bool]:
    """A miss of `url` (a query string of its own): its body, and whether it counted the person's unread
    notifications and checked the organisations they act for."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?look={look}")
    assert response["X-Page-Cache"] == "miss"
    tables = " ".join(query["sql"] for query in queries)
    return response.content.decode(), "councils_notification" in tables, "providers_organisationmember" in tables


def test_the_shell_is_kept_per_person_and_what_it_shows_changes_at_once(client_for, council, people):
    user = people["lead_commissioner"]
    client = client_for(user)
    url = commission_list(council)
    seen(client, url)
    body, counted, checked = shell_queries(client, url, 1)
    assert (counted, checked) == (False, False)  # the header and menu came from the kept shell
    assert "Your organisation" not in body
    Notification.objects.create(user=user, kind=ReminderKind.values[0], title="Something to do", url="/")
    body, counted, _ = shell_queries(client, url, 2)
    assert "(1 unread)" in body
    assert counted
    OrganisationMemberFactory(user=user)
    body, _, checked = shell_queries(client, url, 3)
    assert "Your organisation" in body
    assert checked
    assert shell_queries(client, url, 4)[1:] == (False, False)


def test_the_shell_follows_the_persons_roles_and_the_path(client_for, council, people):
    user = people["commissioning_officer"]
    client = client_for(user)
    url = commission_list(council)
    seen(client, url)
    people_url = reverse("councils:people", args=[council.slug])
    assert f'href="{people_url}"' not in shell_queries(client, url, 1)[0]
    Membership.objects.create(user=user, council=council, role=Role.COUNCIL_ADMIN)
    assert f'href="{people_url}"' in shell_queries(client, url, 2)[0]
    # Where the person is marks their place in the menu: another page has a shell of its own.
    overview = client.get(council.get_absolute_url()).content.decode()
    assert f'href="{council.get_absolute_url()}" aria-current="page"' in overview
    assert f'href="{url}" aria-current="page"' in shell_queries(client, url, 3)[0]


def test_the_signed_out_shell_is_never_a_persons(client, client_for, council, people):
    url = reverse("opportunities:list")
    signed_in = client_for(people["lead_commissioner"]).get(url).content.decode()
    assert "Sign out" in signed_in
    for look in range(2):
        signed_out = Client().get(f"{url}?look={look}").content.decode()
        assert "Sign in</a>" in signed_out
        assert "Sign out" not in signed_out


def test_a_request_reads_each_generation_once_and_never_keys_by_what_it_changed():
    with page_cache.reading():
        first = page_cache.generations(["shared", "listing"])
        cache.set("gen:shared", 123, None)  # someone else's write while the page is being answered
        assert page_cache.generations(["shared"]) == {"shared": first["shared"]}
        page_cache.bump("listing")  # the request's own write
        again = page_cache.generations(["shared", "listing"])
        assert again["shared"] == 123
        assert again["listing"] != first["listing"]
    cache.set("gen:shared", 456, None)
    assert page_cache.generations(["shared"]) == {"shared": 456}


def test_a_shared_filter_form_is_kept_until_its_data_changes_not_for_the_page_caches_bound(
    monkeypatch, client_for, council, people
):
    kept = {}
    keep = page_cache._kept

    def recording(key, seconds, render):
        kept[key.split(":")[0]] = max(seconds, kept.get(key.split(":")[0], 0))
        return keep(key, seconds, render)

    monkeypatch.setattr(page_cache, "_kept", recording)
    get(client_for(people["lead_commissioner"]), commission_list(council))
    assert kept["fragment"] == page_cache.FORM_SECONDS > 60  # the filter form: nothing in it changes with the clock
    assert kept["part"] == 60  # the person's shell and the list's results: the page cache's bound


def test_a_kept_part_is_read_from_the_process_once_it_has_been_read_from_redis(monkeypatch):
    renders, reads = [], []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: reads.append(key) or real_get(key, *args, **kwargs))

    def part() -> str:
        return page_cache.shared_fragment(["a form"], ["shared"], lambda: renders.append(1) or "<form>")

    assert part() == part() == "<form>"
    assert len(renders) == 1
    kept_reads = [key for key in reads if key.startswith("kept:")]
    assert len(kept_reads) == 1  # the second look asked nothing of Redis

    # Another process (one that has not seen it) reads it from Redis, with the moment it lapses.
    local_kept.clear()
    assert part() == "<form>"
    assert len(renders) == 1
    page_cache.bump("shared")
    assert part() == "<form>"
    assert len(renders) == 2  # a write gives the part a new key, in every process


def test_a_part_copied_from_redis_lapses_when_redis_lets_it_go(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(local_kept.time, "time", lambda: clock[0])
    monkeypatch.setattr(page_cache.time, "time", lambda: clock[0])
    renders = []

    def part() -> str:
        return page_cache.shared_fragment(["a list"], ["shared"], lambda: renders.append(1) or "<ul>")

    part()
    local_kept.clear()
    clock[0] += 59
    part()  # copied from Redis 59 seconds into its 60
    assert len(renders) == 1
    clock[0] += 2
    cache.delete_many([key for key in cache._cache if "kept:" in key])  # LocMem's own expiry is on its clock
    part()
    assert len(renders) == 2  # not kept in the process for another 60 seconds


def test_the_process_keeps_a_bounded_amount_least_lately_used_first(monkeypatch):
    monkeypatch.setattr(local_kept, "MAX_BYTES", 800)
    lapses = local_kept.time.time() + 60
    for name in "abcdefgh":
        local_kept.put(name, name * 100, lapses)
    assert local_kept.get("a")  # a is now the later used
    local_kept.put("i", "i" * 100, lapses)
    assert local_kept.get("b") is None
    assert all(local_kept.get(name) for name in "acdefghi")
    local_kept.put("huge", "w" * 101, lapses)  # more than an eighth of the room: never kept
    assert local_kept.get("huge") is None
    local_kept.put("gone", "v", local_kept.time.time() - 1)
    assert local_kept.get("gone") is None


def test_the_council_of_an_address_is_kept_by_the_process_until_it_changes(settings, client_for, council, people):
    settings.COMMISSIONER_PREPARED_STATEMENTS = False  # the lookup's SQL in full, not EXECUTE name (...)
    client = client_for(people["lead_commissioner"])
    url = commission_list(council)

    def council_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum('FROM "councils_council"' in query["sql"] for query in queries.captured_queries)

    assert council_queries() == 1  # learns its id
    assert council_queries() == 1  # read after its generations: now kept
    assert council_queries() == 0
    council.name = "Northshire Unitary Council"
    council.save()
    assert council_queries() == 1
    assert "Northshire Unitary Council" in client.get(url).content.decode()
    assert council_queries() == 0
    old_slug, council.slug = council.slug, "northshire-unitary"
    council.save()
    assert client.get(url).status_code == 404  # the old address names no council now
    assert client.get(commission_list(council)).status_code == 200
    assert old_slug != council.slug


def test_a_kept_council_is_a_copy_of_its_own(rf, council):
    request = rf.get("/")
    request.user = AnonymousUser()
    with page_cache.reading():
        page_cache.council_named(request, council.slug)
    with page_cache.reading():
        page_cache.council_named(request, council.slug)
    with page_cache.reading():
        first = page_cache.council_named(request, council.slug)
    first.name = "Changed in one request only"
    with page_cache.reading():
        assert page_cache.council_named(request, council.slug).name == council.name


def test_no_council_is_kept_with_page_caching_off(settings, client_for, council, people):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 0
    client = client_for(people["lead_commissioner"])
    for _ in range(3):
        client.get(commission_list(council))
    assert local_kept.get(f"council-named:{council.slug}") is None


def test_a_persons_roles_are_kept_by_the_process_until_their_memberships_change(client_for, council, people):
    officer = people["commissioning_officer"]
    client = client_for(officer)
    url = commission_list(council)

    def role_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return response.status_code, sum('FROM "councils_membership"' in q["sql"] for q in queries.captured_queries)

    assert role_queries() == (200, 1)
    assert role_queries() == (200, 0)
    Membership.objects.create(user=officer, council=council, role=Role.PROCUREMENT_OFFICER)
    status, queries = role_queries()
    assert status == 200
    assert queries >= 1  # a new role: read again at once (the session's new key reads them too)
    Membership.objects.filter(user=officer, council=council).delete()
    assert role_queries()[0] == 403  # every role gone: refused at once, not after the page cache's bound


def test_roles_changed_in_the_request_are_read_again_there(council, people):
    officer = people["commissioning_officer"]
    assert roles_in(officer, council) == {Role.COMMISSIONING_OFFICER}
    Membership.objects.create(user=officer, council=council, role=Role.PROCUREMENT_OFFICER)
    forget_roles(officer)  # the row in hand still carries the stamp from before the change
    assert roles_in(officer, council) == {Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER}


def test_the_organisations_a_person_acts_for_are_kept_until_their_memberships_change(people):
    provider = people["provider_admin"]
    roles = (
        'SELECT "providers_organisationmember"."organisation_id" AS "organisation_id", "providers_organisationmember"'
    )

    def as_on_a_request():
        """The organisations of the person's row read afresh, as every request reads it, and the queries taken."""
        with CaptureQueriesContext(connection) as queries:
            found = organisation_roles(User.objects.get(pk=provider.pk))
        return set(found), sum(q["sql"].startswith(roles) for q in queries.captured_queries)

    local_kept.clear()  # what the fixtures' own permission checks left in this process
    first, queries = as_on_a_request()
    assert queries == 1
    assert as_on_a_request() == (first, 0)
    second = OrganisationMemberFactory(user=provider, organisation__legal_name="Moorside Sports CIC")
    assert as_on_a_request() == (first | {second.organisation_id}, 1)
    second.delete()
    assert as_on_a_request() == (first, 1)


def test_roles_read_inside_a_transaction_that_rolls_back_are_not_kept(council, people):
    officer = people["commissioning_officer"]
    local_kept.clear()

    def fresh():
        return User.objects.get(pk=officer.pk)

    in_hand = fresh()  # the request's person, read before the service's transaction

    class Undone(Exception):
        pass

    @transaction.atomic
    def grant_then_fail():
        Membership.objects.create(user=officer, council=council, role=Role.LEAD_COMMISSIONER)
        forget_roles(in_hand)  # as the services do after changing someone's roles
        assert Role.LEAD_COMMISSIONER in roles_in(in_hand, council)  # the service's own check sees it
        raise Undone

    with pytest.raises(Undone):
        grant_then_fail()
    # The role was never committed and the stamp is as it was: the roles seen inside were not kept
    # under it, so the next request does not find the role that never was.
    assert roles_in(fresh(), council) == {Role.COMMISSIONING_OFFICER}


def test_nothing_worked_out_inside_a_transaction_that_rolls_back_is_kept(council):
    """A write bumps its generations at once (so the writer sees its own change): a part worked out
    after that inside the same transaction is keyed by generations the rollback leaves current."""
    scopes = page_cache.council_scopes(council.pk)

    class Undone(Exception):
        pass

    @transaction.atomic
    def write_read_then_fail():
        page_cache.bump_council(council.pk)
        assert page_cache.shared_value(["figures"], scopes, lambda: "never committed") == "never committed"
        raise Undone

    with pytest.raises(Undone):
        write_read_then_fail()
    assert page_cache.shared_value(["figures"], scopes, lambda: "as committed") == "as committed"


def test_a_persons_value_is_kept_by_its_families_and_never_anothers(settings, rf, council, people):
    """`personal_value`: what a dashboard adds up its figures from, kept per person until a family it
    reads changes; a change in another family keeps it."""
    worked_out = []

    def value(user, marker: str = "returns"):
        request = rf.get("/")
        request.user, request.council = user, council
        return page_cache.personal_value(
            request, "returns", ["monitoring.returns"], ["today"], lambda: worked_out.append(user) or [marker, user.pk]
        )

    officer, lead = people[Role.COMMISSIONING_OFFICER], people[Role.LEAD_COMMISSIONER]
    assert value(officer) == ["returns", officer.pk]
    assert value(officer, "again") == ["returns", officer.pk]
    assert value(lead) == ["returns", lead.pk]
    assert worked_out == [officer, lead]
    page_cache.bump_council(council.pk, "commissioning.sourcing")
    assert value(officer) == ["returns", officer.pk]
    page_cache.bump_council(council.pk, "monitoring.returns")
    assert value(officer, "after the return") == ["after the return", officer.pk]
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 0
    assert value(officer, "off") == ["off", officer.pk]
    assert worked_out == [officer, lead, officer, officer]
