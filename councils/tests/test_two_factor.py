"""Two-factor sign-in: required for staff of councils that require it (the default), optional for
providers; set up, a code after the password, recovery codes, turning it off."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils import account_services
from councils.models import AuditEvent, Council, Role
from councils.tests.factories import PASSWORD, CouncilFactory, UserFactory
from tests.accounts import app_code, enrol, sign_in_verified

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
SETUP = reverse("account:two_factor_setup")
VERIFY = reverse("account:two_factor_verify")


def dashboard(council) -> str:
    return reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})


@pytest.fixture
def strict(council):
    """The world's council, requiring two-factor sign-in as every council does unless it turns it off."""
    Council.objects.filter(pk=council.pk).update(require_two_factor=True)
    council.refresh_from_db()
    return council


def sign_in(email: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(LOGIN, {"username": email, "password": PASSWORD})
    return client, response


def test_councils_require_two_factor_sign_in_unless_they_turn_it_off():
    assert Council(name="New council").require_two_factor is True
    assert CouncilFactory().require_two_factor is False  # so tests can force_login


def test_staff_of_a_council_that_requires_it_see_nothing_until_they_set_it_up(strict, people):
    client, _ = sign_in(people[Role.LEAD_COMMISSIONER].email)
    for url in (dashboard(strict), reverse("home"), reverse("providers:portal"), reverse("account:account")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
    # The code page sends someone without an app to set one up, keeping where they were going.
    response = client.get(f"{VERIFY}?next={dashboard(strict)}")
    assert response["Location"] == f"{SETUP}?next={quote(dashboard(strict), safe='')}"
    assert client.get(SETUP).status_code == 200
    # A POST elsewhere is refused too, and signing out still works.
    assert client.post(reverse("councils:notifications_read_all"))["Location"] == VERIFY
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session


def test_setting_up_shows_a_qr_code_and_the_key_then_a_code_from_the_app_lets_them_in(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    client, _ = sign_in(officer.email)
    page = client.get(f"{SETUP}?next={dashboard(strict)}").content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert account_services.readable_secret(device) in page
    assert 'autocomplete="one-time-code"' in page
    # The same key until it is confirmed: reloading the page does not invalidate a scanned code.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=officer).count() == 1

    wrong = client.post(f"{SETUP}?next={dashboard(strict)}", {"code": app_code(device, offset=10)})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    assert "There is a problem" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    response = client.post(f"{SETUP}?next={dashboard(strict)}", {"code": app_code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account:recovery_codes"))
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == account_services.RECOVERY_CODE_COUNT
    assert set(codes) == set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert f'href="{dashboard(strict)}"' in codes_page
    # Shown once.
    assert codes[0] not in client.get(reverse("account:recovery_codes")).content.decode()
    assert client.get(dashboard(strict)).status_code == 200
    assert AuditEvent.objects.filter(event_type="account.two_factor_turned_on", actor=officer).exists()


def test_enrolled_staff_enter_a_code_after_the_password(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    device = enrol(officer)
    client, response = sign_in(officer.email.upper())
    response = client.get(dashboard(strict))
    assert response["Location"] == f"{VERIFY}?next={quote(dashboard(strict), safe='')}"
    form = client.get(response["Location"]).content.decode()
    assert "Enter the code from your authenticator app" in form

    refused = client.post(response["Location"], {"code": "12345x"})
    assert "not right" in refused.content.decode()
    assert client.get(dashboard(strict)).status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    before = client.cookies["sessionid"].value
    accepted = client.post(response["Location"], {"code": app_code(device)})
    assert accepted["Location"] == dashboard(strict)
    assert client.cookies["sessionid"].value != before  # a new key once verified
    assert client.get(dashboard(strict)).status_code == 200


def test_a_code_is_accepted_once(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    device = enrol(officer)
    code = app_code(device)
    assert account_services.two_factor_verify(user=officer, code=code)
    with pytest.raises(ValidationError, match="not right"):
        account_services.two_factor_verify(user=officer, code=code)


def test_wrong_codes_make_the_person_wait(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    device = enrol(officer)
    client, _ = sign_in(officer.email)
    client.post(VERIFY, {"code": "000001"})
    client.post(VERIFY, {"code": "000002"})
    response = client.post(VERIFY, {"code": app_code(device)})
    assert "Wait a few seconds" in response.content.decode()
    assert client.get(dashboard(strict)).status_code == 302


def test_a_recovery_code_works_once(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    enrol(officer)
    codes = account_services.recovery_codes_regenerate(user=officer)
    first, _ = sign_in(officer.email)
    assert first.post(VERIFY, {"code": codes[0].upper()})["Location"] == reverse("home")
    assert first.get(dashboard(strict)).status_code == 200
    second, _ = sign_in(officer.email)
    response = second.post(VERIFY, {"code": codes[0]})
    assert "already been used" in response.content.decode()
    assert second.get(dashboard(strict)).status_code == 302
    assert StaticToken.objects.filter(device__user=officer).count() == len(codes) - 1


def test_new_recovery_codes_replace_the_old_ones(people):
    person = people["provider_admin"]
    client = sign_in_verified(Client(), person)
    old = account_services.recovery_codes_regenerate(user=person)
    response = client.post(reverse("account:recovery_codes"), follow=True)
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == account_services.RECOVERY_CODE_COUNT
    assert not set(old) & set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))


def test_the_next_page_must_be_on_this_site(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    device = enrol(officer)
    client, _ = sign_in(officer.email)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": app_code(device)})
    assert response["Location"] == reverse("home")


def test_providers_choose_two_factor_sign_in_and_can_turn_it_off(people):
    person = people["provider_admin"]
    client, _ = sign_in(person.email)
    account = client.get(reverse("account:account")).content.decode()
    assert "Set up two-factor sign-in" in account
    assert client.get(reverse("providers:portal")).status_code == 200  # not required

    client.get(SETUP)
    device = TOTPDevice.objects.get(user=person)
    client.post(SETUP, {"code": app_code(device)})
    assert "Turn off two-factor sign-in" in client.get(reverse("account:account")).content.decode()

    # Now they have it, it is asked for at every sign-in.
    other, _ = sign_in(person.email)
    assert other.get(reverse("providers:portal"))["Location"].startswith(VERIFY)

    assert client.post(reverse("account:two_factor_turn_off"))["Location"] == reverse("account:account")
    assert not TOTPDevice.objects.filter(user=person).exists()
    again, _ = sign_in(person.email)
    assert again.get(reverse("providers:portal")).status_code == 200


def test_staff_of_a_council_that_requires_it_cannot_turn_it_off(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    client = sign_in_verified(Client(), officer)
    assert "Turn off two-factor" not in client.get(reverse("account:account")).content.decode()
    assert client.get(reverse("account:two_factor_turn_off")).status_code == 403
    assert client.post(reverse("account:two_factor_turn_off")).status_code == 403
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_turning_the_requirement_on_holds_staff_already_signed_in_to_it(council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    client = Client()
    client.force_login(officer)
    assert client.get(dashboard(council)).status_code == 200
    admin = Client()
    admin.force_login(people[Role.COUNCIL_ADMIN])
    settings_page = admin.get(reverse("councils:settings", kwargs={"council_slug": council.slug}))
    data = {
        key: value
        for key, value in settings_page.context["form"].initial.items()
        if value is not None and key != "require_two_factor"
    }
    data.update(require_two_factor="on", website="")
    response = admin.post(reverse("councils:settings", kwargs={"council_slug": council.slug}), data)
    assert response.status_code == 302, response.context["form"].errors
    council.refresh_from_db()
    assert council.require_two_factor
    assert client.get(dashboard(council))["Location"].startswith(VERIFY)


def test_a_session_verified_with_a_device_that_is_gone_is_not_verified(strict, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    client = sign_in_verified(Client(), officer)
    assert client.get(dashboard(strict)).status_code == 200
    TOTPDevice.objects.filter(user=officer).delete()
    assert client.get(dashboard(strict))["Location"].startswith(VERIFY)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_requirement_turned_on_anywhere_else_applies_at_once_too(council, people):
    """The admin site saves the council without the settings page's service."""
    officer = people[Role.COMMISSIONING_OFFICER]
    client = Client()
    client.force_login(officer)
    assert client.get(dashboard(council)).status_code == 200
    council.require_two_factor = True
    council.save()
    assert client.get(dashboard(council))["Location"].startswith(VERIFY)


def test_a_superuser_sees_nothing_of_the_admin_until_they_enter_a_code():
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client, response = sign_in(root.email)
    assert response.status_code == 302
    for url in (reverse("admin:index"), reverse("admin:councils_auditevent_changelist")):
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer["Location"].startswith(VERIFY), url
    sign_in_verified(client, root)
    assert client.get(reverse("admin:index")).status_code == 200
