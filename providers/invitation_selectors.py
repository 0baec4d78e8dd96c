"""Reads for invitations and consent: the invitation behind a link, an organisation's pending
invitations, the procurements joining would wall a council officer out of, and the memberships made
without the person's consent (for them, and for their council's lead commissioner and administrators)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from councils.models import Council, User
from councils.permissions import roles_by_council
from providers.models import Invitation, Organisation, OrganisationMember
from providers.ports import WalledProcurement, procurements


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link is for (any status), or None: the token is compared by its digest."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Invitation.objects.select_related("organisation", "invited_by").filter(token_digest=digest).first()


def pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def pending_invitation_of(organisation: Organisation, pk: int) -> Invitation:
    return get_object_or_404(pending_invitations(organisation), pk=pk)


def walled_procurements(
    user: User, organisation: Organisation, *, councils: Iterable[Council] | None = None
) -> list[WalledProcurement]:
    """The procurements of the user's councils (or of `councils`) that being a member of the
    organisation walls them out of. Nothing for someone who works for no council."""
    council_ids = [c.pk for c in councils] if councils is not None else list(roles_by_council(user))
    if not council_ids:
        return []
    return procurements.walled_by(organisation.pk, council_ids)


def memberships_without_consent(user: User) -> QuerySet[OrganisationMember]:
    """The person's own memberships that someone else made (before consent was asked)."""
    return OrganisationMember.objects.filter(user=user, consented_at__isnull=True).select_related("organisation")


def staff_memberships_without_consent(council: Council) -> QuerySet[OrganisationMember]:
    """Memberships of the council's staff that they never consented to, for review."""
    return (
        OrganisationMember.objects.filter(consented_at__isnull=True, user__memberships__council=council)
        .distinct()
        .select_related("user", "organisation")
        .order_by("user__full_name", "organisation__legal_name", "role")
    )
