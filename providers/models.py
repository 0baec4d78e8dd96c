"""Provider organisations (voluntary, community and faith groups, arts, social enterprises,
businesses, in-house teams and council-owned companies) and the people who act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OrganisationType(models.TextChoices):
    REGISTERED_CHARITY = "registered_charity", "Registered charity"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    CIC = "cic", "Community interest company (CIC)"
    COMPANY_LIMITED_BY_GUARANTEE = "clg", "Company limited by guarantee"
    COMPANY_LIMITED_BY_SHARES = "cls", "Company limited by shares"
    COMMUNITY_GROUP = "community_group", "Unincorporated community group"
    FAITH_GROUP = "faith_group", "Faith group"
    PUBLIC_BODY = "public_body", "Public body"
    SOLE_TRADER = "sole_trader", "Sole trader"


class Sector(models.TextChoices):
    VCFS = "vcfs", "Voluntary, community and faith"
    ARTS = "arts", "Arts"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    PRIVATE = "private", "Private"
    PUBLIC = "public", "Public"


class IncomeBand(models.TextChoices):
    UNDER_10K = "under_10k", "Under £10,000"
    UNDER_100K = "10k_100k", "£10,000 to £100,000"
    UNDER_1M = "100k_1m", "£100,000 to £1 million"
    UNDER_10M = "1m_10m", "£1 million to £10 million"
    OVER_10M = "over_10m", "Over £10 million"


class Organisation(models.Model):
    """An organisation that bids for and delivers commissioned services."""

    legal_name = models.CharField(max_length=300, unique=True)
    trading_name = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=10, blank=True)
    registered_address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    income_band = models.CharField(max_length=16, choices=IncomeBand.choices, blank=True)
    owning_council = models.ForeignKey(
        "councils.Council",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_providers",
        help_text="For in-house teams and council-owned companies: the council that owns them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation_type__in=OrganisationType.values), name="organisation_type_valid"
            )
        ]

    def __str__(self) -> str:
        return self.trading_name or self.legal_name


class ProviderRole(models.TextChoices):
    ORGANISATION_ADMIN = "organisation_admin", "Organisation administrator"
    BID_WRITER = "bid_writer", "Bid writer"
    MONITORING_CONTACT = "monitoring_contact", "Monitoring contact"


class OrganisationMember(models.Model):
    """A person acting for a provider organisation, in one provider role."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(max_length=32, choices=ProviderRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "role"], name="organisation_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"
