"""Writes for provider organisations and their people. Each runs in one transaction, takes the
person acting as `by=`, checks their permission and leaves an audit event. Emails go out once the
transaction has committed, so nobody is sent a link to something that was rolled back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.text import slugify

from councils.models import Council, Outcome, User
from councils.services import audit_record
from providers.models import (
    ApprovedSupplier,
    ComplianceDocument,
    CpvInterest,
    Organisation,
    OrganisationMember,
    ProviderRole,
)
from providers.rules import forget_provider_roles
from providers.staff_notices import tell_lead_commissioners

# Builds an absolute link from a path: the view passes `request.build_absolute_uri`.
UrlBuilder = Callable[[str], str]

# An officer verified these details: changing any of them needs verifying again.
VERIFIED_FIELDS = ("legal_name", "organisation_type", "charity_number", "company_number", "ppon")


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, expiring token, salted apart from password resets and spent once the account
    is active (so a verification link can neither reset a password nor be used twice)."""

    key_salt = "providers.services.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_verification_token = EmailVerificationTokenGenerator()


def _require(user: User, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


def _send_on_commit(user: User, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, {"user": user, **context})
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def _unique_slug(legal_name: str) -> str:
    base = slugify(legal_name)[:110] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# ---- Registration and email verification ----


def _set_alert_interests(organisation: Organisation, *, councils: Iterable[Council], cpv_codes: Iterable[str]) -> None:
    """The councils and CPV divisions and groups the organisation's opportunity alerts match on."""
    organisation.alert_councils.set(councils)
    codes = set(cpv_codes)
    organisation.cpv_interests.exclude(code__in=codes).delete()
    kept = set(organisation.cpv_interests.values_list("code", flat=True))
    CpvInterest.objects.bulk_create([CpvInterest(organisation=organisation, code=code) for code in codes - kept])


def _alert_details(organisation: Organisation) -> dict:
    """What the audit trail keeps of the organisation's opportunity alerts."""
    return {
        "opportunity_alerts": organisation.opportunity_alerts,
        "alert_every_council": organisation.alert_every_council,
        "alert_councils": sorted(organisation.alert_councils.values_list("slug", flat=True)),
        "cpv_interests": sorted(organisation.cpv_interests.values_list("code", flat=True)),
    }


@transaction.atomic
def organisation_register(
    *,
    by: User,
    organisation: Organisation,
    outcomes: Iterable[Outcome] = (),
    alert_councils: Iterable[Council] = (),
    cpv_codes: Iterable[str] = (),
) -> Organisation:
    """Register a new organisation, with the person registering it as its organisation administrator."""
    organisation.pk = None
    organisation.verified_at = None
    organisation.verified_by = None
    organisation.slug = _unique_slug(organisation.legal_name)
    organisation.full_clean()
    organisation.save()
    organisation.outcomes_of_interest.set(outcomes)
    _set_alert_interests(organisation, councils=alert_councils, cpv_codes=cpv_codes)
    # The founder's consent is their own registration.
    member = OrganisationMember.objects.create(
        organisation=organisation, user=by, role=ProviderRole.ORGANISATION_ADMIN, consented_at=timezone.now()
    )
    forget_provider_roles(by)
    tell_lead_commissioners(member)
    audit_record(
        council=None,
        actor=by,
        event_type="organisation.registered",
        obj=organisation,
        extra={"administrator": by.email, "member": member.pk, **_alert_details(organisation)},
    )
    return organisation


def send_verification_email(user: User, *, build_url: UrlBuilder) -> None:
    link = build_url(
        reverse(
            "providers:verify_email",
            kwargs={"uidb64": _uid(user), "token": email_verification_token.make_token(user)},
        )
    )
    context = {"link": link, "resend_link": build_url(reverse("providers:resend_verification"))}
    _send_on_commit(user, "Confirm your email address", "providers/email/verify_email.txt", context)


@transaction.atomic
def organisation_register_with_account(
    *,
    organisation: Organisation,
    outcomes: Iterable[Outcome] = (),
    alert_councils: Iterable[Council] = (),
    cpv_codes: Iterable[str] = (),
    full_name: str,
    email: str,
    password: str,
    build_url: UrlBuilder,
) -> User | None:
    """Self-registration: a new, inactive account and its organisation. The account works once the
    person follows the link emailed to them.

    An address that already has an account is answered exactly as a new one is ("check your email"),
    so the form cannot be used to find out who has an account: nothing is registered, and the
    account's owner is emailed how to sign in and register the organisation. Returns the new account,
    or None when the address already had one."""
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        context = {"sign_in": build_url(reverse("login")), "reset": build_url(reverse("password_reset"))}
        _send_on_commit(existing, "You already have an account", "providers/email/already_registered.txt", context)
        return None
    user = User.objects.create_user(email=email, password=password, full_name=full_name.strip(), is_active=False)
    organisation_register(
        by=user, organisation=organisation, outcomes=outcomes, alert_councils=alert_councils, cpv_codes=cpv_codes
    )
    send_verification_email(user, build_url=build_url)
    return user


def awaiting_verification(user: User) -> bool:
    """Registered, never signed in, not yet confirmed (a deactivated account is not re-sent a link)."""
    return (
        not user.is_active
        and user.last_login is None
        and user.has_usable_password()
        and user.organisation_memberships.exists()
    )


@transaction.atomic
def verification_resend(*, email: str, build_url: UrlBuilder) -> None:
    """Send a fresh link. Says nothing either way, so the form cannot be used to find accounts."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is not None and awaiting_verification(user):
        send_verification_email(user, build_url=build_url)


@transaction.atomic
def email_verify(*, uidb64: str, token: str) -> User | None:
    """Activate the account the link was sent for; None if the link is wrong, used or out of date."""
    user = _user_from_uid(uidb64)
    if user is None or not awaiting_verification(user) or not email_verification_token.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(council=None, actor=user, event_type="account.email_verified", obj=user)
    return user


# ---- The organisation's profile ----


@transaction.atomic
def organisation_update(
    *,
    by: User,
    organisation: Organisation,
    outcomes: Iterable[Outcome] | None = None,
    alert_councils: Iterable[Council] | None = None,
    cpv_codes: Iterable[str] | None = None,
) -> Organisation:
    """An organisation administrator changes the profile, and what its opportunity alerts match on
    (None leaves that part as it is). Changing what an officer verified (names, type, numbers) means
    it must be verified again."""
    _require(by, "providers.edit_organisation", organisation)
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [
        field.name
        for field in Organisation._meta.concrete_fields
        if getattr(stored, field.attname) != getattr(organisation, field.attname)
    ]
    organisation.verified_at, organisation.verified_by = stored.verified_at, stored.verified_by
    reverified = bool(stored.verified_at and set(changed) & set(VERIFIED_FIELDS))
    if reverified:
        organisation.verified_at = organisation.verified_by = None
    organisation.full_clean()
    organisation.save()
    if outcomes is not None:
        organisation.outcomes_of_interest.set(outcomes)
    if alert_councils is not None or cpv_codes is not None:
        _set_alert_interests(
            organisation,
            councils=organisation.alert_councils.all() if alert_councils is None else alert_councils,
            cpv_codes=organisation.cpv_interests.values_list("code", flat=True) if cpv_codes is None else cpv_codes,
        )
    audit_record(
        council=None,
        actor=by,
        event_type="organisation.updated",
        obj=organisation,
        extra={"fields": sorted(changed), "verification_cleared": reverified, **_alert_details(organisation)},
    )
    return organisation


# ---- People (invitations and leaving: `providers.invitation_services`) ----


def _keep_an_admin(member: OrganisationMember) -> None:
    """Refuse to leave an organisation without an organisation administrator."""
    if member.role != ProviderRole.ORGANISATION_ADMIN:
        return
    admins = OrganisationMember.objects.select_for_update().filter(
        organisation_id=member.organisation_id, role=ProviderRole.ORGANISATION_ADMIN
    )
    if not admins.exclude(user_id=member.user_id).exists():
        raise ValidationError(
            "An organisation must keep at least one organisation administrator. Make someone else an "
            "administrator first."
        )


@transaction.atomic
def person_change_role(*, by: User, member: OrganisationMember, role: str) -> OrganisationMember:
    _require(by, "providers.manage_people", member.organisation)
    if role not in ProviderRole.values:
        raise ValidationError({"role": "Choose a role."})
    if role == member.role:
        return member
    same = OrganisationMember.objects.filter(organisation_id=member.organisation_id, user_id=member.user_id, role=role)
    if same.exists():
        raise ValidationError({"role": f"{member.user} already has this role."})
    _keep_an_admin(member)
    old = member.role
    member.role = role
    member.save(update_fields=["role"])
    forget_provider_roles(member.user)
    forget_provider_roles(by)
    audit_record(
        council=None,
        actor=by,
        event_type="organisation_member.role_changed",
        obj=member,
        from_state=old,
        to_state=role,
        extra={"user": member.user.email, "organisation": member.organisation_id},
    )
    return member


@transaction.atomic
def person_remove(*, by: User, member: OrganisationMember, reason: str = "") -> None:
    _require(by, "providers.manage_people", member.organisation)
    _keep_an_admin(member)
    audit_record(
        council=None,
        actor=by,
        event_type="organisation_member.removed",
        obj=member,
        reason=reason,
        extra={"user": member.user.email, "role": member.role, "organisation": member.organisation_id},
    )
    member.delete()
    forget_provider_roles(member.user)
    forget_provider_roles(by)


# ---- Compliance documents ----


@transaction.atomic
def document_add(*, by: User, organisation: Organisation, document: ComplianceDocument) -> ComplianceDocument:
    """Store a compliance document (checked by content, kept privately under a random name)."""
    _require(by, "providers.manage_documents", organisation)
    document.organisation = organisation
    document.uploaded_by = by
    document.original_name = Path(document.file.name or "document").name[:200]
    document.full_clean()
    document.save()
    audit_record(
        council=None,
        actor=by,
        event_type="compliance_document.uploaded",
        obj=document,
        extra={"kind": document.kind, "expires_on": document.expires_on.isoformat(), "organisation": organisation.pk},
    )
    return document


@transaction.atomic
def document_remove(*, by: User, document: ComplianceDocument) -> None:
    _require(by, "providers.manage_documents", document.organisation)
    audit_record(
        council=None,
        actor=by,
        event_type="compliance_document.removed",
        obj=document,
        extra={"kind": document.kind, "file": document.original_name, "organisation": document.organisation_id},
    )
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))


# ---- Council officers: verification and the approved suppliers list ----


@transaction.atomic
def organisation_verify(*, by: User, council: Council, organisation: Organisation) -> Organisation:
    """An officer has checked the organisation's registration details against the public registers."""
    _require(by, "providers.verify_organisation", council)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verified_at is not None:
        raise ValidationError("This organisation has already been verified.")
    organisation.verified_at = timezone.now()
    organisation.verified_by = by
    organisation.save(update_fields=["verified_at", "verified_by"])
    audit_record(
        council=council,
        actor=by,
        event_type="organisation.verified",
        obj=organisation,
        extra={"charity_number": organisation.charity_number, "company_number": organisation.company_number},
    )
    return organisation


def _audit_approval(approval: ApprovedSupplier, *, by: User, event_type: str, reason: str) -> None:
    audit_record(
        council=approval.council,
        actor=by,
        event_type=event_type,
        obj=approval,
        reason=reason,
        extra={"organisation": approval.organisation_id},
    )


@transaction.atomic
def approved_supplier_add(*, by: User, council: Council, organisation: Organisation, notes: str) -> ApprovedSupplier:
    _require(by, "providers.manage_approved_suppliers", council)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verified_at is None:
        raise ValidationError("Verify the organisation before adding it to the approved suppliers list.")
    if ApprovedSupplier.objects.filter(council=council, organisation=organisation, removed_at__isnull=True).exists():
        raise ValidationError(f"{organisation} is already on {council}'s approved suppliers list.")
    if not notes.strip():
        raise ValidationError({"notes": "Give a reason: it is kept in the audit trail."})
    approval = ApprovedSupplier.objects.create(
        council=council, organisation=organisation, approved_by=by, notes=notes.strip()
    )
    _audit_approval(approval, by=by, event_type="approved_supplier.added", reason=approval.notes)
    return approval


@transaction.atomic
def approved_supplier_remove(
    *, by: User, council: Council, organisation: Organisation, reason: str
) -> ApprovedSupplier:
    _require(by, "providers.manage_approved_suppliers", council)
    approval = (
        ApprovedSupplier.objects.select_for_update()
        .filter(council=council, organisation=organisation, removed_at__isnull=True)
        .first()
    )
    if approval is None:
        raise ValidationError(f"{organisation} is not on {council}'s approved suppliers list.")
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason: it is kept in the audit trail."})
    approval.removed_at = timezone.now()
    approval.removed_by = by
    approval.removal_reason = reason.strip()
    approval.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    _audit_approval(approval, by=by, event_type="approved_supplier.removed", reason=approval.removal_reason)
    return approval
