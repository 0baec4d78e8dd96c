"""Social value as data: each council's themes and measures (TOMs-style: Themes, Outcomes, Measures,
or the council's own), the asks an opportunity makes of bidders, and what a bid commits to — social
value commitments and match funding or leverage.

A measure has a unit and, optionally, a proxy value in pounds per unit (what a unit is worth to the
community, as the council's own framework values it): the proxy value of a quantity is the quantity
times that value, never negative. Commitments and match funding are part of the bid, so they are sealed
with it until the opening (`commissioning.sourcing.sealing`, `bids_visible_to`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from commissioning.models.cycle import MONEY
from commissioning.models.sourcing import Bid, Opportunity
from councils.models import Council
from councils.units import validate_whole_for_unit

__all__ = [
    "BidMatchFunding",
    "BidSocialValueCommitment",
    "MatchFundingKind",
    "OpportunitySocialValueAsk",
    "SocialValueMeasure",
    "SocialValueTheme",
    "proxy_value",
]

PENNY = Decimal("0.01")


def proxy_value(quantity: Decimal | None, per_unit: Decimal | None) -> Decimal | None:
    """The proxy £ value of `quantity` units at `per_unit` each, to the penny; None when either is
    unknown. Negative quantities count as nothing: social value is never taken away by a return."""
    if quantity is None or per_unit is None:
        return None
    return (max(quantity, Decimal("0")) * max(per_unit, Decimal("0"))).quantize(PENNY, rounding=ROUND_HALF_UP)


class SocialValueTheme(models.Model):
    """A heading the council groups its social value measures under (for example Jobs, or Environment)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="social_value_themes")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="social_value_theme_unique")]

    def __str__(self) -> str:
        return self.name


class SocialValueMeasure(models.Model):
    """One thing the council counts as social value, in a unit, with an optional proxy £ per unit."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="social_value_measures")
    theme = models.ForeignKey(SocialValueTheme, on_delete=models.PROTECT, related_name="measures")
    code = models.CharField(max_length=20, help_text="The council's short reference, for example SV1.")
    title = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, help_text="For example: people, weeks, hours, £, tonnes CO2e.")
    proxy_value = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What one unit is worth to the community, in pounds (optional).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Offered to new opportunities.")

    class Meta:
        ordering = ["theme__position", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["council", "code"], name="social_value_measure_code_unique"),
            models.CheckConstraint(
                condition=Q(proxy_value__isnull=True) | Q(proxy_value__gte=0), name="social_value_proxy_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.unit})"

    def proxy_value_of(self, quantity: Decimal | None) -> Decimal | None:
        return proxy_value(quantity, self.proxy_value)


class OpportunitySocialValueAsk(models.Model):
    """A social value measure the opportunity asks bidders to commit to, with what the council hopes for."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="social_value_asks")
    measure = models.ForeignKey(SocialValueMeasure, on_delete=models.PROTECT, related_name="asks")
    hoped_for = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The quantity the council hopes for over the agreement (optional).",
    )
    guidance = models.TextField(blank=True, help_text="What counts, and how it will be evidenced.")

    class Meta:
        ordering = ["measure__theme__position", "measure__position", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "measure"], name="social_value_ask_once_per_measure")
        ]

    def __str__(self) -> str:
        return str(self.measure)

    def clean(self):
        if self.measure_id and self.hoped_for is not None:
            validate_whole_for_unit(self.hoped_for, self.measure.unit, "hoped_for")


class BidSocialValueCommitment(models.Model):
    """What a bidder commits to deliver against one of the opportunity's social value asks, and by when."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="social_value_commitments")
    measure = models.ForeignKey(SocialValueMeasure, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    by_when = models.DateField()
    how = models.TextField(blank=True, help_text="How it will be delivered and evidenced.")

    class Meta:
        ordering = ["measure__theme__position", "measure__position", "measure__code", "by_when", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="social_value_commitment_positive"),
        ]

    def __str__(self) -> str:
        # Never the commitment's contents: this string appears in logs, admin and audit records.
        return f"Social value commitment {self.pk}"

    def clean(self):
        if self.measure_id and self.quantity is not None:
            validate_whole_for_unit(self.quantity, self.measure.unit, "quantity")

    @property
    def proxy_value(self) -> Decimal | None:
        return self.measure.proxy_value_of(self.quantity)


class MatchFundingKind(models.TextChoices):
    CASH = "cash", "Match funding (cash)"
    IN_KIND = "in_kind", "Leverage in kind (for example volunteer time or donated space)"


class BidMatchFunding(models.Model):
    """Money or help in kind from elsewhere that the bid brings: its source, amount, and whether it is confirmed."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="match_funding")
    kind = models.CharField(max_length=10, choices=MatchFundingKind.choices, default=MatchFundingKind.CASH)
    source = models.CharField(max_length=200, help_text="Who provides it, for example a trust or a lottery fund.")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-confirmed", "source", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="match_funding_positive"),
            models.CheckConstraint(condition=Q(kind__in=MatchFundingKind.values), name="match_funding_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Match funding {self.pk}"
