"""Staff and provider accounts: lockout, session time-outs, rotation, signing out everywhere, private
pages and the password policy. Two-factor sign-in has its own module (councils/tests/test_two_factor.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from councils import services
from councils.models import Role
from councils.sessions import ENDED_MESSAGES
from councils.tests.factories import PASSWORD, UserFactory
from providers import services as provider_services
from providers.models import OrganisationMember, ProviderRole
from providers.tests.factories import OrganisationMemberFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def sign_in(client, email, password=PASSWORD, address="127.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


# ---- Lockout: per account whatever the spelling, and per address ----


@pytest.mark.parametrize("spelling", [str.upper, str.title, lambda email: f"  {email.upper()} "])
def test_after_five_wrong_passwords_no_spelling_of_the_email_signs_in_from_anywhere(people, spelling):
    email = people[Role.LEAD_COMMISSIONER].email
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), email, "wrong-password")
    for address in ("127.0.0.1", "203.0.113.9"):
        response = sign_in(Client(), spelling(email), address=address)
        assert response.status_code == 429, address
        body = response.content.decode()
        assert "Too many sign-in attempts" in body
        assert "paused for 30 minutes, even with the right password" in body
        assert SESSION_KEY not in Client().session


def test_wrong_passwords_in_different_spellings_count_against_one_account(people):
    email = people[Role.LEAD_COMMISSIONER].email
    for spelling in (email, email.upper(), email.title(), email.capitalize(), f" {email} "):
        sign_in(Client(), spelling, "wrong-password", address="198.51.100.7")
    assert sign_in(Client(), email).status_code == 429


def test_an_address_that_tries_many_accounts_is_locked_out_of_all_of_them(people):
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), f"guess{n}@example.org", "wrong-password", address="192.0.2.50")
    assert sign_in(Client(), people["provider_admin"].email, address="192.0.2.50").status_code == 429
    # The account itself is not locked: from elsewhere its owner signs in.
    assert sign_in(Client(), people["provider_admin"].email, address="192.0.2.51").status_code == 302


def test_behind_the_proxy_each_visitor_has_their_own_address(people, settings):
    settings.COMMISSIONER_TRUST_X_FORWARDED_FOR = True
    proxy = "10.0.0.1"
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN,
            {"username": f"guess{n}@example.org", "password": "wrong-password"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.60",
        )
    locked = Client().post(
        LOGIN,
        {"username": people["provider_admin"].email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.60",
    )
    assert locked.status_code == 429
    # Someone else behind the same proxy, even one claiming the locked address first, signs in.
    other = Client().post(
        LOGIN,
        {"username": people["provider_admin"].email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.60, 192.0.2.61",
    )
    assert other.status_code == 302


def test_sign_in_ignores_the_case_of_the_email(people):
    client = Client()
    response = sign_in(client, people[Role.LEAD_COMMISSIONER].email.upper())
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == people[Role.LEAD_COMMISSIONER].pk


# ---- Session time-outs ----


def dashboard(council) -> str:
    return reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})


def signed_in_at_start(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.parametrize(
    ("who", "idle", "absolute"),
    [
        ("staff", django_settings.SESSION_STAFF_IDLE_SECONDS, django_settings.SESSION_STAFF_ABSOLUTE_SECONDS),
        ("provider", django_settings.SESSION_IDLE_SECONDS, django_settings.SESSION_ABSOLUTE_SECONDS),
    ],
)
def test_an_idle_session_ends_and_the_sign_in_page_says_why(council, people, who, idle, absolute):
    person, url = (
        (people[Role.COMMISSIONING_OFFICER], dashboard(council))
        if who == "staff"
        else (people["provider_admin"], reverse("providers:portal"))
    )
    assert idle < absolute
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_at_start(person)
        clock.shift(timedelta(seconds=idle - 60))
        assert client.get(url).status_code == 200  # still in time: the idle clock starts again
        clock.shift(timedelta(seconds=idle - 60))
        assert client.get(url).status_code == 200
        clock.shift(timedelta(seconds=idle))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={url}"
        assert SESSION_KEY not in client.session
        assert ENDED_MESSAGES["idle"] in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("who", "idle", "absolute"),
    [
        ("staff", django_settings.SESSION_STAFF_IDLE_SECONDS, django_settings.SESSION_STAFF_ABSOLUTE_SECONDS),
        ("provider", django_settings.SESSION_IDLE_SECONDS, django_settings.SESSION_ABSOLUTE_SECONDS),
    ],
)
def test_a_busy_session_still_ends_a_while_after_signing_in(council, people, who, idle, absolute):
    person, url = (
        (people[Role.COMMISSIONING_OFFICER], dashboard(council))
        if who == "staff"
        else (people["provider_admin"], reverse("providers:portal"))
    )
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_at_start(person)
        step = idle // 2
        for _ in range(absolute // step - 1):
            clock.shift(timedelta(seconds=step))
            assert client.get(url).status_code == 200
        clock.shift(timedelta(seconds=step))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert ENDED_MESSAGES["absolute"] in client.get(response["Location"]).content.decode()


def test_staff_time_out_sooner_than_providers(people):
    assert django_settings.SESSION_STAFF_IDLE_SECONDS < django_settings.SESSION_IDLE_SECONDS
    assert django_settings.SESSION_STAFF_ABSOLUTE_SECONDS < django_settings.SESSION_ABSOLUTE_SECONDS


def test_a_timed_out_session_is_never_served_a_cached_page(people, settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 7 * 24 * 60 * 60
    url = reverse("providers:portal")
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_at_start(people["provider_admin"])
        client.get(url)  # sets the CSRF cookie: pages are kept per CSRF cookie
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
        response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_session_is_written_at_most_once_a_minute_for_being_used(people):
    url = reverse("providers:portal")
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_at_start(people["provider_admin"])
        client.get(url)
        seen = client.session["_seen_at"]
        clock.shift(timedelta(seconds=30))
        client.get(url)
        assert client.session["_seen_at"] == seen
        clock.shift(timedelta(seconds=31))
        client.get(url)
        assert client.session["_seen_at"] == seen + 61


# ---- Session rotation ----


def session_key(client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_signing_in_gives_a_new_session_key(people):
    client = Client()
    client.get(LOGIN)
    session = client.session
    session["anything"] = "before signing in"
    session.save()
    before = session_key(client)
    sign_in(client, people["provider_admin"].email)
    assert session_key(client) != before


def test_a_new_council_role_gives_the_session_a_new_key_without_signing_out(council, people):
    person = people[Role.SCRUTINY_MEMBER]
    client = Client()
    client.force_login(person)
    assert client.get(dashboard(council)).status_code == 200
    before = session_key(client)
    services.membership_grant(
        by=people[Role.COUNCIL_ADMIN], council=council, email=person.email, full_name="", role=Role.LEGAL_OFFICER
    )
    assert client.get(dashboard(council)).status_code == 200
    after = session_key(client)
    assert after != before
    assert int(client.session[SESSION_KEY]) == person.pk
    # Only once: the next page keeps the key.
    client.get(dashboard(council))
    assert session_key(client) == after


def test_losing_a_council_role_gives_the_session_a_new_key(council, people):
    person = people[Role.LEGAL_OFFICER]
    client = Client()
    client.force_login(person)
    client.get(reverse("providers:portal"))
    before = session_key(client)
    membership = person.memberships.get(council=council)
    services.membership_revoke(by=people[Role.COUNCIL_ADMIN], membership=membership, reason="Left the council")
    assert client.get(reverse("providers:portal")).status_code == 200
    assert session_key(client) != before
    assert int(client.session[SESSION_KEY]) == person.pk


def test_a_changed_provider_role_gives_the_session_a_new_key(people):
    admin = people["provider_admin"]
    colleague = OrganisationMemberFactory(
        organisation=OrganisationMember.objects.get(user=admin).organisation, role=ProviderRole.BID_WRITER
    )
    client = Client()
    client.force_login(colleague.user)
    client.get(reverse("providers:portal"))
    before = session_key(client)
    provider_services.person_change_role(by=admin, member=colleague, role=ProviderRole.ORGANISATION_ADMIN)
    assert client.get(reverse("providers:portal")).status_code == 200
    assert session_key(client) != before
    assert int(client.session[SESSION_KEY]) == colleague.user.pk


# ---- Signing out everywhere ----


def test_signing_out_everywhere_ends_every_session_of_the_person_only(people):
    person, someone_else = people["provider_admin"], people["other_provider_admin"]
    laptop, phone, theirs = Client(), Client(), Client()
    laptop.force_login(person)
    phone.force_login(person)
    theirs.force_login(someone_else)
    page = reverse("account:sign_out_everywhere")
    assert "This signs you out on every computer" in laptop.get(page).content.decode()

    response = laptop.post(page, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert ENDED_MESSAGES["everywhere"] in response.content.decode()
    for client in (laptop, phone):
        assert client.get(reverse("providers:portal"))["Location"].startswith(LOGIN)
    assert theirs.get(reverse("providers:portal")).status_code == 200
    # Signing in again works as ever.
    assert sign_in(Client(), person.email).status_code == 302


def test_a_new_password_ends_every_other_session(people, client):
    person = people["provider_admin"]
    phone = Client()
    phone.force_login(person)
    person.set_password("a-brand-new-long-password")
    person.save()
    assert phone.get(reverse("providers:portal"))["Location"].startswith(LOGIN)


def test_signing_out_everywhere_needs_a_post_and_a_signed_in_person(client):
    response = client.post(reverse("account:sign_out_everywhere"))
    assert response["Location"].startswith(LOGIN)


# ---- Private pages ----


def test_every_signed_in_page_is_private_and_not_stored(council, people, settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 120
    client = Client()
    client.force_login(people[Role.COMMISSIONING_OFFICER])
    client.get(dashboard(council))  # sets the CSRF cookie: pages are kept per CSRF cookie
    for expected_cache in ("miss", "hit"):
        response = client.get(dashboard(council))
        assert response["X-Page-Cache"] == expected_cache
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
    for url in (reverse("account:account"), reverse("opportunities:list"), reverse("home")):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_public_pages_are_not_marked_private_for_visitors(client, settings):
    settings.COMMISSIONER_PAGE_CACHE_SECONDS = 120
    responses = [client.get(reverse("opportunities:list")) for _ in range(3)]
    assert responses[-1]["X-Page-Cache"] == "hit"
    for response in responses:
        assert "private" not in response.get("Cache-Control", "")
        assert "no-store" not in response.get("Cache-Control", "")


# ---- Password policy and resets ----


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass1", "at least 12 characters"),
        ("qwertyuiop123", "too common"),
        ("846203719465", "entirely numeric"),
    ],
)
def test_a_new_password_must_pass_the_policy(client, people, password, problem):
    person = people["provider_admin"]
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(person)})
    form_url = client.get(url)["Location"]
    form = client.get(form_url).content.decode()
    assert "Use at least 12 characters" in form
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert problem in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_asking_for_a_password_reset_says_the_same_whether_or_not_the_account_exists(client, people, mailoutbox):
    answers = []
    for email in (people["provider_admin"].email.upper(), "nobody-at-all@example.org"):
        response = client.post(reverse("password_reset"), {"email": email}, follow=True)
        answers.append((response.redirect_chain, response.content.decode().replace(email, "EMAIL")))
    assert answers[0] == answers[1]
    assert [message.to for message in mailoutbox] == [[people["provider_admin"].email]]


def test_asking_for_a_new_confirmation_link_says_the_same_whether_or_not_the_account_exists(client, people):
    answers = []
    for email in (people["provider_admin"].email, "nobody-at-all@example.org"):
        response = client.post(reverse("providers:resend_verification"), {"email": email}, follow=True)
        answers.append((response.redirect_chain, response.content.decode().replace(email, "EMAIL")))
    assert answers[0] == answers[1]


def test_an_unknown_person_cannot_use_the_account_pages(client):
    UserFactory()
    for name in ("account:account", "account:two_factor_setup", "account:sign_out_everywhere"):
        assert client.get(reverse(name))["Location"].startswith(LOGIN)
