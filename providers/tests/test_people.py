"""People who act for an organisation: invitations, roles, removal, and isolation between organisations."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from councils.models import AuditEvent, User
from providers import invitation_services, services
from providers.models import Invitation, OrganisationMember, ProviderRole
from providers.tests.conftest import link_in
from providers.tests.factories import OrganisationMemberFactory

NEW_PASSWORD = "quiet-orchard-lantern-77"


def invite(client, organisation, capture, **data):
    data = {"full_name": "Grace Hopper", "email": "grace@moorside.example", "role": ProviderRole.BID_WRITER, **data}
    with capture(execute=True):
        return client.post(reverse("providers:person_invite", args=[organisation.pk]), data)


def admin_of(organisation):
    return organisation.members.get(role=ProviderRole.ORGANISATION_ADMIN)


def test_an_admin_invites_a_new_colleague_who_creates_an_account_and_accepts(
    client_for, people, organisation, django_capture_on_commit_callbacks, mailoutbox, client
):
    response = invite(client_for(people["provider_admin"]), organisation, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # The invitation makes nobody anything: no account, no membership.
    assert not User.objects.filter(email="grace@moorside.example").exists()
    invitation = Invitation.objects.get(organisation=organisation, email="grace@moorside.example")
    assert invitation.role == ProviderRole.BID_WRITER
    assert AuditEvent.objects.filter(event_type="organisation_invitation.sent", object_id=str(invitation.pk)).exists()
    [message] = mailoutbox
    assert message.to == ["grace@moorside.example"]
    link = link_in(message)
    assert link.startswith("/providers/invitations/")
    assert link.rstrip("/").rsplit("/", 1)[1] not in invitation.token_digest  # only the digest is kept

    client.logout()
    page = client.get(link)
    assert "Create your account" in page.content.decode()
    response = client.post(link, {"full_name": "Grace Hopper", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="grace@moorside.example")
    assert user.check_password(NEW_PASSWORD)
    assert user.is_active
    assert client.session[SESSION_KEY] == str(user.pk)
    assert not OrganisationMember.objects.filter(user=user).exists()  # accepting is a step of its own

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"answer": "accept"})
    assert response.status_code == 302
    member = OrganisationMember.objects.get(organisation=organisation, user=user)
    assert member.role == ProviderRole.BID_WRITER
    assert member.consented_at is not None
    assert AuditEvent.objects.filter(event_type="organisation_invitation.accepted", actor=user).exists()
    # The link is spent.
    assert "This invitation cannot be answered" in client.get(link).content.decode()


def test_inviting_someone_with_an_account_adds_nothing_until_they_accept(
    people, organisation, django_capture_on_commit_callbacks, mailoutbox, client_for
):
    existing = people["other_provider_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_services.invitation_send(
            by=people["provider_admin"],
            organisation=organisation,
            email=existing.email.upper(),
            full_name="ignored",
            role=ProviderRole.MONITORING_CONTACT,
            build_url=lambda path: f"https://commissioner.example{path}",
        )
    assert invitation.email == existing.email
    assert not OrganisationMember.objects.filter(organisation=organisation, user=existing).exists()
    assert existing.check_password("correct-horse-battery-staple")  # untouched
    [message] = mailoutbox
    link = link_in(message)
    body = client_for(existing).get(link).content.decode()
    assert "Send answer" in body
    client_for(existing).post(link, {"answer": "accept"})
    joined = OrganisationMember.objects.get(organisation=organisation, user=existing)
    assert joined.consented_at is not None


def test_inviting_a_member_again_is_refused(people, organisation):
    with pytest.raises(ValidationError) as caught:
        invitation_services.invitation_send(
            by=people["provider_admin"],
            organisation=organisation,
            email=people["provider_admin"].email,
            full_name="Again",
            role=ProviderRole.ORGANISATION_ADMIN,
            build_url=str,
        )
    assert "email" in caught.value.message_dict


def test_inviting_again_sends_a_fresh_link_and_the_old_one_stops_working(
    client_for, people, organisation, django_capture_on_commit_callbacks, mailoutbox, client
):
    admin = client_for(people["provider_admin"])
    invite(admin, organisation, django_capture_on_commit_callbacks)
    invite(admin, organisation, django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(email="grace@moorside.example").count() == 1
    first, second = mailoutbox
    assert link_in(first) != link_in(second)
    client.logout()
    assert "This invitation cannot be answered" in client.get(link_in(first)).content.decode()
    assert "Create your account" in client.get(link_in(second)).content.decode()


def test_invitation_errors_show_on_the_form(client_for, people, organisation, django_capture_on_commit_callbacks):
    response = invite(
        client_for(people["provider_admin"]), organisation, django_capture_on_commit_callbacks, email="", role=""
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter their email address" in body
    assert "Choose a role" in body
    assert 'value="Grace Hopper"' in body


def test_only_organisation_admins_manage_people(client_for, organisation, django_capture_on_commit_callbacks):
    writer = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER).user
    client = client_for(writer)
    assert client.get(reverse("providers:organisation", args=[organisation.pk])).status_code == 200
    assert invite(client, organisation, django_capture_on_commit_callbacks).status_code == 403
    member = admin_of(organisation)
    assert client.get(reverse("providers:person_role", args=[organisation.pk, member.pk])).status_code == 403
    assert client.get(reverse("providers:person_remove", args=[organisation.pk, member.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.person_change_role(by=writer, member=member, role=ProviderRole.BID_WRITER)


def test_an_admin_changes_a_role(client_for, people, organisation):
    member = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER)
    response = client_for(people["provider_admin"]).post(
        reverse("providers:person_role", args=[organisation.pk, member.pk]), {"role": ProviderRole.MONITORING_CONTACT}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == ProviderRole.MONITORING_CONTACT
    event = AuditEvent.objects.get(event_type="organisation_member.role_changed")
    assert (event.from_state, event.to_state) == (ProviderRole.BID_WRITER, ProviderRole.MONITORING_CONTACT)


def test_the_last_admin_cannot_step_down(client_for, people, organisation):
    member = admin_of(organisation)
    response = client_for(people["provider_admin"]).post(
        reverse("providers:person_role", args=[organisation.pk, member.pk]), {"role": ProviderRole.BID_WRITER}
    )
    assert response.status_code == 200
    assert "must keep at least one organisation administrator" in response.content.decode()
    member.refresh_from_db()
    assert member.role == ProviderRole.ORGANISATION_ADMIN


def test_the_last_admin_cannot_be_removed(client_for, people, organisation):
    member = admin_of(organisation)
    OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER)
    response = client_for(people["provider_admin"]).post(
        reverse("providers:person_remove", args=[organisation.pk, member.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "must keep at least one organisation administrator" in response.content.decode()
    assert OrganisationMember.objects.filter(pk=member.pk).exists()


def test_with_a_second_admin_the_first_can_be_removed(people, organisation):
    second = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.ORGANISATION_ADMIN)
    first = organisation.members.get(user=people["provider_admin"])
    services.person_remove(by=second.user, member=first, reason="Left")
    assert list(organisation.members.all()) == [second]
    event = AuditEvent.objects.get(event_type="organisation_member.removed")
    assert event.reason == "Left"
    assert event.extra["user"] == people["provider_admin"].email


def test_an_admin_removes_a_colleague_who_then_loses_access(client_for, people, organisation):
    member = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER)
    response = client_for(people["provider_admin"]).post(
        reverse("providers:person_remove", args=[organisation.pk, member.pk]), {"reason": "Moved on"}
    )
    assert response.status_code == 302
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()
    assert client_for(member.user).get(reverse("providers:organisation", args=[organisation.pk])).status_code == 404


@pytest.mark.parametrize("name", ["organisation", "organisation_edit", "person_invite", "document_add"])
def test_another_organisations_pages_are_not_found(client_for, people, other_organisation, name):
    client = client_for(people["provider_admin"])
    assert client.get(reverse(f"providers:{name}", args=[other_organisation.pk])).status_code == 404


@pytest.mark.parametrize("name", ["person_role", "person_remove"])
def test_another_organisations_people_are_not_found(client_for, people, organisation, other_organisation, name):
    client = client_for(people["provider_admin"])
    theirs = admin_of(other_organisation)
    assert client.get(reverse(f"providers:{name}", args=[other_organisation.pk, theirs.pk])).status_code == 404
    # Nor through one's own organisation's address.
    assert client.get(reverse(f"providers:{name}", args=[organisation.pk, theirs.pk])).status_code == 404
    assert (
        client.post(reverse(f"providers:{name}", args=[organisation.pk, theirs.pk]), {"role": "bid_writer"}).status_code
        == 404
    )
    assert OrganisationMember.objects.filter(pk=theirs.pk, role=ProviderRole.ORGANISATION_ADMIN).exists()


def test_the_portal_shows_only_ones_own_organisation(client_for, people, organisation, other_organisation):
    body = client_for(people["provider_admin"]).get(reverse("providers:portal")).content.decode()
    assert organisation.legal_name in body
    assert other_organisation.legal_name not in body
    assert people["other_provider_admin"].email not in body
    assert "Your bids" in body
    # The service navigation's link, marked as the page you are on.
    assert (
        'aria-current="page"><strong class="govuk-service-navigation__active-fallback">Your organisation</strong></a>'
        in body
    )


def test_someone_without_an_organisation_is_offered_registration(client_for, people):
    body = client_for(people["no_role"]).get(reverse("providers:portal")).content.decode()
    assert reverse("providers:register") in body
    assert "You do not act for a provider organisation yet" in body
    assert "Your organisation</strong></a>" not in body
    assert "Your organisation</a>" not in body


def test_an_admin_changes_the_profile_and_a_bid_writer_cannot(client_for, people, organisation):
    url = reverse("providers:organisation_edit", args=[organisation.pk])
    data = {
        "legal_name": organisation.legal_name,
        "organisation_type": organisation.organisation_type,
        "charity_number": organisation.charity_number,
        "registered_address": "2 Mill Lane",
        "postcode": "la2 6rt",
        "sector": organisation.sector,
        "income_band": "under_10k",
    }
    writer = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER).user
    assert client_for(writer).post(url, data).status_code == 403
    response = client_for(people["provider_admin"]).post(url, data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.registered_address, organisation.postcode) == ("2 Mill Lane", "LA2 6RT")
    assert AuditEvent.objects.get(event_type="organisation.updated").extra["fields"] == [
        "income_band",
        "postcode",
        "registered_address",
    ]


def test_a_council_officer_cannot_act_for_an_organisation(people, organisation):
    with pytest.raises(PermissionDenied):
        invitation_services.invitation_send(
            by=people["lead_commissioner"],
            organisation=organisation,
            email="x@example.org",
            full_name="X",
            role=ProviderRole.BID_WRITER,
            build_url=str,
        )
