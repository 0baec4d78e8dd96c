"""Membership by consent. Nobody is made a member of an organisation by someone else: an
administrator sends an invitation to an email address, and only the person signed in with that
address accepts it (or declines it). Membership walls council officers out of the procurements the
organisation bids in, so a council officer is shown which before accepting, and their council's lead
commissioners are told when they do.

Each write runs in one transaction, leaves an audit event, and sends its emails once committed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from councils.models import User
from councils.services import audit_record
from providers.models import INVITATION_VALID_FOR, Invitation, Organisation, OrganisationMember, ProviderRole
from providers.rules import forget_provider_roles
from providers.services import _keep_an_admin, _require, _send_on_commit
from providers.staff_notices import tell_lead_commissioners

UrlBuilder = Callable[[str], str]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(invitation: Invitation, *, by: User | None, event: str, **extra) -> None:
    audit_record(
        council=None,
        actor=by,
        event_type=f"organisation_invitation.{event}",
        obj=invitation,
        extra={
            "email": invitation.email,
            "role": invitation.role,
            "organisation": invitation.organisation_id,
            **extra,
        },
    )


def _send_invitation(invitation: Invitation, token: str, *, by: User, build_url: UrlBuilder) -> None:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "inviter": by,
        "link": build_url(reverse("providers:invitation", kwargs={"token": token})),
        "expires_at": invitation.expires_at,
    }
    recipient = User(email=invitation.email, full_name=invitation.full_name)
    subject = f"Invitation to act for {invitation.organisation}"
    _send_on_commit(recipient, subject, "providers/email/invitation.txt", context)


@transaction.atomic
def invitation_send(
    *, by: User, organisation: Organisation, email: str, full_name: str, role: str, build_url: UrlBuilder
) -> Invitation:
    """An organisation administrator invites someone, by email address, in one provider role. It makes
    them nothing until they accept. Inviting the same address for the same role again sends a fresh
    link and the old one stops working."""
    _require(by, "providers.manage_people", organisation)
    if role not in ProviderRole.values:
        raise ValidationError({"role": "Choose a role."})
    email = email.strip().lower()
    full_name = full_name.strip()
    if OrganisationMember.objects.filter(organisation=organisation, user__email__iexact=email, role=role).exists():
        raise ValidationError(
            {"email": f"{email} already acts for {organisation} as {ProviderRole(role).label.lower()}."}
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(
            organisation=organisation,
            email=email,
            role=role,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .first()
    )
    event = "sent_again" if invitation else "sent"
    if invitation is None:
        invitation = Invitation(organisation=organisation, email=email, role=role, created_at=now)
    invitation.full_name = full_name
    invitation.invited_by = by
    invitation.token_digest = token_digest(token)
    invitation.expires_at = now + INVITATION_VALID_FOR
    invitation.full_clean()
    invitation.save()
    _audit(invitation, by=by, event=event)
    _send_invitation(invitation, token, by=by, build_url=build_url)
    return invitation


def _for_invitee(by: User, token: str) -> Invitation:
    """The pending invitation this link is for, locked, if `by` is the person it was sent to."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "invited_by")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation link does not work.")
    if not by.is_authenticated or by.email.lower() != invitation.email:
        raise PermissionDenied("This invitation was sent to someone else.")
    if not invitation.is_pending:
        raise ValidationError(f"This invitation {invitation.why_closed}: it can no longer be answered.")
    return invitation


@transaction.atomic
def invitation_accept(*, by: User, token: str, build_url: UrlBuilder | None = None) -> OrganisationMember:
    """The invitee accepts: they become a member, by their own consent. If they work for a council,
    its lead commissioners are told, with the procurements they are now walled out of."""
    invitation = _for_invitee(by, token)
    now = timezone.now()
    member, created = OrganisationMember.objects.get_or_create(
        organisation=invitation.organisation, user=by, role=invitation.role, defaults={"consented_at": now}
    )
    if not created and member.consented_at is None:
        member.consented_at = now
        member.save(update_fields=["consented_at"])
    invitation.accepted_at = now
    invitation.accepted_by = by
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_provider_roles(by)
    _audit(invitation, by=by, event="accepted", member=member.pk)
    tell_lead_commissioners(member)
    return member


@transaction.atomic
def invitation_decline(*, by: User, token: str) -> Invitation:
    invitation = _for_invitee(by, token)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    _audit(invitation, by=by, event="declined")
    return invitation


@transaction.atomic
def invitation_withdraw(*, by: User, invitation: Invitation) -> Invitation:
    """An organisation administrator takes back an invitation nobody has answered."""
    _require(by, "providers.manage_people", invitation.organisation)
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.is_answered:
        raise ValidationError(f"This invitation {invitation.why_closed}: it cannot be withdrawn.")
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by = by
    invitation.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _audit(invitation, by=by, event="withdrawn")
    return invitation


@transaction.atomic
def invitation_register(*, token: str, full_name: str, password: str) -> User:
    """Someone invited at an address with no account creates one to answer. Following the emailed
    link proves the address, so the account is active at once; accepting is still a separate step."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(token_digest=token_digest(token))
        .select_related("organisation")
    ).first()
    if invitation is None or not invitation.is_pending:
        raise ValidationError("This invitation link does not work.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account already uses this email address. Sign in to answer the invitation.")
    user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name.strip())
    audit_record(
        council=None,
        actor=user,
        event_type="account.registered_from_invitation",
        obj=user,
        extra={"invitation": invitation.pk, "organisation": invitation.organisation_id},
    )
    return user


@transaction.atomic
def membership_leave(*, by: User, organisation: Organisation) -> int:
    """A person stops acting for an organisation (every role they hold in it), unless that would leave
    it without an administrator."""
    members = list(OrganisationMember.objects.select_for_update().filter(organisation=organisation, user=by))
    if not members:
        raise PermissionDenied
    for member in members:
        _keep_an_admin(member)
    for member in members:
        audit_record(
            council=None,
            actor=by,
            event_type="organisation_member.left",
            obj=member,
            extra={
                "user": by.email,
                "role": member.role,
                "organisation": organisation.pk,
                "consented": member.consented_at is not None,
            },
        )
    OrganisationMember.objects.filter(pk__in=[m.pk for m in members]).delete()
    forget_provider_roles(by)
    return len(members)
