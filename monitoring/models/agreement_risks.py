"""An agreement's own risk register: each risk's likelihood and impact (1 to 5, as on the
commission's register, whose validators it shares), its owner (a council officer), mitigation and
status. When an agreement is drafted, the commission's risks for its cycle become the agreement's
starting register, each remembering the commission risk it came from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.models import SCORE, Risk
from councils.models import Council
from monitoring.models.agreements import Agreement

__all__ = ["AgreementRisk", "AgreementRiskStatus"]


class AgreementRiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MANAGED = "managed", "Managed: mitigation in place"
    CLOSED = "closed", "Closed"


class AgreementRisk(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField()
    likelihood = models.PositiveSmallIntegerField(validators=SCORE, help_text="1 (rare) to 5 (almost certain).")
    impact = models.PositiveSmallIntegerField(validators=SCORE, help_text="1 (minor) to 5 (severe).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mitigation = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=AgreementRiskStatus.choices, default=AgreementRiskStatus.OPEN)
    # Where a carried-over risk came from: the commission's risk (kept in words too, should it go).
    commission_risk = models.ForeignKey(Risk, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    carried_from = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AgreementRiskStatus.values), name="agreement_risk_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="agreement_risk_scores_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def council(self) -> Council:
        return self.agreement.council

    @property
    def rating(self) -> int:
        return self.likelihood * self.impact
