"""Provider organisations (voluntary, community and faith groups, arts, social enterprises,
businesses, in-house teams and council-owned companies) and the people who act for them."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from councils.uploads import PrivateFileField
from providers.ports import cpv


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


# Charity Commission numbers: 6 to 8 digits, a linked charity adds "-N" (1098765-1).
CHARITY_NUMBER_RE = re.compile(r"^\d{6,8}(-\d{1,3})?$")
# Companies House numbers: 8 digits, or 2 letters and 6 digits (SC123456 Scotland, NI012345 Northern Ireland).
COMPANY_NUMBER_RE = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
# Public Procurement Organisation Numbers, given by the Central Digital Platform: "P", three letters, four
# digits, four letters (PABC-1234-WXYZ); the OCDS party id adds the scheme, GB-PPON-PABC-1234-WXYZ.
PPON_RE = re.compile(r"^P[A-Z]{3}-\d{4}-[A-Z]{4}$")
# UK postcodes: an outward code (A9, A99, A9A, AA9, AA99, AA9A) and an inward code (9AA).
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?|GIR) (\d[A-Z]{2})$")

NEEDS_CHARITY_NUMBER = frozenset({OrganisationType.REGISTERED_CHARITY, OrganisationType.CIO})
NEEDS_COMPANY_NUMBER = frozenset(
    {
        OrganisationType.CIC,
        OrganisationType.COMPANY_LIMITED_BY_GUARANTEE,
        OrganisationType.COMPANY_LIMITED_BY_SHARES,
    }
)

# An SME has under 250 staff and a turnover of at most €50m (about £44m): an income under £10m settles
# it; above that only the organisation knows its headcount and turnover.
SME_INCOME_BANDS = frozenset({IncomeBand.UNDER_10K, IncomeBand.UNDER_100K, IncomeBand.UNDER_1M, IncomeBand.UNDER_10M})
# Charities, CIOs, CICs and community and faith groups are voluntary, community or social enterprises
# by their form; companies limited by shares, sole traders and public bodies are not. A company limited
# by guarantee may be either: a registered charity number settles it, otherwise the answer does.
VCSE_TYPES = frozenset(
    {
        OrganisationType.REGISTERED_CHARITY,
        OrganisationType.CIO,
        OrganisationType.CIC,
        OrganisationType.COMMUNITY_GROUP,
        OrganisationType.FAITH_GROUP,
    }
)
NOT_VCSE_TYPES = frozenset(
    {OrganisationType.COMPANY_LIMITED_BY_SHARES, OrganisationType.SOLE_TRADER, OrganisationType.PUBLIC_BODY}
)


def normalise_charity_number(value: str) -> str:
    return "".join((value or "").split())


def normalise_company_number(value: str) -> str:
    return "".join((value or "").split()).upper()


def normalise_ppon(value: str) -> str:
    """ "pabc 1234 wxyz", "PABC1234WXYZ" and "GB-PPON-PABC-1234-WXYZ" all become "PABC-1234-WXYZ"."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    compact = compact.removeprefix("GBPPON")
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}" if len(compact) == 12 else compact


def normalise_postcode(value: str) -> str:
    """ "la1 1aa" and "LA11AA" both become "LA1 1AA"; anything too short is left for validation."""
    compact = "".join((value or "").split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_charity_number(value: str) -> None:
    if value and not CHARITY_NUMBER_RE.match(value):
        raise ValidationError(
            "Enter a charity number of 6 to 8 digits, like 1098765, or 1098765-1 for a linked charity.",
            code="invalid_charity_number",
        )


def validate_company_number(value: str) -> None:
    if value and not COMPANY_NUMBER_RE.match(value):
        raise ValidationError(
            "Enter a Companies House number of 8 characters: 8 digits like 01234567, or 2 letters and "
            "6 digits like SC123456.",
            code="invalid_company_number",
        )


def validate_ppon(value: str) -> None:
    if value and not PPON_RE.match(value):
        raise ValidationError(
            "Enter a PPON of 12 characters: P, 3 letters, 4 digits and 4 letters, like PABC-1234-WXYZ.",
            code="invalid_ppon",
        )


def validate_postcode(value: str) -> None:
    if value and not POSTCODE_RE.match(value):
        raise ValidationError("Enter a real UK postcode, like LA1 1AA.", code="invalid_postcode")


class Organisation(models.Model):
    """An organisation that bids for and delivers commissioned services."""

    legal_name = models.CharField(max_length=300, unique=True)
    trading_name = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    charity_number = models.CharField(max_length=20, blank=True, validators=[validate_charity_number])
    company_number = models.CharField(max_length=10, blank=True, validators=[validate_company_number])
    ppon = models.CharField(
        "PPON",
        max_length=14,
        blank=True,
        validators=[validate_ppon],
        help_text="Public Procurement Organisation Number, from the Central Digital Platform.",
    )
    registered_address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    income_band = models.CharField(max_length=16, choices=IncomeBand.choices, blank=True)
    areas_of_interest = models.TextField(
        blank=True, help_text="The kinds of work and the places the organisation is interested in."
    )
    outcomes_of_interest = models.ManyToManyField(
        "councils.Outcome", blank=True, related_name="interested_organisations"
    )
    # Opportunity alerts: when an opportunity is published, the organisation is told if it matches
    # any of its outcomes of interest, its CPV divisions or groups (`cpv_interests`) or its councils.
    # Off for organisations registered before alerts existed (nobody is emailed unasked); the
    # registration form offers it ticked.
    opportunity_alerts = models.BooleanField(
        default=False, help_text="Whether the organisation is told of new opportunities that match its interests."
    )
    alert_every_council = models.BooleanField(
        default=False, help_text="Told of every opportunity any council publishes."
    )
    alert_councils = models.ManyToManyField(
        "councils.Council",
        blank=True,
        related_name="alerted_organisations",
        help_text="Told of every opportunity these councils publish.",
    )
    # Supplier flags the contract award and contract details notices (UK6, UK7) carry. SME and VCSE
    # status are worked out from income and type where those settle it (`providers.identity`); these
    # record the organisation's own answer, which wins.
    sme_answer = models.BooleanField(null=True, blank=True, help_text="The organisation's answer: is it an SME?")
    vcse_answer = models.BooleanField(null=True, blank=True, help_text="The organisation's answer: is it a VCSE?")
    supported_employment = models.BooleanField(
        default=False, help_text="At least 30% of its employees are disabled or disadvantaged people."
    )
    public_service_mutual = models.BooleanField(
        default=False,
        help_text="Left or spun out of the public sector, employee-led, and runs public services not for profit.",
    )
    is_in_house = models.BooleanField(
        default=False, help_text="An in-house team or a council-owned company (see the owning council)."
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
            ),
            # A PPON names one organisation: two profiles with it would put one supplier in two places.
            models.UniqueConstraint(
                fields=["ppon"],
                condition=~Q(ppon=""),
                name="organisation_ppon_unique",
                violation_error_message="Another organisation already has this PPON. Check the number.",
            ),
        ]

    def __str__(self) -> str:
        return self.trading_name or self.legal_name

    def clean_fields(self, exclude=None):
        # Normalise before the format validators run, so "la1 1aa" is stored as "LA1 1AA".
        self.charity_number = normalise_charity_number(self.charity_number)
        self.company_number = normalise_company_number(self.company_number)
        self.ppon = normalise_ppon(self.ppon)
        self.postcode = normalise_postcode(self.postcode)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.organisation_type in NEEDS_CHARITY_NUMBER and not self.charity_number:
            errors["charity_number"] = "Enter the charity number: registered charities and CIOs have one."
        if self.organisation_type in NEEDS_COMPANY_NUMBER and not self.company_number:
            errors["company_number"] = "Enter the Companies House number: companies and CICs have one."
        if errors:
            raise ValidationError(errors)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_sme(self) -> bool | None:
        """The organisation's answer, else what its income settles; None when nobody knows."""
        if self.sme_answer is not None:
            return self.sme_answer
        return True if self.income_band in SME_INCOME_BANDS else None

    @property
    def is_vcse(self) -> bool | None:
        """The organisation's answer, else what its type (and a charity number) settles; None when unknown."""
        if self.vcse_answer is not None:
            return self.vcse_answer
        if self.organisation_type in VCSE_TYPES:
            return True
        if self.organisation_type == OrganisationType.COMPANY_LIMITED_BY_GUARANTEE and self.charity_number:
            return True
        if self.organisation_type in NOT_VCSE_TYPES:
            return False
        return None


def cpv_interest_code(text: str) -> str:
    """The 8-digit code of the CPV division (85000000) or group (85300000) typed as "85", "853",
    "85300000" or "85300000-2"; empty when it names neither."""
    digits = (text or "").strip().replace(" ", "").split("-")[0]
    if not digits.isdigit():
        return ""
    if len(digits) in (2, 3):
        return digits.ljust(8, "0")
    return digits if len(digits) == 8 and digits.endswith("00000") else ""


def cpv_codes_matching(code: str) -> list[str]:
    """The interests an opportunity's CPV code matches: its division and its group."""
    code = (code or "").strip()[:8]
    if len(code) != 8 or not code.isdigit():
        return []
    return sorted({code[:2] + "000000", code[:3] + "00000"})


class CpvInterest(models.Model):
    """A CPV division or group an organisation wants to hear about (the vocabulary lives in
    `commissioning.cpv`; providers sees it through `providers.ports.cpv`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cpv_interests")
    code = models.CharField(max_length=8)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="cpv_interest_unique"),
            # A division (two digits) or a group (three), padded with zeros to the 8-digit code.
            models.CheckConstraint(condition=Q(code__endswith="00000"), name="cpv_interest_division_or_group"),
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return f"{self.code}, {self.organisation}"

    @property
    def label(self) -> str:
        return cpv.label(self.code)


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
    # Membership walls a council officer out of the procurements the organisation bids in, so it is
    # never given: the person registered the organisation or accepted an invitation sent to them.
    # Empty only for memberships made before consent was asked (listed for review).
    consented_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person agreed to act for the organisation."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "role"], name="organisation_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"


INVITATION_VALID_FOR = datetime.timedelta(days=14)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class Invitation(models.Model):
    """An offer to act for an organisation, sent to one email address. It makes nobody a member: only
    the person signed in with that address can accept it (or decline it). The link's token is kept
    only as a SHA-256 digest, so the table cannot be used to accept anything."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=ProviderRole.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email", "role"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_one_open",
            ),
            models.CheckConstraint(condition=Q(role__in=ProviderRole.values), name="invitation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation}"

    @property
    def is_answered(self) -> bool:
        return bool(self.accepted_at or self.declined_at or self.withdrawn_at)

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.declined_at:
            return InvitationStatus.DECLINED
        if self.withdrawn_at:
            return InvitationStatus.WITHDRAWN
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING

    @property
    def why_closed(self) -> str:
        """Why it can no longer be answered, to end "This invitation …"."""
        return {
            InvitationStatus.ACCEPTED: "has already been accepted",
            InvitationStatus.DECLINED: "was declined",
            InvitationStatus.WITHDRAWN: "was withdrawn by the organisation",
            InvitationStatus.EXPIRED: "has run out",
        }.get(self.status, "")


class ComplianceDocumentKind(models.TextChoices):
    SAFEGUARDING_POLICY = "safeguarding_policy", "Safeguarding policy"
    PUBLIC_LIABILITY_INSURANCE = "public_liability_insurance", "Public liability insurance"
    ACCOUNTS = "accounts", "Accounts"
    EQUALITY_POLICY = "equality_policy", "Equality policy"
    DBS_POLICY = "dbs_policy", "DBS policy"


class ExpiryStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRING = "expiring", "Expires soon"
    EXPIRED = "expired", "Expired"


EXPIRING_WITHIN = datetime.timedelta(days=30)


class ComplianceDocument(models.Model):
    """A policy, certificate or set of accounts an organisation keeps up to date for every council."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="compliance_documents")
    kind = models.CharField(max_length=32, choices=ComplianceDocumentKind.choices)
    file = PrivateFileField(folder="compliance")
    original_name = models.CharField(max_length=200)
    expires_on = models.DateField(help_text="The date it runs out or must be renewed or reviewed.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-expires_on", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ComplianceDocumentKind.values), name="compliance_document_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.organisation}"

    def expiry_status(self, on: datetime.date | None = None) -> ExpiryStatus:
        today = on or timezone.localdate()
        if self.expires_on < today:
            return ExpiryStatus.EXPIRED
        if self.expires_on <= today + EXPIRING_WITHIN:
            return ExpiryStatus.EXPIRING
        return ExpiryStatus.VALID

    @property
    def status(self) -> ExpiryStatus:
        return self.expiry_status()


class ApprovedSupplier(models.Model):
    """An organisation on one council's approved suppliers list. Removal keeps the row, with why."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="approved_suppliers")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_on = models.DateField(default=timezone.localdate)
    notes = models.TextField(blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-approved_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "organisation"],
                condition=Q(removed_at__isnull=True),
                name="approved_supplier_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}, approved supplier of {self.council}"

    @property
    def is_current(self) -> bool:
        return self.removed_at is None
