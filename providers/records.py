"""What providers tells the data-protection machinery in `councils` (registered in `ready()`): why a
person must be kept (the last administrator of an organisation others still act for), what erasure
removes (their memberships; their name on documents and approvals), and what the subject access
export lists (organisations they act for, documents they uploaded)."""

from __future__ import annotations

import datetime as dt

from councils import erasure, subject_access
from councils.models import User
from providers.models import ApprovedSupplier, ComplianceDocument, OrganisationMember, ProviderRole


def holds(user: User, today: dt.date) -> list[str]:
    reasons = []
    admin_of = OrganisationMember.objects.filter(user=user, role=ProviderRole.ORGANISATION_ADMIN)
    for member in admin_of.select_related("organisation"):
        others = OrganisationMember.objects.filter(organisation=member.organisation).exclude(user=user)
        other_admins = others.filter(role=ProviderRole.ORGANISATION_ADMIN)
        if others.exists() and not other_admins.exists():
            reasons.append(
                f"They are the only organisation administrator of {member.organisation}, for which others still "
                "act: appoint another administrator first."
            )
    return reasons


def erase(user: User) -> None:
    OrganisationMember.objects.filter(user=user).delete()
    ComplianceDocument.objects.filter(uploaded_by=user).update(uploaded_by=None)
    ApprovedSupplier.objects.filter(approved_by=user).update(approved_by=None)


def _organisations(user: User) -> list[dict]:
    return [
        {"organisation": str(m.organisation), "role": m.get_role_display(), "since": m.created_at}
        for m in OrganisationMember.objects.filter(user=user).select_related("organisation")
    ]


def _documents(user: User) -> list[dict]:
    return [
        {
            "organisation": str(d.organisation),
            "document": d.get_kind_display(),
            "uploaded": d.uploaded_at,
            "expires": d.expires_on,
        }
        for d in ComplianceDocument.objects.filter(uploaded_by=user).select_related("organisation")
    ]


def register() -> None:
    erasure.register_hold(holds)
    erasure.register_eraser(erase)
    subject_access.register_section(
        "organisations", "The provider organisations you act for, and in what role.", _organisations
    )
    subject_access.register_section(
        "compliance_documents", "Compliance documents you uploaded (not their content).", _documents
    )
