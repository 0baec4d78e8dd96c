"""Writes for councils, people and the strategic framework. Every change leaves an audit event."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from councils import page_cache
from councils.models import AuditEvent, Council, Membership, Portfolio, ProcurementThreshold, Role, User
from councils.permissions import council_of, forget_roles


def audit_record(
    *,
    council: Council | None,
    actor: User | None,
    event_type: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    extra: dict | None = None,
) -> AuditEvent:
    """Append one audit event; callers run it inside their own transaction so both land or neither."""
    return AuditEvent.objects.create(
        council=council,
        actor=actor if actor is not None and actor.is_authenticated else None,
        event_type=event_type,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        extra=extra or {},
    )


def _require(user: User, perm: str, council: Council) -> None:
    if not user.has_perm(perm, council):
        raise PermissionDenied


def _changed_fields(instance: models.Model, changed: list[str] | None) -> dict:
    return {"fields": sorted(changed)} if changed else {}


@transaction.atomic
def council_update(*, by: User, council: Council, changed: list[str] | None = None) -> Council:
    """A council administrator changes the council's details, branding or decision thresholds."""
    _require(by, "councils.edit_settings", council)
    council.full_clean()
    council.save()
    audit_record(
        council=council, actor=by, event_type="council.updated", obj=council, extra=_changed_fields(council, changed)
    )
    return council


@transaction.atomic
def framework_record_save(
    *, by: User, council: Council, instance: models.Model, changed: list[str] | None = None
) -> models.Model:
    """Create or change a plan, priority, outcome, theme or portfolio in the council's framework."""
    _require(by, "councils.edit_framework", council)
    owner = council_of(instance)
    if owner is None or owner.pk != council.pk:
        raise PermissionDenied
    if isinstance(instance, Portfolio) and instance.holder_id:
        holds_role = Membership.objects.filter(
            council=council, user_id=instance.holder_id, role=Role.PORTFOLIO_HOLDER
        ).exists()
        if not holds_role:
            raise ValidationError({"holder": "The holder must be a cabinet member of this council."})
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    verb = "created" if created else "updated"
    audit_record(
        council=council,
        actor=by,
        event_type=f"framework.{instance._meta.model_name}.{verb}",
        obj=instance,
        extra=_changed_fields(instance, changed),
    )
    return instance


@transaction.atomic
def membership_grant(*, by: User, council: Council, email: str, full_name: str, role: str) -> Membership:
    """Give a person a role in the council, creating their account (without a password) if new."""
    _require(by, "councils.edit_people", council)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        user = User.objects.create_user(email=email.strip(), full_name=full_name.strip())
    membership, created = Membership.objects.get_or_create(user=user, council=council, role=role)
    if not created:
        raise ValidationError({"role": f"{user} already holds this role in {council}."})
    forget_roles(user)
    audit_record(
        council=council,
        actor=by,
        event_type="membership.granted",
        obj=membership,
        extra={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, by: User, membership: Membership, reason: str = "") -> None:
    """Take a role away. The last council administrator cannot be removed, so a council is never orphaned."""
    council = membership.council
    _require(by, "councils.edit_people", council)
    if membership.role == Role.COUNCIL_ADMIN:
        admins = Membership.objects.select_for_update().filter(council=council, role=Role.COUNCIL_ADMIN)
        if admins.count() <= 1:
            raise ValidationError("A council must keep at least one council administrator.")
    audit_record(
        council=council,
        actor=by,
        event_type="membership.revoked",
        obj=membership,
        reason=reason,
        extra={"user": membership.user.email, "role": membership.role},
    )
    if membership.role == Role.PORTFOLIO_HOLDER:
        Portfolio.objects.filter(council=council, holder=membership.user).update(holder=None)
    membership.delete()
    forget_roles(membership.user)


def record_infected_upload(sender, *, upload, signature: str, **kwargs) -> None:
    """Audit an upload that ClamAV refused (connected to councils.uploads.upload_infected)."""
    audit_record(
        council=None,
        actor=getattr(upload, "uploaded_by", None),
        event_type="upload.refused_infected",
        reason=f"ClamAV found {signature}",
        extra={"file_name": str(upload.name)[:200], "size": upload.size, "signature": signature},
    )


@transaction.atomic
def procurement_threshold_add(
    *, by: User, council: Council, kind: str, valid_from, amount, source: str
) -> ProcurementThreshold:
    """A council administrator records new figures (say, from a new instrument) for the council's own
    procurements started on or after `valid_from`; the national rows and other councils are untouched."""
    _require(by, "councils.add_threshold", council)
    row = ProcurementThreshold(
        council=council, kind=kind, valid_from=valid_from, amount=amount, source=source.strip(), created_by=by
    )
    row.full_clean(validate_constraints=False)
    if ProcurementThreshold.objects.filter(council=council, kind=kind, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": "The council already has a figure of this kind from this date."})
    row.save()
    audit_record(
        council=council,
        actor=by,
        event_type="threshold.added",
        obj=row,
        extra={"kind": kind, "valid_from": valid_from.isoformat(), "amount": str(amount)},
    )
    return row


# What the council administrator publishes: the framework (its corporate plan and outcomes) and the
# commissioning plan, each switched on and off by itself.
PUBLISHABLE = {"framework": "framework_published_at", "plan": "plan_published_at"}


@transaction.atomic
def publication_set(*, by: User, council: Council, part: str, publish: bool) -> Council:
    """Publish (or unpublish) the council's framework or its commissioning plan. Publishing again
    keeps the first date; unpublishing something not published changes nothing and records nothing."""
    _require(by, "councils.publish_framework", council)
    if part not in PUBLISHABLE:
        raise ValidationError(f"Nothing called ‘{part}’ can be published.")
    field = PUBLISHABLE[part]
    council = Council.objects.select_for_update().get(pk=council.pk)
    if bool(getattr(council, field)) == publish:
        return council
    setattr(council, field, timezone.now() if publish else None)
    council.save(update_fields=[field])
    audit_record(
        council=council,
        actor=by,
        event_type=f"council.{part}_{'published' if publish else 'unpublished'}",
        obj=council,
    )
    page_cache.bump_council(council.pk)
    return council
