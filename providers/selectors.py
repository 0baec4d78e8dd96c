"""Reads for provider organisations, always scoped: provider staff see only the organisations they
are members of (anything else is a 404); council officers see the directory of active organisations."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from councils.models import Council, Outcome, User
from providers.models import (
    ApprovedSupplier,
    ComplianceDocument,
    Invitation,
    Organisation,
    OrganisationMember,
    ProviderRole,
)


def organisations_for_user(user: User) -> QuerySet[Organisation]:
    """The organisations the user acts for, each with `is_admin` for this user."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    admin_rows = OrganisationMember.objects.filter(
        organisation=OuterRef("pk"), user=user, role=ProviderRole.ORGANISATION_ADMIN
    )
    return (
        Organisation.objects.filter(pk__in=OrganisationMember.objects.filter(user=user).values("organisation_id"))
        .annotate(is_admin=Exists(admin_rows))
        .select_related("verified_by", "owning_council")
    )


def organisations_with_details(user: User) -> QuerySet[Organisation]:
    """The user's organisations with their people, documents and outcomes of interest, for the portal."""
    return organisations_for_user(user).prefetch_related(
        Prefetch("members", queryset=OrganisationMember.objects.select_related("user").order_by("user__full_name")),
        Prefetch("compliance_documents", queryset=ComplianceDocument.objects.select_related("uploaded_by")),
        *ALERT_INTERESTS,
        Prefetch(
            "invitations",
            queryset=Invitation.objects.filter(
                accepted_at__isnull=True,
                declined_at__isnull=True,
                withdrawn_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).select_related("invited_by"),
            to_attr="pending_invitations",
        ),
    )


def organisation_for_user(user: User, pk: int) -> Organisation:
    """One of the user's organisations; another organisation's id is a 404, never a hint it exists."""
    return get_object_or_404(organisations_for_user(user), pk=pk)


def has_organisation(user: User) -> bool:
    return user.is_authenticated and OrganisationMember.objects.filter(user=user).exists()


def members_of(organisation: Organisation) -> QuerySet[OrganisationMember]:
    return organisation.members.select_related("user").order_by("user__full_name", "user__email", "role")


def member_of(organisation: Organisation, pk: int) -> OrganisationMember:
    return get_object_or_404(members_of(organisation), pk=pk)


def documents_of(organisation: Organisation) -> QuerySet[ComplianceDocument]:
    return organisation.compliance_documents.select_related("uploaded_by")


def document_of(organisation: Organisation, pk: int) -> ComplianceDocument:
    return get_object_or_404(documents_of(organisation), pk=pk)


def outcomes_to_choose_from() -> QuerySet[Outcome]:
    """Every council's outcomes, grouped by council, for providers to say what they can help achieve."""
    return Outcome.objects.select_related("priority__plan__council").order_by(
        "priority__plan__council__name", "priority__position", "position", "title"
    )


# What an organisation's profile shows of its interests (and what its opportunity alerts match on).
ALERT_INTERESTS = (
    Prefetch("outcomes_of_interest", queryset=outcomes_to_choose_from()),
    Prefetch("alert_councils", queryset=Council.objects.order_by("name")),
    "cpv_interests",
)


def _active(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Organisations with at least one person who has confirmed their email address."""
    people = OrganisationMember.objects.filter(organisation=OuterRef("pk"), user__is_active=True)
    return organisations.filter(Exists(people))


def provider_directory(council: Council, query: str = "") -> QuerySet[Organisation]:
    """Every active organisation, as a council's officers see it, marked when on the council's list."""
    organisations = _active(Organisation.objects.all()).annotate(
        is_approved=Exists(current_approvals(council).filter(organisation=OuterRef("pk")))
    )
    if query:
        organisations = organisations.filter(
            Q(legal_name__icontains=query)
            | Q(trading_name__icontains=query)
            | Q(charity_number__icontains=query)
            | Q(company_number__icontains=query)
        )
    return organisations.select_related("verified_by")


def directory_organisation(council: Council, pk: int) -> Organisation:
    return get_object_or_404(
        provider_directory(council).prefetch_related(*ALERT_INTERESTS),
        pk=pk,
    )


def current_approvals(council: Council) -> QuerySet[ApprovedSupplier]:
    return ApprovedSupplier.objects.filter(council=council, removed_at__isnull=True)


def approved_suppliers(council: Council) -> QuerySet[ApprovedSupplier]:
    return current_approvals(council).select_related("organisation", "approved_by").order_by("organisation__legal_name")


def approved_supplier_ids(council: Council) -> set[int]:
    """The ids of the organisations on the council's approved suppliers list today."""
    return set(current_approvals(council).values_list("organisation_id", flat=True))


def approval_history(council: Council, organisation: Organisation) -> QuerySet[ApprovedSupplier]:
    return ApprovedSupplier.objects.filter(council=council, organisation=organisation).select_related(
        "approved_by", "removed_by"
    )


def valid_documents(organisation: Organisation, on: datetime.date | None = None) -> QuerySet[ComplianceDocument]:
    return organisation.compliance_documents.filter(expires_on__gte=on or timezone.localdate())


def organisation_summary(organisation: Organisation, on: datetime.date | None = None) -> dict:
    """The details a provider gives once and every bid reuses: names, type, numbers, address, and the
    compliance documents valid on the day (today unless given)."""
    return {
        "id": organisation.pk,
        "name": str(organisation),
        "legal_name": organisation.legal_name,
        "trading_name": organisation.trading_name,
        "organisation_type": organisation.organisation_type,
        "organisation_type_label": organisation.get_organisation_type_display(),
        "sector": organisation.sector,
        "sector_label": organisation.get_sector_display(),
        "charity_number": organisation.charity_number,
        "company_number": organisation.company_number,
        "registered_address": organisation.registered_address,
        "postcode": organisation.postcode,
        "income_band": organisation.income_band,
        "income_band_label": organisation.get_income_band_display(),
        "is_in_house": organisation.is_in_house,
        "verified": organisation.is_verified,
        "verified_at": organisation.verified_at,
        "compliance_documents": [
            {
                "id": document.pk,
                "kind": document.kind,
                "kind_label": document.get_kind_display(),
                "expires_on": document.expires_on,
                "original_name": document.original_name,
            }
            for document in valid_documents(organisation, on)
        ],
    }
