"""Self-registration of an organisation with its first person, and email verification."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.urls import reverse

from councils.models import AuditEvent, User
from councils.tests.factories import UserFactory
from providers import services
from providers.models import Organisation, OrganisationMember, OrganisationType, ProviderRole, Sector
from providers.tests.conftest import link_in

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "lantern-harbour-meadow-42"


def registration(**overrides) -> dict:
    data = {
        "legal_name": "Harbour Lights Community Trust",
        "trading_name": "",
        "organisation_type": OrganisationType.REGISTERED_CHARITY,
        "charity_number": "1187001",
        "company_number": "",
        "registered_address": "1 Quay Street\nKirkby Moor",
        "postcode": "la1 1aa",
        "sector": Sector.VCFS,
        "income_band": "10k_100k",
        "areas_of_interest": "Older people, befriending",
        "full_name": "Ada Lovelace",
        "email": "Ada@Harbour-Lights.example",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def details(**overrides) -> Organisation:
    values = {
        "legal_name": "Harbour Lights Community Trust",
        "organisation_type": OrganisationType.REGISTERED_CHARITY,
        "sector": Sector.VCFS,
        "charity_number": "1187001",
        "registered_address": "1 Quay Street",
        "postcode": "LA1 1AA",
        **overrides,
    }
    return Organisation(**values)


def register(client, capture, **overrides):
    with capture(execute=True):
        return client.post(reverse("providers:register"), registration(**overrides))


# ---- Format rules ----

# (field, as typed, as stored)
GOOD = [
    ("charity_number", "1098765", "1098765"),
    ("charity_number", "123456", "123456"),
    ("charity_number", "12345678", "12345678"),
    ("charity_number", "1098765-1", "1098765-1"),
    ("charity_number", " 1098765 ", "1098765"),
    ("company_number", "01234567", "01234567"),
    ("company_number", "SC123456", "SC123456"),
    ("company_number", "ni012345", "NI012345"),
    ("company_number", "OC 123456", "OC123456"),
    ("postcode", "la1 1aa", "LA1 1AA"),
    ("postcode", "LA11AA", "LA1 1AA"),
    ("postcode", "sw1a 2aa", "SW1A 2AA"),
    ("postcode", "M1 1AE", "M1 1AE"),
    ("postcode", "b33 8th", "B33 8TH"),
    ("postcode", "dn55 1pt", "DN55 1PT"),
    ("postcode", "  ec1a  1bb ", "EC1A 1BB"),
]
# (field, as typed, the start of the message)
BAD = [
    *[
        ("charity_number", typed, "Enter a charity number of 6 to 8 digits")
        for typed in ("12345", "123456789", "10987A5", "1098765-", "1098765-x", "CH1098765", "1098765/1")
    ],
    *[
        ("company_number", typed, "Enter a Companies House number of 8 characters")
        for typed in ("1234567", "123456789", "S1234567", "SCC12345", "SC12345", "12-34567")
    ],
    *[
        ("postcode", typed, "Enter a real UK postcode")
        for typed in ("LA1", "12345", "LA1 1A", "LAA1 1AA", "LA1 AAA", "1LA 1AA", "LA1 1AAA")
    ],
]
# Company numbers are tried on a community interest company, which must have one.
AS_A_CIC = {"organisation_type": OrganisationType.CIC, "charity_number": ""}


def overrides_for(field: str, typed: str) -> dict:
    return {**(AS_A_CIC if field == "company_number" else {}), field: typed}


@pytest.mark.parametrize(("field", "typed", "stored"), GOOD)
def test_good_numbers_and_postcodes_are_accepted_and_tidied(field, typed, stored):
    organisation = services.organisation_register(by=UserFactory(), organisation=details(**overrides_for(field, typed)))
    organisation.refresh_from_db()
    assert getattr(organisation, field) == stored


@pytest.mark.parametrize(("field", "typed", "message"), BAD)
def test_bad_numbers_and_postcodes_are_refused_by_the_service(field, typed, message):
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(by=UserFactory(), organisation=details(**overrides_for(field, typed)))
    assert caught.value.message_dict[field][0].startswith(message)
    assert not Organisation.objects.filter(legal_name="Harbour Lights Community Trust").exists()


@pytest.mark.parametrize(("field", "typed", "message"), BAD)
def test_bad_numbers_and_postcodes_are_refused_by_the_form(
    client, django_capture_on_commit_callbacks, field, typed, message
):
    response = register(client, django_capture_on_commit_callbacks, **overrides_for(field, typed))
    body = response.content.decode()
    assert message in body
    assert f'value="{typed}"' in body
    assert not User.objects.filter(email="ada@harbour-lights.example").exists()


@pytest.mark.parametrize(("field", "typed", "stored"), GOOD)
def test_good_numbers_and_postcodes_are_tidied_by_the_form(
    client, django_capture_on_commit_callbacks, field, typed, stored
):
    assert register(client, django_capture_on_commit_callbacks, **overrides_for(field, typed)).status_code == 302
    assert getattr(Organisation.objects.get(legal_name="Harbour Lights Community Trust"), field) == stored


@pytest.mark.parametrize("kind", [OrganisationType.REGISTERED_CHARITY, OrganisationType.CIO])
def test_charities_must_give_a_charity_number(db, kind):
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(
            by=UserFactory(), organisation=details(organisation_type=kind, charity_number="")
        )
    assert "charity_number" in caught.value.message_dict


@pytest.mark.parametrize(
    "kind",
    [OrganisationType.CIC, OrganisationType.COMPANY_LIMITED_BY_GUARANTEE, OrganisationType.COMPANY_LIMITED_BY_SHARES],
)
def test_companies_must_give_a_company_number(db, kind):
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(
            by=UserFactory(), organisation=details(organisation_type=kind, charity_number="")
        )
    assert "company_number" in caught.value.message_dict


def test_a_cio_needs_no_company_number(db):
    organisation = services.organisation_register(
        by=UserFactory(), organisation=details(organisation_type=OrganisationType.CIO, company_number="")
    )
    assert organisation.pk is not None


def test_community_groups_need_neither_number(db):
    organisation = services.organisation_register(
        by=UserFactory(), organisation=details(organisation_type=OrganisationType.COMMUNITY_GROUP, charity_number="")
    )
    assert organisation.pk is not None


# ---- Registration through the form ----


def test_registration_creates_an_inactive_account_and_sends_a_link(
    client, django_capture_on_commit_callbacks, mailoutbox, outcome
):
    response = register(client, django_capture_on_commit_callbacks, outcomes_of_interest=[outcome.pk])
    assert response.status_code == 302
    assert response.url == reverse("providers:register_done")
    user = User.objects.get(email="ada@harbour-lights.example")
    assert not user.is_active
    assert user.check_password(GOOD_PASSWORD)
    organisation = Organisation.objects.get(legal_name="Harbour Lights Community Trust")
    assert organisation.postcode == "LA1 1AA"
    assert organisation.verified_at is None
    assert list(organisation.outcomes_of_interest.all()) == [outcome]
    assert OrganisationMember.objects.filter(
        organisation=organisation, user=user, role=ProviderRole.ORGANISATION_ADMIN
    ).exists()
    assert AuditEvent.objects.filter(event_type="organisation.registered", object_id=str(organisation.pk)).exists()
    [message] = mailoutbox
    assert message.to == ["ada@harbour-lights.example"]
    assert "/providers/verify/" in message.body
    page = client.get(response.url).content.decode()
    assert "Check your email" in page
    assert "ada@harbour-lights.example" in page


def test_an_unverified_account_cannot_sign_in(client, django_capture_on_commit_callbacks, mailoutbox):
    register(client, django_capture_on_commit_callbacks)
    response = client.post(reverse("login"), {"username": "ada@harbour-lights.example", "password": GOOD_PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_following_the_link_activates_the_account_and_signs_in(client, django_capture_on_commit_callbacks, mailoutbox):
    register(client, django_capture_on_commit_callbacks)
    response = client.get(link_in(mailoutbox[0]))
    assert response.status_code == 302
    assert response.url == reverse("providers:portal")
    user = User.objects.get(email="ada@harbour-lights.example")
    assert user.is_active
    assert client.session[SESSION_KEY] == str(user.pk)
    assert "Harbour Lights Community Trust" in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(event_type="account.email_verified", actor=user).exists()


def test_a_link_works_only_once(client, django_capture_on_commit_callbacks, mailoutbox):
    register(client, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    client.get(link)
    client.logout()
    response = client.get(link)
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_bad_token_is_refused(client, django_capture_on_commit_callbacks, mailoutbox):
    register(client, django_capture_on_commit_callbacks)
    uidb64 = link_in(mailoutbox[0]).split("/")[3]
    response = client.get(reverse("providers:verify_email", args=[uidb64, "abc-123"]))
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert not User.objects.get(email="ada@harbour-lights.example").is_active
    assert SESSION_KEY not in client.session


def test_a_verification_link_cannot_answer_an_invitation(client, django_capture_on_commit_callbacks, mailoutbox):
    """Verification tokens and invitation tokens are different things: one is never taken for the other."""
    register(client, django_capture_on_commit_callbacks)
    _, _, _, uidb64, token, _ = link_in(mailoutbox[0]).split("/")
    response = client.get(reverse("providers:invitation", args=[token]))
    assert response.status_code == 200
    assert "This invitation cannot be answered" in response.content.decode()


def test_a_new_link_can_be_sent(client, django_capture_on_commit_callbacks, mailoutbox):
    register(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("providers:resend_verification"), {"email": "ADA@harbour-lights.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    client.get(link_in(mailoutbox[1]))
    assert User.objects.get(email="ada@harbour-lights.example").is_active


def test_asking_for_a_link_for_an_unknown_or_active_account_sends_nothing(
    client, django_capture_on_commit_callbacks, mailoutbox, people
):
    for email in ("nobody-here@example.org", people["provider_admin"].email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("providers:resend_verification"), {"email": email})
        assert response.status_code == 302  # the same answer either way
    assert mailoutbox == []


def test_errors_are_summarised_and_what_was_typed_is_kept(client, django_capture_on_commit_callbacks, mailoutbox):
    response = register(
        client,
        django_capture_on_commit_callbacks,
        charity_number="12AB",
        postcode="not a postcode",
        password2="something-else-entirely",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a charity number of 6 to 8 digits" in body
    assert "Enter a real UK postcode" in body
    assert "The passwords do not match" in body
    assert 'value="Harbour Lights Community Trust"' in body
    assert 'value="not a postcode"' in body
    assert not User.objects.filter(email="ada@harbour-lights.example").exists()
    assert mailoutbox == []


def test_registering_with_an_address_that_has_an_account_says_nothing_about_it(
    client, django_capture_on_commit_callbacks, people, mailoutbox
):
    """The answer is the same as for a new address (so the form cannot find out who has an account);
    nothing is registered, and the account's owner is told how to sign in instead."""
    new = register(client, django_capture_on_commit_callbacks, email="someone.new@harbour-lights.example")
    client.session.flush()
    taken = register(
        client, django_capture_on_commit_callbacks, email="ADMIN@Moorside.example", legal_name="Second Trust"
    )
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert taken["Location"] == reverse("providers:register_done")
    assert not Organisation.objects.filter(legal_name="Second Trust").exists()
    assert User.objects.filter(email__iexact="admin@moorside.example").count() == 1
    assert [message.to for message in mailoutbox] == [
        ["someone.new@harbour-lights.example"],
        ["admin@moorside.example"],
    ]
    assert mailoutbox[1].subject == "You already have an account"
    assert "Nothing has been registered" in mailoutbox[1].body
    assert "/verify/" not in mailoutbox[1].body
    assert (
        services.organisation_register_with_account(
            organisation=details(legal_name="Third Trust"),
            full_name="Someone",
            email="Admin@MOORSIDE.example",
            password=GOOD_PASSWORD,
            build_url=lambda path: path,
        )
        is None
    )


def test_passwords_must_pass_djangos_validators(client, django_capture_on_commit_callbacks):
    body = register(client, django_capture_on_commit_callbacks, password1="password", password2="password").content
    assert b"This password is too common" in body
    assert not User.objects.filter(email="ada@harbour-lights.example").exists()


def test_a_legal_name_can_be_registered_once(client, django_capture_on_commit_callbacks, organisation):
    body = register(client, django_capture_on_commit_callbacks, legal_name=organisation.legal_name).content.decode()
    assert "An organisation with this legal name is already registered" in body


def test_a_signed_in_person_registers_an_organisation_under_their_own_account(client_for, people, mailoutbox):
    user = people["no_role"]
    client = client_for(user)
    form = client.get(reverse("providers:register")).content.decode()
    assert 'name="password1"' not in form
    data = {k: v for k, v in registration().items() if k not in {"full_name", "email", "password1", "password2"}}
    response = client.post(reverse("providers:register"), data)
    organisation = Organisation.objects.get(legal_name="Harbour Lights Community Trust")
    assert response.url == reverse("providers:organisation", args=[organisation.pk])
    assert organisation.members.get().user == user
    assert mailoutbox == []
