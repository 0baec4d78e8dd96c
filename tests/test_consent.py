"""Consent (issue 17): nobody becomes a member of a provider organisation, or a partner in a joint
bid, because someone else said so. Membership and partnership wall council officers out of a
procurement, so a bidder must not be able to wall out the lead commissioner or a panellist by adding
them to its organisation or naming their organisation as a partner.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from commissioning.models import BidPartner
from commissioning.sourcing.gates import missing_to_submit
from commissioning.sourcing.selectors import bids as bid_selectors
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import partners as partner_services
from commissioning.tests.bid_factories import (
    clock,
    close_and_open,
    complete_bid,
    open_opportunity,
    start_bid,
    submitted_bid,
)
from councils.models import AuditEvent, Notification, ReminderKind, Role, User
from councils.services import audit_record
from councils.workflow import TransitionRefused
from monitoring.reminders import emails
from providers import invitation_services, services
from providers.models import Invitation, Organisation, OrganisationMember, OrganisationType, ProviderRole, Sector
from providers.tests.conftest import link_in
from providers.tests.factories import OrganisationFactory, OrganisationMemberFactory


def _link(path: str) -> str:
    return f"https://commissioner.example{path}"


@pytest.fixture
def organisation(people):
    return OrganisationMember.objects.get(user=people["provider_admin"]).organisation


@pytest.fixture
def bid_for_it(council, people, organisation):
    """The organisation has bid for one of the council's opportunities (a draft walls as well)."""
    opportunity = open_opportunity(council, questions=1)
    return start_bid(opportunity, people["provider_admin"], organisation)


def invite(people, organisation, who, *, role=ProviderRole.BID_WRITER, capture=None):
    """Send the invitation and return the path of its link (from the email)."""
    mail.outbox.clear()
    with capture(execute=True):
        invitation_services.invitation_send(
            by=people["provider_admin"],
            organisation=organisation,
            email=who.email,
            full_name=who.full_name,
            role=role,
            build_url=_link,
        )
    [message] = mail.outbox
    return link_in(message)


def fresh(user: User) -> User:
    """The person as the next request sees them (roles are cached on the user object per request)."""
    return User.objects.get(pk=user.pk)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


# ---- Membership --------------------------------------------------------------------------------


def test_inviting_the_lead_commissioner_does_not_wall_them_out_only_accepting_does(
    client_for, people, organisation, bid_for_it, django_capture_on_commit_callbacks
):
    lead = people[Role.LEAD_COMMISSIONER]
    opportunity = bid_for_it.opportunity
    link = invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)

    assert not OrganisationMember.objects.filter(user=lead).exists()
    assert not bid_selectors.is_walled_off(lead, opportunity)

    # The invitation page warns them, naming the procurement and why, before they accept.
    page = client_for(lead).get(link).content.decode()
    assert "data-wall-warning" in page
    assert opportunity.reference in page
    assert "it bids for this opportunity" in page.lower()
    assert not bid_selectors.is_walled_off(lead, opportunity)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(link, {"answer": "accept"})
    assert response.status_code == 302
    member = OrganisationMember.objects.get(user=lead, organisation=organisation)
    assert member.consented_at is not None
    assert bid_selectors.is_walled_off(fresh(lead), opportunity)


def test_a_council_officer_accepting_tells_the_lead_commissioner(
    client_for, council, people, organisation, bid_for_it, django_capture_on_commit_callbacks
):
    officer = people[Role.COMMISSIONING_OFFICER]
    lead = people[Role.LEAD_COMMISSIONER]
    link = invite(people, organisation, officer, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer).post(link, {"answer": "accept"})
    notice = Notification.objects.get(user=lead, kind=ReminderKind.STAFF_JOINED_PROVIDER)
    assert officer.full_name in notice.title
    assert bid_for_it.opportunity.reference in notice.body
    assert notice.url == reverse("providers:staff_memberships", kwargs={"council_slug": council.slug})
    # The email goes from the outbox, once, however often the delivery runs.
    emails.deliver_emails()
    emails.deliver_emails()
    assert [m.to for m in mail.outbox if m.subject == notice.title] == [[lead.email]]
    assert not Notification.objects.filter(user=officer, kind=ReminderKind.STAFF_JOINED_PROVIDER).exists()


def test_someone_else_cannot_accept_an_invitation_for_another_email(
    client_for, people, organisation, bid_for_it, django_capture_on_commit_callbacks
):
    lead = people[Role.LEAD_COMMISSIONER]
    link = invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)
    # The bidder's own administrator, holding the link, cannot accept it for the lead commissioner.
    bidder = people["provider_admin"]
    page = client_for(bidder).get(link).content.decode()
    assert "only the person it was sent to can answer it" in page
    assert "Send answer" not in page
    client_for(bidder).post(link, {"answer": "accept"})
    with pytest.raises(PermissionDenied):
        invitation_services.invitation_accept(by=bidder, token=token_of(link))
    with pytest.raises(PermissionDenied):
        invitation_services.invitation_decline(by=people["other_provider_admin"], token=token_of(link))
    assert not OrganisationMember.objects.filter(user=lead).exists()
    assert Invitation.objects.get(email=lead.email).is_pending


def test_anyone_following_the_link_signed_out_must_sign_in_as_the_invitee(
    client, people, organisation, django_capture_on_commit_callbacks
):
    lead = people[Role.LEAD_COMMISSIONER]
    link = invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)
    page = client.get(link).content.decode()
    assert f"sign in as {lead.email}" in page
    assert "Create your account" not in page  # the address has an account: no second one
    client.post(link, {"answer": "accept", "full_name": "X", "password1": "p", "password2": "p"})
    assert not OrganisationMember.objects.filter(user=lead).exists()


@pytest.mark.parametrize("how", ["declined", "withdrawn", "expired"])
def test_declined_withdrawn_and_expired_invitations_do_nothing(
    how, client_for, people, organisation, bid_for_it, django_capture_on_commit_callbacks
):
    lead = people[Role.LEAD_COMMISSIONER]
    link = invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email=lead.email)
    if how == "declined":
        response = client_for(lead).post(link, {"answer": "decline"})
        assert response.status_code == 302
    elif how == "withdrawn":
        url = reverse("providers:invitation_withdraw", args=[organisation.pk, invitation.pk])
        assert client_for(people["provider_admin"]).post(url).status_code == 302
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    invitation.refresh_from_db()
    assert invitation.status == how

    page = client_for(lead).get(link).content.decode()
    assert "This invitation cannot be answered" in page
    client_for(lead).post(link, {"answer": "accept"})
    with pytest.raises(ValidationError):
        invitation_services.invitation_accept(by=lead, token=token_of(link))
    assert not OrganisationMember.objects.filter(user=lead).exists()
    assert not bid_selectors.is_walled_off(lead, bid_for_it.opportunity)


def test_invitation_events_are_audited(client_for, people, organisation, django_capture_on_commit_callbacks):
    lead = people[Role.LEAD_COMMISSIONER]
    link = invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)
    client_for(lead).post(link, {"answer": "decline"})
    link = invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email=lead.email, declined_at__isnull=True)
    invitation_services.invitation_withdraw(by=people["provider_admin"], invitation=invitation)
    events = set(
        AuditEvent.objects.filter(event_type__startswith="organisation_invitation.").values_list(
            "event_type", flat=True
        )
    )
    assert events == {
        "organisation_invitation.sent",
        "organisation_invitation.declined",
        "organisation_invitation.withdrawn",
    }


def test_only_the_organisations_administrators_see_and_withdraw_pending_invitations(
    client_for, people, organisation, other_organisation_admin, django_capture_on_commit_callbacks
):
    lead = people[Role.LEAD_COMMISSIONER]
    invite(people, organisation, lead, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email=lead.email)
    page = client_for(people["provider_admin"]).get(reverse("providers:organisation", args=[organisation.pk]))
    assert lead.email in page.content.decode()
    writer = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER).user
    assert (
        lead.email
        not in client_for(writer).get(reverse("providers:organisation", args=[organisation.pk])).content.decode()
    )
    url = reverse("providers:invitation_withdraw", args=[organisation.pk, invitation.pk])
    assert client_for(writer).post(url).status_code == 403
    assert client_for(other_organisation_admin).post(url).status_code == 404
    with pytest.raises(PermissionDenied):
        invitation_services.invitation_withdraw(by=writer, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.fixture
def other_organisation_admin(people):
    return people["other_provider_admin"]


def test_registering_an_organisation_is_consent(people):
    founder = OrganisationMember.objects.get(user=people["provider_admin"])
    assert founder.consented_at is not None


# ---- Memberships made without consent ----------------------------------------------------------


@pytest.fixture
def unconsented(council, people, organisation):
    """The lead commissioner, added to a provider before consent was asked (as the old code did)."""
    return OrganisationMemberFactory(
        organisation=organisation, user=people[Role.LEAD_COMMISSIONER], role=ProviderRole.BID_WRITER, consented_at=None
    )


def test_the_councils_administrators_see_their_staffs_memberships_without_consent(
    client_for, council, people, unconsented
):
    OrganisationMemberFactory(user=people["other_council_officer"], consented_at=None)  # another council's
    OrganisationMemberFactory(user=people[Role.PROCUREMENT_OFFICER])  # consented
    url = reverse("providers:staff_memberships", kwargs={"council_slug": council.slug})
    for role in (Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN):
        body = client_for(people[role]).get(url).content.decode()
        assert people[Role.LEAD_COMMISSIONER].email in body
        assert people["other_council_officer"].email not in body
        assert people[Role.PROCUREMENT_OFFICER].email not in body
    assert client_for(people[Role.PROCUREMENT_OFFICER]).get(url).status_code == 403
    assert client_for(people["provider_admin"]).get(url).status_code == 403


def test_the_person_leaves_the_organisation_they_were_added_to(
    client_for, people, organisation, unconsented, bid_for_it
):
    lead = people[Role.LEAD_COMMISSIONER]
    assert bid_selectors.is_walled_off(lead, bid_for_it.opportunity)
    body = client_for(lead).get(reverse("providers:portal")).content.decode()
    assert "Added without their consent" in body
    response = client_for(lead).post(reverse("providers:leave", args=[organisation.pk]))
    assert response.status_code == 302
    assert not OrganisationMember.objects.filter(user=lead).exists()
    assert not bid_selectors.is_walled_off(fresh(lead), bid_for_it.opportunity)


def test_the_last_administrator_cannot_leave(client_for, people, organisation):
    admin = people["provider_admin"]
    response = client_for(admin).post(reverse("providers:leave", args=[organisation.pk]))
    assert response.status_code == 200
    assert "at least one organisation administrator" in response.content.decode()
    assert OrganisationMember.objects.filter(user=admin, organisation=organisation).exists()


# ---- Joint-bid partners ------------------------------------------------------------------------


@pytest.fixture
def joint(council, people):
    """A complete bid naming the lead commissioner's organisation as partner, not yet confirmed."""
    opportunity = open_opportunity(council, questions=1)
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user)
    partner_org = OrganisationFactory(legal_name="Testshire Sports Company Ltd")
    partner_admin = OrganisationMemberFactory(organisation=partner_org).user
    OrganisationMemberFactory(
        organisation=partner_org, user=people[Role.LEAD_COMMISSIONER], role=ProviderRole.MONITORING_CONTACT
    )
    [partner] = bid_services.bid_save_rows(
        by=user,
        bid=bid,
        model=BidPartner,
        rows=[{"organisation": partner_org, "role": "Runs the football sessions"}],
    )
    return {"bid": bid, "partner": partner, "partner_admin": partner_admin, "opportunity": opportunity, "user": user}


def test_an_unconfirmed_partner_blocks_submission_walls_nobody_and_is_not_named(client_for, council, people, joint):
    bid, partner = joint["bid"], joint["partner"]
    assert partner.confirmed_at is None
    # Its administrators were asked, in the app.
    assert Notification.objects.filter(user=joint["partner_admin"], kind=ReminderKind.PARTNER_TO_CONFIRM).exists()
    missing = missing_to_submit(bid)
    assert any("Wait for Testshire Sports Company Ltd to confirm" in line for line in missing)
    with pytest.raises(TransitionRefused):
        bid_services.bid_transition(by=joint["user"], bid=bid, name="submit")
    # Naming the lead commissioner's organisation does not wall them out.
    assert not bid_selectors.is_walled_off(people[Role.LEAD_COMMISSIONER], joint["opportunity"])
    assert partner.shown_name == "Unconfirmed partner"


def test_a_confirmed_partner_is_named_and_walls_its_members(client, client_for, council, people, joint):
    bid, partner, lead = joint["bid"], joint["partner"], people[Role.LEAD_COMMISSIONER]
    # The partner's page shows the lead, the opportunity and the role, never the bid's contents.
    page = client_for(joint["partner_admin"]).get(reverse("bids:partnership", args=[partner.pk])).content.decode()
    assert "Runs the football sessions" in page
    assert str(bid.organisation) in page
    assert "Detached youth work" not in page  # the bid's summary
    response = client_for(joint["partner_admin"]).post(
        reverse("bids:partnership", args=[partner.pk]), {"answer": "confirm"}
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.is_confirmed
    assert partner.shown_name == "Testshire Sports Company Ltd"
    assert missing_to_submit(bid) == []
    bid_services.bid_transition(by=joint["user"], bid=bid, name="submit")
    assert bid_selectors.is_walled_off(fresh(lead), joint["opportunity"])

    officer = people[Role.COMMISSIONING_OFFICER]
    with clock(joint["opportunity"].submission_deadline + datetime.timedelta(minutes=1)):
        close_and_open(joint["opportunity"], officer=people[Role.LEGAL_OFFICER])
    url = reverse(
        "bids:council_detail",
        kwargs={"council_slug": council.slug, "opportunity_pk": joint["opportunity"].pk, "bid_pk": bid.pk},
    )
    assert "Testshire Sports Company Ltd" in client_for(officer).get(url).content.decode()


def test_the_council_never_sees_an_unconfirmed_partners_name(client_for, council, people, joint):
    """A partner from before confirmation was asked, on a bid already submitted: shown without its name."""
    bid, partner = joint["bid"], joint["partner"]
    partner_services.partner_confirm(by=joint["partner_admin"], partner=partner)
    bid_services.bid_transition(by=joint["user"], bid=bid, name="submit")
    BidPartner.objects.filter(pk=partner.pk).update(confirmed_at=None, confirmed_by=None)  # as migrated
    with clock(joint["opportunity"].submission_deadline + datetime.timedelta(minutes=1)):
        close_and_open(joint["opportunity"], officer=people[Role.LEGAL_OFFICER])
    url = reverse(
        "bids:council_detail",
        kwargs={"council_slug": council.slug, "opportunity_pk": joint["opportunity"].pk, "bid_pk": bid.pk},
    )
    body = client_for(people[Role.COMMISSIONING_OFFICER]).get(url).content.decode()
    assert "Unconfirmed partner" in body
    assert "Testshire Sports Company Ltd" not in body


def test_a_declined_partner_blocks_submission_until_removed(people, joint):
    partner_services.partner_decline(by=joint["partner_admin"], partner=joint["partner"])
    assert any("has declined" in line for line in missing_to_submit(joint["bid"]))
    bid_services.bid_save_rows(by=joint["user"], bid=joint["bid"], model=BidPartner, rows=[])
    assert missing_to_submit(joint["bid"]) == []


def test_changing_a_partners_role_asks_again(people, joint):
    partner = partner_services.partner_confirm(by=joint["partner_admin"], partner=joint["partner"])
    [same] = bid_services.bid_save_rows(
        by=joint["user"],
        bid=joint["bid"],
        model=BidPartner,
        rows=[{"id": partner.pk, "organisation": partner.organisation, "role": partner.role}],
    )
    assert same.is_confirmed
    [changed] = bid_services.bid_save_rows(
        by=joint["user"],
        bid=joint["bid"],
        model=BidPartner,
        rows=[{"id": partner.pk, "organisation": partner.organisation, "role": "Runs everything"}],
    )
    assert not changed.is_confirmed


def test_only_the_partners_administrators_answer(client_for, people, joint):
    partner = joint["partner"]
    url = reverse("bids:partnership", args=[partner.pk])
    # The lead bidder, the lead commissioner (a monitoring contact there) and another provider cannot.
    assert client_for(joint["user"]).get(url).status_code == 404
    assert client_for(people[Role.LEAD_COMMISSIONER]).get(url).status_code == 404
    assert client_for(people["other_provider_admin"]).get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        partner_services.partner_confirm(by=joint["user"], partner=partner)
    partner.refresh_from_db()
    assert not partner.is_confirmed


def test_a_free_text_partner_cannot_be_named(people, joint):
    with pytest.raises(bid_services.RowsInvalid):
        bid_services.bid_save_rows(
            by=joint["user"],
            bid=joint["bid"],
            model=BidPartner,
            rows=[{"organisation": None, "name": "Unregistered Group", "role": "Cooks"}],
        )


def test_submitted_bids_with_confirmed_partners_can_be_made_by_the_factories(council, people):
    opportunity = open_opportunity(council, questions=1)
    bid = submitted_bid(opportunity, people["provider_admin"], partner="Dale CIC")
    assert [p.shown_name for p in bid.partners.all()] == ["Dale CIC"]


def test_council_staff_registering_an_organisation_is_consent_and_their_lead_commissioner_is_told(people):
    officer, lead = people[Role.PROCUREMENT_OFFICER], people[Role.LEAD_COMMISSIONER]
    organisation = services.organisation_register(
        by=officer,
        organisation=Organisation(
            legal_name="Testshire Youth Service (in-house)",
            organisation_type=OrganisationType.PUBLIC_BODY,
            sector=Sector.PUBLIC,
        ),
    )
    assert OrganisationMember.objects.get(user=officer, organisation=organisation).consented_at is not None
    notice = Notification.objects.get(user=lead, kind=ReminderKind.STAFF_JOINED_PROVIDER)
    assert "Testshire Youth Service" in notice.title
    assert not Notification.objects.filter(user=people["other_council_officer"]).exists()


# ---- The data migrations -------------------------------------------------------------------------


def test_the_migration_finds_founders_consent_and_nobody_elses(people, organisation):
    migration = importlib.import_module("providers.migrations.0004_founders_consented")
    founder = OrganisationMember.objects.get(user=people["provider_admin"])
    added = OrganisationMemberFactory(organisation=organisation, role=ProviderRole.BID_WRITER)
    OrganisationMember.objects.filter(pk__in=[founder.pk, added.pk]).update(consented_at=None)
    registered = audit_record(
        council=None,
        actor=founder.user,
        event_type="organisation.registered",
        obj=organisation,
        extra={"member": founder.pk},
    )
    migration.founders_consented(django_apps, None)
    founder.refresh_from_db()
    added.refresh_from_db()
    assert founder.consented_at == registered.created_at
    assert added.consented_at is None


def test_the_migration_confirms_partners_only_on_bids_already_submitted(people, joint):
    migration = importlib.import_module("commissioning.migrations.0008_partners_on_submitted_bids_confirmed")
    draft_partner = joint["partner"]
    opportunity = open_opportunity(joint["opportunity"].council, questions=1)
    sealed = submitted_bid(opportunity, people["other_provider_admin"], partner="Dale CIC")
    BidPartner.objects.filter(bid=sealed).update(confirmed_at=None, confirmed_by=None)
    migration.confirm_submitted(django_apps, None)
    draft_partner.refresh_from_db()
    assert draft_partner.confirmed_at is None
    assert all(partner.is_confirmed for partner in BidPartner.objects.filter(bid=sealed))
