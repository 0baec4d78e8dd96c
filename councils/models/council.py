"""The council itself, with its own settings, and the partnership of councils it may belong to.

Its models keep the page-cache family they had when the app's models were one module, `councils`
(`page_cache_family`; `councils.page_cache.family_of`): templates and views name that family.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Partnership(models.Model):
    """Councils that commission together and share officers (e.g. a shared-service partnership)."""

    page_cache_family = "councils"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


short_code_validator = RegexValidator(r"^[A-Z0-9]{2,10}$", "Use 2 to 10 capital letters or digits, for example WCC.")


# Paths that sit where a council's short name goes in URLs (`/councils/<slug>/`).
RESERVED_COUNCIL_SLUGS = frozenset({"notifications"})


def _today():
    return timezone.localdate()


class Council(models.Model):
    """A local authority using Commissioner. Every council-owned record points at one."""

    page_cache_family = "councils"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    short_code = models.CharField(max_length=10, unique=True, validators=[short_code_validator])
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.SET_NULL, related_name="councils"
    )
    header_name = models.CharField(
        max_length=200, blank=True, help_text="Shown in the page header. Leave blank to use the name."
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    key_decision_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("250000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or above this value a cabinet or portfolio holder decision is needed.",
    )
    quote_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("10000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or above this value at least three written quotes are needed.",
    )
    tender_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("100000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or above this value an open tender is needed.",
    )
    standstill_working_days = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(8)], help_text="The standstill period, in working days (8 at least)."
    )
    call_in_working_days = models.PositiveSmallIntegerField(
        default=5, help_text="How long scrutiny can call in a cabinet or portfolio holder decision, in working days."
    )
    forward_plan_days = models.PositiveSmallIntegerField(
        default=28, help_text="How many clear days a key decision must be on the forward plan before it is taken."
    )
    # The constitution says how many scrutiny members it takes to call a key decision in.
    call_in_threshold = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many scrutiny members must ask before a key decision is called in.",
    )
    max_agreement_years = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="The longest an agreement may run, extensions included, in years.",
    )
    # Procurement Act 2023, s.93: only a council that expects to pay this much publishes a pipeline notice.
    expects_over_100m_contract_spend = models.BooleanField(
        "We expect to pay more than £100 million under public contracts in the coming financial year",
        default=False,
        help_text="If so, the council must publish a pipeline notice (UK1) within 56 days of 1 April each year, "
        "listing the contracts over £2 million it expects to advertise in the next 18 months.",
    )
    # The framework (the corporate plan and its outcomes) and the commissioning plan are public once the
    # council administrator publishes them; until then (or after unpublishing) the public pages are 404.
    framework_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    plan_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    require_two_factor = models.BooleanField(
        "Staff must use two-factor sign-in",
        default=True,
        help_text="Everyone with a role in this council signs in with a code from an authenticator app as well "
        "as their password.",
    )
    # The accessibility statement and the privacy notice: who to write to, and when each was last looked at.
    accessibility_email = models.EmailField(
        blank=True, help_text="Where people report an accessibility problem. Leave blank to use the contact email."
    )
    dpo_email = models.EmailField(
        "Data protection officer's email",
        blank=True,
        help_text="Named in the privacy notice. Leave blank to use the contact email.",
    )
    accessibility_prepared_on = models.DateField(default=_today, help_text="When the statement was first prepared.")
    accessibility_reviewed_on = models.DateField(default=_today, help_text="When the statement was last reviewed.")
    privacy_updated_on = models.DateField(default=_today, help_text="When the privacy notice was last updated.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quote_threshold__lte=models.F("tender_threshold")),
                name="council_quote_threshold_not_above_tender",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("councils:detail", kwargs={"council_slug": self.slug})

    @property
    def accessibility_contact(self) -> str:
        return self.accessibility_email or self.contact_email

    @property
    def dpo_contact(self) -> str:
        return self.dpo_email or self.contact_email

    def clean(self):
        if self.slug in RESERVED_COUNCIL_SLUGS:
            raise ValidationError({"slug": f"‘{self.slug}’ is a page of the service: choose another short name."})
        if (
            self.quote_threshold is not None
            and self.tender_threshold is not None
            and self.quote_threshold > self.tender_threshold
        ):
            raise ValidationError({"quote_threshold": "The quotes threshold cannot be above the tender threshold."})

    @property
    def display_name(self) -> str:
        return self.header_name or self.name
